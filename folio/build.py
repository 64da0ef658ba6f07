"""build(): the whole pipeline, top to bottom, one phase per comment.

Nothing is written to the published outputs until every input has been read and checked.
Each output is written to a temporary file and renamed into place only when it is complete.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import (
    a11y,
    audit,
    cache,
    checks,
    config,
    datafiles,
    epub,
    figures,
    images,
    pagequality,
    pandoc,
    pdf,
    preflight,
    publish,
    render,
    safety,
    web,
)
from . import chapters as chapters_mod
from .catalogue import finding
from .errors import BuildError, Finding, relpath

TARGETS = ("pdf", "press", "large-print", "epub", "web")
RENDER_ORDER = ("large-print", "press", "pdf", "epub")   # longest first, so two workers finish together
PAGE_MARGINS_MM = 22 + 20                                # inner plus outer margin in layouts/css/book.css.j2


@dataclass
class BuildReport:
    outputs: list[publish.Published] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)      # what was checked, for the summary
    findings: list[Finding] = field(default_factory=list)
    page_quality_strict: bool = False

    def fails(self, strict: bool) -> bool:
        """Errors, or (strict) warnings other than page-quality ones, which follow page_quality_strict."""
        return bool(self.errors) or (strict and any(w.code not in pagequality.CODES | preflight.PAGE_PLAN_CODES
                                                     for w in self.warnings))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


@dataclass(frozen=True)
class Sources:
    book: config.Book
    chapters: list[chapters_mod.Chapter]
    bibliography: list[dict[str, object]]
    figure_specs: list[figures.FigureSpec]


def read_sources(root: Path) -> tuple[Sources, list[Finding]]:
    """Read book.yaml, every chapter, the bibliography and the figure data; check them all."""
    book = config.load_book(root)
    problems = datafiles.check_symlinks(root) + datafiles.check_palette(root)
    chapters, found = chapters_mod.read_chapters(book)
    bibliography, bib_problems = checks.load_bibliography(book.bibliography, root)
    specs, figure_problems = datafiles.load_figures(root)
    problems += found + bib_problems + figure_problems
    if not problems:
        problems += checks.run_all(chapters, root, bibliography, book.bibliography, {s.id for s in specs})
    return Sources(book, chapters, bibliography, specs), sorted(problems)


def build(root: Path, targets: tuple[str, ...] = TARGETS, strict: bool = False,
          progress: Callable[[str], None] = lambda _: None, page_quality_strict: bool | None = None) -> BuildReport:
    """Build ``targets``. ``strict`` makes warnings errors; the page-quality findings follow it unless
    ``page_quality_strict`` says otherwise (tests that only want tool warnings to fail pass False)."""
    report = BuildReport(page_quality_strict=strict if page_quality_strict is None else page_quality_strict)
    out_dir = root / "output"

    # 0. Skip every target whose inputs and published files are unchanged since its last build.
    keys = cache.target_keys(root, targets)
    report.up_to_date = [t for t in targets if cache.up_to_date(root, t, keys[t], strict)]
    if targets and len(report.up_to_date) == len(targets):
        return report
    targets = tuple(t for t in targets if t not in report.up_to_date)

    # 1. Read and check every input; stop before writing anything if there is an error.
    #    (WeasyPrint is imported meanwhile, so the render workers forked later start warm.)
    warm = threading.Thread(target=pdf.preload, daemon=True)
    if any(t in RENDER_ORDER for t in targets):
        warm.start()
    progress("Checking sources")
    sources, problems = read_sources(root)
    report.findings += problems
    report.checks.append(f"sources: {len(sources.chapters)} chapters, {len(sources.bibliography)} references")
    if report.errors or (strict and report.warnings):
        raise BuildError(report.findings)

    # 2. Take the output lock (a second build waits), and clear what a killed build left behind.
    with publish.exclusive(out_dir, progress):
        return _render_and_publish(root, sources, targets, keys, strict, progress, report, warm)


def _render_and_publish(root: Path, sources: Sources, targets: tuple[str, ...], keys: dict[str, str], strict: bool,
                        progress: Callable[[str], None], report: BuildReport, warm: threading.Thread) -> BuildReport:
    out_dir = root / "output"
    build_dir = out_dir / "build"
    book, chapters = sources.book, sources.chapters

    # 3. Markdown to HTML: one pandoc call for the whole book, citations resolved (or the cached
    #    result). pandoc is a separate process, so it runs while phase 4 draws the figures.
    env = render.environment(root)
    inserts = render.generated_blocks(env, book, chapters, a11y.statement(sources))
    with ThreadPoolExecutor(1) as side:
        converting = side.submit(convert_markdown, root, book, chapters, inserts)

        # 4. Figures and stylesheets for the editions this run needs, into output/build/. The
        #    member edition's HTML is always assembled: it is the preview and the golden subject.
        progress("Drawing figures")
        build_dir.mkdir(parents=True, exist_ok=True)
        palette = render.load_palette(root)
        rgb = render.rgb_colour(palette)
        specs = sources.figure_specs
        figures.write_figures(specs, build_dir / "figures", rgb, "Inter")
        editions = {"pdf": render.Edition("member", book.slug, rgb, "figures")}
        if "press" in targets:
            cmyk = render.cmyk_colour(palette, book.printer.output_intent)
            figures.write_figures(specs, build_dir / "figures-cmyk", cmyk, "Inter")
            editions["press"] = render.Edition("press", f"{book.slug}-press", cmyk, "figures-cmyk")
        if "large-print" in targets:
            # Redrawn, not scaled: at the column's width (1 unit = 1 pt as printed), in the large-print
            # typeface, with no label under the edition's minimum size, stacked bars and a vertical timeline.
            style = figures.large_print_style(root / "assets" / "fonts", book.large_print.min_text_pt)
            figures.write_figures(specs, build_dir / "figures-large", rgb, style, width=(book.trim_mm[0] - PAGE_MARGINS_MM) * 72 / 25.4)
            editions["large-print"] = render.Edition("large-print", f"{book.slug}-large-print", rgb, "figures-large")
        fonts_url = os.path.relpath(root / "assets" / "fonts", build_dir / "css")
        (build_dir / "css").mkdir(exist_ok=True)
        for edition in editions.values():
            css = render.render_css(env, "css/book.css.j2", edition, book, chapters, fonts_url)
            if edition.name == "press":
                css = render.press_colour_profile(book, build_dir / "css") + css
            (build_dir / "css" / f"{edition.name}.css").write_text(css, encoding="utf-8")
            motif = env.get_template("cover-motif.svg.j2").render(c=edition.colour)
            (build_dir / "css" / f"cover-motif-{edition.name}.svg").write_text(motif, encoding="utf-8")
        if "epub" in targets:
            themes = sorted({c.theme for c in chapters if c.theme})
            (build_dir / "css" / "epub.css").write_text(
                env.overlay(autoescape=False).get_template("css/epub.css.j2").render(c=rgb, themes=themes), encoding="utf-8")
            (build_dir / "cover.svg").write_text(env.get_template("cover.svg.j2").render(c=rgb, book=book), encoding="utf-8")
            # In the EPUB the charts are <img> pictures, which cannot reach the book's fonts: outline their text.
            inter = root / "assets" / "fonts" / "inter"
            figures.write_figures(specs, build_dir / "epub" / "figures", rgb,
                                  figures.TextStyle(fonts=(inter / "Inter-Regular.otf", inter / "Inter-Bold.otf"), outline=True))
        bodies, warnings = converting.result()
        bodies = figures.label_figures(bodies, [c.id for c in chapters], specs)   # "Figure N." and "Source:"
    report.findings += warnings

    # 5. Assemble each edition's HTML with the Jinja layouts.
    html_paths: dict[str, Path] = {}
    for key, edition in editions.items():
        html = render.render_book(env, book, chapters, bodies, edition, f"css/{edition.name}.css")
        html = images.place(html, root, build_dir, cmyk_profile=book.printer.output_intent if key == "press" else None)
        path = build_dir / f"{edition.file_stem}.html"
        path.write_text(html, encoding="utf-8")
        html_paths[key] = path

    # 6. Render the editions in parallel: PDFs in worker processes; meanwhile pandoc writes the
    #    EPUB here and EPUBCheck checks it in a thread.
    progress("Rendering " + ", ".join(targets))
    start = time.monotonic()
    jobs = {t: pdf.PdfJob(edition=t, html_path=html_paths[t], target=out_dir / f"{editions[t].file_stem}.pdf",
                          root=root, variant="pdf/x-4" if t == "press" else "pdf/ua-1",
                          source_date_epoch=book.source_date_epoch,
                          page_multiple=book.printer.page_multiple if t == "press" else 1,
                          crop_marks_bleed_mm=book.printer.bleed_mm if t == "press" and book.printer.crop_marks else None,
                          quality=quality_input(book, chapters, t, f"{editions[t].file_stem}.pdf", html_paths[t],
                                                build_dir / "css" / f"{editions[t].name}.css"))
            for t in sorted((t for t in targets if t in editions), key=RENDER_ORDER.index)}
    staged: list[publish.Staged] = []
    if warm.is_alive():
        warm.join()   # fork only once the import is complete
    with ProcessPoolExecutor(max_workers=min(2, max(1, len(jobs))), initializer=safety.worker_init) as pool, \
            ThreadPoolExecutor(2) as threads, safety.time_limit(pool, "WeasyPrint"):
        futures = {pool.submit(pdf.render, j): t for t, j in jobs.items()}
        checks: dict[str, Future[list[Finding]]] = {}
        quality: dict[str, Future[pagequality.Judgement]] = {}
        preflight_run: Future[preflight.PreflightReport] | None = None
        if "epub" in targets:
            job = epub.EpubJob(book, chapters, inserts, build_dir, out_dir / f"{book.slug}.epub",
                               epub.font_files(root), a11y.epub_metadata(sources),
                               root / "layouts" / "epub-page.xhtml", root / "assets" / "fonts")
            temp, warnings = epub.build(job)
            report.findings += warnings
            checks["EPUBCheck"] = threads.submit(epub.epubcheck, temp, job.target.name)
            checks[job.target.name] = threads.submit(audit.audit_epub, temp)
            staged.append(publish.Staged("epub", temp, job.target, None, time.monotonic() - start))

        # 7. Judge each finished file as soon as it exists: accessibility audits of the member
        #    editions and the EPUB, preflight of the press PDF, EPUBCheck. They overlap the renders
        #    still running; a claim the content cannot back fails here.
        for done in as_completed(futures, timeout=safety.TOOL_TIMEOUT_S):
            t, result = futures[done], done.result()
            report.findings += result.findings
            item = publish.Staged(t, result.target, jobs[t].target, result.pages, time.monotonic() - start)
            staged.append(item)
            if result.findings and any(f.severity == "error" for f in result.findings):
                continue
            judge_input = jobs[t].quality
            if result.judgement is not None and judge_input is not None:
                # The fonts really drawn, the thumbnails and both reports, beside the audit below.
                stem = jobs[t].target.with_suffix("").name
                quality[t] = pool.submit(pagequality.finish, result.judgement, item.temp, judge_input.fonts,
                                         build_dir / f"{stem}-page-quality.json", build_dir / f"{stem}-page-quality.html",
                                         root / "layouts" / "reports")
            if t == "press":
                plan = result.judgement.page_facts if result.judgement is not None else None
                preflight_run = pool.submit(preflight.run_preflight, item.temp, printer_profile(book), plan)
            else:
                checks[item.target.name] = pool.submit(audit.audit_pdf, item.temp, large_print=t == "large-print",
                                                       language=book.language)
        progress("Checking the finished files")
        site: Future[list[Finding]] | None = None
        if "web" in targets and not report.errors:   # the site offers this run's files for download
            downloads = {s.name: s.temp for s in staged if s.name in ("pdf", "large-print", "epub")}
            site = threads.submit(web.build_site, root, book, chapters, inserts, build_dir, build_dir / "web-staged",
                                  downloads or None)
        if preflight_run is not None:
            press = next(s for s in staged if s.name == "press")
            staged += press_reports(book, press, preflight_run.result(), build_dir, report)
        for t, run in quality.items():
            staged += quality_reports(run.result(), jobs[t].target, build_dir, report)
        for name, check in checks.items():
            found = check.result(timeout=safety.TOOL_TIMEOUT_S)
            report.findings += [dataclasses.replace(f, path=name) if name != "EPUBCheck" else f for f in found]
            report.checks.append(f"EPUBCheck: {len(found)} message{'s' if len(found) != 1 else ''}" if name == "EPUBCheck"
                                 else f"accessibility audit: {name}")
        if site is not None:
            try:
                report.findings += site.result()
            except BuildError as exc:
                report.findings += exc.findings
                site = None

    # 8. Publish: move each complete file (and the site) into place, unless the run failed;
    #    then SHA256SUMS and the cache records.
    if report.fails(strict):
        publish.discard(staged)
        raise BuildError(report.findings)
    report.outputs += publish.commit(staged, out_dir)
    if site is not None:
        web.swap_into_place(build_dir / "web-staged", out_dir / "web")
        report.outputs.append(publish.Published("web", out_dir / "web" / "index.html", None, time.monotonic() - start))
        keys["web"] = cache.target_keys(root, ("web",))["web"]
    for target in targets:
        files = [p.path for p in report.outputs if p.name == target or p.name.startswith(f"{target}:")
                 or (target == "press" and p.name.startswith("preflight"))]
        pages = next((p.pages for p in report.outputs if p.name == target), None)
        cache.record(root, target, keys[target], files, len(report.warnings), pages)
    return report


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


def quality_input(book: config.Book, chapters: list[chapters_mod.Chapter], target: str, file: str, html_path: Path,
                  css_path: Path) -> pagequality.JudgeInput:
    """What the page-quality judge needs for one edition, as plain data for the render worker."""
    css = css_path.read_text(encoding="utf-8") if css_path.is_file() else ""
    return pagequality.JudgeInput(
        edition=target, file=file, shown_html=relpath(html_path, book.root),
        sources=tuple((c.id, c.shown) for c in chapters), fallback_sources=(relpath(book.bibliography, book.root),),
        limits=pagequality.thresholds(book.raw.get("page_quality"), target), fonts=pagequality.declared_fonts(css))


def quality_reports(judgement: pagequality.Judgement, target: Path, build_dir: Path,
                    report: BuildReport) -> list[publish.Staged]:
    """The edition's page-quality findings (errors under strict) and its two reports, to publish beside it."""
    stem = target.with_suffix("").name
    html_temp, json_temp = build_dir / f"{stem}-page-quality.html", build_dir / f"{stem}-page-quality.json"
    found = judgement.findings
    if report.page_quality_strict:
        found = [dataclasses.replace(f, severity="error") for f in found]
    report.findings += found
    groups = ", ".join(f"{g.lower()} {n}" for g, n in judgement.group_counts().items())
    report.checks.append(f"page quality of {target.name}: {judgement.pages} pages, {len(found)} findings ({groups}); "
                         f"{judgement.measure_median:.0f} characters a line, {judgement.hyphenated_ends} hyphenated "
                         f"line ends; see output/{html_temp.name}")
    return [publish.Staged(f"{judgement.edition}:page-quality-html", html_temp, target.parent / html_temp.name, None, 0.0),
            publish.Staged(f"{judgement.edition}:page-quality-json", json_temp, target.parent / json_temp.name, None, 0.0)]


def printer_profile(book: config.Book) -> preflight.PrinterProfile:
    p = book.printer
    return preflight.PrinterProfile(
        bleed_mm=p.bleed_mm, trim_mm=book.trim_mm, max_ink_percent=p.max_ink_percent, page_multiple=p.page_multiple,
        allow_transparency=p.allow_transparency, binding=p.binding, crop_marks=p.crop_marks)


def press_reports(book: config.Book, item: publish.Staged, result: preflight.PreflightReport, build_dir: Path,
                  report: BuildReport) -> list[publish.Staged]:
    """Write the press PDF's preflight reports (to publish beside it) and turn failures into findings."""
    result = dataclasses.replace(result, file=item.target.name)
    passed = sum(1 for c in result.checks if c.passed)
    report.checks.append(f"press preflight: {passed} of {len(result.checks)} checks passed")
    stem = item.target.with_suffix("").name
    json_temp, html_temp = build_dir / f"{stem}-preflight.json", build_dir / f"{stem}-preflight.html"
    preflight.write_json(result, json_temp)
    preflight.write_html(result, html_temp)
    for check in result.checks:
        if not check.passed:
            where = "; ".join(check.at_fault[:5]) or "the whole file"
            code = preflight.CHECK_CODES.get(check.name, "X001")
            found = finding(code, item.target.name, 0, f"preflight check '{check.name}' failed: measured "
                            f"{check.measured}, limit {check.limit}: {where}", hint=f"see {relpath(html_temp, book.root)}")
            if code in preflight.PAGE_PLAN_CODES and report.page_quality_strict:
                found = dataclasses.replace(found, severity="error")   # the page plan follows the page-quality findings
            report.findings.append(found)
    return [publish.Staged("preflight-json", json_temp, item.target.parent / json_temp.name, None, 0.0),
            publish.Staged("preflight-html", html_temp, item.target.parent / html_temp.name, None, 0.0)]


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
