#!/usr/bin/env python3
"""Benchmark the build against the bare engine, on this machine, in this run.

Usage: .venv/bin/python benchmarks/bench.py [--runs 3] [--skip-10x]

Every figure is the median of --runs runs in a throwaway copy of the project, each command in
its own process; peak memory is the largest resident set of any process the command started.
Only ratios between figures from the same run mean anything on a shared, noisy machine.

  (a) make_book.py all, cold        (b) bare `weasyprint` CLI on output/build/<slug>.html
  (c) make_book.py pdf, cold        (d) make_book.py all again, nothing changed
  (e) make_book.py pdf after editing one chapter (and all after the same edit)
  (f) make_book.py pdf on a book ten times longer, built from the chapters
  sum: pdf + press + large-print + epub + web, each cold and one after another (for the 'all' ratio)

  --collection-cost: only a cold make_book.py all with and without the collection (the theme
  PDFs, the summary and the public site), taking turns in every run: what the collection adds.
  --page-quality-cost: only a cold make_book.py pdf with and without the page-quality report
  (book.yaml page_quality.enabled: false), the two taking turns in every run: the report's share.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
STEPS = ("pdf", "press", "large-print", "epub", "web", "collection", "summary", "web-public")
WRAP = ("import resource,subprocess,sys,time;t=time.perf_counter();r=subprocess.run(sys.argv[1:]).returncode;"
        "e=time.perf_counter()-t;m=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
        "print(f'@@ {e:.4f} {m} {r}',file=sys.stderr)")


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak MB) for one run of ``command``; raises if it fails."""
    env = {**os.environ, "FOLIO_NO_BOOTSTRAP": "1"}
    proc = subprocess.run([PY, "-c", WRAP, *command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    match = re.search(r"@@ ([\d.]+) (\d+) (-?\d+)", proc.stderr)
    if not match or match.group(3) != "0":
        raise SystemExit(f"failed: {' '.join(command)}\n{proc.stderr[-2000:]}")
    return float(match.group(1)), int(match.group(2)) / 1024


def project_copy(base: Path, name: str, root: Path = ROOT) -> Path:
    dest = base / name
    for part in ("chapters", "layouts", "assets", "folio"):
        shutil.copytree(root / part, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("book.yaml", "make_book.py", "requirements.lock"):
        shutil.copy(root / part, dest / part)
    (dest / "output").mkdir()
    return dest


def make_book(project: Path, *args: str) -> list[str]:
    return [PY, str(project / "make_book.py"), *args, "--plain", "--project", str(project)]


def clean(project: Path) -> None:
    shutil.rmtree(project / "output")
    (project / "output").mkdir()


def median(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s for s, _ in samples), max(m for _, m in samples)


def tenfold(project: Path) -> None:
    """Repeat every theme chapter ten times (new ids and files), keeping the front and back matter."""
    book = (project / "book.yaml").read_text()
    names = re.findall(r"^  - (\S+\.md)$", book, flags=re.M)
    listed: list[str] = []
    for name in names:
        text = (project / "chapters" / name).read_text()
        if "kind: theme" not in text:
            listed.append(name)
            continue
        for copy in range(10):
            new = f"{name[:-3]}-{copy}.md"
            copied = re.sub(r"^id: (\S+)$", rf"id: \1-{copy}", text, count=1, flags=re.M)
            copied = re.sub(r"\{#([\w-]+)", rf"{{#\1-{copy}", copied)   # explicit ids must stay unique
            (project / "chapters" / new).write_text(copied)
            listed.append(new)
        (project / "chapters" / name).unlink()
    body = re.sub(r"(?ms)^chapters:\n(  - \S+\n)+", "chapters:\n" + "".join(f"  - {n}\n" for n in listed), book)
    (project / "book.yaml").write_text(body)


def pdf_only(roots: list[Path], runs: int) -> int:
    """(b) and (c) alone for each checkout, the checkouts taking turns in every run, so that a
    busy machine slows them alike (for example the build with and without a new check)."""
    with tempfile.TemporaryDirectory(prefix="folio-bench-") as tmp:
        weasyprint = str(Path(PY).parent / "weasyprint")
        projects = [project_copy(Path(tmp), f"book{i}", root.resolve()) for i, root in enumerate(roots)]
        cold: list[list[tuple[float, float]]] = [[] for _ in roots]
        bare: list[list[tuple[float, float]]] = [[] for _ in roots]
        for run in range(runs):
            print(f"run {run + 1} of {runs}", file=sys.stderr)
            for i, project in enumerate(projects):
                slug = re.search(r"^slug: (\S+)", (project / "book.yaml").read_text(), flags=re.M).group(1)  # type: ignore[union-attr]
                clean(project)
                cold[i].append(timed(make_book(project, "pdf"), project))
                bare[i].append(timed([weasyprint, f"output/build/{slug}.html", str(Path(tmp) / "bare.pdf")], project))
    first = median(cold[0])[0]
    for i, root in enumerate(roots):
        c, b = median(cold[i]), median(bare[i])
        print(f"{root}: (b) bare render {b[0]:.2f} s, (c) pdf, cold {c[0]:.2f} s, cold pdf / bare render "
              f"{c[0] / b[0]:.3f}, cold pdf / the first checkout's {c[0] / first:.3f}")
        print(json.dumps({"root": str(root), "b": [x[0] for x in bare[i]], "c": [x[0] for x in cold[i]]}))
    return 0


def in_turns(on: Path, off: Path, target: str, runs: int, differ: Callable[[], None]) -> dict[str, list[tuple[float, float]]]:
    """Cold `make_book.py <target>` in ``on`` ("with") and ``off`` ("without"), taking turns which goes
    first; ``differ`` stops the benchmark if the two builds did not differ as they should."""
    samples: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    for run in range(runs):
        print(f"run {run + 1} of {runs}", file=sys.stderr)
        order = [("with", on), ("without", off)] if run % 2 == 0 else [("without", off), ("with", on)]
        for name, project in order:
            clean(project)
            samples[name].append(timed(make_book(project, target), project))
        differ()
    return samples


def page_quality_cost(runs: int) -> int:
    """Cold `make_book.py pdf` with the page-quality report and without it, in turns, in one run."""
    with tempfile.TemporaryDirectory(prefix="folio-bench-") as tmp:
        on = project_copy(Path(tmp), "with-report")
        off = project_copy(Path(tmp), "without-report")
        book = (off / "book.yaml").read_text()
        if not re.search(r"^page_quality:\n", book, flags=re.M):
            raise SystemExit("book.yaml has no page_quality section to switch off")
        (off / "book.yaml").write_text(re.sub(r"^page_quality:\n", "page_quality:\n  enabled: false\n", book, count=1, flags=re.M))
        def differ() -> None:
            if not list((on / "output").glob("*-page-quality.json")):
                raise SystemExit("the build with the report wrote no page-quality report")
            if list((off / "output").glob("*-page-quality.json")):
                raise SystemExit("the build without the report still wrote one")
        samples = in_turns(on, off, "pdf", runs, differ)
    with_report, without = median(samples["with"]), median(samples["without"])
    ratio = with_report[0] / without[0]
    print(f"\n{'figure':<54} {'median s':>9} {'peak MB':>8}")
    print(f"{'(c) pdf, cold, with the page-quality report':<54} {with_report[0]:>9.2f} {with_report[1]:>8.0f}")
    print(f"{'(c) pdf, cold, without it':<54} {without[0]:>9.2f} {without[1]:>8.0f}")
    print(f"\n{'with report / without':<40} {ratio:>7.3f}  <= 1.10  {'met' if ratio <= 1.10 else 'MISSED'}")
    print(json.dumps({k: [round(x[0], 3) for x in v] for k, v in samples.items()}), file=sys.stderr)
    return 0


COLLECTION = ("collection", "summary", "web-public")     # the editions issue 18 added


def collection_cost(runs: int) -> int:
    """Cold `make_book.py all` with the collection's editions and without them, in turns, in one run."""
    import yaml

    with tempfile.TemporaryDirectory(prefix="folio-bench-") as tmp:
        on = project_copy(Path(tmp), "with-collection")
        off = project_copy(Path(tmp), "without-collection")
        book = yaml.safe_load((off / "book.yaml").read_text(encoding="utf-8"))
        book["editions"] = {k: v for k, v in book["editions"].items() if k not in COLLECTION}
        for edition in book["editions"].values():
            if "offers" in edition:
                edition["offers"] = [o for o in edition["offers"] if o not in COLLECTION]
        (off / "book.yaml").write_text(yaml.safe_dump(book, sort_keys=False, allow_unicode=True), encoding="utf-8")
        def differ() -> None:
            if not list((on / "output" / "collection").glob("*.pdf")) or (off / "output" / "collection").exists():
                raise SystemExit("the two builds did not differ by the collection")
        samples = in_turns(on, off, "all", runs, differ)
    with_it, without = median(samples["with"]), median(samples["without"])
    ratio = with_it[0] / without[0]
    print(f"\n{'figure':<54} {'median s':>9} {'peak MB':>8}")
    print(f"{'(a) all, cold, with the collection':<54} {with_it[0]:>9.2f} {with_it[1]:>8.0f}")
    print(f"{'(a) all, cold, without it (' + ', '.join(COLLECTION) + ')':<54} {without[0]:>9.2f} {without[1]:>8.0f}")
    print(f"\n{'with the collection / without':<40} {ratio:>7.3f}")
    print(json.dumps({k: [round(x[0], 3) for x in v] for k, v in samples.items()}), file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-10x", action="store_true")
    parser.add_argument("--pdf-only", action="store_true",
                        help="measure only (b) and (c): the bare render and a cold make_book.py pdf")
    parser.add_argument("--root", type=Path, action="append",
                        help="with --pdf-only: a checkout to measure (repeat it to compare versions with one venv)")
    parser.add_argument("--page-quality-cost", action="store_true",
                        help="measure only a cold make_book.py pdf with and without the page-quality report")
    parser.add_argument("--collection-cost", action="store_true",
                        help="measure only a cold make_book.py all with and without the collection's editions")
    args = parser.parse_args()
    if args.collection_cost:
        return collection_cost(args.runs)
    if args.page_quality_cost:
        return page_quality_cost(args.runs)
    if args.pdf_only:
        return pdf_only(args.root or [ROOT], args.runs)
    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="folio-bench-") as tmp:
        project = project_copy(Path(tmp), "book")
        slug = re.search(r"^slug: (\S+)", (project / "book.yaml").read_text(), flags=re.M).group(1)  # type: ignore[union-attr]
        weasyprint = str(Path(PY).parent / "weasyprint")
        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in
                                                         ("a", "b", "c", "d", "e", "e-all", *STEPS)}
        chapter = project / "chapters" / "06-data.md"
        original = chapter.read_text()
        for run in range(args.runs):
            print(f"run {run + 1} of {args.runs}", file=sys.stderr)
            clean(project)
            samples["a"].append(timed(make_book(project, "all"), project))
            samples["d"].append(timed(make_book(project, "all"), project))
            samples["b"].append(timed([weasyprint, f"output/build/{slug}.html", str(Path(tmp) / "bare.pdf")], project))
            chapter.write_text(original.replace("## Now\n", f"## Now\n\nAn edit for run {run}.\n", 1))
            samples["e"].append(timed(make_book(project, "pdf"), project))
            chapter.write_text(original.replace("## Now\n", f"## Now\n\nA second edit for run {run}.\n", 1))
            samples["e-all"].append(timed(make_book(project, "all"), project))
            chapter.write_text(original)
            for target in STEPS:
                clean(project)
                samples[target].append(timed(make_book(project, target), project))
            clean(project)
            samples["c"].append(timed(make_book(project, "pdf"), project))
        results = {k: median(v) for k, v in samples.items()}
        if not args.skip_10x:
            big = project_copy(Path(tmp), "big")
            tenfold(big)
            print("the ten-times book", file=sys.stderr)
            results["f"] = timed(make_book(big, "pdf"), big)
    steps = sum(results[t][0] for t in STEPS)
    bare = results["b"][0]
    rows = [
        ("(a) all, cold", results["a"]), ("(b) bare weasyprint render", results["b"]), ("(c) pdf, cold", results["c"]),
        ("(d) all, nothing changed", results["d"]), ("(e) pdf after a one-chapter edit", results["e"]),
        ("(e) all after a one-chapter edit", results["e-all"]),
        ("sum of pdf+press+large-print+epub+web, one by one", (steps, max(results[t][1] for t in STEPS))),
    ]
    if "f" in results:
        rows.append(("(f) pdf, ten-times book", results["f"]))
    print(f"\n{'figure':<54} {'median s':>9} {'peak MB':>8}")
    for name, (seconds, mb) in rows:
        print(f"{name:<54} {seconds:>9.2f} {mb:>8.0f}")
    ratios = [
        ("cold pdf / bare render", results["c"][0] / bare, "<= 1.15"),
        ("cold all / sum of steps", results["a"][0] / steps, "<= 0.60"),
        ("no-change all / cold all", results["d"][0] / results["a"][0], "<= 0.05"),
        ("one-chapter edit (pdf) / bare render", results["e"][0] / bare, "<= 1.30"),
    ]
    if "f" in results:
        ratios.append(("ten-times book pdf / cold pdf", results["f"][0] / results["c"][0], "<= 11"))
    print(f"\n{'ratio':<40} {'value':>7}  target")
    for name, value, target in ratios:
        limit = float(target.split()[-1])
        print(f"{name:<40} {value:>7.3f}  {target}  {'met' if value <= limit else 'MISSED'}")
    if "f" in results:
        print(f"{'ten-times book peak memory (MB)':<40} {results['f'][1]:>7.0f}  <= 1024  {'met' if results['f'][1] <= 1024 else 'MISSED'}")
    print(json.dumps({k: {"seconds": round(v[0], 3), "peak_mb": round(v[1])} for k, v in results.items()}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
