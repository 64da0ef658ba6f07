"""WeasyPrint stage: render an edition's HTML to PDF, with every warning captured.

Runs in a worker process (see ``folio.build``), so it takes and returns plain data. WeasyPrint's
log records are turned into findings (T002/T003) tagged with the HTML file, never printed raw.
"""

from __future__ import annotations

import collections
import hashlib
import html
import logging
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pagequality, publish
from .catalogue import finding
from .errors import Finding

MAX_PAGES = 1500


@dataclass(frozen=True)
class PdfJob:
    edition: str
    html_path: Path
    target: Path           # final file; written to a temporary name first
    root: Path
    variant: str           # pdf/ua-1 or pdf/x-4
    source_date_epoch: int
    page_multiple: int = 1
    pad_class: str = "pad-page"
    crop_marks_bleed_mm: float | None = None   # press only: draw our own marks outside this bleed
    quality: pagequality.JudgeInput | None = None   # judge the laid-out pages (folio.pagequality)


@dataclass
class PdfResult:
    edition: str
    target: Path
    pages: int
    findings: list[Finding] = field(default_factory=list)
    judgement: pagequality.Judgement | None = None


class _Collector(logging.Handler):
    def __init__(self, shown: str) -> None:
        super().__init__(level=logging.WARNING)
        self.shown = shown
        self.findings: list[Finding] = []

    def emit(self, record: logging.LogRecord) -> None:
        code = "T003" if record.levelno >= logging.ERROR else "T002"
        self.findings.append(finding(code, self.shown, 0, record.getMessage()))


def stranded_headings(document: Any) -> list[tuple[int, str]]:
    """(page number, heading text) for every page whose last line of text is a heading.

    CSS asks for no break after a heading, but a forced break or a tall block can still leave a
    heading alone at the foot of a page; this reads the laid-out pages to find out.
    """
    from weasyprint.formatting_structure import boxes

    def lines(box: Any, tags: tuple[str, ...]) -> Iterator[tuple[Any, tuple[str, ...]]]:
        if isinstance(box, boxes.BlockBox):
            tags = (*tags, str(getattr(box, "element_tag", "")))
        if isinstance(box, boxes.LineBox):
            yield box, tags
            return
        for child in getattr(box, "children", []):
            yield from lines(child, tags)

    found = []
    for number, page in enumerate(document.pages, start=1):
        flow = page._page_box.children[:1]   # the root block; margin boxes and notes are elsewhere
        tail = collections.deque(lines(flow[0], ()) if flow else (), maxlen=1)   # blank pages have none
        last = tail.pop() if tail else None
        if last is not None and any(tag in ("h1", "h2", "h3", "h4") for tag in last[1][-2:]):
            text = "".join(getattr(t, "text", "") for t in last[0].descendants() if isinstance(t, boxes.TextBox))
            found.append((number, text.strip()))
    return found


_EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]+)"([^>]*)>(.*?)</a>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def short_address(url: str) -> str:
    """How the press edition prints a web address: no scheme, no "www.", no trailing slash."""
    short = re.sub(r"^https?://(www\.)?", "", url)
    return short.rstrip("/")


def press_links(html_text: str) -> str:
    """The press edition has no live links, so each web link whose text does not already give the
    address is followed by the address in short form: "the publisher's website (example.org)"."""
    def add(m: re.Match[str]) -> str:
        url, text = html.unescape(m.group(1)), html.unescape(_TAGS.sub("", m.group(3)))
        short = short_address(url)
        squashed = "".join(text.split()).translate(_BREAK_CONTROLS).casefold()
        if short.casefold() in squashed or url.casefold() in squashed:
            return m.group(0)
        return f'{m.group(0)}<span class="link-address"> ({html.escape(printed_address(short))})</span>'
    return _EXTERNAL_LINK.sub(add, html_text)


# The break controls folio/lua/book.lua puts into printed addresses: not part of the address.
_BREAK_CONTROLS = {0x200B: None, 0x2060: None}


LONG_PART = 30     # characters of an address between two '/' that may not fit a line of the column


def printed_address(short: str) -> str:
    """A printed address that breaks after '/' (a zero-width space after each), with a word joiner
    after '?', '!' and '-': at a line end a '-' of the address reads as a hyphen the typesetter added
    ('what-' / 'we-do', page quality P034). A part between two '/' longer than LONG_PART (a slug such
    as 'responsible-secure-use-technologies-...' or a query string) may also break after '-', '+',
    '=' and '&', or it would run out of the column (design review 2026-12-02d, D1)."""
    parts = short.split("/")
    out = []
    for part in parts:
        if len(part) > LONG_PART:
            out.append(re.sub(r"([-+=&])(?=.)", "\\1\u200b", re.sub(r"([?!])(?=.)", "\\1\u2060", part)))
        else:
            out.append(re.sub(r"([?!-])(?=.)", "\\1\u2060", part))
    return re.sub(r"/(?=.)", "/\u200b", "/".join(out))


_BACK_COVER = re.compile(r'<(?:section|div|aside)\b[^>]*\bclass="(?:[^"]*\s)?back-cover(?:\s[^"]*)?"')


def pad_pages(html_text: str, pads: str) -> str:
    """The padding pages go just before the back cover (in a self-cover booklet the last page is the
    outside back cover), or at the end when the book has none."""
    m = _BACK_COVER.search(html_text)
    if m is None:
        return html_text.replace("</body>", pads + "</body>")
    return html_text[:m.start()] + pads + html_text[m.start():]


PAD_PAGE = "pad"     # the named page of the padding pages (layouts/css: .pad-page { page: pad })


def keep_needed_pads(document: Any, spare: int, multiple: int) -> Any | None:
    """``document`` (a WeasyPrint Document rendered with ``spare`` padding pages) with only as many
    of them as make the page count a multiple of ``multiple``; None when the padding pages are not
    one run of ``@page pad`` pages (the stylesheet does not name them)."""
    names = [page._page_box.page_type.name for page in document.pages]
    if names.count(PAD_PAGE) != spare:
        return None
    start = names.index(PAD_PAGE)
    if names[start:start + spare] != [PAD_PAGE] * spare:
        return None
    needed = (-(len(names) - spare)) % multiple
    return document.copy(document.pages[:start + needed] + document.pages[start + spare:])


def preload() -> None:
    """Import WeasyPrint (about half a second); worker processes forked afterwards inherit it."""
    import weasyprint  # noqa: F401

    from . import sandbox  # noqa: F401


def render(job: PdfJob) -> PdfResult:
    """Render ``job.html_path`` to a temporary file next to ``job.target``; return its page count."""
    os.environ["SOURCE_DATE_EPOCH"] = str(job.source_date_epoch)
    import weasyprint
    from weasyprint.pdf import metadata as pdf_metadata

    from .sandbox import ProjectFetcher

    shown = job.html_path.relative_to(job.root).as_posix()
    collector = _Collector(shown)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        html_text = job.html_path.read_text(encoding="utf-8")
        if job.variant.startswith("pdf/x"):
            html_text = press_links(html_text)
        html_text = glue_compounds(html_text)
        fix_line_breaking()
        fix_footnote_deferral()
        fetcher = ProjectFetcher(job.root)
        # PDF/X-4 writes a random xmpMM:DocumentID; derive it from the content instead.
        digest = hashlib.sha256(html_text.encode("utf-8")).digest()
        pdf_metadata.uuid4 = lambda: uuid.UUID(bytes=digest[:16], version=4)
        options = {"pdf_variant": job.variant, "pdf_identifier": digest[:16].hex().encode("ascii")}
        if job.variant.startswith("pdf/ua"):
            options["output_intent"] = "srgb"
        # A page multiple: render once with as many padding pages as could be needed, then keep
        # the ones needed (the pages before them do not move, so nothing else changes).
        spare = job.page_multiple - 1
        pad = f'<div class="{job.pad_class}"></div>'
        html = weasyprint.HTML(string=pad_pages(html_text, pad * spare) if spare else html_text,
                               base_url=str(job.html_path), url_fetcher=fetcher)
        document = html.render(**options)
        if spare:
            kept = keep_needed_pads(document, spare, job.page_multiple)
            if kept is None:       # a stylesheet without '@page pad': pad and render again
                missing = (-(len(document.pages) - spare)) % job.page_multiple
                html = weasyprint.HTML(string=pad_pages(html_text, pad * missing), base_url=str(job.html_path),
                                       url_fetcher=fetcher)
                kept = html.render(**options)
            document = kept
        pages = len(document.pages)
        judgement = None
        if job.quality is not None and job.quality.limits.get("enabled", True) is not False:
            judgement = pagequality.judge(document, job.quality, job.root, html.etree_element)
        else:
            for number, text in stranded_headings(document):
                collector.findings.append(finding("P002", shown, 0, f"page {number} ends with the heading '{text}'"))
        if job.variant.startswith("pdf/x"):
            # Bound print: the side column on the outside of versos too (design review D5). After
            # the judge, which reads the grid as laid out; only positions change, not lines or pages.
            from .mirror import mirror_versos

            mirror_versos(document)
        temp = publish.temp_path(job.target)
        if pages > MAX_PAGES:
            collector.findings.append(finding("F004", shown, 0, f"{pages} pages; the limit is {MAX_PAGES}"))
            return PdfResult(job.edition, temp, pages, collector.findings, judgement)
        document.write_pdf(temp, **options)
        from . import pdftags

        if job.variant.startswith("pdf/ua"):
            # What WeasyPrint cannot tag: artifacts, links in /Link elements, figure boxes.
            pdftags.finish_tagged(temp)
        else:
            # PDF/X: no annotation in the printed area; the layout prints each address instead.
            pdftags.strip_annotations(temp)
        if job.crop_marks_bleed_mm is not None:
            from .marks import add_crop_marks

            add_crop_marks(temp, job.crop_marks_bleed_mm)
    finally:
        logger.removeHandler(collector)
    return PdfResult(job.edition, temp, pages, collector.findings, judgement)


def fix_line_breaking() -> None:
    """Make WeasyPrint 70 measure a run of text without its trailing space (design review D5).

    ``split_first_line`` compares a run's width *with* its trailing space to the line. A run that
    fits only without the space, followed by an inline element (a name, a link, a note call), was
    set as its first word alone: 'opportunity,' / 'key' / 'figures and first actions ... It is for'
    / '<name> members.'. The space collapses at a line end, so the run fits: it is set whole and
    the line breaks before the element after it, as the caller already allows. Idempotent.
    """
    from weasyprint.layout import inline

    original = inline.split_first_line
    if getattr(original, "folio_fixed", False):
        return

    def split_first_line(text: str, style: Any, context: Any, max_width: float | None,
                         justification_spacing: float, is_line_start: bool = True,
                         minimum: bool = False) -> Any:
        result = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        if (result[2] is not None and max_width is not None and text.endswith(" ") and text.strip(" ")
                and style["white_space"] == "normal" and style["font_size"]
                and len(text) <= max_width / style["font_size"] * 4):   # else it cannot fit one line
            stripped = original(text.rstrip(" "), style, context, max_width, justification_spacing,
                                is_line_start, minimum)
            if stripped[2] is None and stripped[3] <= max_width:
                return original(text, style, context, None, justification_spacing, is_line_start, minimum)
        return result

    split_first_line.folio_fixed = True  # type: ignore[attr-defined]
    inline.split_first_line = split_first_line


# Not glued: SVG, styles, scripts, code, and headings (never hyphenated, and they become the bookmarks).
_SKIPPED = re.compile(r"<(svg|style|script|code|pre|h[1-6])\b.*?</\1>", re.S | re.I)
_COMPOUND_HYPHEN = re.compile(r"(?<=[^\W_])-(?=[^\W_])")
WORD_JOINER = "\u2060"
_WORD = re.compile(r"\S+")
_ADDRESS = re.compile(r"/|@|www\.|://")   # an address breaks at its hyphens (and slashes) as it was


def glue_compounds(html_text: str) -> str:
    """A word joiner after each hyphen between two letters or digits of the text (not in tags,
    SVG, code, styles or headings, which are not hyphenated and become the bookmarks), so that a
    compound ('e-book', 'print-ready') does not break at its hyphen in print (design review D5:
    'EPUB e-' / 'book'). Addresses are left as they are: a long one may need its hyphens to break
    at ('guidance-for-councils-using-the-…' in a note)."""
    def glue(text: str) -> str:
        return _WORD.sub(lambda m: m.group(0) if _ADDRESS.search(m.group(0))
                         else _COMPOUND_HYPHEN.sub("-" + WORD_JOINER, m.group(0)), text)

    out, pos = [], 0
    for skipped in _SKIPPED.finditer(html_text):
        out.append(_glue_text(html_text[pos:skipped.start()], glue))
        out.append(skipped.group(0))
        pos = skipped.end()
    out.append(_glue_text(html_text[pos:], glue))
    return "".join(out)


def _glue_text(html_text: str, glue: Any) -> str:
    parts = _TAG_SPLIT.split(html_text)
    for i in range(0, len(parts), 2):       # even items are text between tags
        parts[i] = glue(parts[i])
    return "".join(parts)


_TAG_SPLIT = re.compile(r"(<[^>]*>)")


_DEFERRAL = "report = not context.in_column and can_break_now and not could_break_before"


def fix_footnote_deferral() -> None:
    """Make WeasyPrint 70 keep placed notes on their page when a paragraph needs more lines for its
    orphans (page quality P016).

    When a line overflows the page and the paragraph could not break before it (fewer lines than
    ``orphans`` above it), ``_linebox_layout`` moves the page's notes, last first, to the next page
    until the line fits, whatever their ``footnote-policy``: note 12 of the cyber security chapter
    went overleaf from its call. With ``footnote-policy: line`` a note stays with its call, so
    this does not apply to such notes and the paragraph breaks where orphans and widows allow.
    The function is rebuilt from its source with that condition; if the source is not the one
    expected (another WeasyPrint), nothing changes and the render test says so. Idempotent.
    """
    import inspect
    import textwrap

    from weasyprint.layout import block

    if getattr(block._linebox_layout, "folio_fixed", False):
        return
    source = textwrap.dedent(inspect.getsource(block._linebox_layout))
    if source.count(_DEFERRAL) != 1:
        return
    source = source.replace(_DEFERRAL, _DEFERRAL + " and not any(\n        note.style['footnote_policy'] == "
                            "'line' for note in context.current_page_footnotes)")
    namespace: dict[str, Any] = {}
    exec(compile(source, inspect.getsourcefile(block) or "block.py", "exec"), block.__dict__, namespace)
    fixed = namespace["_linebox_layout"]
    fixed.folio_fixed = True
    block._linebox_layout = fixed
