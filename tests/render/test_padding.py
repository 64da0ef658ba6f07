"""Press padding to a page multiple (folio.pdf.render): one WeasyPrint render, the padding pages
just before the back cover, and only as many as the multiple needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pikepdf
import pytest

from folio import pdf

CSS = """@page { size: 100mm 100mm; margin: 10mm; }
@page pad { }
.pad-page { page: pad; break-before: page; height: 1px; }
section { break-before: page; }"""


def _job(tmp_path: Path, pages: int, multiple: int, back_cover: bool = True) -> pdf.PdfJob:
    body = "".join(f"<section><p>Page {n}</p></section>" for n in range(1, pages + 1))
    if back_cover:
        body += '<section class="back-cover"><p>Back cover</p></section>'
    html = tmp_path / "book.html"
    html.write_text(f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Pads</title>'
                    f"<style>{CSS}</style></head><body>{body}</body></html>", encoding="utf-8")
    return pdf.PdfJob("press", html, tmp_path / "book.pdf", tmp_path, "pdf/ua-1", 0, page_multiple=multiple)


def _texts(path: Path) -> list[str]:
    import pypdfium2  # type: ignore[import-untyped]

    doc = pypdfium2.PdfDocument(str(path))
    return [doc[i].get_textpage().get_text_range().strip() for i in range(len(doc))]


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times WeasyPrint laid the book out."""
    import weasyprint

    calls: list[int] = []
    original = weasyprint.HTML.render

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "render", counted)
    return calls


@pytest.mark.parametrize(("pages", "multiple", "pads"), [(5, 4, 2), (6, 4, 1), (7, 4, 0), (4, 2, 1), (3, 8, 4)])
def test_pads_go_before_the_back_cover_from_one_render(tmp_path: Path, renders: list[int], pages: int, multiple: int,
                                                       pads: int) -> None:
    result = pdf.render(_job(tmp_path, pages, multiple))
    texts = _texts(result.target)
    assert result.pages == len(texts) == pages + 1 + pads and len(texts) % multiple == 0
    assert texts[:pages] == [f"Page {n}" for n in range(1, pages + 1)]
    assert texts[pages:-1] == [""] * pads and texts[-1] == "Back cover"
    assert len(renders) == 1
    with pikepdf.open(result.target) as done:     # still one structure tree, every page in it or blank
        assert "/StructTreeRoot" in done.Root


def test_without_a_back_cover_the_pads_go_last(tmp_path: Path, renders: list[int]) -> None:
    result = pdf.render(_job(tmp_path, 5, 4, back_cover=False))
    assert _texts(result.target) == ["Page 1", "Page 2", "Page 3", "Page 4", "Page 5", "", "", ""]
    assert len(renders) == 1


def test_a_stylesheet_without_the_pad_page_still_pads(tmp_path: Path, renders: list[int]) -> None:
    job = _job(tmp_path, 5, 4)
    job.html_path.write_text(job.html_path.read_text(encoding="utf-8").replace("page: pad;", ""), encoding="utf-8")
    result = pdf.render(job)
    assert result.pages == 8 and _texts(result.target)[-1] == "Back cover"
    assert len(renders) == 2           # the fallback: pad and render again
