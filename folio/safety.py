"""What untrusted content may ask for: the link allow-list, path containment and cost limits.

Chapters, front matter, figure data and the bibliography come from contributors, so everything
they name is checked here before any slow tool runs (see docs/threat-model.md). The same link
rule is applied a second time inside pandoc by ``folio/lua/book.lua``, so a link that slips past
the source checks is published inert, never live.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import html
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

# Links: every edition allows exactly these schemes, plus #anchors inside the book. Decided
# explicitly: ftp, file, data, javascript, vbscript, blob, sms, urn and relative paths are not
# allowed (a relative path works in no edition: the PDFs and the EPUB have no folder around them).
ALLOWED_SCHEMES = ("https", "http", "mailto", "tel")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")

# Attributes a chapter may write in {...}: ids and classes always; these keys where they make
# sense. Everything else (onclick, style, href, src, ...) is refused in the source and dropped
# by the Lua filter. citeproc itself adds entry-spacing and friends to the Sources list.
ALLOWED_ATTRIBUTES = {"alt", "lang", "dir"}
CITEPROC_ATTRIBUTES = {"entry-spacing", "line-spacing", "hanging-indent"}

# Cost limits, checked before pandoc, WeasyPrint or EPUBCheck run.
MAX_LINE_CHARS = 20_000          # one paragraph per line is about 2,000 characters
MAX_MARKDOWN_DEPTH = 8           # block quotes and list levels inside one another
MAX_YAML_DEPTH = 12              # mappings and lists inside one another, in any data file
MAX_YAML_NODES = 200_000         # scalars, mappings and lists in one data file
MAX_DATA_BYTES = 2_000_000       # book.yaml, front matter, figure data, palette, bibliography
TOOL_TIMEOUT_S = 600             # pandoc, each WeasyPrint render, EPUBCheck (large print: 90 s alone, 280 s at load 8)


def normalise_target(raw: str) -> str:
    """A link target as a browser would read it: entities decoded, Markdown backslash escapes
    removed, and the spaces and invisible characters browsers ignore taken out."""
    text = html.unescape(raw.strip().removeprefix("<").removesuffix(">"))
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)
    return _INVISIBLE.sub("", text)


def link_problem(raw: str) -> str | None:
    """Why a link target is refused, or None when it is allowed (anchors are checked elsewhere)."""
    target = normalise_target(raw)
    if not target:
        return "the link has no target"
    if target.startswith("#"):
        return None
    scheme = _SCHEME.match(target)
    if scheme is None:
        return (f"link to '{raw}': only {', '.join(ALLOWED_SCHEMES)} addresses and #anchors in the book are allowed, "
                "not a relative path")
    name = scheme.group(1).lower()
    if name not in ALLOWED_SCHEMES:
        return f"link to '{raw}': the scheme '{name}:' is not allowed (only {', '.join(ALLOWED_SCHEMES)} and #anchors)"
    return None


@functools.lru_cache(maxsize=4)
def _font_coverage(fonts: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    covered: set[int] = set()
    for path in sorted(fonts.rglob("*")):
        if path.suffix.lower() in (".otf", ".ttf", ".woff", ".woff2") and inside(path, fonts):
            covered |= set(TTFont(path, lazy=True).getBestCmap())
    return frozenset(covered)


def missing_glyphs(text: str, root: Path) -> list[str]:
    """Characters in ``text`` that no font in assets/fonts/ has (they would print as an empty box,
    or in whatever font the reader's system falls back to)."""
    covered = _font_coverage((root / "assets" / "fonts").resolve())
    if not covered:
        return []
    return sorted({c for c in text if ord(c) not in covered and not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf")})


def describe(chars: list[str]) -> str:
    return ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, '')})".replace(" )", ")") for c in chars[:5]) + \
        (f" and {len(chars) - 5} more" if len(chars) > 5 else "")


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is inside ``folder`` once every symlink is followed."""
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):   # a symlink loop
        return False


# --- interruption and exhaustion ---------------------------------------------------------------

EXHAUSTION = {28: "the disk is full", 30: "the file system is read-only", 13: "permission denied", 122: "the disk quota is exceeded"}


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so every ``finally`` runs; the CLI exits 143 instead of 130."""


def on_signal(signum: int, _frame: object) -> None:
    """Stop the build: end our own render workers (so none is left writing), then unwind."""
    import multiprocessing
    import signal

    for child in multiprocessing.active_children():
        child.terminate()
    if signum == signal.SIGTERM:
        raise Terminated()
    raise KeyboardInterrupt()


@contextlib.contextmanager
def time_limit(pool: concurrent.futures.ProcessPoolExecutor, tool: str) -> Iterator[None]:
    """Turn a wait past ``TOOL_TIMEOUT_S`` into T004, after ending the pool's workers (otherwise
    leaving the ``with`` block would wait for a hung render for ever)."""
    try:
        yield
    except TimeoutError:
        workers = list(getattr(pool, "_processes", {}).values())   # our own workers only
        for process in workers:
            process.kill()
        for process in workers:
            process.join(timeout=10)
        pool.shutdown(wait=False, cancel_futures=True)
        from .catalogue import finding
        from .errors import BuildError

        raise BuildError([finding("T004", tool, 0, f"{tool} did not finish within {TOOL_TIMEOUT_S} s a render")]) from None


def worker_init() -> None:
    """Render workers leave SIGINT to the main process, which stops them and prints one line."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
