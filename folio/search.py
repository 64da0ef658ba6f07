"""Site search: a Pagefind index of the web edition, made at build time and used offline.

Pagefind (MIT, CloudCannon) is a Rust program shipped inside the PyPI wheel ``pagefind-bin``, so
the build needs no Node.js. It reads the finished pages of the staged site (only the chapter pages,
which mark their ``<main>`` with ``data-pagefind-body``) and writes ``pagefind/`` beside them: a word
index cut into chunks that the browser fetches as the reader searches, so a query loads tens of
kilobytes rather than the whole text. The same pages give the same bytes, so the site stays
reproducible. It never touches the network.

The search page itself is plain HTML: a list of every chapter and its sections, which works without
JavaScript and from the file system; ``assets/js/search.js`` adds the search form when the site is
served over http(s), where the browser may load the index.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .errors import BuildError, Finding

__all__ = ["INDEX_DIR", "index_site", "pagefind_executable"]

INDEX_DIR = "pagefind"
TIME_LIMIT_S = 120
# What Pagefind writes that the site does not use: its ready-made interfaces. Ours is search.js.
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
           "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


def pagefind_executable() -> Path:
    """The Pagefind program from the ``pagefind-bin`` wheel in this environment."""
    try:
        import pagefind_bin
        return Path(pagefind_bin.get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise BuildError([_error(f"the search indexer Pagefind is missing ({exc})",
                                 "Run 'python make_book.py' once to update .venv, which installs pagefind-bin.")]) from exc


def _error(message: str, hint: str) -> Finding:
    return Finding("output/web", 0, 0, "T004", "error", message, hint)


def index_site(site: Path, language: str, pages: int) -> None:
    """Index the ``pages`` chapter pages of the site in ``site`` (those marked ``data-pagefind-body``).

    Pagefind indexes every page when none is marked, so the count is checked: an index of other
    pages than the chapters (the home page, the search page) is refused."""
    command = [str(pagefind_executable()), "--site", str(site), "--output-subdir", INDEX_DIR,
               "--force-language", language.split("-")[0].lower(), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIME_LIMIT_S,
                                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, check=False)
    except subprocess.TimeoutExpired as exc:
        raise BuildError([_error(f"Pagefind did not finish indexing the site within {TIME_LIMIT_S} s",
                                 "Run the build with --debug; a page may be far larger than expected.")]) from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BuildError([_error(f"Pagefind could not index the site: {detail[-1] if detail else result.returncode}",
                                 "Run the build with --debug to see Pagefind's output.")])
    out = site / INDEX_DIR
    for name in _UNUSED:
        (out / name).unlink(missing_ok=True)
    indexed = len(list((out / "fragment").glob("*.pf_fragment")))
    if not (out / "pagefind.js").is_file() or indexed != pages:
        shutil.rmtree(out, ignore_errors=True)
        raise BuildError([_error(f"Pagefind indexed {indexed} pages, not the {pages} chapter pages",
                                 "The chapter layout must keep data-pagefind-body on <main>, and only it.")])
