"""folio.search: Pagefind indexes only the pages marked for search, the same bytes each time, and a
failure is one located error."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio import search
from folio.errors import BuildError

PAGE = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main{attrs}><h1>{title}</h1><p>{text}</p></main></body></html>"""


def site_with(tmp_path: Path, pages: dict[str, tuple[str, bool]]) -> Path:
    site = tmp_path / "site"
    site.mkdir(parents=True)
    for name, (text, marked) in pages.items():
        (site / name).write_text(PAGE.format(title=name, text=text, attrs=" data-pagefind-body" if marked else ""),
                                 encoding="utf-8")
    return site


def test_only_marked_pages_are_indexed_and_the_ready_made_interfaces_are_dropped(tmp_path: Path) -> None:
    site = site_with(tmp_path, {"a.html": ("Ynys Môn council broadband", True), "b.html": ("Cardiff", True),
                                "index.html": ("home page", False)})
    search.index_site(site, "en-GB", 2)
    out = site / search.INDEX_DIR
    assert (out / "pagefind.js").is_file()
    assert not list(out.glob("pagefind-*ui*"))


def test_the_index_is_the_same_bytes_each_time(tmp_path: Path) -> None:
    def files(site: Path) -> dict[str, bytes]:
        return {str(p.relative_to(site)): p.read_bytes() for p in sorted((site / search.INDEX_DIR).rglob("*")) if p.is_file()}
    one = site_with(tmp_path / "1", {"a.html": ("the same words", True)})
    two = site_with(tmp_path / "2", {"a.html": ("the same words", True)})
    search.index_site(one, "en-GB", 1)
    search.index_site(two, "en-GB", 1)
    assert files(one) == files(two)


def test_a_site_whose_chapters_lost_their_mark_is_an_error(tmp_path: Path) -> None:
    """With no page marked, Pagefind would index the home page too: the count catches it."""
    site = site_with(tmp_path, {"index.html": ("home page", False), "a.html": ("words", False)})
    with pytest.raises(BuildError) as caught:
        search.index_site(site, "en-GB", 1)
    assert [f.code for f in caught.value.findings] == ["T004"]
    assert "data-pagefind-body" in caught.value.findings[0].hint
    assert not (site / search.INDEX_DIR).exists()


def test_a_failing_indexer_is_one_error_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "pagefind_executable", lambda: Path("/bin/false"))
    site = site_with(tmp_path, {"a.html": ("words", True)})
    with pytest.raises(BuildError) as caught:
        search.index_site(site, "en-GB", 1)
    finding = caught.value.findings[0]
    assert (finding.code, finding.severity, finding.path) == ("T004", "error", "output/web")
    assert "Pagefind could not index the site" in finding.message
