"""Bad, hostile and interrupted input: the build refuses cleanly and never loses a good output."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from folio import checks, cli, publish
from folio.build import build, read_sources
from folio.chapters import read_chapter
from folio.sandbox import MAX_DATA_URL, ProjectFetcher
from tests.conftest import ROOT, copy_project

# --- the project-only URL fetcher -------------------------------------------------------------


@pytest.fixture
def fetcher(tmp_path: Path) -> ProjectFetcher:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "ok.txt").write_text("fine")
    (tmp_path / "assets" / "escape").symlink_to("/etc/hostname")
    return ProjectFetcher(tmp_path)


def test_fetcher_allows_project_files(fetcher: ProjectFetcher) -> None:
    response = fetcher.fetch(f"file://{fetcher.root}/assets/ok.txt")
    assert response is not None


@pytest.mark.parametrize("url", [
    "file:///etc/hostname",
    "file://{root}/assets/../../../etc/hostname",
    "file://{root}/assets/escape",
    "https://example.org/tracker.png",
    "http://127.0.0.1/x.css",
    "ftp://example.org/x",
])
def test_fetcher_refuses_everything_else(fetcher: ProjectFetcher, url: str) -> None:
    from weasyprint.urls import URLFetchingError

    with pytest.raises(URLFetchingError):
        fetcher.fetch(url.format(root=fetcher.root))
    assert fetcher.refused


def test_fetcher_refuses_huge_data_url(fetcher: ProjectFetcher) -> None:
    from weasyprint.urls import URLFetchingError

    with pytest.raises(URLFetchingError):
        fetcher.fetch("data:text/plain;base64," + "A" * (MAX_DATA_URL + 1))


def test_a_refused_resource_fails_the_build(sample_project: Path) -> None:
    """A layout that pulls in a file from outside the project is an error, not a silent blank."""
    css = sample_project / "layouts" / "css" / "book.css.j2"
    css.write_text(css.read_text() + "\n.cover { background-image: url(file:///etc/hostname); }\n")
    from folio.errors import BuildError

    with pytest.raises(BuildError) as caught:
        build(sample_project, targets=("pdf",))
    assert any(f.code == "T003" and "hostname" in f.message for f in caught.value.findings)
    assert not (sample_project / "output" / "sample-trends.pdf").exists()


# --- hostile content ----------------------------------------------------------------------------


def test_front_matter_values_reach_the_page_escaped(sample_project: Path) -> None:
    chapter = sample_project / "chapters" / "01-welcome.md"
    chapter.write_text(chapter.read_text().replace("title: Welcome", 'title: "<script>alert(1)</script>"'))
    build(sample_project, targets=())
    html = (sample_project / "output" / "build" / "sample-trends.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


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


def digest_tree(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and "output" not in p.relative_to(path).parts}


def test_a_build_never_modifies_sources(sample_project: Path) -> None:
    before = digest_tree(sample_project)
    build(sample_project, targets=("pdf",))
    assert digest_tree(sample_project) == before


def test_second_build_waits_for_the_lock(sample_project: Path) -> None:
    said: list[str] = []
    (sample_project / "output").mkdir(exist_ok=True)
    with publish.exclusive(sample_project / "output", lambda m: None):
        worker = threading.Thread(target=lambda: build(sample_project, targets=(), progress=said.append))
        worker.start()
        time.sleep(1.5)
        assert worker.is_alive()
        assert "Waiting for another build of this project to finish" in said
    worker.join(timeout=60)
    assert not worker.is_alive()


def test_kill_minus_9_mid_render_keeps_the_previous_outputs(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    earlier = project / "output" / "digital-trends-2026.pdf"
    earlier.write_bytes(b"%PDF-1.7 the previous good build\n")
    env = {**os.environ, "FOLIO_NO_BOOTSTRAP": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "make_book.py"), "pdf", "--plain", "--project", str(project)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    html = project / "output" / "build" / "digital-trends-2026.html"
    deadline = time.monotonic() + 60
    while not html.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1.0)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert earlier.read_bytes() == b"%PDF-1.7 the previous good build\n"
    # the next build clears any litter and succeeds
    build(project, targets=("pdf",))
    assert not list((project / "output").glob(".*.tmp*"))
    assert earlier.read_bytes().startswith(b"%PDF-1.7\n") or earlier.read_bytes()[:5] == b"%PDF-"
    assert earlier.stat().st_size > 100_000


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
