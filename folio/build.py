"""build(): the whole pipeline, top to bottom, one phase per comment.

Nothing is written to the published outputs until every input has been read and checked.
Each output is written to a temporary file and renamed into place only when it is complete.
The editions are data (book.yaml's ``editions``, ``folio.config.Edition``); what differs by
format is in ``folio.editions``. Nothing here looks at an edition's name or format.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import a11y, cache, config, editions, figures, pagequality, pandoc, pdf, preflight, publish, render, safety
from . import chapters as chapters_mod
from .catalogue import finding
from .errors import BuildError, Finding
from .read import Sources, read_sources

__all__ = ["BuildReport", "Sources", "build", "clean", "read_sources"]
# Warnings that are errors under page_quality_strict (which follows --strict unless told otherwise):
# the page-quality findings and the press page plan's.
FOLLOW_PAGE_QUALITY = pagequality.CODES | preflight.PAGE_PLAN_CODES


@dataclass
class BuildReport:
    outputs: list[publish.Published] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)      # what was checked, for the summary
    findings: list[Finding] = field(default_factory=list)
    page_quality_strict: bool = False

    def fails(self, strict: bool) -> bool:
        """Errors, or (strict) warnings other than page-quality ones, which follow page_quality_strict."""
        return bool(self.errors) or (strict and any(w.code not in FOLLOW_PAGE_QUALITY for w in self.warnings))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def add(self, outcome: editions.Outcome) -> None:
        """One edition's findings (page quality as errors under page_quality_strict) and summaries."""
        self.findings += [replace(f, severity="error") if self.page_quality_strict and f.code in FOLLOW_PAGE_QUALITY
                          else f for f in outcome.findings]
        self.checks += outcome.checks


def build(root: Path, targets: Sequence[str] | None = None, strict: bool = False,
          progress: Callable[[str], None] = lambda _: None, page_quality_strict: bool | None = None) -> BuildReport:
    """Build the editions named in ``targets`` (default: every edition book.yaml declares).
    ``strict`` makes warnings errors; the page-quality findings follow it unless
    ``page_quality_strict`` says otherwise (tests that only want tool warnings to fail pass False)."""
    report = BuildReport(page_quality_strict=strict if page_quality_strict is None else page_quality_strict)
    out_dir = root / "output"

    # 0. The editions asked for whose inputs or published files changed since their last build.
    book = config.load_book(root)
    wanted = chosen(book, targets)
    keys = cache.edition_keys(root, book, wanted)
    report.up_to_date = [e.name for e in wanted if cache.up_to_date(root, e.name, keys[e.name], strict)]
    if wanted and len(report.up_to_date) == len(wanted):
        return report
    stale = [e for e in wanted if e.name not in report.up_to_date]

    # 1. Read and check every input; stop before writing anything if there is an error.
    #    (WeasyPrint is imported meanwhile, so the render workers forked later start warm.)
    warm = threading.Thread(target=pdf.preload, daemon=True)
    if any(e.paged for e in stale):
        warm.start()
    progress("Checking sources")
    sources, problems = read_sources(root)
    report.findings += problems
    report.checks.append(f"sources: {len(sources.chapters)} chapters, {len(sources.bibliography)} references")
    if report.errors or (strict and report.warnings):
        raise BuildError(report.findings)

    # 2. Take the output lock (a second build waits), and clear what a killed build left behind.
    with publish.exclusive(out_dir, progress):
        # 3. Shared work, once: pandoc for the paged editions (beside the figures, each folder
        #    drawn once), then each stale edition's stylesheet and HTML, and the preview's.
        progress("Drawing figures")
        shared = shared_work(root, sources, stale, report)

        # 4. One job per stale edition; renders in processes, tools in threads, each file's
        #    judges as soon as it exists, and last the jobs that offer the others' files.
        progress("Rendering " + ", ".join(e.name for e in stale))
        jobs = [job for e in stale for job in editions.jobs(shared, e)]
        outcomes = editions.merged(book, run_jobs(jobs, report, warm, progress))

        # 5. Publish all or nothing: every complete file (and the site) into place, then SHA256SUMS.
        staged = [item for o in outcomes for item in o.staged]
        if report.fails(strict):
            publish.discard(staged)
            raise BuildError(report.findings)
        report.outputs += publish.commit(staged, out_dir)

    # 6. Record each edition's inputs and published files, so an unchanged one is skipped next time.
    for outcome in outcomes:
        edition = outcome.edition
        key = cache.edition_keys(root, book, [edition])[edition.name] if edition.offers else keys[edition.name]
        cache.record(root, edition.name, key, [s.target for s in outcome.staged], len(report.warnings), outcome.pages)
    return report


def chosen(book: config.Book, targets: Sequence[str] | None) -> list[config.Edition]:
    """The declared editions ``targets`` names (all of them for None), in book.yaml's order."""
    if targets is None:
        return list(book.editions.values())
    unknown = [t for t in targets if t not in book.editions]
    if unknown:
        raise BuildError([finding("M005", "book.yaml", 1, f"no edition named '{t}' in 'editions'",
                                  hint=f"the editions are {', '.join(book.editions)}") for t in unknown])
    return [e for e in book.editions.values() if e.name in targets]


def shared_work(root: Path, sources: Sources, stale: list[config.Edition], report: BuildReport) -> editions.Shared:
    """pandoc once (or its cached result) while the figures are drawn once per folder; then the
    stylesheets and HTML of the stale editions and of the preview (watch, golden tests)."""
    book = sources.book
    env = render.environment(root)
    shared = editions.Shared(root, sources, env, render.load_palette(root),
                             render.generated_blocks(env, book, sources.chapters, a11y.statement(sources)))
    preview = [book.editions[book.preview]] if book.preview else []
    prepared = preview + [e for e in stale if e not in preview]
    documents = {"": editions.book_chapters(sources), **editions.documents(sources, prepared)}
    numbers = figures.book_figure_numbers(book, sources.chapters)
    with ThreadPoolExecutor(1) as side:
        converting = {stem: side.submit(convert_markdown, root, book, held, shared.inserts) for stem, held in documents.items()}
        shared.build_dir.mkdir(parents=True, exist_ok=True)
        editions.draw_figures(shared, prepared)
        for stem, held in documents.items():
            bodies, warnings = converting[stem].result()
            report.findings += warnings if stem == "" else [w for w in warnings if w not in report.findings]
            # "Figure N." and "Source:", with the book's numbers in every document (design review D8).
            bodies = figures.label_figures(bodies, [c.id for c in held], sources.figure_specs, numbers)
            shared.documents[stem] = bodies
    shared.bodies = shared.documents.pop("")
    for edition in prepared:
        editions.prepare(shared, edition)
    return shared


def run_jobs(jobs: list[editions.Job], report: BuildReport, warm: threading.Thread,
             progress: Callable[[str], None]) -> list[editions.Outcome]:
    """Start every job, costliest first; as each render finishes, start its judges; once every
    file exists (and nothing failed), start the jobs that wait for them; collect every outcome."""
    first = sorted((j for j in jobs if not j.waits), key=lambda j: -j.cost)
    renders = sum(1 for j in first if j.renders)
    if warm.is_alive():
        warm.join()   # fork only once the import is complete
    workers = min(2, os.cpu_count() or 1, max(1, renders))
    with ProcessPoolExecutor(max_workers=workers, initializer=safety.worker_init) as pool, \
            ThreadPoolExecutor(2) as threads, ThreadPoolExecutor(1) as judging, safety.time_limit(pool, "WeasyPrint"):
        for job in first:
            job.start(pool, threads, {})
        running = {job.rendering: job for job in first if job.rendering is not None}
        # The limit is per render: the renders queue for the workers, so the wait for all of them
        # is one limit for each round of renders (three renders on two workers: two rounds).
        rounds = -(-len(running) // workers)
        for done in as_completed(running, timeout=safety.TOOL_TIMEOUT_S * max(1, rounds)):
            running[done].on_rendered(pool, judging)
        progress("Checking the finished files")
        failed = report.errors or any(f.severity == "error" for j in first for f in j.outcome.findings)
        files = {j.edition.output: j.file for j in first if j.file is not None}   # by output, one per part
        later = [j for j in jobs if j.waits and not failed]
        for job in later:
            job.start(pool, threads, files)
        outcomes = [job.finish() for job in first + later]
    for outcome in outcomes:
        report.add(outcome)
    return outcomes


def convert_markdown(root: Path, book: config.Book, chapters: list[chapters_mod.Chapter],
                     inserts: dict[str, str]) -> tuple[dict[str, str], list[Finding]]:
    """Chapter id -> HTML for the paged editions, from pandoc or from the cache."""
    key = pandoc.cache_key(chapters, book.bibliography, book.csl, book.language, inserts)
    cached = cache.pandoc_lookup(root, key)
    if cached is not None:
        return cached, []
    bodies, warnings = pandoc.to_html(chapters, book.bibliography, book.csl, book.language, root, inserts)
    if not warnings:
        cache.pandoc_store(root, key, bodies)
    return bodies, warnings


def clean(root: Path) -> list[Path]:
    """Remove what the build made, and nothing else."""
    out_dir = root / "output"
    removed: list[Path] = []
    if out_dir.is_dir():
        for child in sorted(out_dir.iterdir()):
            if child.name == ".gitkeep":
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
            removed.append(child)
    return removed
