"""One declarative schema for ``book.yaml`` and for chapter front matter.

Each field has a name, a type, whether it is required and a line of help. ``validate`` reports
every problem in one pass (unknown keys, missing keys, wrong types, values not in the allowed
set), each with the file and line of the offending key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import safety, yamlio
from .catalogue import finding
from .errors import BuildError, Finding, relpath

TypeSpec = type | tuple[type, ...]


@dataclass(frozen=True)
class Field:
    type: TypeSpec
    required: bool
    help: str
    choices: tuple[str, ...] = ()
    children: Mapping[str, Field] | None = None        # for mappings with fixed keys
    values: Mapping[str, Field] | None = None          # for mappings of name -> mapping
    items: TypeSpec | None = None                      # for lists of scalars


def _type_name(t: TypeSpec) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping", dt.date: "a date (YYYY-MM-DD)"}
    if isinstance(t, tuple):
        return " or ".join(names.get(x, x.__name__) for x in t)
    return names.get(t, t.__name__)


# --- The content model: the kinds of chapter and their front matter, declared in book.yaml ----------

# folio's own front-matter keys; a book declares its others under content.keys.
BASE_KEYS: dict[str, Field] = {
    "id": Field(str, True, "Unique id, lower case with hyphens; used for links and anchors."),
    "title": Field(str, True, "The chapter title; the build writes it as the chapter heading."),
    "kind": Field(str, True, "The kind of chapter, one of the book's content.kinds."),
    "audience": Field(str, False, "Who may read the chapter: public (the default) or members. The public web "
                      "edition shows a members' chapter as its title, summary and how members read it.",
                      choices=("public", "members")),
    "summary": Field(str, False, "One sentence on what the chapter is about."),
    "short_title": Field(str, False, "A shorter title for running heads and the contents."),
}
# The types a declared key may have; a 'colour' is one of the palette's theme keys.
KEY_TYPES: dict[str, TypeSpec] = {"text": str, "integer": int, "number": (int, float), "boolean": bool,
                                  "date": dt.date, "colour": str}
KEY: dict[str, Field] = {
    "type": Field(str, True, "text, integer, number, boolean, date or colour (a theme key of the palette).",
                  choices=tuple(KEY_TYPES)),
    "help": Field(str, True, "One line for editors: what the key holds (also the hint of its errors)."),
    "example": Field((str, int, float), False, "The value new-chapter writes into a new chapter."),
}
KIND: dict[str, Field] = {
    "help": Field(str, True, "One line for editors: what a chapter of this kind is."),
    "required": Field(list, False, "The front-matter keys every chapter of this kind must have.", items=str),
    "sections": Field(list, False, "The level-2 sections it must have, in this order (S001).", items=str),
    "blocks": Field(list, False, "The blocks it must hold (S004).", items=str),
    "numbered": Field(bool, False, "Numbered through the book (1, 2, ...): the contents, the openers and the "
                      "layouts' 'numbers' count only the chapters of numbered kinds."),
    "opener": Field(bool, False, "Opens with an opener (number, summary and the kind's keys) in the EPUB; the "
                    "layouts test it as kinds[chapter.kind].opener."),
    "label": Field(str, False, "Numbered kinds: how a chapter's number is written, with {n} and {count}: "
                   "'Chapter {n} of {count}'."),
}
CONTENT: dict[str, Field] = {
    "kinds": Field(dict, True, "The kinds of chapter, in order: name -> what a chapter of that kind must have.",
                   values=KIND),
    "keys": Field(dict, False, "The book's own front-matter keys, besides folio's (id, title, kind, audience, "
                  "summary, short_title): name -> type and help.", values=KEY),
    "blocks": Field(list, False, "The fenced blocks (::: name) chapters may use.", items=str),
    "generated": Field(dict, False, "Blocks the build fills in: block name -> its Markdown template under layouts/."),
    "default_kind": Field(str, False, "The kind new-chapter makes when --kind is not given (default the first)."),
}


@dataclass(frozen=True)
class Kind:
    """One kind of chapter, as book.yaml declares it under content.kinds."""

    name: str
    help: str = ""
    required: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    blocks: tuple[str, ...] = ()
    numbered: bool = False
    opener: bool = False
    label: str = "{n}"


@dataclass(frozen=True)
class Content:
    """The book's content model: its kinds of chapter, its front-matter keys, its blocks."""

    kinds: Mapping[str, Kind] = field(default_factory=dict)     # empty: any kind, none with requirements
    keys: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    blocks: tuple[str, ...] = ()
    generated: Mapping[str, str] = field(default_factory=dict)
    colours: tuple[str, ...] = ()                               # the palette's theme keys
    default_kind: str = ""

    def kind(self, name: str) -> Kind:
        return self.kinds.get(name) or Kind(name)

    def front_matter(self) -> dict[str, Field]:
        """The front-matter schema: folio's keys, then the book's, 'kind' limited to its kinds."""
        schema = dict(BASE_KEYS)
        if self.kinds:
            schema["kind"] = replace(schema["kind"], help=f"{', '.join(self.kinds)}.", choices=tuple(self.kinds))
        for name, spec in self.keys.items():
            colour = spec["type"] == "colour"
            schema[name] = Field(KEY_TYPES[spec["type"]], False, str(spec["help"]),
                                 choices=self.colours if colour and self.colours else ())
        return schema

    def text_keys(self) -> tuple[str, ...]:
        """The front-matter keys whose values are text a reader sees."""
        return ("title", "short_title", "summary", *(n for n, s in self.keys.items() if s["type"] == "text"))

    def colour_key(self) -> str:
        """The front-matter key that holds a chapter's colour (a palette theme key), or ''."""
        return next((n for n, s in self.keys.items() if s["type"] == "colour"), "")


PALETTE = Path("assets") / "data" / "palette.yaml"


def palette_colours(root: Path) -> tuple[str, ...]:
    """The theme keys of the book's palette (assets/data/palette.yaml), or () when it has none."""
    try:
        data, _, problems = yamlio.load((root / PALETTE).read_text(encoding="utf-8-sig"), str(PALETTE))
    except (OSError, UnicodeDecodeError):
        return ()
    themes = data.get("themes") if isinstance(data, dict) and not problems else None
    return tuple(str(k) for k in themes) if isinstance(themes, dict) else ()


def _content_problems(data: dict[str, Any], lines: yamlio.Lines, shown: str) -> list[Finding]:
    """What the schema cannot say about book.yaml's content model."""
    content = data.get("content")
    if not isinstance(content, dict):
        return []
    kinds, keys = content.get("kinds", {}), content.get("keys", {})
    known_keys = (*BASE_KEYS, *keys)
    out: list[Finding] = []

    def bad(where: tuple[str, ...], message: str, hint: str | None = None) -> None:
        out.append(finding("M005", shown, lines.get(("content", *where), 1), message, hint=hint))
    for name, kind in kinds.items():
        for i, key in enumerate(kind.get("required", [])):
            if key not in known_keys:
                bad(("kinds", name, "required", str(i)), f"'content.kinds.{name}.required' names '{key}', which is not a "
                    "front-matter key", hint="declare it under content.keys")
        for i, block in enumerate(kind.get("blocks", [])):
            if block not in content.get("blocks", []):
                bad(("kinds", name, "blocks", str(i)), f"'content.kinds.{name}.blocks' names '{block}', which is "
                    "not under content.blocks")
        if len(set(kind.get("sections", []))) != len(kind.get("sections", [])):
            bad(("kinds", name, "sections"), f"'content.kinds.{name}.sections' names a section twice")
        if "label" in kind and not kind.get("numbered"):
            bad(("kinds", name, "label"), f"'content.kinds.{name}.label' is only for numbered kinds")
    for name, template in content.get("generated", {}).items():
        if not isinstance(template, str) or str(name) not in content.get("blocks", []):
            bad(("generated", str(name)), f"'content.generated.{name}' must be a block of content.blocks and "
                "the path of its template under layouts/")
    if "default_kind" in content and content["default_kind"] not in kinds:
        bad(("default_kind",), f"'content.default_kind' names '{content['default_kind']}', which is not a kind",
            hint="the kinds are " + ", ".join(kinds))
    return out


def _content(root: Path, data: dict[str, Any]) -> Content:
    spec = data.get("content", {})
    kinds = {str(n): Kind(name=str(n), help=k["help"], required=tuple(k.get("required", ())),
                          sections=tuple(k.get("sections", ())), blocks=tuple(k.get("blocks", ())),
                          numbered=bool(k.get("numbered", False)), opener=bool(k.get("opener", False)),
                          label=k.get("label", "{n}")) for n, k in spec.get("kinds", {}).items()}
    return Content(kinds=kinds, keys=dict(spec.get("keys", {})), blocks=tuple(spec.get("blocks", ())),
                   generated=dict(spec.get("generated", {})), colours=palette_colours(root),
                   default_kind=spec.get("default_kind", next(iter(kinds), "")))


PRINTER: dict[str, Field] = {
    "bleed_mm": Field((int, float), True, "Bleed on every side, in millimetres (3 is the UK norm)."),
    "crop_marks": Field(bool, False, "Draw crop marks outside the bleed (in registration colour)."),
    "output_intent": Field(str, True, "The CMYK ICC profile of the printing condition (a path under assets/)."),
    "max_ink_percent": Field((int, float), False, "Total ink limit, in per cent (default 300)."),
    "page_multiple": Field(int, False, "Pad the page count to a multiple of this (4 for saddle stitch)."),
    "binding": Field(str, False, "saddle-stitch, perfect or loose.", choices=("saddle-stitch", "perfect", "loose")),
    "allow_transparency": Field(bool, False, "Whether the printer accepts live transparency (PDF/X-4 does)."),
}

_THRESHOLDS: dict[str, Field] = {
    "max_empty": Field((int, float), False, "Fill: flag a page more than this fraction empty that is not a chapter's last page (0.2)."),
    "min_last_page_fill": Field((int, float), False,
                                "Fill: flag a chapter's last page whose text fills less than this fraction after an overrun (0.15)."),
    "max_box_gap": Field((int, float), False,
                         "Flow: flag a box that breaks with more than this fraction of the page empty below its last line (0.1)."),
    "min_lines": Field(int, False, "Flow: the fewest lines of a paragraph allowed alone at a page's foot or head (2)."),
    "max_line_chars": Field(int, False, "Lines: the most characters a line of body text may average (75; 60 in large print)."),
    "max_hyphens_per_page": Field(int, False, "Lines: the most hyphenated line ends on one page (3)."),
    "max_consecutive_hyphens": Field(int, False, "Lines: the most hyphenated line ends in a row (2)."),
    "min_fragment": Field(int, False, "Lines: the fewest letters a hyphen may leave on either side (3)."),
    "min_text_pt": Field((int, float), False, "Type: the smallest text allowed on a page, in points (6; 12 in large print)."),
    "names": Field(list, False, "Proper nouns that must not be hyphenated, besides capitalised words.", items=str),
    "no_running_head": Field(list, False, "Named pages declared without running heads (cover, front-plain, pad).", items=str),
    "opener_classes": Field(list, False, "Classes whose first page needs no running head (cover, opener).", items=str),
}
PAGE_QUALITY: dict[str, Field] = {
    "enabled": Field(bool, False, "false: no page-quality judge, report or press page plan (to measure their cost)."),
    **_THRESHOLDS,
    "editions": Field(dict, False, "Thresholds for one paged edition (a name under 'editions'), over the ones above.",
                      values=_THRESHOLDS),
}

# --- Editions: everything that differs between the book's outputs is declared in book.yaml ---------

FORMATS = ("pdf", "epub", "site")
JUDGES: dict[str, tuple[str, ...]] = {     # the judges of finished files each format can run
    "pdf": ("accessibility", "page-quality", "preflight"),
    "epub": ("accessibility", "epubcheck"),
    "site": (),
}
SUFFIXES = {"pdf": ".pdf", "epub": ".epub", "site": ""}
NOT_INHERITED = ("extends", "description", "output", "download")

FIGURES: dict[str, Field] = {
    "folder": Field(str, True, "Where the edition's figures are drawn, under output/build/ (editions may share one)."),
    "style": Field(str, False, "text (labels in 'font'), large-print (redrawn at the text column's width in the "
                   "large-print typeface 'font', nothing under large_print.min_text_pt) or outlined (labels drawn as "
                   "outlines of 'font_files', for readers that cannot reach the fonts).",
                   choices=("text", "large-print", "outlined")),
    "font": Field(str, False, "The labels' font family (large-print style: the large-print typeface)."),
    "font_files": Field(list, False, "large-print and outlined styles: the regular and bold files of 'font', under "
                        "assets/fonts/ (large print measures its labels with them; outlined draws them as outlines).",
                        items=str),
}
DOWNLOAD: dict[str, Field] = {
    "label": Field(str, True, "What the file is, after the title in the download list: 'accessible PDF'."),
    "format": Field(str, True, "The format as a reader would name it: PDF, EPUB."),
    "mime": Field(str, True, "The media type, for the link: application/pdf."),
    "about": Field(str, True, "One line for the home page: what the file is for."),
    "group": Field(str, False, "Who the file is for, on the downloads page: members (the default), print (the print "
                   "shop) or public. The public web edition offers only public files.", choices=("members", "print", "public")),
}
EDITION: dict[str, Field] = {
    "extends": Field(str, False, "Start from another edition's settings (all but output, description and download)."),
    "format": Field(str, False, "pdf, epub or site.", choices=FORMATS),
    "description": Field(str, False, "One line for make_book.py --help: what the command builds."),
    "output": Field(str, False, "The file (a folder for a site) under output/; '{slug}' is the book's slug."),
    "variant": Field(str, False, "PDF: pdf/ua-1 (tagged, for screens) or pdf/x-4 (for print).",
                     choices=("pdf/ua-1", "pdf/x-4")),
    "colour": Field(str, False, "srgb, or cmyk through the printer profile's ICC output intent (PDF only).",
                    choices=("srgb", "cmyk")),
    "printer": Field(str, False, "CMYK editions: the printer profile under 'printers' (default: 'printer')."),
    "stylesheet": Field(str, False, "The stylesheet's name; the layouts get it as 'edition' (css/<name>.css)."),
    "tokens": Field(dict, False, "Stylesheet tokens, given to the layouts as 'tokens': fonts, sizes, leading, hyphenation."),
    "clear_print": Field(bool, False, "RNIB clear print: the HTML is prepared for it and the audit measures every "
                         "character against large_print.min_text_pt."),
    "figures": Field(dict, False, "How the edition's figures are drawn.", children=FIGURES),
    "judges": Field(list, False, "The judges of the finished file: accessibility, page-quality, preflight (PDF); "
                    "accessibility, epubcheck (EPUB).", items=str),
    "download": Field(dict, False, "What a site offering this edition says about it.", children=DOWNLOAD),
    "offers": Field(list, False, "Site: the editions offered for download, in order.", items=str),
    "trim": Field(dict, False, "PDF: the trim size of this edition's page, over the book's 'trim'.", children={
        "width_mm": Field((int, float), True, "Trim width in millimetres."),
        "height_mm": Field((int, float), True, "Trim height in millimetres."),
    }),
    "cost": Field((int, float), False, "Relative render time (default 1); the costliest start first, so the "
                  "workers finish together."),
    "kinds": Field(list, False, "The kinds of chapter the edition holds, in the book's order (default: every kind).",
                   items=str),
    "each": Field(str, False, "PDF: one file per chapter of this kind, each its own tagged document; 'output' "
                  "names it with '{id}', the chapter's id."),
    "standalone": Field(bool, False, "PDF: a document of its own: its chapters are converted alone, so first "
                        "citations are in full and a Sources list of just what it cites ends it."),
    "layout": Field(str, False, "The page layout under layouts/ that assembles a PDF edition (default book.html.j2)."),
    "audience": Field(str, False, "public leaves out members' chapters (audience: members): a PDF or EPUB holds "
                      "only the others, a site shows each as its title, summary and members_notice; members (the "
                      "default) holds everything.", choices=("public", "members")),
    "fonts": Field(list, False, "Under assets/fonts/: EPUB: the font files it embeds, in order; site: the font "
                   "folders it copies whole, with their licences.", items=str),
    "cover_fonts": Field(list, False, "EPUB: the font files its raster (PNG) cover is painted with, under "
                         "assets/fonts/, one per weight the cover uses (each file's weight is read from it).", items=str),
}

BOOK: dict[str, Field] = {
    "title": Field(str, True, "The book's title."),
    "subtitle": Field(str, False, "The strapline under the title."),
    "edition": Field(str, False, "The edition line, for example 'Special 40th-anniversary edition'."),
    "tagline": Field(str, False, "A short message for the cover."),
    "language": Field(str, True, "The language as a BCP 47 tag, for example en-GB."),
    "publisher": Field(str, True, "The publisher's name."),
    "publisher_description": Field(str, False, "One line about the publisher for the imprint page."),
    "date": Field(dt.date, True, "Publication date, YYYY-MM-DD; also the date written into every output."),
    "identifier": Field(str, True, "A stable identifier, such as urn:uuid:… or an ISBN."),
    "report_number": Field(str, False, "The publisher's report number, printed on the imprint and the back cover."),
    "licence": Field(str, True, "The licence the book is published under."),
    "licence_url": Field(str, False, "Where the licence text is."),
    "slug": Field(str, True, "The base name of every output file, for example digital-trends-2026."),
    "url": Field(str, False, "The publisher's website."),
    "bibliography": Field(str, True, "The CSL YAML bibliography, a path in assets/."),
    "csl": Field(str, True, "The CSL citation style, a path in assets/."),
    "chapters": Field(list, True, "The chapter files, in reading order.", items=str),
    "content": Field(dict, False, "The content model: the kinds of chapter, their front matter, sections and "
                     "blocks (docs/architecture.md, 'The content model').", children=CONTENT),
    "trim": Field(dict, False, "Trim size of the printed page.", children={
        "width_mm": Field((int, float), True, "Trim width in millimetres."),
        "height_mm": Field((int, float), True, "Trim height in millimetres."),
    }),
    "printer": Field(str, False, "Which of the printer profiles the press edition uses."),
    "printers": Field(dict, False, "Printer profiles by name.", values=PRINTER),
    "page_quality": Field(dict, False, "Thresholds of the page-quality report (docs/page-quality.md).",
                          children=PAGE_QUALITY),
    "editions": Field(dict, True, "The editions, in build order: 'make_book.py <name>' builds one.", values=EDITION),
    "members_notice": Field(str, False, "Markdown that stands in the public web edition for the text of a members' "
                            "chapter (audience: members): what it holds and how members read it."),
    "preview": Field(str, False, "The PDF edition whose HTML every build assembles (watch, golden tests); default the first."),
    "large_print": Field(dict, False, "The large-print edition (RNIB clear print).", children={
        "label": Field(str, False, "Printed on its cover and title page; default 'Large print edition'."),
        "min_text_pt": Field((int, float), False, "The smallest text anywhere in it, in points (RNIB: 16)."),
    }),
}


def validate(data: Any, schema: Mapping[str, Field], lines: yamlio.Lines, path: str,
             where: tuple[str, ...] = (), first_line: int = 1) -> list[Finding]:
    """Every schema problem in ``data``, with the line of the key at fault."""
    out: list[Finding] = []
    if not isinstance(data, dict):
        out.append(finding("M005", path, lines.get(where, first_line),
                           f"'{'.'.join(where) or 'the file'}' must be a mapping of keys to values"))
        return out
    for key, value in data.items():
        key = str(key)
        line = lines.get((*where, key), first_line)
        dotted = ".".join((*where, key))
        spec = schema.get(key)
        if spec is None:
            near = _near(key, schema)
            out.append(finding("M004", path, line, f"unknown key '{dotted}'",
                               hint=f"did you mean '{near}'?" if near else None))
            continue
        out.extend(_check_value(value, spec, lines, path, (*where, key), line, dotted))
    for key, spec in schema.items():
        if spec.required and key not in data:
            out.append(finding("M003", path, lines.get(where, first_line),
                               f"required key '{'.'.join((*where, key))}' is missing",
                               hint=spec.help))
    return out


def _check_value(value: Any, spec: Field, lines: yamlio.Lines, path: str,
                 where: tuple[str, ...], line: int, dotted: str) -> list[Finding]:
    expected = spec.type
    ok = isinstance(value, expected) and not (isinstance(value, bool) and expected in (int, (int, float)))
    if expected is dt.date and isinstance(value, dt.datetime):
        ok = False
    if not ok:
        return [finding("M005", path, line,
                        f"'{dotted}' must be {_type_name(expected)}, not {value!r}", hint=spec.help)]
    if spec.choices and value not in spec.choices:
        return [finding("M005", path, line,
                        f"'{dotted}' must be one of {', '.join(spec.choices)}, not {value!r}")]
    if isinstance(value, str) and not value.strip() and spec.required:
        return [finding("M005", path, line, f"'{dotted}' must not be empty", hint=spec.help)]
    out: list[Finding] = []
    if spec.children is not None:
        out.extend(validate(value, spec.children, lines, path, where, line))
    if spec.values is not None:
        for name, sub in value.items():
            out.extend(validate(sub, spec.values, lines, path, (*where, str(name)),
                                lines.get((*where, str(name)), line)))
    if spec.items is not None:
        for index, item in enumerate(value):
            if not isinstance(item, spec.items):
                out.append(finding("M005", path, lines.get((*where, str(index)), line),
                                   f"'{dotted}' item {index + 1} must be {_type_name(spec.items)}, not {item!r}"))
    return out


def _near(key: str, schema: Mapping[str, Field]) -> str | None:
    import difflib

    matches = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
    return matches[0] if matches else None


@dataclass(frozen=True)
class Printer:
    name: str
    bleed_mm: float
    crop_marks: bool
    output_intent: Path
    max_ink_percent: float
    page_multiple: int
    binding: str
    allow_transparency: bool


@dataclass(frozen=True)
class LargePrint:
    label: str = "Large print edition"
    min_text_pt: float = 16.0


@dataclass(frozen=True)
class FigureStyle:
    folder: str                       # under output/build/
    style: str = "text"               # text, large-print or outlined
    font: str = ""
    font_files: tuple[Path, ...] = ()  # regular and bold, for the large-print and outlined styles


@dataclass(frozen=True)
class Download:
    label: str
    format: str
    mime: str
    about: str
    group: str = "members"


@dataclass(frozen=True)
class Edition:
    """One output of the book, as book.yaml declares it (``editions:``), after ``extends``."""

    name: str
    format: str                       # pdf, epub or site
    output: str                       # file (or folder) under output/
    description: str = ""
    variant: str = "pdf/ua-1"
    colour: str = "srgb"
    printer: Printer | None = None    # CMYK editions
    stylesheet: str = ""
    tokens: Mapping[str, Any] = field(default_factory=dict)
    clear_print: bool = False
    figures: FigureStyle | None = None
    judges: tuple[str, ...] = ()
    download: Download | None = None
    offers: tuple[str, ...] = ()
    cost: float = 1.0
    trim_mm: tuple[float, float] | None = None     # None: the book's trim
    css: str = ""          # its stylesheet's file under output/build/css/: <stylesheet>.css for the first
    #                        edition with that stylesheet, <stylesheet>-<name>.css for the others
    kinds: tuple[str, ...] = ()       # the kinds of chapter it holds; () for every kind
    each: str = ""                    # one file per chapter of this kind
    standalone: bool = False          # converted alone: its own notes and Sources list
    layout: str = "book.html.j2"
    audience: str = "members"         # public: no members' chapters (a site shows them as notices)
    part: str = ""                    # one file of an 'each' edition: its chapter's id
    fonts: tuple[Path, ...] = ()      # EPUB: the files it embeds; site: the folders it copies
    cover_fonts: tuple[Path, ...] = ()   # EPUB: the files of its raster cover

    def holds(self, kind: str) -> bool:
        """Whether the edition holds chapters of this kind."""
        return not self.kinds or kind in self.kinds

    @property
    def stem(self) -> str:
        """The output's name without its suffix: the stem of its HTML, reports and staging files."""
        return self.output.rpartition("/")[2].removesuffix(SUFFIXES[self.format])

    @property
    def paged(self) -> bool:
        return self.format == "pdf"


@dataclass(frozen=True)
class Book:
    root: Path
    path: Path
    title: str
    subtitle: str
    edition: str
    tagline: str
    language: str
    publisher: str
    publisher_description: str
    date: dt.date
    identifier: str
    licence: str
    licence_url: str
    slug: str
    url: str
    bibliography: Path
    csl: Path
    chapter_files: list[Path]
    chapter_lines: list[int]
    trim_mm: tuple[float, float]
    printer: Printer
    large_print: LargePrint = field(default_factory=LargePrint)
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    editions: dict[str, Edition] = field(default_factory=dict)    # in book.yaml's order
    preview: str = ""                                            # the edition whose HTML is always assembled
    content: Content = field(default_factory=Content)            # the kinds of chapter and their front matter

    @property
    def source_date_epoch(self) -> int:
        return int(dt.datetime.combine(self.date, dt.time(12, 0), tzinfo=dt.UTC).timestamp())


DEFAULT_PRINTER = {"bleed_mm": 3, "crop_marks": False, "output_intent": "assets/icc/coated-fogra39-argyll.icc",
                   "max_ink_percent": 300, "page_multiple": 4, "binding": "saddle-stitch",
                   "allow_transparency": True}


def contained_paths(root: Path, shown: str, data: dict[str, Any], lines: yamlio.Lines, printer: str) -> list[Finding]:
    """Every path book.yaml names must stay, after symlinks, inside its folder: chapters in
    chapters/, the bibliography, the CSL style and the printers' ICC profiles in assets/, the
    editions' fonts in assets/fonts/."""
    named: list[tuple[tuple[str, ...], str, str]] = [(("chapters", str(i)), c, "chapters") for i, c in enumerate(data["chapters"])]
    named += [((key,), data[key], "assets") for key in ("bibliography", "csl")]
    for name, profile in data.get("printers", {}).items():
        if "output_intent" in profile:
            named.append((("printers", name, "output_intent"), profile["output_intent"], "assets"))
    for name, spec in data.get("editions", {}).items():
        lists = {("figures", "font_files"): spec.get("figures", {}).get("font_files", []),
                 ("fonts",): spec.get("fonts", []), ("cover_fonts",): spec.get("cover_fonts", [])}
        named += [(("editions", name, *where, str(i)), f, "assets/fonts") for where, fonts in lists.items()
                  for i, f in enumerate(fonts)]
    out: list[Finding] = []
    for where, written, folder in named:
        base = {"chapters": root / "chapters", "editions": root / "assets" / "fonts"}.get(where[0], root)
        if not written.strip() or not safety.inside(base / written, root / folder):
            out.append(finding("F007", shown, lines.get(where, 1), f"'{'.'.join(where)}': '{written}' is not inside {folder}/"))
        elif folder == "assets/fonts" and not (base / written).exists():
            out.append(finding("B001", shown, lines.get(where, 1), f"'{'.'.join(where)}': '{written}' is not in assets/fonts/"))
    return out


RESERVED = ("all", "check", "clean", "test", "watch", "new-chapter", "docs")   # make_book.py's own commands
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def _inherit(declared: dict[str, Any], name: str, lines: yamlio.Lines, shown: str,
             chain: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[Finding]]:
    """The edition's settings after ``extends`` (tokens merged key by key)."""
    spec = declared[name]
    parent = spec.get("extends")
    if parent is None:
        return dict(spec), []
    line = lines.get(("editions", name, "extends"), 1)
    if parent not in declared:
        return dict(spec), [finding("M005", shown, line, f"'editions.{name}.extends' names '{parent}', which is not an edition",
                                    hint=f"the editions are {', '.join(declared)}")]
    if parent in (*chain, name):
        return dict(spec), [finding("M005", shown, line, f"'editions.{name}.extends' makes a loop: "
                                    + " -> ".join((*chain, name, parent)))]
    base, problems = _inherit(declared, parent, lines, shown, (*chain, name))
    merged = {**{k: v for k, v in base.items() if k not in NOT_INHERITED}, **spec}
    merged["tokens"] = {**base.get("tokens", {}), **spec.get("tokens", {})}
    return merged, problems


def _edition_problems(name: str, spec: dict[str, Any], data: dict[str, Any], lines: yamlio.Lines,
                      shown: str) -> list[Finding]:
    """What the schema cannot say about one resolved edition."""
    def at(key: str) -> int:
        return lines.get(("editions", name, key), lines.get(("editions", name), 1))
    where, fmt = lines.get(("editions", name), 1), spec.get("format")
    out = [finding("M003", shown, where, f"required key 'editions.{name}.{key}' is missing", hint=EDITION[key].help)
           for key in ("format", "output") if key not in spec]
    if not _NAME.fullmatch(name) or name in RESERVED:
        out.append(finding("M005", shown, where, f"the edition name '{name}' cannot be a command",
                           hint="use lower-case letters, digits and hyphens, and not " + ", ".join(RESERVED)))
    if fmt is None or "output" not in spec:
        return out
    output = str(spec["output"])
    folder, _, file = output.rpartition("/")
    if (folder and not _NAME.fullmatch(folder)) or not file.removesuffix(SUFFIXES[fmt]) or not output.endswith(SUFFIXES[fmt]):
        out.append(finding("M005", shown, at("output"), f"'editions.{name}.output' must be a name under output/ "
                           "(or under one folder of it)"
                           + (f" ending in {SUFFIXES[fmt]}" if SUFFIXES[fmt] else " (a folder)") + f", not {output!r}"))
    if bool(spec.get("each")) != ("{id}" in output):
        out.append(finding("M005", shown, at("output"), f"'editions.{name}.output' must name each file with '{{id}}' "
                           "exactly when the edition has 'each'" if spec.get("each") else
                           f"'editions.{name}.output' has '{{id}}', which only an edition with 'each' can fill"))
    kinds = data.get("content", {}).get("kinds", {})
    named = [("kinds", kind) for kind in spec.get("kinds", [])] + ([("each", spec["each"])] if "each" in spec else [])
    out += [finding("M005", shown, at(key), f"'editions.{name}.{key}' names '{kind}', which is not a kind of chapter",
                    hint="the kinds are " + ", ".join(kinds)) for key, kind in named if kinds and kind not in kinds]
    needed = ("stylesheet", "figures") if fmt == "pdf" else ("figures",)
    out += [finding("M003", shown, where, f"required key 'editions.{name}.{key}' is missing", hint=EDITION[key].help)
            for key in needed if key not in spec]
    figures = spec.get("figures", {})
    if figures.get("style") in ("outlined", "large-print") and len(figures.get("font_files", [])) != 2:
        out.append(finding("M005", shown, at("figures"), f"'editions.{name}.figures.font_files' must name two "
                           f"font files, regular then bold, for the {figures['style']} style"))
    if figures.get("style") == "large-print" and not figures.get("font"):
        out.append(finding("M003", shown, at("figures"), f"required key 'editions.{name}.figures.font' is missing",
                           hint="the large-print style draws its labels in this family"))
    out += [finding("M005", shown, at("judges"), f"'editions.{name}.judges': {fmt} editions have no judge '{judge}'",
                    hint="the judges of this format are " + (", ".join(JUDGES[fmt]) or "none"))
            for judge in spec.get("judges", []) if judge not in JUDGES[fmt]]
    for key, formats in (("colour", ("pdf",)), ("variant", ("pdf",)), ("offers", ("site",)), ("clear_print", ("pdf",)),
                         ("trim", ("pdf",)), ("each", ("pdf",)), ("standalone", ("pdf",)), ("layout", ("pdf",)),
                         ("fonts", ("epub", "site")), ("cover_fonts", ("epub",))):
        if key in spec and fmt not in formats and spec[key] not in ("srgb", False):
            out.append(finding("M005", shown, at(key), f"'editions.{name}.{key}' is only for {' and '.join(formats)} editions"))
    printer = spec.get("printer", data.get("printer", "default"))
    if "printer" in spec and printer not in data.get("printers", {}):
        out.append(finding("M005", shown, at("printer"), f"'editions.{name}.printer' names '{printer}', which is not under 'printers'"))
    return out


def _resolve_editions(data: dict[str, Any], lines: yamlio.Lines, shown: str) -> tuple[dict[str, dict[str, Any]], list[Finding]]:
    declared: dict[str, Any] = data.get("editions", {})
    resolved: dict[str, dict[str, Any]] = {}
    problems: list[Finding] = []
    for name in declared:
        resolved[name], found = _inherit(declared, name, lines, shown)
        problems += found
    for name, spec in resolved.items():
        problems += _edition_problems(name, spec, data, lines, shown)
        for index, offered in enumerate(spec.get("offers", [])):
            if offered not in resolved or "download" not in resolved[offered]:
                problems.append(finding("M005", shown, lines.get(("editions", name, "offers", str(index)), 1),
                                        f"'editions.{name}.offers' names '{offered}', which is not an edition with a 'download'"))
    outputs: dict[str, str] = {}
    for name, spec in resolved.items():
        if "output" in spec and spec["output"] in outputs:
            problems.append(finding("M005", shown, lines.get(("editions", name, "output"), 1),
                                    f"'editions.{name}.output' is also the output of '{outputs[spec['output']]}'"))
        outputs.setdefault(str(spec.get("output")), name)
    return resolved, problems


def _edition(root: Path, name: str, spec: dict[str, Any], slug: str, printers: dict[str, Printer],
             default_printer: str) -> Edition:
    figures = spec.get("figures")
    download = spec.get("download")
    return Edition(
        name=name, format=spec["format"], output=spec["output"].replace("{slug}", slug),
        description=spec.get("description", ""), variant=spec.get("variant", "pdf/ua-1"),
        colour=spec.get("colour", "srgb"),
        printer=printers[spec.get("printer", default_printer)] if spec.get("colour") == "cmyk" else None,
        stylesheet=spec.get("stylesheet", ""), tokens=dict(spec.get("tokens", {})),
        clear_print=bool(spec.get("clear_print", False)),
        figures=None if figures is None else FigureStyle(
            folder=figures["folder"], style=figures.get("style", "text"), font=figures.get("font", ""),
            font_files=fonts_at(root, figures.get("font_files", []))),
        judges=tuple(spec.get("judges", [])), download=None if download is None else Download(**download),
        offers=tuple(spec.get("offers", [])), cost=float(spec.get("cost", 1.0)),
        trim_mm=(float(spec["trim"]["width_mm"]), float(spec["trim"]["height_mm"])) if "trim" in spec else None,
        kinds=tuple(spec.get("kinds", [])), each=spec.get("each", ""), standalone=bool(spec.get("standalone", False)),
        layout=spec.get("layout", "book.html.j2"), audience=spec.get("audience", "members"),
        fonts=fonts_at(root, spec.get("fonts", [])), cover_fonts=fonts_at(root, spec.get("cover_fonts", [])))


def fonts_at(root: Path, names: list[str]) -> tuple[Path, ...]:
    """Font files (or folders) named under assets/fonts/."""
    return tuple(root / "assets" / "fonts" / n for n in names)


def _printer(root: Path, name: str, p: dict[str, Any]) -> Printer:
    p = {**DEFAULT_PRINTER, **p}
    return Printer(name=name, bleed_mm=float(p["bleed_mm"]), crop_marks=bool(p["crop_marks"]),
                   output_intent=root / p["output_intent"], max_ink_percent=float(p["max_ink_percent"]),
                   page_multiple=int(p["page_multiple"]), binding=str(p["binding"]),
                   allow_transparency=bool(p["allow_transparency"]))


def _page_quality_editions(data: Any, lines: yamlio.Lines, shown: str) -> list[Finding]:
    """page_quality.editions may name only the book's paged (PDF) editions."""
    if not isinstance(data, dict) or not isinstance(data.get("editions"), dict):
        return []
    quality = data.get("page_quality")
    named = quality.get("editions", {}) if isinstance(quality, dict) else {}
    paged = [n for n, e in data["editions"].items() if isinstance(e, dict) and e.get("format", "pdf") == "pdf"]
    return [finding("M004", shown, lines.get(("page_quality", "editions", str(name)), 1),
                    f"unknown edition 'page_quality.editions.{name}'", hint=f"the paged editions are {', '.join(paged)}")
            for name in (named if isinstance(named, dict) else ()) if name not in paged]


def _read(root: Path, name: str) -> tuple[Path, str, dict[str, Any], yamlio.Lines]:
    """book.yaml's data and key lines, checked against the schema; BuildError with every problem."""
    path = root / name
    shown = relpath(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise BuildError([finding("B001", shown, 0, "book.yaml not found; run make_book.py from the project folder")]) from None
    except UnicodeDecodeError as exc:
        raise BuildError([finding("F001", shown, 0, f"not UTF-8 ({exc.reason} at byte {exc.start})")]) from None
    data, lines, problems = yamlio.load(text.replace("\r\n", "\n"), shown)
    if not problems:
        problems = validate(data, BOOK, lines, shown)
    problems += _page_quality_editions(data, lines, shown)
    if not problems:
        problems += _content_problems(data, lines, shown)
    if problems:
        raise BuildError(problems)
    return path, shown, data, lines


def load_book(root: Path, name: str = "book.yaml") -> Book:
    """Read and validate ``book.yaml``; raise BuildError with every problem found."""
    path, shown, data, lines = _read(root, name)
    printers = {**{"default": DEFAULT_PRINTER}, **data.get("printers", {})}
    printer_name = data.get("printer", "default")
    if printer_name not in printers:
        raise BuildError([finding("M005", shown, lines.get(("printer",), 1),
                                  f"'printer' names '{printer_name}', which is not under 'printers'")])
    resolved, problems = _resolve_editions(data, lines, shown)
    problems += contained_paths(root, shown, data, lines, printer_name)
    for key in ("url", "licence_url"):
        why = safety.link_problem(data[key]) if key in data else None
        if why is not None:
            problems.append(finding("L004", shown, lines.get((key,), 1), f"'{key}': {why}"))
    if problems:
        raise BuildError(problems)
    profiles = {n: _printer(root, n, p) for n, p in printers.items()}
    editions: dict[str, Edition] = {}
    for n, spec in resolved.items():
        edition = _edition(root, n, spec, data["slug"], profiles, printer_name)
        shared = any(e.stylesheet == edition.stylesheet for e in editions.values())
        editions[n] = replace(edition, css=f"{edition.stylesheet}-{n}.css" if shared else f"{edition.stylesheet}.css")
    trim = data.get("trim", {"width_mm": 210, "height_mm": 297})
    chapters = [root / "chapters" / c for c in data["chapters"]]
    return Book(
        root=root, path=path, title=data["title"], subtitle=data.get("subtitle", ""),
        edition=data.get("edition", ""), tagline=data.get("tagline", ""), language=data["language"],
        publisher=data["publisher"], publisher_description=data.get("publisher_description", ""),
        date=data["date"], identifier=data["identifier"], licence=data["licence"],
        licence_url=data.get("licence_url", ""), slug=data["slug"], url=data.get("url", ""),
        bibliography=root / data["bibliography"], csl=root / data["csl"],
        chapter_files=chapters,
        chapter_lines=[lines.get(("chapters", str(i)), 1) for i in range(len(chapters))],
        trim_mm=(float(trim["width_mm"]), float(trim["height_mm"])),
        printer=profiles[printer_name],
        large_print=LargePrint(**data.get("large_print", {})),
        raw=data, editions=editions,
        preview=data.get("preview") or next((n for n, e in editions.items() if e.paged), ""),
        content=_content(root, data),
    )
