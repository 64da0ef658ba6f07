"""The web edition's pure helpers: notes moved to their chapters, links between pages, file sizes
(moved from tests/e2e/test_web.py, where the module's e2e mark hid them; architecture review 5.3)."""

from __future__ import annotations

import re
from pathlib import Path

from folio import web
from folio.chapters import Chapter


def test_notes_move_to_their_chapters_numbered_from_one() -> None:
    ref = '<a href="#fn{0}" class="footnote-ref" id="fnref{0}" role="doc-noteref"><sup>{0}</sup></a>'
    item = '<li id="fn{0}"><p><a href="#ref-k{0}" role="doc-biblioref">Source {0}</a>.<a href="#fnref{0}" class="footnote-back" role="doc-backlink">↩︎</a></p></li>'
    notes = ('<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes">\n<hr />\n<ol>\n'
             + "\n".join(item.format(n) for n in (1, 2, 3)) + "\n</ol>\n</section>")
    bodies = {"a": f"<p>One.{ref.format(1)} Two.{ref.format(2)}</p>", "b": f"<p>Three.{ref.format(3)}</p>\n{notes}"}
    out, per_chapter = web.split_notes(bodies)
    assert 'href="#fn2" class="footnote-ref" id="fnref2"' in out["a"]
    assert 'href="#fn1" class="footnote-ref" id="fnref1"' in out["b"] and "footnotes" not in out["b"]
    assert [n.split('role="doc-biblioref">')[1].split("<")[0] for n in per_chapter["a"] + per_chapter["b"]] == [
        "Source 1", "Source 2", "Source 3"]
    assert 'href="#fnref1" class="footnote-back"' in per_chapter["b"][0] and "Back to the text of note 1" in per_chapter["b"][0]


def test_links_to_other_pages_are_rewritten() -> None:
    chapter = Chapter(Path("here.md"), "chapters/here.md", {"id": "here", "title": "Here", "kind": "front"}, "", 1)
    here = web.Page(chapter, "here.html", None, ids={"local"})
    body = '<a href="#local">a</a> <a href="#ref-x">b</a> <a href="#data">c</a> <a href="#data-now">d</a> <a href="#nowhere">e</a>'
    out = web.rewrite_links(body, here, {"ref-x": "sources.html", "data-now": "data.html", "data": "data.html"}, {"data": "data.html"})
    assert out == ('<a href="#local">a</a> <a href="sources.html#ref-x">b</a> <a href="data.html">c</a> '
                   '<a href="data.html#data-now">d</a> <a href="#nowhere">e</a>')


def test_human_size() -> None:
    assert web.human_size(1) == "1 KB"
    assert web.human_size(463_649) == "453 KB"
    assert web.human_size(2_516_582) == "2.4 MB"


# --------------------------------------------------------------------------- browser




def test_the_home_figure_has_the_books_caption(tmp_path: Path) -> None:
    """Design review D21: the home page showed the timeline with the summary's caption (the first
    page to show it), which differs from the book's. The book's figure gives it, wherever it is."""
    (tmp_path / "timeline.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><title id="t">T</title></svg>',
                                           encoding="utf-8")

    def page(cid: str) -> web.Page:
        return web.Page(Chapter(Path(f"{cid}.md"), f"chapters/{cid}.md", {"id": cid, "title": cid, "kind": "front"}, "", 1),
                        f"{cid}.html", None)

    def fig(fid: str, caption: str) -> str:
        return f'<figure id="{fid}">\n<img src="figures/timeline.svg" alt="x" />\n<figcaption>{caption}</figcaption>\n</figure>'
    bodies = {"summary": fig("fig-summary-timeline", "On one line."), "glance": fig("fig-timeline", "Forty years.")}
    pages = [page("summary"), page("glance")]
    figure = web.home_figure(bodies, pages, tmp_path, {"fig-timeline"})
    assert figure is not None and figure.caption == "Forty years." and figure.page is pages[1]
    figure = web.home_figure(bodies, pages, tmp_path)        # no book figure: the first page's
    assert figure is not None and figure.caption == "On one line."


def test_the_home_figure_carries_the_phone_drawing(tmp_path: Path) -> None:
    """Design review W1 (status of 3 December): the home page's timeline had no phone drawing, so at
    390 px it scrolled sideways with its right-hand labels off screen, while the chapters' figures
    switched to theirs. The home figure now carries both drawings, and needs no scroll hint."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" class="figure-svg" viewBox="0 0 1 1"><title id="t">T</title></svg>'
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "timeline.svg").write_text(svg, encoding="utf-8")
    wide_only = web.home_figure({}, [], tmp_path / "figures")
    assert wide_only is not None and not wide_only.narrow and "figure-svg-narrow" not in wide_only.svg
    (tmp_path / "figures-narrow").mkdir()
    (tmp_path / "figures-narrow" / "timeline.svg").write_text(svg, encoding="utf-8")
    both = web.home_figure({}, [], tmp_path / "figures")
    assert both is not None and both.narrow
    assert 'class="figure-svg figure-svg-wide"' in both.svg and 'class="figure-svg figure-svg-narrow"' in both.svg
    assert len(set(re.findall(r'id="([^"]+)"', both.svg))) == len(re.findall(r'id="([^"]+)"', both.svg))   # ids unique
