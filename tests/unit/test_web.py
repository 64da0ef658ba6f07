"""The web edition's pure helpers: notes moved to their chapters, links between pages, file sizes
(moved from tests/e2e/test_web.py, where the module's e2e mark hid them; architecture review 5.3)."""

from __future__ import annotations

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


