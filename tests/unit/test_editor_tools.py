"""Editors' tools: new-chapter, the generated check-code docs, and watch with its preview server."""

from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path

import pytest

from folio import checks, cli, watch
from folio.build import build, read_sources
from folio.chapters import read_chapter
from folio.docs import check_codes_markdown

ROOT = Path(__file__).resolve().parent.parent.parent


def test_check_codes_doc_is_in_sync() -> None:
    assert (ROOT / "docs" / "check-codes.md").read_text(encoding="utf-8") == check_codes_markdown(), \
        "docs/check-codes.md is out of date: run python make_book.py docs"


def test_every_code_used_in_the_code_is_catalogued() -> None:
    import re

    from folio.catalogue import CATALOGUE

    used = set()
    for path in (ROOT / "folio").glob("*.py"):
        used |= set(re.findall(r"finding\(\"([A-Z]\d{3})\"", path.read_text()))
    assert used, "no codes found"
    assert sorted(used - set(CATALOGUE)) == []


def test_new_chapter_creates_a_valid_theme_chapter(sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["new-chapter", "Open data", "--project", str(sample_project), "--plain"])
    assert code == 0
    path = sample_project / "chapters" / "04-open-data.md"
    assert path.exists()
    assert "  - 04-open-data.md" in (sample_project / "book.yaml").read_text()
    chapter, problems = read_chapter(path, sample_project)
    assert problems == [] and chapter is not None
    assert chapter.kind == "theme" and chapter.id == "open-data"
    found = checks.check_structure(chapter)
    assert [f.code for f in found] == []
    # the whole sample book still reads; the new chapter's placeholder citation is the one error
    _, problems = read_sources(sample_project)
    assert [p.code for p in problems if p.severity == "error"] == ["C001"]


def test_new_chapter_refuses_a_duplicate(sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new-chapter", "Data", "--project", str(sample_project)]) == 1
    assert "a chapter named 'data' already exists" in capsys.readouterr().err


def test_watch_rebuilds_after_an_edit_and_preview_reloads(sample_project: Path) -> None:
    state = watch.State()
    messages: list[str] = []
    build(sample_project, targets=())
    server = watch.serve(sample_project / "output" / "build", "sample-trends.html", state, port=0)
    port = server.server_address[1]
    stop = threading.Event()

    def rebuild() -> object:
        return build(sample_project, targets=())
    thread = threading.Thread(target=watch.loop, args=(sample_project, rebuild, state, messages.append, stop), daemon=True)
    thread.start()
    try:
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        assert "/__folio/version" in page and "Sample Trends" in page
        time.sleep(1.0)
        chapter = sample_project / "chapters" / "01-welcome.md"
        chapter.write_text(chapter.read_text().replace("This sample has", "This edited sample has"))
        deadline = time.monotonic() + 30
        while state.version < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert state.version >= 1, messages
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        assert "This edited sample has" in page
        # a broken edit shows the findings in the preview, and the watcher keeps running
        chapter.write_text(chapter.read_text().replace("kind: front", "kind: frnt"))
        deadline = time.monotonic() + 30
        while state.version < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        assert "The build failed" in page and "M005" in page
        assert thread.is_alive()
    finally:
        stop.set()
        server.shutdown()
        thread.join(timeout=10)
