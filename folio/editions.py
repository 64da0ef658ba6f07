"""The code for each format: what an edition of that format prepares, renders and judges.

``build()`` knows an edition only as data (``folio.config.Edition``, declared in book.yaml); this
module is the one place that reads an edition's format, and it never looks at an edition's
name. Each format has a job class with the same four steps, which the job runner in
``folio.build`` drives without knowing what they do:

``start``        submit the work: a PDF render to the process pool, the EPUB's pandoc run here
                 (it is a separate process already), the site to a thread once the files it
                 offers exist (``waits``);
``on_rendered``  the file exists: start its judges (accessibility audit, preflight, page quality);
``finish``       wait for the judges and return an ``Outcome``: staged files, findings, summaries.

Paths under output/build/ are named after the edition's output stem and stylesheet, so two
editions of one format never write the same file.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from collections.abc import Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import jinja2

from . import a11y, audit, epub, figures, images, pagequality, pdf, preflight, publish, render, safety, web
from .catalogue import finding
from .chapters import Chapter
from .config import Book, Edition
from .errors import BuildError, Finding, relpath
from .parts import held as held_by
from .parts import parts as parts_of
from .read import Sources
from .syntax import CITATION

PAGE_MARGINS_MM = 27 + 27          # the large print's left plus right margin in layouts/css/book.css.j2


@dataclass
class Shared:
    """The work done once per run, that every edition reads."""

    root: Path
    sources: Sources
    env: jinja2.Environment
    palette: dict[str, object]
    inserts: dict[str, str]                    # generated blocks, as Markdown
    bodies: dict[str, str] = field(default_factory=dict)   # chapter id -> paged HTML (pandoc)
    documents: dict[str, dict[str, str]] = field(default_factory=dict)   # standalone stem -> its own bodies
    start: float = field(default_factory=time.monotonic)

    @property
    def book(self) -> Book:
        return self.sources.book

    @property
    def build_dir(self) -> Path:
        return self.root / "output" / "build"

    @property
    def out_dir(self) -> Path:
        return self.root / "output"

    def colour(self, edition: Edition) -> render.Colour:
        rgb = render.rgb_colour(self.palette)
        if edition.printer is None or edition.colour != "cmyk":
            return rgb
        return render.cmyk_colour(self.palette, edition.printer.output_intent)


@dataclass
class Outcome:
    edition: Edition
    staged: list[publish.Staged] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)      # what was checked, for the summary
    pages: int | None = None


# --- The parts of an edition, and the documents converted alone ---------------------------------

def parts(sources: Sources, edition: Edition) -> list[Edition]:
    """The files an edition makes (folio.parts)."""
    return parts_of(edition, sources.chapters)


def held(sources: Sources, edition: Edition) -> list[Chapter]:
    """The chapters one file of the edition holds."""
    return held_by(edition, sources.chapters)


def sources_chapter(sources: Sources) -> Chapter:
    """The Sources list that ends a standalone document: pandoc fills #refs with what it cites. Its
    kind is that of the book's own chapter holding #refs (else of its last chapter)."""
    book, chapters = sources.book, sources.chapters
    kind = next((c.kind for c in chapters if "{#refs}" in c.body), chapters[-1].kind if chapters else "")
    return Chapter(book.path, relpath(book.path, book.root), {"id": "sources", "title": "Sources", "kind": kind},
                   "::: {#refs}\n:::\n", 1, model=book.content.kind(kind), colour_key=book.content.colour_key())


def book_chapters(sources: Sources) -> list[Chapter]:
    """The chapters converted together for the paged editions that are not standalone."""
    together = [e for e in sources.book.editions.values() if e.paged and not e.standalone and not e.each]
    return [c for c in sources.chapters if any(e.holds(c.kind) for e in together)]


def document(sources: Sources, part: Edition) -> list[Chapter]:
    """The chapters of one standalone file: what it holds, then a Sources list unless it holds one
    (a chapter with pandoc's ``#refs`` block, such as the book's own Sources chapter) or cites nothing
    (a summary whose generated blocks point to the chapters for their sources)."""
    chapters = held(sources, part)
    has_refs = any("{#refs}" in c.body for c in chapters)
    cites = any(CITATION.search(c.body) for c in chapters)
    return chapters if has_refs or not cites else [*chapters, sources_chapter(sources)]


def documents(sources: Sources, editions: list[Edition]) -> dict[str, list[Chapter]]:
    """Each standalone file's stem -> the chapters pandoc converts for it alone, with its Sources."""
    return {part.stem: document(sources, part)
            for edition in editions for part in parts(sources, edition) if part.standalone}


# --- Shared work: figures per folder, stylesheets and HTML per edition -------------------------

def draw_figures(shared: Shared, editions: list[Edition]) -> None:
    """Each figure folder the editions name, drawn once (editions may share a folder)."""
    drawn: set[str] = set()
    for edition in editions:
        style = edition.figures
        if edition.format == "site":   # phone-width drawings, which the site shows below 38em
            figures.write_figures(shared.sources.figure_specs, shared.build_dir / "figures-narrow", shared.colour(edition),
                                  figures.narrow_style((style.font if style else "") or "sans-serif"),
                                  width=figures.NARROW_WIDTH)
        if style is None or style.folder in drawn:
            continue
        drawn.add(style.folder)
        width = figures.WIDTH
        text: str | figures.TextStyle = style.font
        if style.style == "large-print":
            # Redrawn, not scaled: at the column's width (1 unit = 1 pt as printed), in the large-print
            # typeface, with no label under the edition's minimum size, stacked bars and a vertical timeline.
            regular, bold = style.font_files
            text = figures.large_print_style(style.font, (regular, bold), shared.book.large_print.min_text_pt)
            width = ((edition.trim_mm or shared.book.trim_mm)[0] - PAGE_MARGINS_MM) * 72 / 25.4
        elif style.style == "outlined":
            # Charts that are <img> pictures (EPUB) cannot reach the book's fonts: outline their text,
            # and draw the phone layouts, shown at the column's width (design review D9).
            regular, bold = style.font_files
            text, width = figures.outlined_style((regular, bold), style.font or "sans-serif"), figures.NARROW_WIDTH
        elif edition.colour == "cmyk" and shared.palette.get("press_single_ink"):
            # Press: the palette's single-ink type (palette.yaml press_single_ink) covers the charts' labels too.
            text = figures.TextStyle(family=style.font or "sans-serif", type_in_text=True)
        figures.write_figures(shared.sources.figure_specs, shared.build_dir / style.folder, shared.colour(edition),
                              text, width=width)


def prepare(shared: Shared, edition: Edition) -> None:
    """The edition's stylesheet and assembled HTML (or cover), into output/build/."""
    css_dir = shared.build_dir / "css"
    css_dir.mkdir(parents=True, exist_ok=True)
    colour, book, chapters = shared.colour(edition), shared.book, shared.sources.chapters
    if edition.format == "epub":
        themes = sorted({c.theme for c in chapters if c.theme})
        css = shared.env.overlay(autoescape=False).get_template(f"css/{edition.stylesheet}.css.j2").render(c=colour, themes=themes)
        (css_dir / edition.css).write_text(css, encoding="utf-8")
        (shared.build_dir / "cover.svg").write_text(shared.env.get_template("cover.svg.j2").render(c=colour, book=book),
                                                    encoding="utf-8")
    if not edition.paged:
        return
    view = render.Edition(edition.stylesheet, edition.stem, colour, edition.figures.folder if edition.figures else "figures",
                          bleed_mm=edition.printer.bleed_mm if edition.printer else 0, tokens=edition.tokens,
                          clear_print=edition.clear_print, trim_mm=edition.trim_mm)
    fonts_url = os.path.relpath(shared.root / "assets" / "fonts", css_dir)
    css = render.render_css(shared.env, "css/book.css.j2", view, book, chapters, fonts_url)
    profile = edition.printer.output_intent if edition.printer and edition.colour == "cmyk" else None
    if profile is not None:
        css = render.press_colour_profile(book, css_dir, profile) + css
    own = f"css/{edition.layout.removesuffix('.html.j2')}.css.j2"    # a layout may bring its own rules
    if edition.layout != "book.html.j2" and (shared.root / "layouts" / own).is_file():
        css += render.render_css(shared.env, own, view, book, chapters, fonts_url)
    (css_dir / edition.css).write_text(css, encoding="utf-8")
    motif = shared.env.get_template("cover-motif.svg.j2").render(c=colour)
    (css_dir / f"cover-motif-{edition.stylesheet}.svg").write_text(motif, encoding="utf-8")
    for part in parts(shared.sources, edition):
        bodies = shared.documents[part.stem] if part.standalone else shared.bodies
        held_here = document(shared.sources, part) if part.standalone else held(shared.sources, part)
        left_out = [c for c in chapters if part.audience == "public" and c.meta.get("audience") == "members"]
        html = render.render_book(shared.env, book, held_here, bodies, view, f"css/{edition.css}", edition.layout,
                                  render.theme_numbers(chapters), left_out)
        html = render.unlink_absent(html, {c.id for c in chapters} - {c.id for c in held_here})
        html = images.place(html, shared.root, shared.build_dir, cmyk_profile=profile)
        (shared.build_dir / f"{part.stem}.html").write_text(html, encoding="utf-8")


# --- Jobs ------------------------------------------------------------------------------------

class Job:
    """One edition's work in this run; see the module docstring for the steps."""

    waits: ClassVar[bool] = False      # starts only once the other jobs' files exist
    renders: ClassVar[bool] = False    # needs a render worker process

    def __init__(self, shared: Shared, edition: Edition) -> None:
        self.shared, self.edition = shared, edition
        self.outcome = Outcome(edition)
        self.target = shared.out_dir / edition.output
        self.rendering: Future[pdf.PdfResult] | None = None
        self.file: Path | None = None   # the staged main file, once it exists and is sound

    @property
    def cost(self) -> float:
        """Relative render time, longest first so the workers finish together."""
        return 0.0

    def start(self, pool: Executor, threads: Executor, files: Mapping[str, Path]) -> None:
        raise NotImplementedError

    def on_rendered(self, pool: Executor, judging: Executor) -> None:
        """The render finished (only jobs with ``rendering``); ``judging`` is one thread for the
        page-quality judge (pypdfium2 is not thread-safe), so it overlaps the audit in the pool."""

    def finish(self) -> Outcome:
        return self.outcome

    def _stage(self, suffix: str, temp: Path, pages: int | None = None, entry: str = "") -> publish.Staged:
        name = self.edition.name + (f":{suffix}" if suffix else "")
        target = self.target if not suffix else self.target.parent / temp.name
        item = publish.Staged(name, temp, target, pages, time.monotonic() - self.shared.start, entry)
        self.outcome.staged.append(item)
        return item


def _audit(found: Future[list[Finding]], shown: str) -> list[Finding]:
    return [dataclasses.replace(f, path=shown) for f in found.result(timeout=safety.TOOL_TIMEOUT_S)]


class PdfJob(Job):
    renders = True

    def __init__(self, shared: Shared, edition: Edition) -> None:
        super().__init__(shared, edition)
        self.quality: Future[pagequality.Judgement] | None = None
        self.preflight: Future[preflight.PreflightReport] | None = None
        self.audit: Future[list[Finding]] | None = None
        build_dir, book = shared.build_dir, shared.book
        html_path = build_dir / f"{edition.stem}.html"
        self.target.parent.mkdir(parents=True, exist_ok=True)    # an 'each' edition's folder
        printer = edition.printer
        self.job = pdf.PdfJob(
            edition=edition.name, html_path=html_path, target=self.target, root=shared.root, variant=edition.variant,
            source_date_epoch=book.source_date_epoch, page_multiple=printer.page_multiple if printer else 1,
            crop_marks_bleed_mm=printer.bleed_mm if printer and printer.crop_marks else None,
            quality=quality_input(book, shared.sources, edition, html_path, build_dir / "css" / edition.css)
            if "page-quality" in edition.judges else None)

    @property
    def cost(self) -> float:
        return self.edition.cost

    def start(self, pool: Executor, threads: Executor, files: Mapping[str, Path]) -> None:
        self.rendering = pool.submit(pdf.render, self.job)

    def on_rendered(self, pool: Executor, judging: Executor) -> None:
        assert self.rendering is not None
        result = self.rendering.result()
        self.outcome.findings += result.findings
        self.outcome.pages = result.pages
        item = self._stage("", result.target, result.pages)
        if any(f.severity == "error" for f in result.findings):
            return
        self.file, judges, book = item.temp, self.edition.judges, self.shared.book
        if result.judgement is not None and self.job.quality is not None:
            # The fonts really drawn, the thumbnails and both reports, beside the audit below.
            build_dir, stem = self.shared.build_dir, self.edition.stem
            self.quality = judging.submit(pagequality.finish, result.judgement, item.temp, self.job.quality.fonts,
                                       build_dir / f"{stem}-page-quality.json", build_dir / f"{stem}-page-quality.html",
                                       self.shared.root / "layouts" / "reports")
        if "preflight" in judges and self.edition.printer is not None:
            plan = result.judgement.page_facts if result.judgement is not None else None
            self.preflight = pool.submit(preflight.run_preflight, item.temp, printer_profile(book, self.edition), plan)
        if "accessibility" in judges:
            self.audit = pool.submit(audit.audit_pdf, item.temp, large_print=self.edition.clear_print, language=book.language)

    def finish(self) -> Outcome:
        if self.preflight is not None:
            self._preflight_reports(self.preflight.result())
        if self.quality is not None:
            self._quality_reports(self.quality.result())
        if self.audit is not None:
            self.outcome.findings += _audit(self.audit, self.target.name)
            self.outcome.checks.append(f"accessibility audit: {self.target.name}")
        return self.outcome

    def _quality_reports(self, judgement: pagequality.Judgement) -> None:
        """The edition's page-quality findings and its two reports, to publish beside it."""
        html_temp = self.shared.build_dir / f"{self.edition.stem}-page-quality.html"
        json_temp = self.shared.build_dir / f"{self.edition.stem}-page-quality.json"
        self.outcome.findings += judgement.findings
        groups = ", ".join(f"{g.lower()} {n}" for g, n in judgement.group_counts().items())
        self.outcome.checks.append(
            f"page quality of {self.target.name}: {judgement.pages} pages, {len(judgement.findings)} findings ({groups}); "
            f"{judgement.measure_median:.0f} characters a line, {judgement.hyphenated_ends} hyphenated "
            f"line ends; see output/{html_temp.name}")
        self._stage("page-quality-html", html_temp)
        self._stage("page-quality-json", json_temp)

    def _preflight_reports(self, result: preflight.PreflightReport) -> None:
        """Write the preflight reports (to publish beside the PDF) and turn failures into findings."""
        result = dataclasses.replace(result, file=self.target.name)
        passed = sum(1 for c in result.checks if c.passed)
        self.outcome.checks.append(f"press preflight: {passed} of {len(result.checks)} checks passed")
        json_temp = self.shared.build_dir / f"{self.edition.stem}-preflight.json"
        html_temp = self.shared.build_dir / preflight.report_name(self.edition.stem)
        preflight.write_json(result, json_temp)
        preflight.write_html(result, html_temp)
        for check in result.checks:
            if not check.passed:
                where = "; ".join(check.at_fault[:5]) or "the whole file"
                code = preflight.CHECK_CODES.get(check.name, "X001")   # page-plan codes follow page quality (build)
                self.outcome.findings.append(finding(
                    code, self.target.name, 0,
                    f"preflight check '{check.name}' failed: measured {check.measured}, limit {check.limit}: {where}",
                    hint=f"see {relpath(html_temp, self.shared.root)}"))
        self._stage("preflight-json", json_temp)
        self._stage("preflight-html", html_temp)


class EpubJob(Job):
    def start(self, pool: Executor, threads: Executor, files: Mapping[str, Path]) -> None:
        shared, root = self.shared, self.shared.root
        chapters = held(shared.sources, self.edition)
        job = epub.EpubJob(shared.book, chapters, shared.inserts, shared.build_dir, self.target,
                           list(self.edition.fonts), a11y.epub_metadata(shared.sources),
                           root / "layouts" / "epub-page.xhtml", self.edition.cover_fonts,
                           render.openers(shared.env, chapters))
        temp, warnings = epub.build(job)
        self.outcome.findings += warnings
        self.file = self._stage("", temp).temp
        self.epubcheck = threads.submit(epub.epubcheck, temp, self.target.name) if "epubcheck" in self.edition.judges else None
        self.audit = threads.submit(audit.audit_epub, temp) if "accessibility" in self.edition.judges else None

    def finish(self) -> Outcome:
        if self.epubcheck is not None:
            found = self.epubcheck.result(timeout=safety.TOOL_TIMEOUT_S)
            self.outcome.findings += found
            self.outcome.checks.append(f"EPUBCheck: {len(found)} message{'s' if len(found) != 1 else ''}")
        if self.audit is not None:
            self.outcome.findings += _audit(self.audit, self.target.name)
            self.outcome.checks.append(f"accessibility audit: {self.target.name}")
        return self.outcome


class SiteJob(Job):
    waits = True

    def start(self, pool: Executor, threads: Executor, files: Mapping[str, Path]) -> None:
        shared = self.shared
        staging = shared.build_dir / f"{self.edition.output}-staged"
        chapters = held(shared.sources, self.edition)
        self.site = threads.submit(web.build_site, shared.root, shared.book, chapters, shared.inserts,
                                   shared.build_dir, staging, files or None, edition=self.edition)
        self.staging = staging
        self.reports = web.pending_reports(web.offered(shared.book, self.edition, chapters), files or None)

    def finish(self) -> Outcome:
        """The site, with the judges' reports it lists copied in: the jobs before it have finished."""
        try:
            self.outcome.findings += self.site.result()
        except BuildError as exc:
            self.outcome.findings += exc.findings
            return self.outcome
        for report in self.reports:
            name = report.file.rpartition("/")[2]
            written = self.shared.build_dir / name
            if not written.is_file():
                self.outcome.findings.append(finding("W002", self.edition.output, 0,
                                                     f"the site lists {report.file}, which its judge did not write"))
                continue
            shutil.copyfile(written, self.staging / "downloads" / name)
        self._stage("", self.staging, entry="index.html")
        return self.outcome


JOBS: dict[str, type[Job]] = {"pdf": PdfJob, "epub": EpubJob, "site": SiteJob}


def jobs(shared: Shared, edition: Edition) -> list[Job]:
    """One job per file the edition makes (an ``each`` edition makes several)."""
    return [JOBS[edition.format](shared, part) for part in parts(shared.sources, edition)]


def merged(book: Book, outcomes: list[Outcome]) -> list[Outcome]:
    """One outcome per edition: the parts of an ``each`` edition are recorded together."""
    by_name: dict[str, Outcome] = {}
    for outcome in outcomes:
        name = outcome.edition.name
        if name not in by_name:
            by_name[name] = dataclasses.replace(outcome, edition=book.editions[name],
                                                staged=list(outcome.staged), findings=list(outcome.findings),
                                                checks=list(outcome.checks))
            continue
        into = by_name[name]
        into.staged += outcome.staged
        into.findings += outcome.findings
        into.checks += outcome.checks
        into.pages = None if into.pages is None or outcome.pages is None else into.pages + outcome.pages
    return list(by_name.values())


# --- What the judges need ----------------------------------------------------------------------

def quality_input(book: Book, sources: Sources, edition: Edition, html_path: Path, css_path: Path) -> pagequality.JudgeInput:
    """What the page-quality judge needs for one edition, as plain data for the render worker."""
    css = css_path.read_text(encoding="utf-8") if css_path.is_file() else ""
    return pagequality.JudgeInput(
        edition=edition.name, file=edition.output, shown_html=relpath(html_path, book.root),
        sources=tuple((c.id, c.shown) for c in sources.chapters), fallback_sources=(relpath(book.bibliography, book.root),),
        limits=pagequality.thresholds(book.raw.get("page_quality"), edition.name), fonts=pagequality.declared_fonts(css))


def printer_profile(book: Book, edition: Edition) -> preflight.PrinterProfile:
    p = edition.printer or book.printer
    return preflight.PrinterProfile(
        bleed_mm=p.bleed_mm, trim_mm=edition.trim_mm or book.trim_mm, max_ink_percent=p.max_ink_percent, page_multiple=p.page_multiple,
        allow_transparency=p.allow_transparency, binding=p.binding, crop_marks=p.crop_marks)
