"""Watch and preview: rebuild when a source changes, and serve a preview that reloads itself.

The preview server listens on 127.0.0.1 only and serves output/build/. Every HTML page gets a
small script that asks /__folio/version once a second and reloads when a rebuild finished. When
a build fails, the preview shows the findings instead of the book, and the watcher keeps going.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .errors import BuildError

WATCHED = ("chapters", "layouts", "assets", "book.yaml")
RELOAD_SCRIPT = b"""<script>(function(){var v=null;setInterval(function(){fetch('/__folio/version').then(function(r)
{return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})},1000)})();</script>"""


@dataclass
class State:
    version: int = 0
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def finished(self, error: str = "") -> None:
        with self.lock:
            self.version += 1
            self.error = error


class _Handler(SimpleHTTPRequestHandler):
    state: State
    page: str

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/__folio/version":
            self._send(str(self.state.version).encode(), "text/plain")
            return
        if self.path in ("/", "/index.html"):
            self.path = "/" + self.page
        if self.state.error and self.path.endswith(".html"):
            body = ("<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>Build failed</title></head>"
                    "<body><main><h1>The build failed</h1><p>Fix these, save, and this page reloads.</p><pre>"
                    + html.escape(self.state.error) + "</pre></main></body></html>")
            self._send(body.encode() + RELOAD_SCRIPT, "text/html; charset=utf-8")
            return
        if self.path.endswith(".html"):
            target = Path(self.translate_path(self.path))
            if target.is_file():
                data = target.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>")
                self._send(data, "text/html; charset=utf-8")
                return
        super().do_GET()

    def _send(self, data: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)


def serve(directory: Path, page: str, state: State, port: int = 8000) -> ThreadingHTTPServer:
    """Start the preview server on 127.0.0.1 in a daemon thread; port 0 picks a free port."""
    handler = type("Handler", (_Handler,), {"state": state, "page": page})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rebuild(build: Callable[[], object], state: State, say: Callable[[str], None]) -> None:
    try:
        build()
    except BuildError as exc:
        text = "\n".join(f.format() for f in exc.findings)
        say(text)
        state.finished(text)
        return
    except Exception as exc:  # noqa: BLE001 - keep watching whatever went wrong
        say(f"internal error: {type(exc).__name__}: {exc}")
        state.finished(f"internal error: {type(exc).__name__}: {exc}")
        return
    say("rebuilt")
    state.finished()


def watch_paths(root: Path) -> list[Path]:
    return [root / name for name in WATCHED if (root / name).exists()]


def loop(root: Path, build: Callable[[], object], state: State, say: Callable[[str], None],
         stop: threading.Event | None = None, changes: Iterable[object] | None = None) -> None:
    """Rebuild after each batch of changes until ``stop`` is set."""
    import watchfiles

    batches = changes if changes is not None else watchfiles.watch(*watch_paths(root), stop_event=stop, debounce=300)
    for batch in batches:
        say(f"{len(batch) if isinstance(batch, set) else 1} change(s); rebuilding")  # type: ignore[arg-type]
        rebuild(build, state, say)
        if stop is not None and stop.is_set():
            break
