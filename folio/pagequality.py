"""The page-quality judge: reads a laid-out paged edition as a reader and a printer would.

It walks WeasyPrint's page boxes before the PDF is written (line boxes, their text, sizes and
positions, the margin boxes and the footnote area), and the finished PDF where that is the truth
(which fonts were really drawn, and the page thumbnails of the report). Every finding names the
page, the chapter and, where the text can be found again, the source file and line.

Groups of findings, each with its own codes (see ``folio.catalogue``):

- Fill: a page emptier than the edition allows that is not the last page of its chapter (P010).
- Flow: a heading at the foot of a page (P002), orphans and widows (P011, P012), a box continued
  without its label (P013), a figure or table apart from its caption (P014), a list's intro line
  alone at the foot of a page (P015).
- Navigation: a content page without its running head (P020) or page number (P021).
- Lines: the measure (P030), hyphenated line ends per page and in a row (P031, P032), short
  fragments (P033), hyphens in addresses, numbers, names and display text (P034-P037), addresses
  broken in the wrong place (P038), a day split from its month (P039), a number from its unit (P040),
  a line that runs past its column (P041).
- Type: text below the edition's floor (P050), text drawn in a fallback font (P051).

Thresholds come from ``book.yaml`` (``page_quality``, per edition); defaults are in ``DEFAULTS``
and documented in docs/page-quality.md.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import itertools
import json
import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalogue import finding
from .errors import Finding

CODES = frozenset({"P002", "P010", "P011", "P012", "P013", "P014", "P015", "P016", "P017", "P020", "P021", "P030", "P031",
                   "P032", "P033", "P034", "P035", "P036", "P037", "P038", "P039", "P040", "P041", "P050", "P051"})
GROUPS = {"Fill": ("P010",), "Flow": ("P002", "P011", "P012", "P013", "P014", "P015", "P016", "P017"), "Navigation": ("P020", "P021"),
          "Lines": ("P030", "P031", "P032", "P033", "P034", "P035", "P036", "P037", "P038", "P039", "P040", "P041"),
          "Type": ("P050", "P051")}

DEFAULTS: dict[str, Any] = {
    "enabled": True,                # false: no judge, no report, no press page plan (for measuring its cost)
    "max_empty": 0.2,               # a page more than this fraction empty (not a chapter's last page): P010
    "min_last_page_fill": 0.15,     # a chapter's last page filled less than this after an overrun: P010
    "max_box_gap": 0.1,             # a box that breaks with more of the page than this empty below its last line: P017
    "min_lines": 2,                 # fewer lines of a paragraph alone at a page's foot or head: P011/P012
    "max_line_chars": 75,           # median characters per full line of body text: P030
    "max_hyphens_per_page": 3,      # P031
    "max_consecutive_hyphens": 2,   # P032
    "min_fragment": 3,              # letters on either side of a hyphen: P033
    "min_text_pt": 6.0,             # smallest text on a page: P050
    "names": [],                    # proper nouns that are never hyphenated (capitalised words are found anyway)
    "no_running_head": ["cover", "front-plain", "pad"],   # named pages declared without running heads
    "opener_classes": ["cover", "opener"],                # a page where one of these starts needs no running head
}
EDITION_DEFAULTS: dict[str, dict[str, Any]] = {"large-print": {"min_text_pt": 12.0, "max_line_chars": 60}}

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec")
UNITS = ("per cent", "percent", "%", "million", "billion", "trillion", "bn", "m", "k", "mm", "cm", "km", "kg",
         "GB", "MB", "TB", "kB", "Mbps", "Gbps", "pt", "px", "p", "hours", "minutes", "seconds", "°C")
DISPLAY_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "caption", "th")
DISPLAY_CLASSES = ("opener", "pull-quote", "look", "cover", "title-page", "glance-title", "contents")
BOX_CLASSES = ("case-study", "call-to-action", "key-facts")
HYPHENS = ("\u2010", "\u00ad")
INVISIBLE = "\u200b\u2060\ufeff"     # zero-width space, word joiner, zero-width no-break space
_WORD_TAIL = re.compile(r"([^\W\d_]|\d)+$")
_WORD_HEAD = re.compile(r"^([^\W\d_]|\d)+")
_URLISH = re.compile(r"(https?://|www\.|\w\.(uk|com|org|net|gov|eu|io)\b|/\w)", re.I)
_EMAIL = re.compile(r"\w@\w+\.\w")
_WORDS = re.compile(r"[^\W\d_]+")
_NOT_ALNUM = re.compile(r"[\W_]+")     # \W is "not isalnum() and not '_'"
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY = re.compile(r"^\d{1,2}(st|nd|rd|th)?$")
_NUMBER = re.compile(r"^[£$€]?\d[\d,.]*$")


def thresholds(raw: Mapping[str, Any] | None, edition: str) -> dict[str, Any]:
    """The edition's thresholds: defaults, then book.yaml's page_quality, then its editions entry."""
    raw = raw or {}
    values = {**DEFAULTS, **EDITION_DEFAULTS.get(edition, {})}
    values.update({k: v for k, v in raw.items() if k != "editions"})
    values.update(raw.get("editions", {}).get(edition, {}))
    values["names"] = [*DEFAULTS["names"], *raw.get("names", []), *raw.get("editions", {}).get(edition, {}).get("names", [])]
    return values


# --- What the judge reads off the laid-out pages -------------------------------------------------

@dataclass
class Line:
    page: int                      # 1-based
    region: str                    # flow, footnote or margin
    chapter: str                   # id of the chapter (or front-matter section) it belongs to
    block: Any                     # the element of the block the line belongs to (p, li, span.footnote...)
    tags: tuple[str, ...]          # element tags of the ancestors, outermost first
    classes: frozenset[str]        # classes of the ancestors
    text: str
    x: float
    y: float
    w: float
    h: float
    min_pt: float                  # smallest font size on the line
    hyphen: bool                   # ends with an automatic hyphen
    overrun: float = 0.0           # how far (CSS px) its text runs past its block's right edge

    @property
    def display(self) -> bool:
        return any(t in DISPLAY_TAGS for t in self.tags) or bool(self.classes & set(DISPLAY_CLASSES))


@dataclass
class Page:
    number: int
    name: str                      # the CSS named page ('' for none)
    blank: bool
    width: float
    height: float
    bleed: dict[str, float]
    content_top: float
    content_height: float
    flow_bottom: float             # bottom of the last in-flow content (content_top when empty)
    footnote_height: float
    margin_text: dict[str, str]    # @top-left etc. -> text
    chapters: list[str] = field(default_factory=list)   # chapters with content on the page, in order
    starts: set[str] = field(default_factory=set)       # classes of elements that start on this page
    first_block: Any = None        # outermost element that starts at the top of the page
    last_block: Any = None
    calls: list[Any] = field(default_factory=list)     # the notes whose call (::footnote-call) is on the page
    notes: list[Any] = field(default_factory=list)     # the notes in the page's footnote area, in order


@dataclass
class Layout:
    pages: list[Page]
    lines: list[Line]
    element_pages: dict[int, list[int]]        # id(element) -> pages where it has boxes
    elements: dict[int, Any]                    # id(element) -> element
    replaced: list[tuple[int, Any, tuple[float, float, float, float]]]   # (page, element, rect) of images
    styles: dict[int, Any] = field(default_factory=dict)   # id(element) -> computed style of its first box


def _classes(element: Any) -> frozenset[str]:
    if element is None:
        return frozenset()
    return frozenset(str(element.get("class") or "").split())


def read_layout(document: Any) -> Layout:
    """Every line box, page and block of a rendered WeasyPrint document, in reading order."""

    pages: list[Page] = []
    lines: list[Line] = []
    element_pages: dict[int, list[int]] = defaultdict(list)
    elements: dict[int, Any] = {}
    replaced: list[tuple[int, Any, tuple[float, float, float, float]]] = []
    styles: dict[int, Any] = {}

    for number, page in enumerate(document.pages, start=1):
        pages.append(_read_page(page, number, lines, element_pages, elements, replaced, styles))
    return Layout(pages, lines, dict(element_pages), elements, replaced, styles)


def _read_page(page: Any, number: int, lines: list[Line], element_pages: dict[int, list[int]], elements: dict[int, Any],
               replaced: list[tuple[int, Any, tuple[float, float, float, float]]], styles: dict[int, Any]) -> Page:
    from weasyprint.formatting_structure import boxes

    box = page._page_box
    info = Page(number=number, name=str(box.page_type.name or ""), blank=bool(box.page_type.blank),
                width=float(page.width), height=float(page.height), bleed=dict(page.bleed),
                content_top=float(box.content_box_y()), content_height=float(box.height),
                flow_bottom=float(box.content_box_y()), footnote_height=0.0, margin_text={})
    seen_here: set[int] = set()

    def walk(b: Any, region: str, chapter: str, block: Any, tags: tuple[str, ...], classes: frozenset[str],
             depth_new: list[Any], column: float = 0.0) -> None:
        element = getattr(b, "element", None)
        if element is not None and isinstance(b, (boxes.BlockLevelBox, boxes.BlockContainerBox, boxes.TableBox,
                                                   boxes.ReplacedBox, boxes.FlexContainerBox)):
            key = id(element)
            if key not in seen_here:
                seen_here.add(key)
                elements[key] = element
                styles.setdefault(key, b.style)
                first_time = not element_pages[key]
                element_pages[key].append(number)
                if first_time:
                    info.starts |= _classes(element)
                    depth_new.append(element)
            own = _classes(element)
            classes = classes | own
            tags = (*tags, str(b.element_tag))
            if "chapter" in own or (not chapter and b.element_tag in ("section", "nav")):
                chapter = str(element.get("id") or chapter)
            if isinstance(b, boxes.BlockContainerBox) and not isinstance(b, boxes.LineBox):
                block = element
        if region == "flow" and chapter and (not info.chapters or info.chapters[-1] != chapter):
            info.chapters.append(chapter)
        if isinstance(b, boxes.LineBox):
            if region == "flow":
                info.calls += [d.element for d in b.descendants() if isinstance(d, boxes.InlineBox)
                               and str(d.element_tag).endswith("::footnote-call")]
            line = _read_line(b, Line(number, region, chapter, block, tags, classes, "", 0, 0, 0, 0, 0.0, False), column)
            if line is not None:
                lines.append(line)
                if region == "flow":
                    info.flow_bottom = max(info.flow_bottom, line.y + line.h)
            return
        if isinstance(b, boxes.ReplacedBox):
            rect = (float(b.position_x), float(b.position_y), float(b.margin_width()), float(b.margin_height()))
            replaced.append((number, element, rect))
            if region == "flow":
                info.flow_bottom = max(info.flow_bottom, rect[1] + rect[3])
            return
        if region == "flow" and isinstance(b, boxes.BlockBox) and element is not None:
            style = b.style
            if style["background_color"].alpha > 0 or style["border_bottom_width"] > 0:
                info.flow_bottom = max(info.flow_bottom, float(b.position_y + b.margin_height()))
        if isinstance(b, boxes.BlockContainerBox):    # the right edge of the column its lines are set in
            column = float(b.content_box_x() + b.width)
        for child in getattr(b, "children", []):
            walk(child, region, chapter, block, tags, classes, depth_new, column)

    for child in box.children:
        if isinstance(child, boxes.MarginBox):
            text = "".join(t.text for t in child.descendants() if isinstance(t, boxes.TextBox)).strip()
            if text:
                info.margin_text[child.at_keyword] = text
            walk(child, "margin", "", None, (), frozenset(), [])
        elif isinstance(child, boxes.FootnoteAreaBox):
            if child.children:
                info.footnote_height = float(child.margin_height())
            info.notes += [getattr(note, "element", None) for note in child.children]
            walk(child, "footnote", info.chapters[-1] if info.chapters else "", None, (), frozenset(), [])
        elif isinstance(child, boxes.BlockBox) and not isinstance(child, boxes.FootnoteAreaBox):
            started: list[Any] = []
            walk(child, "flow", "", None, (), frozenset(), started)
            info.first_block = _outermost_start(child, element_pages, number)
            info.last_block = _last_leaf_block(child)
    # Footnote lines belong to the chapter of the page's last content, which walk() gave them already.
    return info


def _read_line(b: Any, where: Line, column: float) -> Line | None:
    """The laid-out line box ``b`` as a Line placed as ``where`` says (page, region, chapter, block,
    ancestors), with its text, geometry, smallest type, hyphen and how far its text runs past
    ``column``, the right edge of the block it is set in; None for a line without text."""
    from weasyprint.formatting_structure import boxes

    texts = [t for t in b.descendants() if isinstance(t, boxes.TextBox)]
    text = "".join(t.text for t in texts)
    if not text.strip():
        return None
    sizes = [float(t.style["font_size"]) * 0.75 for t in texts if t.text.strip()]
    last = texts[-1]
    hyphen = bool(last.text.endswith(str(last.style["hyphenate_character"])) and last.style["hyphens"] != "none")
    right = max(float(t.position_x + t.width) for t in texts if t.text.strip())
    return dataclasses.replace(where, text=text, x=float(b.position_x), y=float(b.position_y), w=float(b.width),
                               h=float(b.height), min_pt=min(sizes) if sizes else 0.0, hyphen=hyphen,
                               overrun=max(0.0, right - column) if column else 0.0)


OVERRUN_PT = 2.0      # text may touch the column edge (a closing parenthesis, rounding), not run past it


def _note_text(note: Any) -> str:
    text = " ".join("".join(note.itertext()).split()) if note is not None else ""
    return _clip(text, 60)


def _outermost_start(root: Any, element_pages: Mapping[int, list[int]], number: int) -> Any:
    """The outermost element that begins at the top of this page (the block pushed here, if any)."""
    from weasyprint.formatting_structure import boxes

    b = root
    while True:
        kids = [c for c in getattr(b, "children", []) if isinstance(c, boxes.Box)]
        if not kids:
            return None
        b = kids[0]
        element = getattr(b, "element", None)
        if isinstance(b, boxes.LineBox):
            return None
        if element is not None and element_pages.get(id(element), [number])[0] == number and b.element_tag not in (
                "html", "body") and "chapter-body" not in _classes(element):
            return b


def _last_leaf_block(root: Any) -> Any:
    from weasyprint.formatting_structure import boxes

    b, last = root, None
    while True:
        kids = [c for c in getattr(b, "children", []) if isinstance(c, boxes.Box)]
        if not kids or isinstance(b, boxes.LineBox):
            return last
        b = kids[-1]
        if getattr(b, "element", None) is not None and not isinstance(b, boxes.LineBox):
            last = b


BACK_COVER_CLASS = "back-cover"    # the layouts mark the designed back cover with this class


@dataclass(frozen=True)
class PageFacts:
    """What one laid-out page holds, as plain data (it crosses from the render worker to preflight)."""

    number: int
    name: str                  # the CSS named page ('' for none; 'pad' for the build's padding pages)
    blank: bool                # WeasyPrint left it blank (a forced break to a right- or left-hand page)
    lines: int                 # lines of text in the page's flow
    back_cover: bool           # an element of class 'back-cover' is on the page
    running_text: int          # flow lines outside the back cover
    margin: tuple[str, ...]    # margin boxes with text (@top-right, @bottom-center...)
    chapter: str               # the first chapter (or section) with content on the page
    images: int = 0


def page_facts(layout: Layout) -> list[PageFacts]:
    """One PageFacts per page of the layout, in order."""
    flow: dict[int, list[Line]] = defaultdict(list)
    for li in layout.lines:
        if li.region == "flow":
            flow[li.page].append(li)
    images = Counter(number for number, _, _ in layout.replaced)
    out = []
    for p in layout.pages:
        here = flow.get(p.number, [])
        back = BACK_COVER_CLASS in p.starts or any(BACK_COVER_CLASS in li.classes for li in here)
        out.append(PageFacts(p.number, p.name, p.blank, len(here), back,
                             sum(1 for li in here if BACK_COVER_CLASS not in li.classes), tuple(sorted(p.margin_text)),
                             (p.chapters or [""])[0], images[p.number]))
    return out


# --- Where the text came from ----------------------------------------------------------------

class SourceIndex:
    """Finds the source file and line of a piece of laid-out text.

    Each source is reduced to its letters and digits (Markdown syntax, citation keys and link
    targets dropped), each kept character remembering its line; laid-out text is reduced the
    same way and searched for, so a paragraph wrapped differently in the source still matches.
    """

    _SKIP = re.compile(r"\[@[^\]]*\]|@[\w:-]+|\]\([^)]*\)|\{[#.][^}]*\}|^id:.*$|^kind:.*$|^theme:.*$", re.M)

    def __init__(self, sources: Sequence[tuple[str, str]], fallback: Sequence[str] = ()) -> None:
        self.chapters: dict[str, str] = dict(sources)     # chapter id -> shown path
        self.fallback = list(fallback)
        self._cache: dict[str, tuple[str, list[int]]] = {}
        self.root = Path(".")

    def _load(self, shown: str) -> tuple[str, list[int]]:
        if shown not in self._cache:
            try:
                text = (self.root / shown).read_text(encoding="utf-8")
            except OSError:
                text = ""
            # The skipped spans become as many newlines as they held, so the line numbers stay right.
            text = self._SKIP.sub(lambda m: "\n" * m.group(0).count("\n"), text)
            kept: list[str] = []
            line_of: list[int] = []
            for line, row in enumerate(text.split("\n"), start=1):
                letters = _NOT_ALNUM.sub("", row).lower()
                kept.append(letters)
                line_of.extend([line] * len(letters))
            self._cache[shown] = ("".join(kept), line_of)
        return self._cache[shown]

    @staticmethod
    def _norm(text: str) -> str:
        return _NOT_ALNUM.sub("", text).lower()

    def locate(self, chapter: str, texts: Sequence[str]) -> tuple[str, int]:
        """(shown path, line) of the first of ``texts`` found, in the chapter's file, then the fallbacks."""
        files = ([self.chapters[chapter]] if chapter in self.chapters else []) + self.fallback
        for text in texts:
            wanted = self._norm(text.replace("\u2010", "").replace("\u00ad", ""))
            if len(wanted) < 6:
                continue
            probes = [wanted] if len(wanted) <= 40 else [wanted[:40], wanted[len(wanted) // 2 - 20:len(wanted) // 2 + 20],
                                                         wanted[-40:]]
            for shown in files:
                kept, line_of = self._load(shown)
                for probe in probes:
                    at = kept.find(probe)
                    if at >= 0:
                        return shown, line_of[at]
        return (self.chapters.get(chapter, ""), 0)


# --- The judge ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Region:
    page: int
    x: float        # fractions of the whole rendered page (bleed included), 0..1
    y: float
    w: float
    h: float


@dataclass
class Judged:
    finding: Finding
    page: int
    chapter: str
    region: Region | None
    group: str


@dataclass
class Judgement:
    edition: str
    file: str
    pages: int
    judged: list[Judged]
    measure_median: float
    measure_worst: int
    measure_worst_page: int
    hyphenated_ends: int
    max_hyphens_on_a_page: int
    smallest_pt: float
    fallback_fonts: list[str]
    thresholds: dict[str, Any]
    shown_html: str = ""
    page_sizes: list[tuple[float, float, float, float]] = field(default_factory=list)   # full w, h, bleed left, top
    page_chapters: list[str] = field(default_factory=list)
    page_facts: list[PageFacts] = field(default_factory=list)   # what each page holds, for the press page plan

    @property
    def findings(self) -> list[Finding]:
        return [j.finding for j in self.judged]

    def counts(self) -> dict[str, int]:
        c = Counter(j.finding.code for j in self.judged)
        return {code: c[code] for code in sorted(c)}

    def group_counts(self) -> dict[str, int]:
        return {g: sum(1 for j in self.judged if j.finding.code in codes) for g, codes in GROUPS.items()}


def _group(code: str) -> str:
    return next(g for g, codes in GROUPS.items() if code in codes)


class _Judge:
    def __init__(self, layout: Layout, index: SourceIndex, shown_html: str, limits: Mapping[str, Any]) -> None:
        self.layout = layout
        self.index = index
        self.shown_html = shown_html
        self.limits = limits
        self.out: list[Judged] = []
        self._common: set[str] | None = None
        self.by_block: dict[int, list[Line]] = defaultdict(list)
        self.by_page: dict[int, list[Line]] = defaultdict(list)
        for line in layout.lines:
            self.by_page[line.page].append(line)
            if line.region != "margin" and line.block is not None:
                self.by_block[id(line.block)].append(line)
        for blines in self.by_block.values():
            for line, nxt in itertools.pairwise(blines):
                if line.hyphen and line.text.rstrip().endswith("-"):
                    # With hyphenate-character "-", a break after a hyphen the text has ("well-known")
                    # looks the same as one the engine made: the source decides.
                    tail = line.text.split()[-1] if line.text.split() else ""
                    head = nxt.text.split()[0] if nxt.text.split() else ""
                    if tail + head in "".join(line.block.itertext()):
                        line.hyphen = False

    def page(self, number: int) -> Page:
        return self.layout.pages[number - 1]

    def region(self, number: int, x: float, y: float, w: float, h: float) -> Region:
        p = self.page(number)
        full_w = p.width + p.bleed["left"] + p.bleed["right"]
        full_h = p.height + p.bleed["top"] + p.bleed["bottom"]
        return Region(number, (x + p.bleed["left"]) / full_w, (y + p.bleed["top"]) / full_h, w / full_w, h / full_h)

    def add(self, code: str, number: int, chapter: str, message: str, texts: Sequence[str] = (),
            rect: tuple[float, float, float, float] | None = None, region: Region | None = None) -> None:
        path, line = self.index.locate(chapter, texts) if texts else (self.index.chapters.get(chapter, ""), 0)
        where = f"page {number}" + (f" ({chapter})" if chapter else "")
        f = finding(code, path or self.shown_html, line, f"{where}: {message}")
        if region is None and rect is not None:
            region = self.region(number, *rect)
        self.out.append(Judged(f, number, chapter, region, _group(code)))

    def line_rect(self, lines: Sequence[Line]) -> tuple[float, float, float, float]:
        x0 = min(li.x for li in lines)
        y0 = min(li.y for li in lines)
        x1 = max(li.x + li.w for li in lines)
        y1 = max(li.y + li.h for li in lines)
        return (x0, y0, x1 - x0, y1 - y0)

    # Fill ---------------------------------------------------------------------------------
    def fill(self) -> None:
        pages = self.layout.pages
        for p in pages:
            if p.blank or not p.chapters or p.name in ("cover", "pad"):
                continue
            nxt = pages[p.number] if p.number < len(pages) else None
            used = (p.flow_bottom - p.content_top) + p.footnote_height
            empty = 1 - used / p.content_height if p.content_height else 0
            here = [li for li in self.by_page[p.number] if li.region == "flow"]
            flow = (p.flow_bottom - p.content_top) / p.content_height if p.content_height else 1
            if nxt is None or not nxt.chapters or nxt.chapters[0] != p.chapters[-1]:
                # The last page of its chapter may be short, but not a runt left by an overrun.
                prev = pages[p.number - 2] if p.number > 1 else None
                if (prev is not None and prev.chapters and prev.chapters[-1] == p.chapters[0] and p.starts.isdisjoint({"chapter"})
                        and flow < float(self.limits["min_last_page_fill"])):
                    self.add("P010", p.number, p.chapters[-1],
                             f"the chapter's last page holds only {len(here)} line{'s' if len(here) != 1 else ''} "
                             f"of text ({flow:.0%} of the page): the chapter overruns page {p.number - 1}",
                             [li.text for li in here[:1]],
                             rect=(0, p.content_top, p.width, p.flow_bottom - p.content_top))
                continue
            if empty <= float(self.limits["max_empty"]):
                continue
            cause, texts = self.cause(nxt)
            self.add("P010", p.number, p.chapters[-1], f"the page is {empty:.0%} empty{cause}",
                     texts or [li.text for li in here[-1:]],
                     rect=(0, p.flow_bottom, p.width, p.content_top + p.content_height - p.footnote_height - p.flow_bottom))

    def box_gaps(self, element: Any, pages: Sequence[int]) -> None:
        """P017: a box that breaks over a page ends its part of that page well above the page's foot.
        WeasyPrint stretches a broken block to the foot of the page, so the hole is tinted and P010,
        which measures ink, does not see it (design review 2026-12-03, D1)."""
        limit = float(self.limits["max_box_gap"])
        for number, after in itertools.pairwise(pages):
            p = self.page(number)
            here = [li for li in self.by_page[number] if li.region == "flow" and _inside(li.block, element)]
            if not here or not p.content_height:
                continue
            foot = p.content_top + p.content_height - p.footnote_height
            images = [r for n, el, r in self.layout.replaced if n == number and el is not None and _inside(el, element)]
            last = max([li.y + li.h for li in here] + [y + h for _, y, _, h in images])
            gap = (foot - last) / p.content_height
            if gap <= limit:
                continue
            over = [li for li in self.by_page[after] if li.region == "flow" and _inside(li.block, element)
                    and len(li.text.strip()) > 3]     # not a list item's marker
            moved = f": '{_clip(over[0].text, 40)}' and what follows went to page {after}" if over else ""
            self.add("P017", number, here[-1].chapter,
                     f"the {_describe(element)} breaks with {gap:.0%} of the page empty below its last line{moved}",
                     [li.text for li in over[:1]] or [here[-1].text],
                     rect=(min(li.x for li in here), last, max(li.x + li.w for li in here) - min(li.x for li in here), foot - last))

    def cause(self, nxt: Page) -> tuple[str, list[str]]:
        b = nxt.first_block
        if b is None:
            return "", []
        element = b.element
        lines = [li for li in self.by_block.get(id(element), [])] or [
            li for li in self.by_page[nxt.number] if li.region == "flow"][:1]
        texts = [li.text for li in lines[:2]]
        what = _describe(element)
        style = b.style
        if str(style["break_before"]) in ("page", "left", "right", "recto", "verso"):
            return f": a forced page break before {what} on page {nxt.number}", texts
        if b.element_tag == "figure" or "figure" in _classes(element) or b.element_tag == "img":
            return f": {what} on page {nxt.number} did not fit in the space left", texts
        if b.element_tag in ("h1", "h2", "h3", "h4"):
            heading = " ".join("".join(element.itertext()).split())
            after = _next_sibling(element)
            if after is not None and "break-inside" in _avoiding(after, self.layout):
                return (f": the heading '{_clip(heading, 40)}' is kept with {_describe(after)} after it, which avoids "
                        f"breaking inside (break-inside: avoid), and both were pushed to page {nxt.number}"), texts
            return f": the heading '{_clip(heading, 40)}' on page {nxt.number} is kept with the text after it", texts
        if str(style["break_inside"]) in ("avoid", "avoid-page"):
            return f": {what} avoids breaking inside (break-inside: avoid) and was pushed whole to page {nxt.number}", texts
        return "", texts

    # Flow ---------------------------------------------------------------------------------
    def flow(self) -> None:
        lines = [li for li in self.layout.lines if li.region == "flow"]
        last_on_page: dict[int, Line] = {}
        for li in lines:
            last_on_page[li.page] = li
        for number, li in sorted(last_on_page.items()):
            if any(t in ("h1", "h2", "h3", "h4") for t in li.tags[-2:]):
                self.add("P002", number, li.chapter, f"the page ends with the heading '{li.text.strip()}'",
                         [li.text], rect=self.line_rect([li]))
        minimum = int(self.limits["min_lines"])
        for all_lines in self.by_block.values():
            blines = [li for li in all_lines if li.region == "flow"]
            paragraph = blines[0].tags[-1:] in (("p",), ("li",)) or "p" in blines[0].tags[-2:] if blines else False
            if len(blines) < 2 or not paragraph:
                continue
            per_page = Counter(li.page for li in blines)
            pages = sorted(per_page)
            if len(pages) < 2:
                continue
            first, last = pages[0], pages[-1]
            if per_page[first] < minimum:
                head = [li for li in blines if li.page == first]
                self.add("P011", first, head[0].chapter,
                         f"{per_page[first]} line of a {len(blines)}-line paragraph alone at the foot of the page "
                         f"(an orphan): '{_clip(head[0].text)}'", [li.text for li in blines[:2]], rect=self.line_rect(head))
            if per_page[last] < minimum:
                tail = [li for li in blines if li.page == last]
                self.add("P012", last, tail[0].chapter,
                         f"{per_page[last]} line of a {len(blines)}-line paragraph alone at the head of the page "
                         f"(a widow): '{_clip(tail[0].text)}'", [li.text for li in tail] + [li.text for li in blines[-2:]],
                         rect=self.line_rect(tail))
        for key, pages in self.layout.element_pages.items():
            element = self.layout.elements[key]
            own = _classes(element)
            if len(pages) > 1 and own & set(BOX_CLASSES):
                self.box_gaps(element, pages)
                label = next((c for c in element if str(c.tag) in ("h2", "h3", "h4")), None)
                if label is None:
                    continue
                title = "".join(label.itertext()).strip()
                for number in pages[1:]:
                    here = [li for li in self.by_page[number] if li.region == "flow"
                            and _inside(li.block, element)]
                    if not here or self.labelled(number, title) or self.labelled(number, _describe(element), exact=True):
                        continue
                    self.add("P013", number, here[0].chapter,
                             f"the {_describe(element)} '{_clip(title)}' continues here from page {pages[0]} without "
                             "its label", [title, here[0].text], rect=self.line_rect(here[:3]))
            if str(element.tag) in ("figure", "table") and len(pages) > 1:
                caption = next((c for c in element.iter() if str(c.tag) in ("figcaption", "caption")), None)
                if caption is None:
                    continue
                cap_pages = self.layout.element_pages.get(id(caption), [])
                body = [p for p, el, _ in self.layout.replaced if el is not None and _inside(el, element)]
                rows = [li.page for li in self.layout.lines if li.block is not None and _inside(li.block, element)
                        and not _inside(li.block, caption)]
                others = set(body or rows)
                if cap_pages and others and not set(cap_pages) & others:
                    cap_lines = self.by_block.get(id(caption), [])
                    self.add("P014", cap_pages[0], cap_lines[0].chapter if cap_lines else "",
                             f"the caption of a {element.tag} is on page {cap_pages[0]}, the {element.tag} on page "
                             f"{min(others)}", [li.text for li in cap_lines[:1]],
                             rect=self.line_rect(cap_lines[:3]) if cap_lines else None)
        self.list_intros(lines)
        self.notes()

    def notes(self) -> None:
        """Each note on the page of its call, once, in the order of the calls (WeasyPrint 70 can move a
        line to the next page and leave its note behind, or drop a note when the area is full)."""
        placed: dict[int, int] = {}
        for p in self.layout.pages:
            chapter = p.chapters[-1] if p.chapters else ""
            for note in p.notes:
                if id(note) in placed:
                    self.add("P016", p.number, chapter, f"note '{_note_text(note)}' is printed again (first on page "
                             f"{placed[id(note)]})")
                placed.setdefault(id(note), p.number)
            called = [id(n) for n in p.calls]
            missing = [n for n in p.calls if id(n) not in {id(m) for m in p.notes}]
            for note in missing:
                self.add("P016", p.number, chapter, f"the note '{_note_text(note)}' called on this page is not at its "
                         "foot" + (f" (it is on page {placed[id(note)]})" if id(note) in placed else ""))
            here = [id(n) for n in p.notes if id(n) in called]
            if not missing and here != [c for c in called if c in here]:
                self.add("P016", p.number, chapter, "the notes at the page's foot are not in the order of their calls")

    def labelled(self, number: int, title: str, exact: bool = False) -> bool:
        """Whether the page carries the continuation label of the box called ``title`` and 'continued',
        in a margin box (string-set, as the layouts do) or in a line at the top of the page. With
        ``exact``, ``title`` is the box's kind and the label must be just '<kind> (continued)'."""
        wanted = SourceIndex._norm(title)
        texts = list(self.page(number).margin_text.values())
        top = [li for li in self.by_page[number] if li.region == "flow"][:2]
        texts += [li.text for li in top]
        if exact:
            return any(SourceIndex._norm(t) == SourceIndex._norm(f"{title} (continued)") for t in texts)
        return any(wanted in SourceIndex._norm(t) and "continued" in SourceIndex._norm(t) for t in texts)

    def list_intros(self, lines: list[Line]) -> None:
        by_page: dict[int, list[Line]] = defaultdict(list)
        for li in lines:
            by_page[li.page].append(li)
        for number, here in by_page.items():
            if number >= len(self.layout.pages):
                continue
            blocks = list(dict.fromkeys(id(li.block) for li in here if li.block is not None))
            intros = {id(li.block): li.block for li in here if li.block is not None and str(li.block.tag) == "p"}
            for key in blocks[-4:]:
                intro = intros.get(key)
                parent_list = _next_sibling(intro) if intro is not None else None
                if parent_list is None or str(parent_list.tag) not in ("ul", "ol"):
                    continue
                list_pages = self.layout.element_pages.get(id(parent_list), [])
                items = [c for c in parent_list if str(c.tag) == "li"]
                on_this = [c for c in items if number in self.layout.element_pages.get(id(c), [])]
                if list_pages and (list_pages[0] == number and (len(on_this) > 1 or len(items) == 1
                                                                 or len(list_pages) == 1)):
                    continue
                if not list_pages:
                    continue
                if self.layout.element_pages.get(id(intro), [number])[-1] > number:
                    continue    # the intro breaks, and its last lines lead into the list overleaf
                intro_lines = [li for li in here if li.block is intro]
                last = intro_lines[-1]
                self.add("P015", number, last.chapter,
                         f"the list's intro line '{_clip(last.text)}' is at the foot of the page with "
                         f"{len(on_this)} of its {len(items)} items", [li.text for li in intro_lines[:1]],
                         rect=self.line_rect(intro_lines))

    # Navigation ---------------------------------------------------------------------------
    def navigation(self) -> None:
        exempt_names = set(self.limits["no_running_head"])
        openers = set(self.limits["opener_classes"])
        for p in self.layout.pages:
            if p.blank or not p.chapters or p.name in exempt_names:
                continue
            chapter = p.chapters[0]
            if not p.starts & openers and not any(k.startswith("@top") for k in p.margin_text):
                self.add("P020", p.number, chapter, "a content page without a running head",
                         rect=(0, 0, p.width, p.content_top))
            if not any(k.startswith("@bottom") for k in p.margin_text):
                self.add("P021", p.number, chapter, "a content page without a page number",
                         rect=(0, p.content_top + p.content_height, p.width, p.height - p.content_top - p.content_height))

    # Lines --------------------------------------------------------------------------------
    def line_checks(self) -> tuple[float, int, int, int, int]:
        body = [li for li in self.layout.lines if li.region == "flow" and not li.display
                and li.tags and li.tags[-1] == "p" and "chapter-body" in li.classes
                and not li.classes & set(BOX_CLASSES)]
        full: list[tuple[int, Line]] = []
        wanted = {id(li) for li in body}
        for blines in self.by_block.values():
            members = [li for li in blines if id(li) in wanted]
            full += [(len(li.text.strip()), li) for li in members[:-1]]    # a paragraph's last line is short
        median = statistics.median(n for n, _ in full) if full else 0.0
        worst_n, worst = max(full, key=lambda t: t[0]) if full else (0, None)
        if median > int(self.limits["max_line_chars"]) and worst is not None:
            self.add("P030", worst.page, worst.chapter,
                     f"body text averages {median:.0f} characters a line (median; the longest has {worst_n}); "
                     f"the edition allows {self.limits['max_line_chars']}", [worst.text], rect=self.line_rect([worst]))
        # Hyphenation per page and in a row
        hyphen_pages: Counter[int] = Counter(li.page for li in self.layout.lines if li.hyphen)
        for number, n in sorted(hyphen_pages.items()):
            if n > int(self.limits["max_hyphens_per_page"]):
                hy = [li for li in self.by_page[number] if li.hyphen]
                self.add("P031", number, hy[0].chapter, f"{n} hyphenated line ends on the page "
                         f"(the edition allows {self.limits['max_hyphens_per_page']})", [hy[0].text],
                         rect=self.line_rect(hy))
        for blines in self.by_block.values():
            run: list[Line] = []
            for li in [*blines, None]:
                if li is not None and li.hyphen:
                    run.append(li)
                    continue
                if len(run) > int(self.limits["max_consecutive_hyphens"]):
                    self.add("P032", run[0].page, run[0].chapter, f"{len(run)} hyphenated line ends in a row",
                             [run[0].text], rect=self.line_rect([r for r in run if r.page == run[0].page]))
                run = []
            for i, li in enumerate(blines):
                nxt = blines[i + 1] if i + 1 < len(blines) else None
                if nxt is not None:
                    self.break_checks(li, nxt)
        self.overruns()
        return (float(median), worst_n, worst.page if worst else 0, sum(hyphen_pages.values()),
                max(hyphen_pages.values(), default=0))

    def overruns(self) -> None:
        """A line whose text runs past its column (an address with nowhere to break: design review
        2026-12-02d, D1) by more than OVERRUN_PT; one finding a page, at its worst line."""
        worst: dict[int, Line] = {}
        for li in self.layout.lines:
            if li.region in ("flow", "footnote") and li.overrun * 0.75 > OVERRUN_PT:
                if li.page not in worst or li.overrun > worst[li.page].overrun:
                    worst[li.page] = li
        for number, li in sorted(worst.items()):
            self.add("P041", number, li.chapter, f"a line runs {li.overrun * 0.75:.0f} pt past its column: "
                     f"'{_clip(li.text)}'", [li.text], rect=(li.x, li.y, li.w + li.overrun, li.h))

    def break_checks(self, li: Line, nxt: Line) -> None:
        text = li.text.rstrip()
        if li.hyphen:
            text = text[:-1].rstrip("\u00ad")    # a break at a soft hyphen keeps it before the hyphen drawn
        head_text = nxt.text.lstrip()
        tail_token = text.split()[-1] if text.split() else ""
        head_token = head_text.split()[0] if head_text.split() else ""
        rect = self.line_rect([li])
        end_rect = (li.x + li.w * 0.6, li.y, li.w * 0.4, li.h)
        if li.hyphen:
            a = _WORD_TAIL.search(text)
            b = _WORD_HEAD.search(head_text)
            left, right = (a.group(0) if a else ""), (b.group(0) if b else "")
            word = left + right
            token = tail_token + head_token
            shown = f"{left}-{right}"
            texts = [li.text, nxt.text]
            if _URLISH.search(token) or _EMAIL.search(token):
                self.add("P034", li.page, li.chapter, f"an address hyphenated at a line end: '{tail_token}-{head_token}'",
                         texts, rect=end_rect)
            elif any(ch.isdigit() for ch in word):
                self.add("P035", li.page, li.chapter, f"a number hyphenated at a line end: '{shown}'", texts, rect=end_rect)
            elif li.display:
                self.add("P037", li.page, li.chapter, f"display text hyphenated: '{shown}'", texts, rect=end_rect)
            elif self.proper_noun(li, left, word):
                self.add("P036", li.page, li.chapter, f"a name hyphenated: '{shown}'", texts, rect=end_rect)
            if min(len(left), len(right)) < int(self.limits["min_fragment"]) and word.isalpha():
                self.add("P033", li.page, li.chapter,
                         f"a hyphen leaves {min(len(left), len(right))} letter{'s' if min(len(left), len(right)) != 1 else ''} "
                         f"on one side: '{shown}'", texts, rect=end_rect)
            return
        # A break inside an address, other than after '/', '.', '-' or, in a query string, '+', '=' and
        # '&' (the zero-width space and word joiner the build puts into addresses are break controls,
        # not characters of the address)
        if tail_token and head_token and not text.rstrip(INVISIBLE).endswith((" ", "/", ".", "-", "\u2010", "+", "=", "&")):
            whole = "".join(li.block.itertext()) if li.block is not None else ""
            token = tail_token + head_token
            full = next((t for t in whole.split() if token in t), "")    # the address the two pieces belong to
            # Two words the text sets apart ('digital inclusion') broke at their space, even when an
            # address in a note runs them together ('…/digitalinclusion/').
            spaced = re.search(re.escape(tail_token) + r"\s+" + re.escape(head_token), whole) is not None
            if full and not spaced and (_URLISH.search(full) or _EMAIL.search(full)):
                self.add("P038", li.page, li.chapter, f"an address broken after '{tail_token[-12:]}', "
                         "not after '/', '.', '-', '+', '=' or '&'", [li.text, nxt.text], rect=end_rect)
        if _DAY.match(tail_token) and any(head_text.startswith(m + w) for m in MONTHS for w in (" ", ",", ".", "")
                                          if head_text[len(m):len(m) + 1] in (" ", ",", ".", "")):
            self.add("P039", li.page, li.chapter, f"a day split from its month: '{tail_token} / {head_token}'",
                     [li.text, nxt.text], rect=rect)
        elif _NUMBER.match(tail_token) and any(
                head_text == u or head_text.startswith(u + " ") or head_text.startswith(u + ",") or
                head_text.startswith(u + ".") for u in UNITS):
            self.add("P040", li.page, li.chapter, f"a number split from its unit: '{tail_token} / {head_token}'",
                     [li.text, nxt.text], rect=rect)

    def common_words(self) -> set[str]:
        """Every word the book's own text also writes in lower case ('government', 'service'): in a
        title-case name such a word is a common word, not a proper noun. Built once, from the blocks'
        text before line breaking."""
        if self._common is None:
            words: set[str] = set()
            for blines in self.by_block.values():
                block = blines[0].block
                if block is not None:
                    words.update(w for w in _WORDS.findall("".join(block.itertext())) if w[:1].islower())
            self._common = words
        return self._common

    def proper_noun(self, li: Line, left: str, word: str) -> bool:
        """A name from page_quality.names, or a capitalised word inside a sentence that the book never
        writes in lower case (so 'Britain' and 'Surrey', not 'Government' in 'Government Digital
        Service'); month and day names are calendar words, not names to protect."""
        single = {n.lower() for n in self.limits["names"] if " " not in n}
        if word.lower() in single or any(word in n.split() for n in self.limits["names"] if " " in n):
            return True
        if not left[:1].isupper():
            return False
        if word.lower() in self.common_words() or word in MONTHS or word in DAYS:
            return False
        before = li.text.rstrip()[:-1].rstrip("\u00ad")[: -len(left)].rstrip() if left else ""
        before = before.rstrip("0123456789\u2060 ")    # a note call after the full stop
        if before.endswith((".", "!", "?", ":", "\u201c", '"')):
            return False
        if not before:
            # The word starts the line: look at the previous line's end in the same block.
            blines = self.by_block.get(id(li.block), [])
            i = blines.index(li)
            if i == 0:
                return False
            return not blines[i - 1].text.rstrip().endswith((".", "!", "?", ":"))
        return True

    # Type ---------------------------------------------------------------------------------
    def type_checks(self) -> float:
        floor = float(self.limits["min_text_pt"])
        smallest: dict[int, Line] = {}
        for li in self.layout.lines:
            if li.min_pt and (li.page not in smallest or li.min_pt < smallest[li.page].min_pt):
                smallest[li.page] = li
        for number, li in sorted(smallest.items()):
            if li.min_pt < floor - 0.01:
                what = "a note call" if "footnote" in li.classes or li.region == "footnote" else "text"
                count = sum(1 for x in self.by_page[number] if x.min_pt < floor - 0.01)
                self.add("P050", number, li.chapter,
                         f"{what} set at {li.min_pt:.1f} pt, below the edition's floor of {floor:g} pt "
                         f"({count} line{'s' if count != 1 else ''} on the page)",
                         [li.text], rect=self.line_rect([li]))
        return min((li.min_pt for li in smallest.values()), default=0.0)

    def run(self) -> tuple[float, int, int, int, int, float]:
        self.fill()
        self.flow()
        self.navigation()
        measure = self.line_checks()
        smallest = self.type_checks()
        return (*measure, smallest)


def _describe(element: Any) -> str:
    own = _classes(element)
    for cls in ("case-study", "call-to-action", "key-facts", "pull-quote", "glance-card"):
        if cls in own:
            return {"case-study": "case study", "call-to-action": "'What you can do next' box",
                    "key-facts": "key-facts block", "pull-quote": "pull quote", "glance-card": "summary card"}[cls]
    tag = str(element.tag)
    return {"figure": "a figure", "table": "a table", "p": "a paragraph", "ul": "a list", "ol": "a list",
            "h2": "a heading", "h3": "a heading", "h4": "a heading"}.get(tag, f"a <{tag}> block")


def _avoiding(element: Any, layout: Layout) -> str:
    """'break-inside' if the element's box asks not to be broken."""
    styles = layout.styles.get(id(element))
    return "break-inside" if styles and str(styles["break_inside"]) in ("avoid", "avoid-page") else ""


def _clip(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _inside(element: Any, ancestor: Any) -> bool:
    if element is None:
        return False
    return element is ancestor or any(e is element for e in ancestor.iter())


def _next_sibling(element: Any) -> Any:
    # ElementTree elements have no parent pointer; html5lib trees do keep getparent() with lxml only.
    getparent = getattr(element, "getparent", None)
    if getparent is not None:
        return element.getnext()
    return _SIBLINGS.get(id(element))


_SIBLINGS: dict[int, Any] = {}


def _index_siblings(document_root: Any) -> None:
    _SIBLINGS.clear()
    for parent in document_root.iter():
        for a, b in itertools.pairwise(list(parent)):
            _SIBLINGS[id(a)] = b


# --- Fonts actually drawn (the finished PDF) -------------------------------------------------

_TOKEN = re.compile(rb"(-?[\d.]+) (-?[\d.]+) Tm|/(\S+) (-?[\d.]+) Tf|\[([^\]]*)\] ?TJ")
_GLYPH = re.compile(rb"<([0-9a-fA-F]+)>")


@dataclass(frozen=True)
class Drawn:
    font: str
    text: str
    x: float            # CSS px from the page's top left, as WeasyPrint draws
    y: float
    size: float


def fallback_text(pdf_path: Path, allowed: Sequence[str]) -> dict[int, list[Drawn]]:
    """Page number -> the text runs drawn in a font whose family the stylesheet does not declare.

    Reads the content streams WeasyPrint wrote (a text run is ``x y Tm /Font size Tf [...] TJ``)
    and each font's ToUnicode map, so it finds what was really drawn, not what was asked for.
    """
    import pikepdf

    wanted = {_font_key(a) for a in allowed}
    found: dict[int, list[Drawn]] = {}
    cmaps: dict[tuple[int, int], dict[int, str]] = {}
    with pikepdf.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            resources = page.obj.get("/Resources")
            fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
            if not isinstance(fonts, pikepdf.Dictionary):
                continue
            odd = {}
            for key, font in fonts.items():
                base = str(font.get("/BaseFont", "")).lstrip("/").split("+", 1)[-1]
                if base and not any(_font_key(base).startswith(w) for w in wanted):
                    odd[key.lstrip("/").encode()] = (base, font)
            if not odd:
                continue
            contents = page.obj.get("/Contents")
            streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            data = b"".join(c.read_bytes() for c in streams if isinstance(c, pikepdf.Stream))
            if not any(b"/" + k + b" " in data for k in odd):
                continue
            runs: list[Drawn] = []
            x = y = size = 0.0
            current = b""
            for m in _TOKEN.finditer(data):
                if m.group(1) is not None:
                    x, y = float(m.group(1)), float(m.group(2))
                elif m.group(3) is not None:
                    current, size = m.group(3), float(m.group(4))
                elif current in odd:
                    base, font = odd[current]
                    cmap = cmaps.setdefault(font.objgen, _to_unicode(font))
                    glyphs = [int(g, 16) for g in _GLYPH.findall(m.group(5))]
                    text = "".join(cmap.get(g, "?") for g in glyphs)
                    runs.append(Drawn(base, text, x, y, size))
            if runs:
                found[number] = runs
    return found


def _to_unicode(font: Any) -> dict[int, str]:
    import pikepdf

    stream = font.get("/ToUnicode")
    if not isinstance(stream, pikepdf.Stream):
        return {}
    out: dict[int, str] = {}
    text = stream.read_bytes().decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            base = int(dst, 16)
            for offset, g in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[g] = chr(base + offset)
    return out


def _font_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# --- Entry point --------------------------------------------------------------------------

@dataclass(frozen=True)
class JudgeInput:
    edition: str
    file: str                                  # the PDF's published name
    shown_html: str
    sources: tuple[tuple[str, str], ...]       # (chapter id, source path relative to the project)
    fallback_sources: tuple[str, ...]
    limits: dict[str, Any]
    fonts: tuple[str, ...]                     # families the stylesheet declares


def judge(document: Any, job: JudgeInput, root: Path, tree: Any = None) -> Judgement:
    """Every page-quality finding for a rendered document (before the PDF exists); ``tree`` is the
    parsed HTML (``weasyprint.HTML(...).etree_element``), for the checks that need an element's sibling."""
    layout = read_layout(document)
    if tree is not None:
        _index_siblings(tree)
    index = SourceIndex(job.sources, job.fallback_sources)
    index.root = root
    j = _Judge(layout, index, job.shown_html, job.limits)
    try:
        median, worst, worst_page, hyphens, most, smallest = j.run()
    finally:
        _SIBLINGS.clear()     # nothing of the tree stays alive into write_pdf (less for its collector to walk)
    sizes = [(p.width + p.bleed["left"] + p.bleed["right"], p.height + p.bleed["top"] + p.bleed["bottom"],
              p.bleed["left"], p.bleed["top"]) for p in layout.pages]
    return Judgement(job.edition, job.file, len(layout.pages), j.out, median, worst, worst_page, hyphens, most,
                     smallest, [], dict(job.limits), job.shown_html, sizes, [(p.chapters or [""])[0] for p in layout.pages],
                     page_facts(layout))


def judge_pdf(judgement: Judgement, pdf_path: Path, fonts: Sequence[str]) -> None:
    """The checks that need the finished PDF: text drawn in a fallback font (P051)."""
    names: set[str] = set()
    for number, runs in sorted(fallback_text(pdf_path, fonts).items()):
        if number > len(judgement.page_sizes):
            continue
        width, height, bleed_left, bleed_top = judgement.page_sizes[number - 1]
        chars = "".join(r.text for r in runs)
        names.update(r.font for r in runs)
        first = runs[0]
        # A run's position is where its line starts (the text before it is not measured): mark the line.
        region = Region(number, (first.x + bleed_left) / width, (first.y - first.size + bleed_top) / height,
                        max(0.0, 1 - (first.x + 2 * bleed_left) / width - 0.09), first.size * 1.3 / height)
        sample = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?').lower()}" if not c.isalnum() else c
                           for c in sorted(set(chars))[:4])
        f = finding("P051", judgement.shown_html, 0,
                    f"page {number}: {len(chars)} character{'s' if len(chars) != 1 else ''} ({sample}) drawn in the "
                    f"fallback font {', '.join(sorted({r.font for r in runs}))}, which the stylesheet does not declare")
        judgement.judged.append(Judged(f, number, judgement.page_chapters[number - 1], region, "Type"))
    judgement.fallback_fonts = sorted(names)


def finish(judgement: Judgement, pdf_path: Path, fonts: Sequence[str], json_path: Path, html_path: Path,
           template_dir: Path) -> Judgement:
    """After the PDF is written (in a worker beside the accessibility audit): P051, then both reports."""
    judge_pdf(judgement, pdf_path, fonts)
    write_reports(judgement, pdf_path, json_path, html_path, template_dir)
    return judgement


def thumbnails(pdf_path: Path, numbers: Sequence[int], width_px: int = 220) -> dict[int, str]:
    """Page number -> a PNG data: URL of that page, ``width_px`` wide."""
    import pypdfium2

    out: dict[int, str] = {}
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    try:
        for number in sorted(set(numbers)):
            if not 1 <= number <= len(pdf):
                continue
            page = pdf[number - 1]
            scale = width_px / page.get_width()
            image = page.render(scale=scale).to_pil()
            buf = io.BytesIO()
            image.save(buf, format="PNG", optimize=False)
            out[number] = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    finally:
        pdf.close()
    return out


def to_json(judgement: Judgement) -> dict[str, Any]:
    return {
        "edition": judgement.edition, "file": judgement.file, "pages": judgement.pages,
        "summary": {"findings": len(judgement.judged), "by_group": judgement.group_counts(), "by_code": judgement.counts(),
                    "measure_median_chars": judgement.measure_median, "measure_worst_chars": judgement.measure_worst,
                    "measure_worst_page": judgement.measure_worst_page, "hyphenated_line_ends": judgement.hyphenated_ends,
                    "most_hyphens_on_a_page": judgement.max_hyphens_on_a_page, "smallest_text_pt": round(judgement.smallest_pt, 2),
                    "fallback_fonts": judgement.fallback_fonts},
        "thresholds": judgement.thresholds,
        "findings": [{"code": j.finding.code, "group": j.group, "severity": j.finding.severity, "page": j.page,
                      "chapter": j.chapter, "path": j.finding.path, "line": j.finding.line, "message": j.finding.message,
                      "hint": j.finding.hint,
                      "region": dataclasses.asdict(j.region) if j.region else None} for j in judgement.judged],
    }


def write_reports(judgement: Judgement, pdf_path: Path, json_path: Path, html_path: Path, template_dir: Path) -> None:
    """The JSON report, and the HTML report with a thumbnail of each page that has a finding."""
    import jinja2

    data = to_json(judgement)
    json_path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    thumbs = thumbnails(pdf_path, [j.page for j in judgement.judged])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(template_dir)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    from .catalogue import CATALOGUE

    aspect = {n: f"{w:.1f} / {h:.1f}" for n, (w, h, _, _) in enumerate(judgement.page_sizes, start=1)}
    html = env.get_template("page-quality.html.j2").render(
        r=data, thumbs=thumbs, aspect=aspect, groups=GROUPS, catalogue=CATALOGUE)
    html_path.write_text(html, encoding="utf-8")


def declared_fonts(css_text: str) -> tuple[str, ...]:
    """The font families an edition's stylesheet declares with @font-face."""
    return tuple(sorted(set(re.findall(r"@font-face\s*\{[^}]*font-family:\s*\"([^\"]+)\"", css_text))))

