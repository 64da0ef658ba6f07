"""folio: build Digital Trends 2026 from Markdown chapters into PDF, press PDF and EPUB."""

__version__ = "0.1.0"
