"""Editors' tools: new-chapter, the generated check-code docs, and watch with its preview server."""

from __future__ import annotations

import threading
import time
import urllib.request
from pathlib import Path

from folio import watch
from folio.build import build


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
        chapter.write_text(chapter.read_text().replace("kind: intro", "kind: intr"))
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
