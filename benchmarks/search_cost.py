#!/usr/bin/env python3
"""What the search index adds to a cold web build, on this machine, in this run.

Usage: .venv/bin/python benchmarks/search_cost.py [--runs 3]

Each run builds the web edition cold in a throwaway copy of the project (make_book.py web, its own
process), then indexes a copy of the finished site without its index (folio.search.index_site).
The two medians and their ratio are printed; only the ratio means anything on a shared machine.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import PY, project_copy, timed

from folio import search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    base = Path(tempfile.mkdtemp(prefix="folio-search-bench."))
    web: list[float] = []
    index: list[float] = []
    try:
        for i in range(runs):
            project = project_copy(base, f"project-{i}")
            web.append(timed([PY, "make_book.py", "web"], project)[0])
            site = base / f"site-{i}"
            shutil.copytree(project / "output" / "web", site)
            shutil.rmtree(site / search.INDEX_DIR)
            pages = sum(1 for p in site.glob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8"))
            start = time.perf_counter()
            search.index_site(site, "en-GB", pages)
            index.append(time.perf_counter() - start)
        size = sum(p.stat().st_size for p in (base / f"site-{runs - 1}" / search.INDEX_DIR).rglob("*") if p.is_file())
    finally:
        shutil.rmtree(base, ignore_errors=True)
    w, s = statistics.median(web), statistics.median(index)
    print(f"cold make_book.py web: {w:.2f} s; search index: {s:.2f} s ({s / w:.1%} of the web build); "
          f"index folder {size / 1024:.0f} KB; median of {runs} runs")


if __name__ == "__main__":
    main()
