"""Bad, hostile and interrupted input: the build refuses cleanly and never loses a good output."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from folio import checks, cli
from folio.build import read_sources
from folio.chapters import read_chapter

# --- the project-only URL fetcher -------------------------------------------------------------


# --- hostile content ----------------------------------------------------------------------------


@pytest.mark.parametrize(("snippet", "message"), [
    ("```{=html}\n<script>x</script>\n```\n", "raw html block or span"),
    ("Text `<b>`{=html} here.\n", "raw html block or span"),
    ('<img src="x" onerror="alert(1)">\n', "raw HTML <img>"),
    ('<link rel="stylesheet" href="http://x">\n', "raw HTML <link>"),
    ("<style>body{}</style>\n", "raw HTML <style>"),
    ("<meta http-equiv=refresh>\n", "raw HTML <meta>"),
    ("<iframe src=x></iframe>\n", "raw HTML <iframe>"),
])
def test_raw_html_is_refused(snippet: str, message: str, tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    path = tmp_path / "chapters" / "c.md"
    path.write_text(f"---\nid: c\ntitle: C\nkind: front\n---\n\n{snippet}")
    chapter, problems = read_chapter(path, tmp_path)
    assert chapter is not None and problems == []
    found, _ = checks.check_inline(chapter, tmp_path, set(), set(), set())
    assert [f.code for f in found][:1] == ["H001"]
    assert found[0].message == message
    assert found[0].line == 7


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    path = tmp_path / "chapters" / "c.md"
    body = "".join(f"{':' * (12 - i)} case-study\n" for i in range(6)) + "x\n" + "".join(f"{':' * (7 + i)}\n" for i in range(6))
    path.write_text(f"---\nid: c\ntitle: C\nkind: front\n---\n\n{body}")
    chapter, _ = read_chapter(path, tmp_path)
    assert chapter is not None
    assert "S008" in [f.code for f in checks.check_structure(chapter)]


def test_oversized_image_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    (tmp_path / "chapters").mkdir()
    (tmp_path / "assets").mkdir()
    Image.new("1", (8000, 8000)).save(tmp_path / "assets" / "huge.png")
    path = tmp_path / "chapters" / "c.md"
    path.write_text('---\nid: c\ntitle: C\nkind: front\n---\n\n![Big.](../assets/huge.png){alt="A big image."}\n')
    chapter, _ = read_chapter(path, tmp_path)
    assert chapter is not None
    found, _ = checks.check_inline(chapter, tmp_path, set(), set(), set())
    assert [(f.code, f.message) for f in found] == [
        ("F003", "image '../assets/huge.png' is 8000 x 8000 pixels; the limit is 60,000,000 pixels")]


def test_oversized_chapter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    path = tmp_path / "chapters" / "c.md"
    path.write_text("---\nid: c\ntitle: C\nkind: front\n---\n" + "word " * 500_000)
    _, problems = read_chapter(path, tmp_path)
    assert [p.code for p in problems] == ["F003"]


# --- property-based: any input gives a result or a clean finding, never an exception -----------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.one_of(st.binary(max_size=400),
                     st.text(max_size=400).map(lambda t: ("---\n" + t).encode("utf-8", "surrogatepass")),
                     st.text(alphabet="-:#\t\r\n !'\"{}[]@&*|>?abc123", max_size=300).map(str.encode)))
def test_any_chapter_bytes_give_a_result_or_findings(raw: bytes, tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir(exist_ok=True)
    path = tmp_path / "chapters" / "x.md"
    path.write_bytes(raw)
    chapter, problems = read_chapter(path, tmp_path)
    assert (chapter is None) == bool(problems)
    for problem in problems:
        assert problem.format().startswith("chapters/x.md")
    if chapter is not None:
        checks.check_structure(chapter)
        checks.check_inline(chapter, tmp_path, set(), set(), set())


# --- atomic outputs, the lock, and interruption -------------------------------------------------


def test_no_traceback_without_debug(sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sample_project / "book.yaml").write_bytes(b"title: [unclosed\n")
    assert cli.main(["pdf", "--project", str(sample_project), "--plain"]) == 1
    out = capsys.readouterr().err
    assert "book.yaml:2:1: Y001 error: YAML:" in out
    assert "Traceback" not in out


def test_read_sources_reports_all_chapters_at_once(sample_project: Path) -> None:
    for name in ("01-welcome.md", "02-data.md"):
        path = sample_project / "chapters" / name
        path.write_text(path.read_text().replace("kind:", "knd:"))
    _, problems = read_sources(sample_project)
    assert {p.path for p in problems if p.code == "M004"} == {"chapters/01-welcome.md", "chapters/02-data.md"}
