"""Watch and preview: rebuild when a source changes, and serve a preview that reloads itself.

The preview server listens on 127.0.0.1 only and serves output/build/. Every HTML page gets a
small script that asks /__folio/version once a second and reloads when a rebuild finished. When
a build fails, the preview shows the findings instead of the book, and the watcher keeps going.

After each successful preview build, the member PDF and its page-quality report are rendered in
the background (``PagedRenderer``), from a snapshot of the sources so that the next preview build
never waits for them, and copied to output/build/preview/. The preview page carries a bar
(layouts/reports/preview-bar.html.j2) that links to both and says whether they are fresh (made
from the sources the preview shows), stale, rendering or failed; it asks /__folio/paged.
"""

from __future__ import annotations

import html
import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import publish
from .errors import BuildError

WATCHED = ("chapters", "layouts", "assets", "book.yaml")
RELOAD_SCRIPT = b"""<script>(function(){var v=null;setInterval(function(){fetch('/__folio/version').then(function(r)
{return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t}).catch(function(){})},1000)})();</script>"""


PREVIEW_DIR = "preview"     # under output/build/, where the background render puts its files


@dataclass
class Paged:
    """The background render of the member PDF and its page-quality report, as the preview bar shows it."""

    rendered: int = 0          # the preview version whose sources the files in preview/ were made from (0: none)
    running: int = 0           # the preview version being rendered now (0: none)
    pending: int = 0           # a newer version waiting for the render in progress to finish (0: none)
    failed: str = ""           # why the last render failed ('' if it did not)
    findings: int | None = None   # page-quality findings in the files in preview/
    finished_at: str = ""      # when they were made (HH:MM:SS, local time)
    files: dict[str, str] = field(default_factory=dict)   # 'pdf' / 'report' -> URL path on the preview server


@dataclass
class State:
    version: int = 0
    error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    paged: Paged = field(default_factory=Paged)

    def finished(self, error: str = "") -> None:
        with self.lock:
            self.version += 1
            self.error = error

    def paged_status(self) -> dict[str, Any]:
        """What the preview bar shows: fresh, stale, rendering, failed or none, with the links."""
        with self.lock:
            p = self.paged
            if p.running or p.pending:
                status = "rendering"
            elif p.failed:
                status = "failed"
            elif not p.rendered:
                status = "none"
            elif p.rendered == self.version and not self.error:
                status = "fresh"
            else:
                status = "stale"
            return {"status": status, "version": self.version, "rendered": p.rendered, "running": p.running,
                    "pending": p.pending, "failed": p.failed, "findings": p.findings, "finished_at": p.finished_at,
                    "files": dict(p.files)}


class _Handler(SimpleHTTPRequestHandler):
    state: State
    page: str
    bar: bytes = b""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.path == "/__folio/version":
            self._send(str(self.state.version).encode(), "text/plain")
            return
        if self.path == "/__folio/paged":
            self._send(json.dumps(self.state.paged_status()).encode(), "application/json")
            return
        if self.path in ("/", "/index.html"):
            self.path = "/" + self.page
        if self.state.error and self.path.endswith(".html"):
            body = ("<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>Build failed</title></head>"
                    "<body><main><h1>The build failed</h1><p>Fix these, save, and this page reloads.</p><pre>"
                    + html.escape(self.state.error) + "</pre></main></body></html>")
            self._send(body.encode() + self.bar + RELOAD_SCRIPT, "text/html; charset=utf-8")
            return
        if self.path.endswith(".html"):
            target = Path(self.translate_path(self.path))
            if target.is_file():
                bar = self.bar if Path(self.path).name == self.page else b""
                data = target.read_bytes().replace(b"</body>", bar + RELOAD_SCRIPT + b"</body>")
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


def preview_bar(template_dir: Path) -> bytes:
    """The bar the preview page carries: links to the background PDF and report, and their status."""
    path = template_dir / "preview-bar.html.j2"
    if not path.is_file():
        return b""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir)), autoescape=True)
    return env.get_template(path.name).render(status_url="/__folio/paged").encode("utf-8")


def serve(directory: Path, page: str, state: State, port: int = 8000, bar: bytes = b"") -> ThreadingHTTPServer:
    """Start the preview server on 127.0.0.1 in a daemon thread; port 0 picks a free port. ``bar``
    (see ``preview_bar``) is put into the preview page."""
    handler = type("Handler", (_Handler,), {"state": state, "page": page, "bar": bar})
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rebuild(build: Callable[[], object], state: State, say: Callable[[str], None],
            paged: PagedRenderer | None = None) -> None:
    """The HTML preview first; when it built, ask ``paged`` for the PDF and report in the background."""
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
    if paged is not None:
        paged.request(state.version)


RenderResult = tuple[dict[str, str], int | None]    # (files: 'pdf'/'report' -> URL path, page-quality findings)


class PagedRenderer:
    """Renders the member PDF and its page-quality report in the background, one render at a time.

    ``request(version)`` after each preview build: if nothing is rendering, a worker thread starts
    on that version; otherwise the version waits (a newer request replaces a waiting one, so a burst
    of saves costs one more render, not one each). ``render(version)`` does the work and returns the
    files it made; ``State.paged`` records it all for the preview bar.
    """

    def __init__(self, render: Callable[[int], RenderResult], state: State, say: Callable[[str], None],
                 start: Callable[[Callable[[], None]], Any] | None = None) -> None:
        self.render = render
        self.state = state
        self.say = say
        self._start = start or (lambda body: threading.Thread(target=body, name="folio-paged", daemon=True).start())

    def request(self, version: int) -> None:
        with self.state.lock:
            p = self.state.paged
            if p.running:
                p.pending = max(p.pending, version)
                return
            p.running, p.pending = version, 0
        self._start(self._work)

    def _work(self) -> None:
        while True:
            with self.state.lock:
                version = self.state.paged.running
            try:
                files, findings = self.render(version)
                failed = ""
            except BuildError as exc:
                failed = "; ".join(f.format().splitlines()[0] for f in exc.findings if f.severity == "error")[:2000] or \
                    "the build failed"
            except Exception as exc:  # noqa: BLE001 - the watcher keeps going whatever went wrong
                failed = f"internal error: {type(exc).__name__}: {exc}"
            with self.state.lock:
                p = self.state.paged
                if failed:
                    p.failed = failed
                else:
                    p.rendered, p.failed, p.findings, p.files = version, "", findings, files
                    p.finished_at = time.strftime("%H:%M:%S")
                nxt = p.pending
                p.running, p.pending = nxt, 0
            self.say(f"member PDF and page-quality report: {'failed: ' + failed if failed else 'rendered'}")
            if not nxt:
                return


def render_member_pdf(root: Path, build: Callable[..., Any] | None = None) -> RenderResult:
    """Build the member PDF and its page-quality report from a snapshot of the sources (so the next
    preview build never waits for this one), and copy them to output/build/preview/."""
    from .build import build as full_build
    from .config import load_book

    run = build or full_build
    slug = load_book(root).slug
    dest = root / "output" / "build" / PREVIEW_DIR
    with tempfile.TemporaryDirectory(prefix="folio-watch-") as tmp:
        snap = Path(tmp) / "book"
        snap.mkdir()
        for name in WATCHED:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, snap / name, ignore=shutil.ignore_patterns("*.tmp", ".*.swp"))
            elif source.is_file():
                shutil.copy2(source, snap / name)
        cache = root / "output" / ".cache"
        (snap / "output" / ".cache").mkdir(parents=True)
        for entry in cache.glob("pandoc-*.json"):       # the preview build's pandoc result, if the sources match
            shutil.copy2(entry, snap / "output" / ".cache" / entry.name)
        run(snap, targets=("pdf",), page_quality_strict=False)
        dest.mkdir(parents=True, exist_ok=True)
        names = {"pdf": f"{slug}.pdf", "report": f"{slug}-page-quality.html", "json": f"{slug}-page-quality.json"}
        for name in names.values():
            made = snap / "output" / name
            with publish.atomic_path(dest / name) as temp:
                shutil.copy2(made, temp)
    data = json.loads((dest / names["json"]).read_text(encoding="utf-8"))
    findings = data.get("summary", {}).get("findings")
    return ({"pdf": f"/{PREVIEW_DIR}/{names['pdf']}", "report": f"/{PREVIEW_DIR}/{names['report']}"},
            findings if isinstance(findings, int) else None)


def watch_paths(root: Path) -> list[Path]:
    return [root / name for name in WATCHED if (root / name).exists()]


def loop(root: Path, build: Callable[[], object], state: State, say: Callable[[str], None],
         stop: threading.Event | None = None, changes: Iterable[object] | None = None,
         paged: PagedRenderer | None = None) -> None:
    """Rebuild after each batch of changes until ``stop`` is set (and, with ``paged``, the PDF behind)."""
    import watchfiles

    batches = changes if changes is not None else watchfiles.watch(*watch_paths(root), stop_event=stop, debounce=300)
    for batch in batches:
        say(f"{len(batch) if isinstance(batch, set) else 1} change(s); rebuilding")  # type: ignore[arg-type]
        rebuild(build, state, say, paged)
        if stop is not None and stop.is_set():
            break
