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
    Code("F005", "error", "A line is longer than the build accepts.", "Break the paragraph into shorter lines."),
    Code("F006", "error", "Markdown or YAML is nested more deeply than the build accepts.",
         "Flatten the lists, quotes or brackets; no reader can follow them that deep."),
    Code("F008", "error", "A character that none of the book's fonts can show; it would print as an empty box.",
         "Use words instead of emoji; text in a script the fonts lack (Arabic, Hebrew, ...) needs a font in assets/fonts/."),
    Code("F007", "error", "A path points outside its folder of the project (after following symlinks).",
         "Keep chapters in chapters/ and every other file the book uses in assets/; do not link to files elsewhere."),
    # YAML: book.yaml and front matter
    Code("Y001", "error", "The YAML cannot be parsed.",
         "Check indentation (spaces, not tabs), colons after keys, and matching quotes."),
    Code("Y002", "error", "The same key appears twice; only one value can be kept.", "Delete one of them."),
    Code("Y003", "error", "A YAML tag (such as !!python/object) is not allowed.", "Remove the tag; write a plain value."),
    Code("Y004", "error", "YAML anchors and aliases (&name, *name) are not allowed.",
         "Write each value out in full; aliases can make a small file expand without limit."),
    Code("D001", "error", "A figure data file is invalid.", "See the figure data keys in docs/writing-chapters.md."),
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
    Code("S009", "error", "The same id is used twice in the book, so links to it are ambiguous.", "Rename one of them."),
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
    Code("L004", "error", "A link goes somewhere the book does not allow: only https, http, mailto and tel addresses "
         "and #anchors in the book.",
         "javascript:, vbscript:, file:, data: and relative links are refused in every edition."),
    Code("L005", "error", "A link has no target.", "Write [text](https://...) or [text](#anchor), or remove the brackets."),
    Code("L006", "error", "The build made a link, image or attribute inert because it is not allowed.",
         "The source checks should have named the line; fix the chapter and report the gap."),
    Code("I001", "error", "An image file does not exist."),
    Code("I002", "error", "An image has no alt text.",
         "Add {alt=\"what the picture shows\"} after the image."),
    Code("I003", "error", "An image lies outside the project's assets or generated figures."),
    Code("I004", "error", "An image file cannot be read as an image.", "Export it again as PNG or JPEG."),
    Code("I005", "error", "An image has no path."),
    Code("N001", "error", "A footnote reference has no footnote, so it would be printed as text.",
         "Add a line '[^name]: the note' to the chapter, or remove the reference."),
    Code("N002", "error", "A footnote is never referenced, so it would be left out.",
         "Add '[^name]' where the note belongs, or delete the footnote."),
    Code("C004", "error", "The square brackets around a citation do not match.", "Write [@key] or [@key, p. 4]."),
    Code("S010", "error", "An attribute that is not allowed, or a {...} that is not an attribute list.",
         "Only #id, .class, alt, lang and dir are allowed; remove the rest."),
    Code("H001", "error", "Raw HTML is not allowed in chapters.", "Use Markdown or one of the fenced-div blocks."),
    # Tools
    Code("T001", "warning", "pandoc reported a warning."),
    Code("T002", "warning", "WeasyPrint reported a warning."),
    Code("T003", "error", "WeasyPrint reported an error."),
    Code("T004", "error", "A tool failed or timed out."),
    Code("O001", "error", "The output folder cannot be written: the disk is full, or it is read-only or not yours.",
         "Free some space or fix the folder's permissions; the previous outputs are kept."),
    # Finished files
    Code("E001", "error", "EPUBCheck reported an error."),
    Code("E002", "warning", "EPUBCheck reported a warning."),
    Code("P001", "error", "The contents page numbers do not match the pages where chapters start."),
    Code("P002", "warning", "A page ends with a heading, so its text starts on the next page.",
         "Shorten the text before it, or move a block (a figure or box) so the heading moves with its text."),
    Code("X001", "error", "The press PDF failed preflight.", "Open output/*-press-preflight.html for details."),
    # Finished files: accessibility audit of the PDFs (folio.audit)
    Code("A100", "error", "The PDF cannot be opened.",
         "Rebuild it; the file is damaged or not a PDF."),
    Code("A101", "error", "The PDF is not marked as tagged (MarkInfo /Marked is not true).",
         "Render with pdf_variant='pdf/ua-1' (or pdf_tags=True)."),
    Code("A102", "error", "The PDF has no structure tree, so assistive technology cannot read its structure.",
         "Render with pdf_variant='pdf/ua-1' (or pdf_tags=True)."),
    Code("A103", "error", "The document language is missing or wrong.",
         "Set <html lang=\"en-GB\"> in the layout; WeasyPrint copies it to /Lang."),
    Code("A104", "error", "The XMP metadata has no dc:title.",
         "Give the HTML a <title>."),
    Code("A105", "error", "The viewer is not told to show the title (ViewerPreferences /DisplayDocTitle).",
         "Render with pdf_variant='pdf/ua-1', which sets it."),
    Code("A106", "error", "The XMP metadata does not identify the file as PDF/UA-1 (pdfuaid:part=1).",
         "Render with pdf_variant='pdf/ua-1'."),
    Code("A107", "error", "A level-1 heading has no bookmark, or the PDF has no bookmarks at all.",
         "Keep 'bookmark-level: 1' on h1 in the stylesheet; do not set bookmark-level: none on a heading."),
    Code("A108", "error", "The headings in reading order skip a level (for example H1 then H3).",
         "Go down one level at a time; check the layout templates as well as the chapters."),
    Code("A109", "error", "A figure has no alternative text (/Alt).",
         "Give every <img> a non-empty alt, and every inline <svg> a <title>; draw decorative pictures as CSS backgrounds."),
    Code("A110", "error", "A table has no header cells (TH).",
         "Use a header row (<th>) in every table."),
    Code("A111", "error", "A list is not tagged L > LI > (Lbl) LBody.",
         "Use <ul>/<ol> with <li>; do not give list items display other than list-item."),
    Code("A112", "error", "A link annotation has neither /Contents nor a Link structure element.",
         "Render with pdf_variant='pdf/ua-1'; links made outside <a> are not tagged."),
    Code("A113", "error", "A link's text does not say where it goes ('click here', 'here', 'more').",
         "Write link text that names the destination."),
    Code("A114", "warning", "A link's text is a bare web address outside the notes and sources.",
         "Write [Socitm's website](https://socitm.net), not the address itself."),
    Code("A115", "error", "Large print: the most common body text size is below 16 pt.",
         "Set the body font size to at least 16 pt in the large-print stylesheet."),
    Code("A116", "error", "Large print: body text is set below 14 pt.",
         "Only notes and captions may be smaller than 14 pt; raise the size in the large-print stylesheet."),
    Code("A117", "warning", "Large print: running heads, page numbers or notes are set below 12 pt.",
         "Keep every text in the large-print edition at 12 pt or more."),
    Code("A118", "warning", "Large print: text inside figures (chart labels) is below 12 pt.",
         "Draw the large-print figures with labels of 12 pt or more."),
    # Finished files: accessibility audit of the EPUB (folio.audit)
    Code("A200", "error", "The EPUB cannot be read (not a zip, or no package document).",
         "Rebuild it."),
    Code("A201", "error", "The package document has no dc:language.",
         "Pass --metadata=lang:en-GB to pandoc."),
    Code("A202", "error", "Required accessibility metadata is missing from the package document.",
         "Pass them to pandoc as YAML metadata (accessModes, accessibilityFeatures, ...); it drops --epub-metadata <meta>."),
    Code("A203", "error", "The package document does not claim 'EPUB Accessibility 1.1 - WCAG 2.2 Level AA'.",
         "Add <meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>."),
    Code("A204", "error", "The package document does not say who certified the accessibility (a11y:certifiedBy).",
         "Add <meta property=\"a11y:certifiedBy\">Socitm</meta>."),
    Code("A205", "error", "The metadata claims alternativeText, but an image has no text alternative.",
         "Give every <img> a non-empty alt and every <svg role=\"img\"> a <title> or aria-label, or do not claim alternativeText."),
    Code("A206", "error", "The metadata claims tableOfContents, but there is no toc nav.",
         "Build with --toc."),
    Code("A207", "error", "The metadata claims structuralNavigation, but the headings are missing or skip a level.",
         "Go down one heading level at a time in every content document."),
    Code("A208", "error", "The navigation document has no landmarks nav.",
         "Add <nav epub:type=\"landmarks\"> with at least the toc and bodymatter."),
    Code("A209", "error", "The cover image has no text alternative.",
         "Use an EPUB template whose cover page has <img alt=\"...\"> or <svg role=\"img\" aria-label=\"...\">."),
    Code("A210", "error", "The metadata claims pageList or pageBreakMarkers, but the EPUB has none.",
         "Add a page-list nav and page-break markers, or do not claim them."),
    Code("A211", "error", "accessModeSufficient says 'textual', but an image has no text alternative.",
         "Give every image a text alternative, or declare 'textual,visual'."),
    Code("A212", "error", "accessMode does not list 'visual', but the publication contains images.",
         "List every access mode the content uses: textual and visual."),
    # Finished files: DAISY Ace on the EPUB (folio.audit.run_ace)
    Code("A301", "error", "DAISY Ace reported a critical or serious violation.",
         "Open the Ace report.html for details."),
    Code("A302", "warning", "DAISY Ace reported a moderate or minor violation.",
         "Open the Ace report.html for details."),
    Code("A303", "error", "DAISY Ace could not run.",
         "Run the command the message gives, or set FOLIO_SKIP_BROWSER=1 to skip the Ace test."),
]

CATALOGUE: dict[str, Code] = {c.code: c for c in _CODES}


def finding(code: str, path: str, line: int, message: str, col: int = 0, hint: str | None = None) -> Finding:
    """A finding for a catalogued code; the hint defaults to the catalogue's."""
    entry = CATALOGUE[code]
    return Finding(path, line, col, code, entry.severity, message, entry.hint if hint is None else hint)
