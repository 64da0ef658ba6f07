"""folio's default theme (folio/theme/) stands in for any template a book's layouts/ lacks."""

from __future__ import annotations

from pathlib import Path

from folio import render
from folio.chapters import read_chapter
from folio.config import load_book
from tests.unit.test_content_model import project


def test_a_book_without_layouts_gets_the_default_theme(tmp_path: Path) -> None:
    root = project(tmp_path)
    book = load_book(root)
    path = root / "chapters" / "a.md"
    path.write_text("---\nid: a\ntitle: An essay\nkind: essay\ncolour: teal\nowner: Me\nyear: 2020\nsummary: Why.\n---\n\nText.\n")
    chapter, found = read_chapter(path, root, book.content)
    assert chapter is not None and found == []
    env = render.environment(root)
    assert Path(env.get_template("book.html.j2").filename or "").is_relative_to(render.THEME)
    view = render.Edition(name="member", file_stem="x", colour=lambda key: "#000000", figures_dir="figures")
    html = render.render_book(env, book, [chapter], {"a": "<p>Text.</p>"}, view, "css/member.css")
    assert '<p class="chapter-number">Essay 1 of 1</p>' in html and "<p>Text.</p>" in html
    css = render.render_css(env, "css/book.css.j2", view, book, [chapter], "../fonts")
    assert ".theme-teal .chapter-number" in css
    assert render.openers(env, [chapter]) == {"a": "::: {.opener-meta}\n[Essay 1 of 1]{.opener-number}\n\nWhy\\.\n:::\n"}


def test_the_book_s_own_layouts_come_first(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "layouts").mkdir()
    (root / "layouts" / "book.html.j2").write_text("own {{ book.title }}", encoding="utf-8")
    env = render.environment(root)
    assert env.get_template("book.html.j2").render(book=load_book(root)) == "own Sample Trends"
    assert Path(env.get_template("partials/opener.md.j2").filename or "").is_relative_to(render.THEME)
