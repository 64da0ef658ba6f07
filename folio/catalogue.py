"""The catalogue of check codes. Codes are stable: a retired code is kept, marked retired, and
never reused. ``docs/check-codes.md`` is generated from this table (``make_book.py docs``) and a
test keeps the two in sync.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import Finding, Severity


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    summary: str
    hint: str = ""


_CODES = [
    # Files and encodings
    Code("F001", "error", "A file cannot be read as UTF-8 text.",
         "Save the file as UTF-8 (in most editors: File, Save with encoding, UTF-8)."),
    Code("F002", "error", "A chapter file is empty.", "Add front matter and some text, or remove the file from book.yaml."),
    Code("F003", "error", "A file is larger than the build accepts.", "Split the chapter, or shrink the image."),
    Code("F004", "error", "The book has more pages than the build accepts.", "Check for a runaway table or a huge image."),
    # YAML: book.yaml and front matter
    Code("Y001", "error", "The YAML cannot be parsed.",
         "Check indentation (spaces, not tabs), colons after keys, and matching quotes."),
    Code("Y002", "error", "The same key appears twice; only one value can be kept.", "Delete one of them."),
    Code("Y003", "error", "A YAML tag (such as !!python/object) is not allowed.", "Remove the tag; write a plain value."),
    Code("M001", "error", "A chapter has no front matter.",
         "Start the file with a line '---', the front matter, and another line '---'."),
    Code("M002", "error", "The front matter is not closed.", "Add a line with only '---' after the last key."),
    Code("M003", "error", "A required key is missing."),
    Code("M004", "error", "An unknown key; it is probably misspelt.", "See docs/writing-chapters.md for the keys."),
    Code("M005", "error", "A value has the wrong type or is not one of the allowed values."),
    Code("M006", "error", "Two chapters have the same id.", "Every chapter needs its own id."),
    # book.yaml
    Code("B001", "error", "A chapter listed in book.yaml does not exist.", "Check the file name under chapters/."),
    Code("B002", "warning", "A chapter file is not listed in book.yaml, so it is not in the book.",
         "Add it to the chapters list in book.yaml, or delete it."),
    # Structure
    Code("S001", "error", "A theme chapter must have level-2 sections Then, Now and Next, in that order.",
         "Add the missing heading, for example a line '## Now'."),
    Code("S002", "error", "A level-1 heading in a chapter body; the build writes the chapter title itself.",
         "Use '##' for sections."),
    Code("S003", "error", "A heading skips a level.", "Go down one level at a time: ## then ###."),
    Code("S004", "error", "A theme chapter lacks a required block (case-study, pull-quote or call-to-action).",
         "See 'Blocks' in docs/writing-chapters.md."),
    Code("S005", "warning", "A section has no text under its heading."),
    Code("S006", "error", "A fenced div is not closed.", "Add a line ':::' after the block."),
    Code("S008", "error", "Blocks are nested too deeply.", "Close a block before opening another."),
    Code("S007", "warning", "An unknown block class; the layouts do not style it.",
         "Use case-study, pull-quote, key-facts or call-to-action."),
    # Citations, links, images, raw HTML
    Code("C001", "error", "A citation key is not in the bibliography.",
         "Add an entry to assets/bibliography.yaml, or correct the key."),
    Code("C002", "error", "The bibliography cannot be read."),
    Code("C003", "warning", "A bibliography entry is never cited, so it will not appear in Sources."),
    Code("L001", "error", "A link points to an anchor that does not exist in the book."),
    Code("L002", "error", "A link's text is a bare web address; it should say where it goes.",
         "Write [Socitm's website](https://socitm.net), not [https://socitm.net](https://socitm.net)."),
    Code("L003", "error", "A link text that does not say where it goes ('click here', 'here', 'more')."),
    Code("I001", "error", "An image file does not exist."),
    Code("I002", "error", "An image has no alt text.",
         "Add {alt=\"what the picture shows\"} after the image."),
    Code("I003", "error", "An image lies outside the project's assets or generated figures."),
    Code("I004", "error", "An image file cannot be read as an image.", "Export it again as PNG or JPEG."),
    Code("H001", "error", "Raw HTML is not allowed in chapters.", "Use Markdown or one of the fenced-div blocks."),
    # Tools
    Code("T001", "warning", "pandoc reported a warning."),
    Code("T002", "warning", "WeasyPrint reported a warning."),
    Code("T003", "error", "WeasyPrint reported an error."),
    Code("T004", "error", "A tool failed or timed out."),
    # Finished files
    Code("E001", "error", "EPUBCheck reported an error."),
    Code("E002", "warning", "EPUBCheck reported a warning."),
    Code("P001", "error", "The contents page numbers do not match the pages where chapters start."),
    Code("X001", "error", "The press PDF failed preflight.", "Open output/*-press-preflight.html for details."),
]

CATALOGUE: dict[str, Code] = {c.code: c for c in _CODES}


def finding(code: str, path: str, line: int, message: str, col: int = 0, hint: str | None = None) -> Finding:
    """A finding for a catalogued code; the hint defaults to the catalogue's."""
    entry = CATALOGUE[code]
    return Finding(path, line, col, code, entry.severity, message, entry.hint if hint is None else hint)
