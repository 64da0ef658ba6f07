"""Accessibility claims derived from the content, for the EPUB metadata and the statement.

Every claim is computed from what the chapters contain; a claim the content cannot back is not
made (and ``checks`` refuses the build if, say, an image lacks alt text).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .checks import IMAGE, alt_text, body_lines

if TYPE_CHECKING:
    from .read import Sources

_TABLE = re.compile(r"^\s*\|.*\|\s*$")


def inventory(sources: Sources) -> dict[str, int]:
    images = with_alt = tables = 0
    for chapter in sources.chapters:
        for line in body_lines(chapter):
            for match in IMAGE.finditer(line.text):
                images += 1
                if alt_text(match.group("attrs")):
                    with_alt += 1
            if _TABLE.match(line.text):
                tables += 1
    return {"images": images, "images_with_alt": with_alt, "table_lines": tables,
            "chapters": len(sources.chapters)}


def epub_metadata(sources: Sources) -> dict[str, list[str] | str]:
    counts = inventory(sources)
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    modes = ["textual"]
    sufficient = ["textual"]
    if counts["images"]:
        modes.append("visual")
        if counts["images_with_alt"] == counts["images"]:
            features.append("alternativeText")
        else:
            sufficient = ["textual,visual"]
    if counts["table_lines"]:
        features.append("table")
    summary = ("This publication has a navigable table of contents, headings in a logical order and "
               "a reading order that follows the text. "
               + ("Every figure has a text alternative that gives its values. " if "alternativeText" in features else "")
               + "No content relies on colour alone, and nothing flashes or plays sound.")
    return {
        "schema:accessMode": modes,
        "schema:accessModeSufficient": sufficient,
        "schema:accessibilityFeature": sorted(features),
        "schema:accessibilityHazard": "none",
        "schema:accessibilitySummary": summary,
        "dcterms:conformsTo": "EPUB Accessibility 1.1 - WCAG 2.2 Level AA",
        "a11y:certifiedBy": sources.book.publisher,
    }


def statement(sources: Sources) -> dict[str, list[str]]:
    counts = inventory(sources)
    conforms = [
        "The web edition meets WCAG 2.2 AA in automated tests (axe-core in a real browser, at desktop and "
        "320 pixel widths), has a skip link and landmarks, and works with a keyboard alone.",
        "The PDF editions are tagged (PDF/UA-1), with the language set to British English, the title shown "
        "in the window, bookmarks for every chapter and section, and a linked contents page.",
        "Headings go down one level at a time, so the structure can be navigated with a screen reader.",
        f"All {counts['images']} figures have a text alternative that gives the values shown; the charts "
        "are drawn from data, and their captions name the source.",
        "Text and background colours meet the WCAG 2.2 AA contrast ratios: 4.5:1 for body text and 3:1 "
        "for large text. A test computes every ratio from the stylesheet.",
        "Link text says where each link goes.",
        "The large-print PDF follows RNIB clear print: every piece of text, including the notes (set as "
        "endnotes at the end of each chapter), captions, boxes, sources, running heads and the labels in "
        "the charts, which are redrawn for it, is 16 point or larger, in one typeface, Atkinson "
        "Hyperlegible Next, with 1.5 line spacing, left-aligned, with no italics, no underlining and no "
        "hyphenation; web addresses break only after a slash. A test reads the size and font of every "
        "character in the finished PDF with pdfium.",
        "The EPUB edition passes EPUBCheck and carries accessibility metadata derived from its content.",
    ]
    limitations = [
        "In the PDFs, running heads and page numbers are not marked as artifacts, so some screen readers "
        "may read them; WeasyPrint, the tool that makes the PDFs, cannot yet do this.",
        "Pull quotes repeat a sentence from the text nearby, so a screen reader reads that sentence twice.",
        "The PDFs have not been checked with veraPDF or PAC, which were not available to us; the EPUB has "
        "been checked with EPUBCheck.",
    ]
    return {"conforms": conforms, "limitations": limitations}
