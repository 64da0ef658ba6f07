"""folio.epub without pandoc: the package metadata and the title page it gives pandoc (design review D9)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from folio import config, epub

ROOT = Path(__file__).resolve().parents[2]


def test_one_identifier_and_the_subtitle_as_a_title_refinement() -> None:
    """The OPF had the same UUID as two dc:identifier elements (pandoc writes one from
    --epub-metadata and one more from --metadata=identifier) and a dc:title without the
    subtitle. The identifier now comes from --epub-metadata alone, and the title from the
    metadata file as a main title and a subtitle, which pandoc writes as title-type refinements."""
    book = config.load_book(ROOT)
    assert epub.metadata_xml(book).count("<dc:identifier") == 1
    fields = json.loads(epub.a11y_metadata_file({"schema:accessMode": "textual"}, book))
    assert fields["title"] == [{"type": "main", "text": "Digital Trends 2026"},
                               {"type": "subtitle", "text": "A look back, a leap forward"}]
    assert fields["accessModes"] == ["textual"]


def test_the_title_page_is_the_pdfs() -> None:
    """pandoc's title page was the title, the publisher as author and an ISO date. folio's has the
    edition, the date as the PDF writes it, the licence, the identifier and how to cite."""
    book = config.load_book(ROOT)
    page = epub.title_page(book, ROOT / "layouts")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page))
    assert page.startswith('<section epub:type="titlepage"')
    assert '<p class="edition">Special 40th-anniversary edition</p>' in page
    assert "Date 2 December 2026" in text and "2026-12-02" not in text
    for wanted in (book.licence, f"Identifier {book.identifier}", "How to cite Socitm. Digital Trends 2026: A look back, "
                   "a leap forward. Special 40th-anniversary edition. Socitm, 2026."):
        assert wanted in text, wanted
    assert epub.long_date(book) == "2 December 2026"
