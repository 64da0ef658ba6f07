"""watch: the member PDF and its page-quality report re-rendered in the background after each save.

No test here waits on a clock: the renderer's worker is handed to the test (``start``), which runs
it in its own thread of control, so the order of events is the test's.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from folio import watch
from folio.catalogue import finding
from folio.errors import BuildError

ROOT = Path(__file__).resolve().parent.parent.parent


class Harness:
    def __init__(self, render: Callable[[int], watch.RenderResult] | None = None) -> None:
        self.state = watch.State()
        self.workers: list[Callable[[], None]] = []
        self.rendered: list[int] = []
        self.messages: list[str] = []
        self.on_render: Callable[[int], None] = lambda _v: None

        def default(version: int) -> watch.RenderResult:
            self.rendered.append(version)
            self.on_render(version)
            return {"pdf": "/preview/b.pdf", "report": "/preview/b-page-quality.html"}, 7

        self.paged = watch.PagedRenderer(render or default, self.state, self.messages.append, start=self.workers.append)

    def save(self) -> None:
        """A save whose preview build succeeded: the version moves on and the PDF is asked for."""
        self.state.finished()
        self.paged.request(self.state.version)

    def status(self) -> str:
        return str(self.state.paged_status()["status"])


def test_nothing_rendered_yet() -> None:
    h = Harness()
    assert h.status() == "none"
    assert h.state.paged_status()["files"] == {}


def test_a_save_starts_one_background_render_and_it_becomes_fresh() -> None:
    h = Harness()
    h.save()
    assert len(h.workers) == 1 and h.status() == "rendering"
    h.workers[0]()
    assert h.rendered == [1]
    status = h.state.paged_status()
    assert status["status"] == "fresh" and status["findings"] == 7
    assert status["files"] == {"pdf": "/preview/b.pdf", "report": "/preview/b-page-quality.html"}


def test_saves_during_a_render_wait_and_coalesce_into_one_more_render() -> None:
    h = Harness()
    seen: list[str] = []

    def during(version: int) -> None:
        if version == 1:          # three more saves while the first render runs
            h.save()
            h.save()
            h.save()
            seen.append(h.status())

    h.on_render = during
    h.save()
    h.workers[0]()
    assert len(h.workers) == 1            # no second worker: the running one took the waiting version
    assert h.rendered == [1, 4]           # versions 2 and 3 were never rendered
    assert seen == ["rendering"]
    assert h.status() == "fresh" and h.state.paged_status()["rendered"] == 4


def test_a_later_preview_makes_the_files_stale_until_rendered_again() -> None:
    h = Harness()
    h.save()
    h.workers[0]()
    h.state.finished()                    # a preview build finished, its PDF not asked for yet
    assert h.status() == "stale"
    h.state.finished("M005 ...")          # a failed preview build: still stale, not fresh
    assert h.status() == "stale"


def test_a_failed_render_says_why_and_the_next_one_recovers() -> None:
    calls: list[int] = []

    def render(version: int) -> watch.RenderResult:
        calls.append(version)
        if version == 1:
            raise BuildError([finding("T003", "output/build/b.html", 0, "WeasyPrint reported an error")])
        return {"pdf": "/preview/b.pdf"}, 0

    h = Harness(render)
    h.save()
    h.workers[0]()
    status = h.state.paged_status()
    assert status["status"] == "failed" and "T003" in status["failed"]
    assert any("failed" in m for m in h.messages)
    h.save()
    h.workers[1]()
    assert h.status() == "fresh" and calls == [1, 2]


def test_an_unexpected_error_in_the_render_does_not_stop_the_watcher() -> None:
    def render(version: int) -> watch.RenderResult:
        raise RuntimeError("disk gone")

    h = Harness(render)
    h.save()
    h.workers[0]()
    assert h.status() == "failed" and "RuntimeError" in h.state.paged_status()["failed"]


def test_rebuild_asks_for_the_pdf_only_after_a_preview_that_built() -> None:
    h = Harness()

    def broken() -> object:
        raise BuildError([finding("M005", "chapters/a.md", 2, "bad kind")])

    watch.rebuild(broken, h.state, h.messages.append, h.paged)
    assert h.workers == [] and h.state.version == 1
    watch.rebuild(lambda: None, h.state, h.messages.append, h.paged)
    assert len(h.workers) == 1 and h.state.paged.running == 2


def test_render_member_pdf_builds_a_snapshot_and_copies_the_three_files(sample_project: Path) -> None:
    calls: list[tuple[Path, dict[str, Any]]] = []

    def fake_build(snap: Path, **kwargs: Any) -> None:
        calls.append((snap, kwargs))
        assert snap != sample_project and (snap / "chapters" / "01-welcome.md").is_file()
        assert (snap / "book.yaml").read_text() == (sample_project / "book.yaml").read_text()
        out = snap / "output"
        (out / "sample-trends.pdf").write_bytes(b"%PDF-1.7 fake")
        (out / "sample-trends-page-quality.html").write_text("<p>report</p>")
        (out / "sample-trends-page-quality.json").write_text(json.dumps({"summary": {"findings": 3}}))

    files, findings = watch.render_member_pdf(sample_project, fake_build)
    assert calls[0][1] == {"targets": ("pdf",), "page_quality_strict": False}
    preview = sample_project / "output" / "build" / "preview"
    assert (preview / "sample-trends.pdf").read_bytes() == b"%PDF-1.7 fake"
    assert files == {"pdf": "/preview/sample-trends.pdf", "report": "/preview/sample-trends-page-quality.html"}
    assert findings == 3
    assert not (sample_project / "output" / "sample-trends.pdf").exists()    # the real outputs are not touched
    assert not calls[0][0].exists()                                            # the snapshot is removed


def test_the_preview_page_carries_the_bar_and_the_status_is_served(tmp_path: Path) -> None:
    (tmp_path / "book.html").write_text("<html><body><p>The book.</p></body></html>")
    (tmp_path / "other.html").write_text("<html><body><p>Other.</p></body></html>")
    state = watch.State()
    bar = watch.preview_bar(ROOT / "layouts" / "reports")
    assert b"/__folio/paged" in bar and b"Page-quality report" in bar
    server = watch.serve(tmp_path, "book.html", state, port=0, bar=bar)
    try:
        port = server.server_address[1]
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/").read().decode()
        assert 'id="folio-paged"' in page and "Member PDF" in page and page.index("folio-paged") < page.index("</body>")
        other = urllib.request.urlopen(f"http://127.0.0.1:{port}/other.html").read().decode()
        assert "folio-paged" not in other
        status = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/__folio/paged").read())
        assert status["status"] == "none" and status["files"] == {}
    finally:
        server.shutdown()


@pytest.mark.parametrize("status", ["fresh", "stale", "rendering", "failed", "none"])
def test_the_bar_has_words_for_every_status(status: str) -> None:
    assert f"{status}:" in (ROOT / "layouts" / "reports" / "preview-bar.html.j2").read_text()


