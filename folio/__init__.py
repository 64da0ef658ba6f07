"""folio: build a report from Markdown chapters into accessible PDF, press PDF, EPUB and a web site."""

__version__ = "0.1.0"
