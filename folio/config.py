"""One declarative schema for ``book.yaml`` and for chapter front matter.

Each field has a name, a type, whether it is required and a line of help. ``validate`` reports
every problem in one pass (unknown keys, missing keys, wrong types, values not in the allowed
set), each with the file and line of the offending key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
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


THEMES = ("ai", "cyber", "data", "work", "inclusion")
KINDS = ("front", "theme", "back")

FRONT_MATTER: dict[str, Field] = {
    "id": Field(str, True, "Unique id, lower case with hyphens; used for links and anchors."),
    "title": Field(str, True, "The chapter title; the build writes it as the chapter heading."),
    "kind": Field(str, True, "front, theme or back.", choices=KINDS),
    "summary": Field(str, False, "One sentence on what the chapter is about."),
    "theme": Field(str, False, "Theme chapters: the colour key.", choices=THEMES),
    "milestone_year": Field(int, False, "Theme chapters: the year of the 'look back' milestone."),
    "milestone": Field(str, False, "Theme chapters: the 'look back' milestone, one sentence."),
    "opportunity": Field(str, False, "Theme chapters: the 'leap forward' opportunity, one sentence."),
    "short_title": Field(str, False, "A shorter title for running heads and the contents."),
}
THEME_REQUIRED = ("theme", "milestone_year", "milestone", "opportunity", "summary")

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
PAGE_QUALITY_EDITIONS = ("pdf", "press", "large-print")
PAGE_QUALITY: dict[str, Field] = {
    "enabled": Field(bool, False, "false: no page-quality judge, report or press page plan (to measure their cost)."),
    **_THRESHOLDS,
    "editions": Field(dict, False, "Thresholds for one edition (pdf, press, large-print), over the ones above.",
                      values=_THRESHOLDS),
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
    "trim": Field(dict, False, "Trim size of the printed page.", children={
        "width_mm": Field((int, float), True, "Trim width in millimetres."),
        "height_mm": Field((int, float), True, "Trim height in millimetres."),
    }),
    "printer": Field(str, False, "Which of the printer profiles the press edition uses."),
    "printers": Field(dict, False, "Printer profiles by name.", values=PRINTER),
    "page_quality": Field(dict, False, "Thresholds of the page-quality report (docs/page-quality.md).",
                          children=PAGE_QUALITY),
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

    @property
    def source_date_epoch(self) -> int:
        return int(dt.datetime.combine(self.date, dt.time(12, 0), tzinfo=dt.UTC).timestamp())


DEFAULT_PRINTER = {"bleed_mm": 3, "crop_marks": False, "output_intent": "assets/icc/coated-fogra39-argyll.icc",
                   "max_ink_percent": 300, "page_multiple": 4, "binding": "saddle-stitch",
                   "allow_transparency": True}


def contained_paths(root: Path, shown: str, data: dict[str, Any], lines: yamlio.Lines, printer: str) -> list[Finding]:
    """Every path book.yaml names must stay, after symlinks, inside its folder: chapters in
    chapters/, the bibliography, the CSL style and the ICC profile in assets/."""
    named: list[tuple[tuple[str, ...], str, str]] = [(("chapters", str(i)), c, "chapters") for i, c in enumerate(data["chapters"])]
    named += [((key,), data[key], "assets") for key in ("bibliography", "csl")]
    if printer in data.get("printers", {}) and "output_intent" in data["printers"][printer]:
        named.append((("printers", printer, "output_intent"), data["printers"][printer]["output_intent"], "assets"))
    out: list[Finding] = []
    for where, written, folder in named:
        base = root / "chapters" if where[0] == "chapters" else root
        if not written.strip() or not safety.inside(base / written, root / folder):
            out.append(finding("F007", shown, lines.get(where, 1), f"'{'.'.join(where)}': '{written}' is not inside {folder}/"))
    return out


def load_book(root: Path, name: str = "book.yaml") -> Book:
    """Read and validate ``book.yaml``; raise BuildError with every problem found."""
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
    quality = data.get("page_quality") if isinstance(data, dict) else None
    editions = quality.get("editions", {}) if isinstance(quality, dict) else {}
    for name in editions if isinstance(editions, dict) else ():
        if name not in PAGE_QUALITY_EDITIONS:
            problems.append(finding("M004", shown, lines.get(("page_quality", "editions", str(name)), 1),
                                    f"unknown edition 'page_quality.editions.{name}'",
                                    hint=f"the paged editions are {', '.join(PAGE_QUALITY_EDITIONS)}"))
    if problems:
        raise BuildError(problems)
    printers = {**{"default": DEFAULT_PRINTER}, **data.get("printers", {})}
    printer_name = data.get("printer", "default")
    if printer_name not in printers:
        raise BuildError([finding("M005", shown, lines.get(("printer",), 1),
                                  f"'printer' names '{printer_name}', which is not under 'printers'")])
    p = {**DEFAULT_PRINTER, **printers[printer_name]}
    trim = data.get("trim", {"width_mm": 210, "height_mm": 297})
    chapters = [root / "chapters" / c for c in data["chapters"]]
    problems = contained_paths(root, shown, data, lines, printer_name)
    for key in ("url", "licence_url"):
        why = safety.link_problem(data[key]) if key in data else None
        if why is not None:
            problems.append(finding("L004", shown, lines.get((key,), 1), f"'{key}': {why}"))
    if problems:
        raise BuildError(problems)
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
        printer=Printer(name=printer_name, bleed_mm=float(p["bleed_mm"]), crop_marks=bool(p["crop_marks"]),
                        output_intent=root / p["output_intent"], max_ink_percent=float(p["max_ink_percent"]),
                        page_multiple=int(p["page_multiple"]), binding=str(p["binding"]),
                        allow_transparency=bool(p["allow_transparency"])),
        large_print=LargePrint(**data.get("large_print", {})),
        raw=data,
    )
