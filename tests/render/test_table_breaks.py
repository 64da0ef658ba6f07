"""A table's caption stays on the page of the table's first rows.

WeasyPrint lays out a captioned table as a wrapper holding the caption and the table, and may break
between them: the large-print glossary once ended page 129 with 'Terms used in this book.' and began the
table on page 130, and the PDF audit failed the build (A110, a Table element holding only a Caption).
The book's stylesheet keeps a caption with its table; this renders a heading, a captioned table and
every amount of text before them, so that at some amount the caption falls at the page foot.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from folio import render
from folio.build import read_sources

ROOT = Path(__file__).resolve().parent.parent.parent


def _css(name: str) -> str:
    sources, problems = read_sources(ROOT)
    assert not [p for p in problems if p.severity == "error"]
    edition = sources.book.editions[name]
    view = render.Edition(edition.stylesheet, "x", render.rgb_colour(render.load_palette(ROOT)), "figures",
                          tokens=edition.tokens, clear_print=edition.clear_print, trim_mm=edition.trim_mm)
    return render.render_css(render.environment(ROOT), "css/book.css.j2", view, sources.book, sources.chapters,
                             (ROOT / "assets" / "fonts").as_uri())


def _pages(html: str, css: str) -> list[str]:
    import pypdfium2  # type: ignore[import-untyped]
    from weasyprint import CSS, HTML

    data = HTML(string=html, base_url=str(ROOT)).write_pdf(stylesheets=[CSS(string=css)])
    pdf = pypdfium2.PdfDocument(io.BytesIO(data))
    return [" ".join(page.get_textpage().get_text_range().split()) for page in pdf]


@pytest.mark.parametrize("edition", ["pdf", "large-print"])
def test_a_caption_never_ends_a_page_without_its_table(edition: str) -> None:
    css = _css(edition) + "@page { size: 148mm 210mm; }"      # A5: fewer lines to step through
    table = ("<h2>Terms</h2><table><caption>Terms used in this book.</caption><thead><tr><th>Term</th>"
             "<th>Meaning</th></tr></thead><tbody>" + "".join(f"<tr><td>Term {i}</td><td>Meaning {i}</td></tr>"
                                                            for i in range(12)) + "</tbody></table>")
    alone = []
    for lines in range(0, 40):
        body = "".join(f"<p>Line {i}.</p>" for i in range(lines))
        pages = _pages(f"<html lang='en-GB'><body><main>{body}{table}</main></body></html>", css)
        at = next(i for i, text in enumerate(pages) if "Terms used in this book." in text)
        if "Term 0" not in pages[at]:
            alone.append(lines)
    assert not alone, f"{edition}: the caption ended a page without its table after {alone} lines of text"
