"""Build-time figures: one YAML data file per figure in, one standalone SVG per figure out.

The same SVG serves the member PDF, the press PDF, the EPUB and the web, so everything that
differs between editions comes in from outside:

* colours only through ``colour(key)`` (a ``ColourFn``), where ``key`` is a palette key
  (``ink``, ``muted``, ``rule``, ``paper``, ``gold``, ``tint``) or a theme key (``ai``,
  ``cyber``, ``data``, ``work``, ``inclusion``). The SVG holds no colour of its own.
* the typeface through ``font_family``, written on every ``<text>``.

Colour in print (checked with WeasyPrint 70 and pikepdf). The colour string is written as a
plain SVG presentation attribute, ``fill="..."`` or ``stroke="..."``. For an SVG placed with
``<img src="figure.svg">`` in an HTML page rendered with ``pdf_variant="pdf/x-4"``, WeasyPrint 70
accepts ``device-cmyk(0.64 0.85 0 0.2)`` in a presentation attribute, in a ``style="fill: ..."``
attribute and in an internal ``<style>`` sheet alike, for shapes, strokes and text. In each case
the figure is drawn straight into the page content stream as ``/DeviceCMYK cs 0.64 0.85 0 0.2
scn`` (``CS``/``SCN`` for strokes): DeviceCMYK colour set through the general colour operators
rather than the ``k``/``K`` shorthand, with no ``rg``/``RG`` (RGB) operator. A ``#rrggbb``
colour becomes ``rg``. So the press edition passes ``device-cmyk(c m y k)`` strings and the
member editions pass ``#rrggbb``; nothing here changes. Every drawn element gets an explicit
fill and stroke, because SVG's default fill (black) would reach the PDF as RGB.

Fonts. ``<text>`` in an ``<img>``-placed SVG uses fonts declared with ``@font-face`` in the HTML
page's CSS, as long as the same ``FontConfiguration`` is passed to ``CSS(...)`` and
``write_pdf(...)``: with ``@font-face { font-family: F; src: url(F-Regular.otf) }`` and a
700 face from ``F-Bold.otf``, ``font-family="F"`` text in the SVG embeds both faces. Without the
``@font-face`` rules the same text falls back to DejaVu Sans. The figures use weights 400 and 700
only; the family is the edition's ``figures.font`` in book.yaml.

Geometry. One user unit is one typographic point at the natural size: the viewBox is 450 units
wide and the ``width`` is 158.75 mm, to fit a text column of about 160 mm. Text is at least 8 pt
and lines at least 0.5 pt, so placed as narrow as 140 mm they stay above 7 pt and 0.25 pt.
Text widths for layout come from a table of Inter advance widths (an estimate for other sans
faces). The figure title and source are not drawn: the SVG carries them as ``<title>`` and
``<desc>``, and the layout prints the caption, source and citation from ``FigureSpec``.

Data files (``assets/data/figures/<id>.yaml``) share the keys ``id`` (equal to the file name),
``kind``, ``title``, ``theme``, ``source``, ``cite`` (a bibliography key, a list of keys, or
``[]``) and ``alt``; the other keys depend on ``kind``:

* ``bars``: vertical bars. ``unit``; ``bars``: list of ``{label, note?, value, colour?}``.
* ``hbars``: horizontal bars. ``unit``; ``note?`` (printed under the bars); ``bars`` as above.
* ``grouped-bars``: ``unit``; ``series``: list of ``{label, colour}``; ``groups``: list of
  ``{label, values}`` with one value per series.
* ``timeline``: ``start``, ``end`` (years); ``legend``: list of ``{key, label}``;
  ``milestones``: list of ``{year, month?, theme, text}``.

Value labels are the value followed by the unit (``49%``, ``1.6m``, ``204``). Bad data raises
``ValueError("<path>: key '<key>': ...")``.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import yaml

from . import config

if TYPE_CHECKING:
    from .chapters import Chapter
    from .config import Book

ColourFn = Callable[[str], str]

__all__ = [
    "NARROW_WIDTH",
    "ColourFn",
    "FigureSpec",
    "TextStyle",
    "book_figure_numbers",
    "figure_drawings",
    "figure_numbers",
    "label_figures",
    "large_print_style",
    "load_figure_specs",
    "narrow_style",
    "outlined_style",
    "render_figure",
    "write_figures",
]

PALETTE_KEYS = ("ink", "text", "muted", "rule", "paper", "gold", "tint")
COLOUR_KEYS = PALETTE_KEYS      # and the theme keys of the book's palette (FigureSpec.themes)
KINDS = ("bars", "hbars", "grouped-bars", "timeline")
_LIGHT = ("rule", "tint", "paper", "gold")  # fills that need an outline to stand out on paper

_COMMON_KEYS = ("id", "kind", "title", "theme", "source", "cite", "alt")
_KIND_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (required, optional)
    "bars": (("unit", "bars"), ()),
    "hbars": (("unit", "bars"), ("note",)),
    "grouped-bars": (("unit", "series", "groups"), ("axis",)),
    "timeline": (("start", "end", "legend", "milestones"), ()),
}

# Geometry, in points at the natural size (1 user unit = 1 pt).
WIDTH = 450.0
MM_PER_PT = 25.4 / 72
PAD = 8.0
F_LABEL = 9.0  # category labels
F_NOTE = 8.0  # notes, ticks, legend: the smallest text
F_VALUE = 10.0  # values on bars (bold)
LINE = 1.25  # line height as a multiple of the font size
AXIS_W = 0.75  # axis and baseline strokes
OUTLINE_W = 0.6  # outline of light bars

# Advance widths of Inter Regular and Bold, in 1/1000 em, for U+0020-U+007E then _EXTRA.
_EXTRA = "–—‘’“”…×£€·"
_REGULAR = (
    "281 278 403 631 638 812 639 222 362 362 500 659 280 460 276 357 625 464 605 636 642 608 624 "
    "571 616 624 276 280 659 659 659 507 936 676 651 727 719 598 587 743 740 264 543 652 562 889 "
    "753 761 635 761 639 638 642 741 676 949 642 665 625 362 357 362 469 452 497 564 621 558 621 "
    "582 361 609 591 237 237 544 237 869 585 597 609 609 372 523 364 581 557 812 540 557 541 362 "
    "327 362 659 500 1000 199 185 381 381 821 659 631 665 276"
)
_BOLD = (
    "232 325 392 650 655 859 674 209 409 409 565 680 303 469 298 390 688 489 630 659 678 645 660 "
    "595 661 660 298 303 680 680 680 562 1031 748 661 752 727 613 585 761 746 281 570 690 567 915 "
    "735 782 648 783 656 655 668 729 748 1036 714 724 667 409 390 409 488 477 497 580 635 587 635 "
    "598 386 633 624 272 272 582 272 912 622 614 632 632 409 562 388 622 586 850 574 586 572 409 "
    "374 409 680 500 1000 242 228 422 421 799 680 672 686 298"
)
_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + _EXTRA


def _width_table(numbers: str) -> dict[str, int]:
    return dict(zip(_CHARS, (int(n) for n in numbers.split()), strict=True))


_WIDTHS = {False: _width_table(_REGULAR), True: _width_table(_BOLD)}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated advance width of ``text`` in points (Inter metrics; 650/1000 em if unknown)."""
    table = _WIDTHS[bold]
    return sum(table.get(ch, 650) for ch in text) * size / 1000


def wrap(text: str, width: float, size: float, bold: bool = False,
         measure: Callable[[str, float, bool], float] | None = None) -> list[str]:
    """Break ``text`` at spaces into lines no wider than ``width`` (a long word stays whole)."""
    measure = measure or text_width
    lines: list[str] = []
    for word in text.split():
        if lines and measure(f"{lines[-1]} {word}", size, bold) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


class _Font:
    """One font file read with fontTools: advance widths, and glyph outlines for ``outline``."""

    def __init__(self, path: Path) -> None:
        from fontTools.ttLib import TTFont

        self.font = TTFont(str(path))
        self.cmap = self.font.getBestCmap()
        self.units = float(self.font["head"].unitsPerEm)
        self.advances = {name: adv for name, (adv, _) in self.font["hmtx"].metrics.items()}
        self.glyphs = self.font.getGlyphSet()

    def width(self, text: str, size: float) -> float:
        return float(sum(self.advances.get(self.cmap.get(ord(ch), ".notdef"), self.units * 0.6) for ch in text)) * size / self.units

    def path(self, text: str, x: float, y: float, size: float) -> str:
        """SVG path data for ``text`` set from (x, baseline y) at ``size``, without kerning."""
        from fontTools.pens.svgPathPen import SVGPathPen
        from fontTools.pens.transformPen import TransformPen

        pen = SVGPathPen(self.glyphs, ntos=_n)
        scale = size / self.units
        for ch in text:
            name = self.cmap.get(ord(ch), ".notdef")
            self.glyphs[name].draw(TransformPen(pen, (scale, 0, 0, -scale, x, y)))
            x += self.advances.get(name, 0) * scale
        return str(pen.getCommands())


@functools.lru_cache(maxsize=8)
def _font(path: Path) -> _Font:
    return _Font(path)


@dataclass(frozen=True)
class TextStyle:
    """The typeface and type sizes of a drawing (in points at its natural size).

    ``fonts`` (regular and bold files) gives exact text widths, and is needed for ``outline``:
    text drawn as paths, for places where the SVG cannot reach a font (an ``<img>`` in an EPUB).
    Without it, widths come from the Inter table above. ``vertical_timeline`` and
    ``stacked_hbars`` redraw those kinds for a narrow measure and large type (large print)."""

    family: str = "sans-serif"
    label: float = F_LABEL
    note: float = F_NOTE
    value: float = F_VALUE
    fonts: tuple[Path, Path] | None = None
    outline: bool = False
    vertical_timeline: bool = False
    stacked_hbars: bool = False
    type_in_text: bool = False     # type in a theme colour is set in the text colour instead (press: one plate)

    @property
    def k(self) -> float:
        """How much larger than the member edition's smallest text this style's is."""
        return self.note / F_NOTE

    def font(self, bold: bool) -> _Font | None:
        return _font(self.fonts[1 if bold else 0]) if self.fonts else None

    def width(self, text: str, size: float, bold: bool = False) -> float:
        face = self.font(bold)
        return face.width(text, size) if face else text_width(text, size, bold)


def large_print_style(family: str, fonts: tuple[Path, Path], min_pt: float = 16.0) -> TextStyle:
    """Large print (RNIB clear print): the large-print ``family`` (its regular and bold ``fonts``,
    book.yaml's figures.font_files), no text under ``min_pt``."""
    return TextStyle(family=family, label=min_pt + 1, note=min_pt, value=min_pt + 2, fonts=fonts,
                     vertical_timeline=True, stacked_hbars=True)


NARROW_WIDTH = 300.0   # the web edition's phone drawings: shown about 1:1 on a 390 px screen


def narrow_style(family: str) -> TextStyle:
    """The web edition's drawings for narrow screens: the large-print layouts (labels above the
    bars, a vertical timeline) in the site's figure ``family``, with 11 pt text or larger."""
    return TextStyle(family=family, label=12.0, note=11.0, value=13.0, vertical_timeline=True, stacked_hbars=True)


def outlined_style(fonts: tuple[Path, Path], family: str) -> TextStyle:
    """The EPUB's drawings (design review D9): the phone layouts of ``narrow_style`` (a vertical
    timeline, labels above the bars, 11 pt text or larger), drawn at ``NARROW_WIDTH`` with the text
    as outlines of ``fonts`` (regular, bold), because an ``<img>`` in an EPUB cannot reach the
    book's fonts. The EPUB stylesheet shows them at the column's width, so on a 390 px phone the
    smallest text is about 12 px; the wide drawing, 158.75 mm across, put it at 5 to 6 px."""
    return dataclasses.replace(narrow_style(family), fonts=fonts, outline=True)


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class FigureSpec:
    """One figure as read from its data file; ``data`` holds the kind and its kind's keys."""

    id: str
    title: str
    alt: str
    cite: tuple[str, ...]
    source: str
    theme: str
    data: dict[str, Any]
    themes: tuple[str, ...] = ()    # the theme keys of the book's palette, which its colours may name

    @property
    def kind(self) -> str:
        return str(self.data.get("kind", ""))


@dataclass(frozen=True)
class _Bar:
    label: str
    note: str
    value: float
    colour: str
    apart: bool = False     # a different measure: set apart from the bars before it by a gap and a rule


@dataclass(frozen=True)
class _Series:
    label: str
    colour: str


@dataclass(frozen=True)
class _Group:
    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class _Milestone:
    year: int
    month: int | None
    theme: str
    text: str

    @property
    def when(self) -> float:
        return self.year + ((self.month - 1) / 12 if self.month else 0.0)


class _Reader:
    """Typed access to YAML mappings; every error names the file (or figure) and the key."""

    def __init__(self, where: str, themes: tuple[str, ...] = ()) -> None:
        self.where = where
        self.themes = themes     # the palette's theme keys

    def fail(self, key: str, problem: str) -> ValueError:
        return ValueError(f"{self.where}: key '{key}': {problem}")

    def mapping(
        self,
        value: object,
        key: str,
        required: Sequence[str],
        optional: Sequence[str] = (),
    ) -> Mapping[str, object]:
        if not isinstance(value, Mapping):
            raise self.fail(key or "(top level)", f"expected a mapping, got {_type(value)}")
        for name in required:
            if name not in value:
                raise ValueError(f"{self.where}: missing key '{_join(key, name)}'")
        for name in value:
            if name not in required and name not in optional:
                raise self.fail(_join(key, str(name)), "unknown key")
        return value

    def string(self, m: Mapping[str, object], name: str, key: str, default: str | None = None) -> str:
        value = m.get(name, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(_join(key, name), f"expected a non-empty string, got {_type(value)}")
        return value.strip()

    def text(self, m: Mapping[str, object], name: str, key: str) -> str:
        """A string that may be empty (a unit)."""
        value = m.get(name)
        if not isinstance(value, str):
            raise self.fail(_join(key, name), f"expected a string, got {_type(value)}")
        return value

    def number(self, value: object, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(key, f"expected a number of 0 or more, got {_type(value)}")
        return float(value)

    def integer(self, value: object, key: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(key, f"expected a whole number from {low} to {high}, got {value!r}")
        return value

    def items(self, m: Mapping[str, object], name: str, key: str) -> list[object]:
        value = m.get(name)
        if not isinstance(value, list) or not value:
            raise self.fail(_join(key, name), f"expected a non-empty list, got {_type(value)}")
        return value

    def colour_key(self, value: object, key: str, allowed: Sequence[str] | None = None) -> str:
        allowed = (*COLOUR_KEYS, *self.themes) if allowed is None else allowed
        if not isinstance(value, str) or value not in allowed:
            raise self.fail(key, f"expected one of {', '.join(allowed)}, got {value!r}")
        return value


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _type(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


def load_figure_specs(data_dir: Path) -> list[FigureSpec]:
    """Read and check every ``*.yaml`` in ``data_dir``, sorted by file name."""
    return [_load_one(path) for path in sorted(Path(data_dir).glob("*.yaml"))]


def _load_one(path: Path) -> FigureSpec:
    where = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ValueError(f"{where}: not valid YAML: {err}") from err
    r = _Reader(where, config.palette_colours(path.parent.parent.parent.parent))   # <root>/assets/data/figures/
    if not isinstance(raw, Mapping):
        raise r.fail("(top level)", f"expected a mapping, got {_type(raw)}")
    kind = r.string(raw, "kind", "")
    if kind not in KINDS:
        raise r.fail("kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    required, optional = _KIND_KEYS[kind]
    m = r.mapping(raw, "", _COMMON_KEYS + required, optional)
    spec_id = r.string(m, "id", "")
    if spec_id != path.stem:
        raise r.fail("id", f"{spec_id!r} must match the file name {path.stem!r}")
    cite_raw = m.get("cite")
    if cite_raw is None:
        cite: tuple[str, ...] = ()
    elif isinstance(cite_raw, str) and cite_raw.strip():
        cite = (cite_raw.strip(),)
    elif isinstance(cite_raw, list) and all(isinstance(c, str) and c.strip() for c in cite_raw):
        cite = tuple(str(c).strip() for c in cite_raw)
    else:
        raise r.fail("cite", f"expected a key or a list of keys, got {_type(cite_raw)}")
    data = {name: m[name] for name in ("kind", *required, *optional) if name in m}
    spec = FigureSpec(
        id=spec_id,
        title=r.string(m, "title", ""),
        alt=" ".join(r.string(m, "alt", "").split()),
        cite=cite,
        source=" ".join(r.string(m, "source", "").split()),
        theme=r.colour_key(m.get("theme"), "theme", ("ink", *r.themes)),
        data=data,
        themes=r.themes,
    )
    _parse(spec, where)  # check the kind's own keys now, not at render time
    return spec


def _parse_bars(r: _Reader, data: Mapping[str, Any], theme: str) -> list[_Bar]:
    bars = []
    for i, item in enumerate(r.items(data, "bars", "")):
        key = f"bars[{i}]"
        b = r.mapping(item, key, ("label", "value"), ("note", "colour", "apart"))
        apart = b.get("apart", False)
        if not isinstance(apart, bool):
            raise r.fail(f"{key}.apart", f"expected true or false, got {_type(apart)}")
        bars.append(
            _Bar(
                label=r.string(b, "label", key),
                note=r.string(b, "note", key) if "note" in b else "",
                value=r.number(b["value"], f"{key}.value"),
                colour=r.colour_key(b.get("colour", theme), f"{key}.colour"),
                apart=apart,
            )
        )
    if max(b.value for b in bars) <= 0:
        raise r.fail("bars", "at least one value must be above 0")
    return bars


def _parse(spec: FigureSpec, where: str) -> tuple[str, object]:
    """Check ``spec.data`` for its kind; return the kind and its typed content."""
    r = _Reader(where, spec.themes)
    data = spec.data
    kind = data.get("kind")
    if kind not in KINDS:
        raise r.fail("kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    assert isinstance(kind, str)
    required, optional = _KIND_KEYS[kind]
    r.mapping(data, "", ("kind", *required), optional)
    if "unit" in data:
        r.text(data, "unit", "")
    if "note" in data:
        r.string(data, "note", "")
    if "axis" in data:
        r.string(data, "axis", "")
    if kind in ("bars", "hbars"):
        return kind, _parse_bars(r, data, spec.theme)
    if kind == "grouped-bars":
        series = []
        for i, item in enumerate(r.items(data, "series", "")):
            key = f"series[{i}]"
            s = r.mapping(item, key, ("label", "colour"))
            series.append(_Series(r.string(s, "label", key), r.colour_key(s["colour"], f"{key}.colour")))
        groups = []
        for i, item in enumerate(r.items(data, "groups", "")):
            key = f"groups[{i}]"
            g = r.mapping(item, key, ("label", "values"))
            values = r.items(g, "values", key)
            if len(values) != len(series):
                raise r.fail(f"{key}.values", f"expected {len(series)} values (one per series), got {len(values)}")
            nums = tuple(r.number(v, f"{key}.values[{j}]") for j, v in enumerate(values))
            groups.append(_Group(r.string(g, "label", key), nums))
        if max(max(g.values) for g in groups) <= 0:
            raise r.fail("groups", "at least one value must be above 0")
        return kind, (series, groups)
    start = r.integer(data["start"], "start", 1900, 2100)
    end = r.integer(data["end"], "end", start + 1, 2100)
    legend = []
    for i, item in enumerate(r.items(data, "legend", "")):
        key = f"legend[{i}]"
        e = r.mapping(item, key, ("key", "label"))
        legend.append((r.colour_key(e["key"], f"{key}.key", ("ink", *r.themes)), r.string(e, "label", key)))
    milestones = []
    for i, item in enumerate(r.items(data, "milestones", "")):
        key = f"milestones[{i}]"
        e = r.mapping(item, key, ("year", "theme", "text"), ("month",))
        month = r.integer(e["month"], f"{key}.month", 1, 12) if "month" in e else None
        milestones.append(
            _Milestone(
                year=r.integer(e["year"], f"{key}.year", start, end),
                month=month,
                theme=r.colour_key(e["theme"], f"{key}.theme", ("ink", *r.themes)),
                text=r.string(e, "text", key),
            )
        )
    milestones.sort(key=lambda ms: ms.when)
    return kind, (start, end, legend, milestones)


def value_label(value: float, unit: str) -> str:
    """``49`` and ``%`` give ``49%``; ``1.6`` and ``m`` give ``1.6m``; ``2500`` gives ``2,500``."""
    number = f"{int(value):,}" if value == int(value) else f"{value:,.10g}"
    return f"{number}{unit}"


# --------------------------------------------------------------------------- SVG


def _n(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


class _Canvas:
    """Collects SVG elements; every colour goes through ``colour``."""

    def __init__(self, colour: ColourFn, style: TextStyle, width: float = WIDTH) -> None:
        self.width = width
        self.colour = colour
        self.style = style
        self.font = _attr(style.family)
        self.f_label, self.f_note, self.f_value = style.label, style.note, style.value
        self.parts: list[str] = []

    @property
    def grow(self) -> float:
        """Bars and plots grow with the type, up to one and a half times the member size."""
        return min(self.style.k, 1.5)

    def tw(self, text: str, size: float, bold: bool = False) -> float:
        return self.style.width(text, size, bold)

    def wrap(self, text: str, width: float, size: float, bold: bool = False) -> list[str]:
        return wrap(text, width, size, bold, self.style.width)

    def c(self, key: str) -> str:
        return _attr(self.colour(key))

    def rect(self, x: float, y: float, w: float, h: float, fill: str, outline: str | None = None) -> None:
        stroke = f' stroke="{self.c(outline)}" stroke-width="{_n(OUTLINE_W)}"' if outline else ' stroke="none"'
        self.parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{self.c(fill)}"{stroke}/>'
        )

    def bar(self, x: float, y: float, w: float, h: float, fill: str) -> None:
        """A data bar: light fills get a muted outline so the bar keeps 3:1 against paper."""
        if fill in _LIGHT:
            half = OUTLINE_W / 2
            self.rect(x + half, y + half, max(w - OUTLINE_W, 0), max(h - OUTLINE_W, 0), fill, "muted")
        else:
            self.rect(x, y, w, h, fill)

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float) -> None:
        self.parts.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" fill="none" '
            f'stroke="{self.c(stroke)}" stroke-width="{_n(width)}"/>'
        )

    def circle(self, cx: float, cy: float, r: float, fill: str, ring: str, ring_w: float) -> None:
        self.parts.append(
            f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(r)}" fill="{self.c(fill)}" '
            f'stroke="{self.c(ring)}" stroke-width="{_n(ring_w)}"/>'
        )

    def text(
        self,
        x: float,
        y: float,
        content: str,
        size: float,
        fill: str = "ink",
        bold: bool = False,
        anchor: str = "start",
    ) -> None:
        # Type in the text colour (one plate in print), fills in ink; in a style that asks for it, theme-coloured
        # type too (the press file's small type on one plate, design review 2026-12-04, D5).
        fill = "text" if fill == "ink" or (self.style.type_in_text and fill not in PALETTE_KEYS) else fill
        face = self.style.font(bold) if self.style.outline else None
        if face is not None:
            shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[anchor] * face.width(content, size)
            self.parts.append(f'<path d="{face.path(content, x - shift, y, size)}" fill="{self.c(fill)}" stroke="none"/>')
            return
        weight = ' font-weight="700"' if bold else ""
        align = "" if anchor == "start" else f' text-anchor="{anchor}"'
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" font-family="{self.font}" font-size="{_n(size)}"'
            f'{weight}{align} fill="{self.c(fill)}" stroke="none">{escape(content)}</text>'
        )

    def lines(
        self,
        x: float,
        top: float,
        lines: Sequence[str],
        size: float,
        fill: str = "ink",
        bold: bool = False,
        anchor: str = "start",
    ) -> float:
        """Set ``lines`` with the first cap height at ``top``; return the y below the last line."""
        y = top
        for line in lines:
            self.text(x, y + size * 0.73, line, size, fill, bold, anchor)
            y += size * LINE
        return y

    def svg(self, spec: FigureSpec, height: float) -> str:
        ids = f"fig-{spec.id}-title fig-{spec.id}-desc"
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
            f'width="{_n(self.width * MM_PER_PT)}mm" height="{_n(height * MM_PER_PT)}mm" '
            f'viewBox="0 0 {_n(self.width)} {_n(height)}" role="img" aria-labelledby="{ids}">\n'
            f'<title id="fig-{spec.id}-title">{escape(spec.title)}</title>\n'
            f'<desc id="fig-{spec.id}-desc">{escape(spec.alt)}</desc>\n'
        )
        background = (
            f'<rect x="0" y="0" width="{_n(self.width)}" height="{_n(height)}" fill="{self.c("paper")}" stroke="none"/>\n'
        )
        return head + background + "\n".join(self.parts) + "\n</svg>\n"


def render_figure(spec: FigureSpec, colour: ColourFn, font_family: str | TextStyle, width: float = WIDTH) -> str:
    """The figure as standalone SVG 1.1 text (same input, same bytes).

    ``width`` is the drawing's width in points at its natural size. ``font_family`` is a family
    name (member sizes, Inter metrics) or a ``TextStyle``; the large-print edition draws at the
    column width with ``large_print_style``, so its labels print at 16 pt or more.
    """
    kind, content = _parse(spec, spec.id)
    style = font_family if isinstance(font_family, TextStyle) else TextStyle(family=font_family)
    canvas = _Canvas(colour, style, width)
    unit = str(spec.data.get("unit", ""))
    if kind == "bars":
        assert isinstance(content, list)
        height = _draw_bars(canvas, content, unit)
    elif kind == "hbars":
        assert isinstance(content, list)
        note = spec.data.get("note")
        draw = _draw_hbars_stacked if style.stacked_hbars else _draw_hbars
        height = draw(canvas, content, unit, note if isinstance(note, str) else "")
    elif kind == "grouped-bars":
        assert isinstance(content, tuple)
        axis = spec.data.get("axis")
        height = _draw_grouped(canvas, content[0], content[1], unit, axis if isinstance(axis, str) else "")
    elif style.vertical_timeline:
        assert isinstance(content, tuple)
        height = _draw_timeline_vertical(canvas, *content)
    else:
        assert isinstance(content, tuple)
        height = _draw_timeline(canvas, spec.id, *content)
    return canvas.svg(spec, height)


def write_figures(specs: Sequence[FigureSpec], out_dir: Path, colour: ColourFn, font_family: str | TextStyle,
                  width: float = WIDTH) -> dict[str, Path]:
    """Render every figure to ``out_dir/<id>.svg`` (unchanged files are not rewritten); return id -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for spec in specs:
        target = out_dir / f"{spec.id}.svg"
        svg = render_figure(spec, colour, font_family, width)
        if not target.exists() or target.read_text(encoding="utf-8") != svg:
            target.write_text(svg, encoding="utf-8", newline="\n")
        written[spec.id] = target
    return written


# --------------------------------------------------------------------------- charts


def _draw_bars(cv: _Canvas, bars: Sequence[_Bar], unit: str) -> float:
    """Vertical bars, value above each bar, label and note below the baseline. A bar marked
    ``apart`` (a different measure) stands after a gap, with its own baseline and a dashed rule
    between, so the series does not read as one trend (design review D18)."""
    g = cv.grow
    gaps = sum(1 for b in bars[1:] if b.apart)
    slot = min((cv.width - 2 * PAD) / (len(bars) + 0.5 * gaps), 128.0 * g)
    bar_w = min(slot * 0.6, 68.0 * g)
    left = (cv.width - slot * (len(bars) + 0.5 * gaps)) / 2
    plot_h = 130.0 * g
    top = PAD + cv.f_value * LINE + 4
    base = top + plot_h
    peak = max(b.value for b in bars)
    bottom = base
    centres: list[float] = []
    shift = 0.0
    for i, b in enumerate(bars):
        if b.apart and i:
            shift += 0.5 * slot
        centres.append(left + slot * (i + 0.5) + shift)
    for i, (b, cx) in enumerate(zip(bars, centres, strict=True)):
        h = plot_h * b.value / peak
        cv.bar(cx - bar_w / 2, base - h, bar_w, h, b.colour)
        cv.text(cx, base - h - 5, value_label(b.value, unit), cv.f_value, "ink", True, "middle")
        y = cv.lines(cx, base + 7, cv.wrap(b.label, slot - 10, cv.f_label, True), cv.f_label, "ink", True, "middle")
        if b.note:
            y = cv.lines(cx, y + 1, cv.wrap(b.note, slot - 10, cv.f_note), cv.f_note, "muted", False, "middle")
        bottom = max(bottom, y)
        if b.apart and i:
            x = (centres[i - 1] + cx) / 2
            for y0 in range(int(top), int(base), 6):      # a dashed rule between the measures
                cv.line(x, y0, x, min(y0 + 3, base), "muted", AXIS_W)
    runs: list[list[float]] = []                        # one baseline for each run of like bars
    for i, (b, cx) in enumerate(zip(bars, centres, strict=True)):
        if not runs or (b.apart and i):
            runs.append([])
        runs[-1].append(cx)
    for run in runs:
        cv.line(run[0] - bar_w / 2 - 8, base, run[-1] + bar_w / 2 + 8, base, "ink", AXIS_W)
    return bottom + PAD


def _draw_hbars(cv: _Canvas, bars: Sequence[_Bar], unit: str, note: str) -> float:
    """Horizontal bars: label and note on the left, value at the end of each bar."""
    label_w = 150.0
    blocks = [(cv.wrap(b.label, label_w, cv.f_label, True), cv.wrap(b.note, label_w, cv.f_note) if b.note else []) for b in bars]
    used_w = max((cv.tw(t, cv.f_label, True) for lab, _ in blocks for t in lab), default=0.0)
    note_w = max((cv.tw(t, cv.f_note) for _, nt in blocks for t in nt), default=0.0)
    x0 = PAD + max(used_w, note_w) + 14
    value_w = max(cv.tw(value_label(b.value, unit), cv.f_value, True) for b in bars)
    span = cv.width - PAD - x0 - value_w - 8
    peak = max(b.value for b in bars)
    bar_h = 20.0
    y = PAD
    first_top = y
    for b, (label, sub) in zip(bars, blocks, strict=True):
        block_h = len(label) * cv.f_label * LINE + (len(sub) * cv.f_note * LINE + 1 if sub else 0) - (cv.f_label * (LINE - 1))
        row_h = max(bar_h, block_h)
        text_top = y + (row_h - block_h) / 2
        end = cv.lines(PAD, text_top, label, cv.f_label, "ink", True)
        if sub:
            cv.lines(PAD, end + 1, sub, cv.f_note, "muted")
        bar_y = y + (row_h - bar_h) / 2
        w = span * b.value / peak
        cv.bar(x0, bar_y, w, bar_h, b.colour)
        cv.text(x0 + w + 6, bar_y + bar_h / 2 + cv.f_value * 0.36, value_label(b.value, unit), cv.f_value, "ink", True)
        y += row_h + 14
    cv.line(x0, first_top - 4, x0, y - 14 + 4, "ink", AXIS_W)
    if note:
        y = cv.lines(PAD, y + 2, cv.wrap(note, cv.width - 2 * PAD, cv.f_note), cv.f_note, "muted") - cv.f_note * (LINE - 1)
    else:
        y -= 14
    return y + PAD


def _draw_hbars_stacked(cv: _Canvas, bars: Sequence[_Bar], unit: str, note: str) -> float:
    """Horizontal bars for large type: each label (and note) on its own line above its bar, so
    the bars keep the full width of the column; value at the end of each bar."""
    value_w = max(cv.tw(value_label(b.value, unit), cv.f_value, True) for b in bars)
    span = cv.width - 2 * PAD - value_w - 8
    peak = max(b.value for b in bars)
    bar_h = 12.0 + cv.f_value
    y = PAD
    for b in bars:
        label = cv.wrap(b.label, cv.width - 2 * PAD, cv.f_label, True)
        y = cv.lines(PAD, y, label, cv.f_label, "ink", True)
        if b.note:
            y = cv.lines(PAD, y, cv.wrap(b.note, cv.width - 2 * PAD, cv.f_note), cv.f_note, "muted")
        y += 2
        w = max(span * b.value / peak, 1.0)
        cv.bar(PAD, y, w, bar_h, b.colour)
        cv.text(PAD + w + 6, y + bar_h / 2 + cv.f_value * 0.36, value_label(b.value, unit), cv.f_value, "ink", True)
        y += bar_h + cv.f_note
    if note:
        y = cv.lines(PAD, y, cv.wrap(note, cv.width - 2 * PAD, cv.f_note), cv.f_note, "muted") - cv.f_note * (LINE - 1)
    return y + PAD


def _nice_step(peak: float, ticks: int = 5) -> float:
    """A round tick interval (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` steps up to ``peak``."""
    raw = peak / ticks
    power = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)


def _draw_grouped(cv: _Canvas, series: Sequence[_Series], groups: Sequence[_Group], unit: str, axis: str = "") -> float:
    """Grouped vertical bars on one shared value axis, drawn and labelled on the left (``axis``
    names what it counts), so bars compare honestly across groups: a small pair such as 12 and 18
    stays small beside 89 and 204, with its values printed above it (design review D6). Each bar is
    labelled with its value above and its series below, the group's label under that."""
    inner, gap = 10.0 * cv.grow, 48.0
    peak = max(max(g.values) for g in groups) or 1.0
    step = _nice_step(peak)
    top_value = math.ceil(peak / step - 1e-9) * step
    ticks = [i * step for i in range(round(top_value / step) + 1)]
    tick_w = max(cv.tw(value_label(t, unit), cv.f_note) for t in ticks)
    axis_x = PAD + tick_w + 6
    plot_left, plot_right = axis_x + 10, cv.width - PAD
    n = len(groups) * len(series)
    span = plot_right - plot_left
    bar_w = min(64.0 * cv.grow, (span - (len(groups) - 1) * gap - len(groups) * (len(series) - 1) * inner) / n)
    group_w = len(series) * bar_w + (len(series) - 1) * inner
    gap = min(72.0, (span - len(groups) * group_w) / max(len(groups) - 1, 1))
    total = len(groups) * group_w + (len(groups) - 1) * gap
    left = plot_left + (span - total) / 2
    plot_h = 130.0 * cv.grow
    head = cv.wrap(axis, cv.width - 2 * PAD, cv.f_note) if axis else []
    top = cv.lines(PAD, PAD, head, cv.f_note, "muted") + cv.f_value * LINE if head else PAD + cv.f_value * LINE + 4
    base = top + plot_h
    for t in ticks:                                   # the value axis: ticks, their values, light gridlines
        y = base - plot_h * t / top_value
        if t:
            cv.line(axis_x, y, plot_right, y, "rule", OUTLINE_W / 2)
        cv.line(axis_x - 3, y, axis_x, y, "ink", AXIS_W)
        cv.text(axis_x - 5, y + cv.f_note * 0.36, value_label(t, unit), cv.f_note, "muted", False, "end")
    cv.line(axis_x, top, axis_x, base, "ink", AXIS_W)
    bottom = base
    for gi, g in enumerate(groups):
        gx = left + gi * (group_w + gap)
        y_series = base + 7.0
        for si, (s, v) in enumerate(zip(series, g.values, strict=True)):
            x = gx + si * (bar_w + inner)
            h = plot_h * v / top_value
            cv.bar(x, base - h, bar_w, h, s.colour)
            cv.text(x + bar_w / 2, base - h - 5, value_label(v, unit), cv.f_value, "ink", True, "middle")
            names = cv.wrap(s.label, bar_w - 4, cv.f_note)
            y_series = max(y_series, cv.lines(x + bar_w / 2, base + 7, names, cv.f_note, "muted", False, "middle"))
        names = cv.wrap(g.label, group_w + gap - 12, cv.f_label, True)
        end = cv.lines(gx + group_w / 2, y_series + 5, names, cv.f_label, "ink", True, "middle")
        bottom = max(bottom, end)
    cv.line(axis_x, base, plot_right, base, "ink", AXIS_W)
    return bottom + PAD


@dataclass
class _Placed:
    x: float  # marker and leader position
    lo: float  # horizontal extent of the label block
    hi: float
    side: int  # -1 above the axis, +1 below
    lane: int


def _draw_timeline(
    cv: _Canvas,
    where: str,
    start: int,
    end: int,
    legend: Sequence[tuple[str, str]],
    milestones: Sequence[_Milestone],
) -> float:
    """Horizontal timeline: flag labels staggered above and below the axis in lanes."""
    margin = PAD + 4
    scale = (cv.width - 2 * margin) / (end - start)

    def xpos(when: float) -> float:
        return margin + (when - start) * scale

    label_w = 84.0
    flag_gap = 3.5  # between the leader line and its text
    blocks = [[str(m.year), *cv.wrap(m.text, label_w, cv.f_note)] for m in milestones]
    lane_h = max(cv.f_label * LINE + (len(b) - 1) * cv.f_note * LINE for b in blocks) + 7
    # Decade labels sit just below the axis; no leader may cross one.
    decades = [yr for yr in range(start, end + 1) if yr % 10 == 0]
    half = {yr: cv.tw(str(yr), cv.f_note) / 2 + 2 for yr in decades}
    decade_boxes = [(xpos(yr) - half[yr], xpos(yr) + half[yr]) for yr in decades]

    widths = [max(cv.tw(b[0], cv.f_label, True), *(cv.tw(t, cv.f_note) for t in b[1:])) + flag_gap for b in blocks]
    placed = _place_labels(cv.width, tuple(xpos(m.when) for m in milestones), tuple(widths))
    if placed is None:
        raise ValueError(f"{where}: key 'milestones': too many labels to place without overlap")

    lanes_above = max((p.lane + 1 for p in placed if p.side < 0), default=0)
    lanes_below = max((p.lane + 1 for p in placed if p.side > 0), default=0)
    axis_y = PAD + lanes_above * lane_h + 6
    below_top = axis_y + 20  # under the decade labels

    # Axis, decade ticks and labels.
    cv.line(margin - 4, axis_y, cv.width - margin + 4, axis_y, "ink", 1.25)
    for yr in decades:
        cv.line(xpos(yr), axis_y, xpos(yr), axis_y + 4, "ink", AXIS_W)
        cv.text(xpos(yr), axis_y + 13, str(yr), cv.f_note, "muted", False, "middle")

    # Leaders first (each runs from the axis to the far edge of its label), then the rest.
    tops: list[float] = []
    for p, block in zip(placed, blocks, strict=True):
        block_h = cv.f_label * LINE + (len(block) - 1) * cv.f_note * LINE
        if p.side < 0:
            top = axis_y - 7 - p.lane * lane_h - block_h + cv.f_note * (LINE - 1)
            cv.line(p.x, axis_y, p.x, top, "rule", 0.75)
        else:
            top = below_top + p.lane * lane_h
            bottom = top + block_h - cv.f_note * (LINE - 1) + cv.f_note * 0.2
            crosses = any(a - 1 <= p.x <= b + 1 for a, b in decade_boxes)
            cv.line(p.x, below_top - 3 if crosses else axis_y, p.x, bottom, "rule", 0.75)
        tops.append(top)
    # Dots that would overlap on the axis (two milestones months apart) step off it towards their
    # label, one dot's width at a time, on their leader (design review D16).
    dots: list[tuple[float, float]] = []
    for m, p in zip(milestones, placed, strict=True):
        r = 4.2 if m.theme == "ink" else 3.4
        y = axis_y
        while any(abs(p.x - dx) < r + 4.3 and abs(y - dy) < r + 4.3 for dx, dy in dots):
            y += p.side * (2 * r + 1.5)
        dots.append((p.x, y))
    for m, p, block, top, (_, dot_y) in zip(milestones, placed, blocks, tops, dots, strict=True):
        if m.theme == "ink":  # the publisher's own milestones (colour key ink): gold dots
            cv.circle(p.x, dot_y, 4.2, "gold", "ink", 1.0)
        else:
            cv.circle(p.x, dot_y, 3.4, m.theme, "paper", 1.0)
        start_side = p.lo >= p.x - 0.01
        tx = p.x + flag_gap if start_side else p.x - flag_gap
        anchor = "start" if start_side else "end"
        y = cv.lines(tx, top, block[:1], cv.f_label, m.theme, True, anchor)
        cv.lines(tx, y, block[1:], cv.f_note, "ink", False, anchor)

    return _draw_legend(cv, legend, below_top + lanes_below * lane_h + 8)


def _draw_legend(cv: _Canvas, legend: Sequence[tuple[str, str]], y: float) -> float:
    """The timeline's legend from ``y``: a row of swatches, wrapping if needed; returns the foot."""
    x = PAD
    for key, label in legend:
        w = 12 + cv.tw(label, cv.f_note) + 14
        if x + w > cv.width - PAD + 14:
            x, y = PAD, y + cv.f_note * LINE + 4
        if key == "ink":
            cv.circle(x + 4, y + 3, 4.0, "gold", "ink", 1.0)
        else:
            cv.circle(x + 4, y + 3, 3.6, key, "paper", 0.5)
        cv.text(x + 12, y + 3 + cv.f_note * 0.36, label, cv.f_note, "ink")
        x += w
    return y + 8 + PAD


def _draw_timeline_vertical(
    cv: _Canvas,
    start: int,
    end: int,
    legend: Sequence[tuple[str, str]],
    milestones: Sequence[_Milestone],
) -> float:
    """Timeline for large type: one row per milestone down a vertical axis, read top to bottom
    (year on the left in the theme's colour, the event on the right), legend above."""
    y = PAD
    x = PAD
    for key, label in legend:  # the legend first, wrapping like words
        w = 12 + cv.tw(label, cv.f_note) + 18
        if x > PAD and x + w > cv.width - PAD + 18:
            x, y = PAD, y + cv.f_note * LINE + 4
        if key == "ink":
            cv.circle(x + 5, y + cv.f_note * 0.45, 5.0, "gold", "ink", 1.0)
        else:
            cv.circle(x + 5, y + cv.f_note * 0.45, 4.6, key, "paper", 0.5)
        cv.text(x + 14, y + cv.f_note * 0.8, label, cv.f_note, "ink")
        x += w
    y += cv.f_note * LINE + 14
    year_w = max(cv.tw(str(m.year), cv.f_label, True) for m in milestones)
    axis_x = PAD + year_w + 14
    text_x = axis_x + 16
    top = y
    rows = []
    for m in milestones:
        lines = cv.wrap(m.text, cv.width - PAD - text_x, cv.f_note)
        rows.append((m, y, lines))
        y += max(cv.f_label, len(lines) * cv.f_note * LINE) + 10
    cv.line(axis_x, top - 6, axis_x, y - 6, "ink", 1.25)
    for m, row_y, lines in rows:
        mid = row_y + cv.f_label * 0.38
        cv.text(axis_x - 14, row_y + cv.f_label * 0.73, str(m.year), cv.f_label, m.theme, True, "end")
        if m.theme == "ink":
            cv.circle(axis_x, mid, 5.6, "gold", "ink", 1.0)
        else:
            cv.circle(axis_x, mid, 4.8, m.theme, "paper", 1.0)
        cv.lines(text_x, row_y + (cv.f_label - cv.f_note) * 0.73, lines, cv.f_note, "ink")
    return y - 10 + PAD


@functools.lru_cache(maxsize=32)
def _place_labels(width: float, xs: tuple[float, ...], widths: tuple[float, ...]) -> list[_Placed] | None:
    """Give each flag label a side, lane and direction so that none overlaps another label or
    crosses another's leader, using as few lanes as possible (a bounded depth-first search).
    Memoised: the search costs about a third of a second, and every edition drawn at the same
    width (screen and press colours) places the labels identically."""
    budget = [20000]

    def search(i: int, placed: list[_Placed], caps: dict[int, int]) -> list[_Placed] | None:
        if i == len(xs):
            return placed
        budget[0] -= 1
        if budget[0] < 0:
            return None
        x, w = xs[i], widths[i]
        prefer = -placed[-1].side if placed else -1
        for lane in range(max(caps.values())):
            for side in (prefer, -prefer):
                if lane >= caps[side]:
                    continue
                for lo, hi in ((x, x + w), (x - w, x)):
                    if lo < PAD - 0.01 or hi > width - PAD + 0.01:
                        continue
                    if _fits(placed, x, lo, hi, side, lane):
                        found = search(i + 1, [*placed, _Placed(x, lo, hi, side, lane)], caps)
                        if found is not None:
                            return found
        return None

    for total in range(2, 11):
        for above in range((total + 1) // 2, total):  # balanced splits first
            for caps in ({-1: above, 1: total - above}, {-1: total - above, 1: above}):
                budget[0] = 20000
                found = search(0, [], caps)
                if found is not None:
                    return found
    return None


def _fits(placed: Sequence[_Placed], x: float, lo: float, hi: float, side: int, lane: int) -> bool:
    """True if a label in this lane overlaps no label and crosses no leader on its side."""
    pad = 7.0
    for p in placed:
        if p.side != side:
            continue
        if p.lane == lane and lo < p.hi + pad and p.lo < hi + pad:
            return False
        if p.lane < lane and p.lo - 2 <= x <= p.hi + 2:  # our leader passes p's label
            return False
        if p.lane > lane and lo - 2 <= p.x <= hi + 2:  # p's leader passes our label
            return False
    return True


# --------------------------------------------------------------------------- captions

_FIGURE_HTML = re.compile(r"<figure(?P<attrs>[^>]*)>(?P<inner>.*?)</figure>", re.S)
_FIGURE_IMG = re.compile(r'<img src="figures/(?P<name>[A-Za-z0-9_-]+)\.svg"')
_CAPTION = re.compile(r"<figcaption>(?P<caption>.*?)</figcaption>", re.S)


_MD_FIGURE = re.compile(r"!\[(?P<caption>(?:[^\[\]]|\[[^\]]*\])+)\]\((?P<src>[^)\s]+)[^)]*\)(?:\{(?P<attrs>[^}]*)\})?")
_MD_ID = re.compile(r"(?:^|\s)#(?P<id>[A-Za-z][\w:.-]*)")
_DRAWING = re.compile(r"(?:^|/)figures/(?P<name>[A-Za-z0-9_-]+)\.svg$")
_FIGURE_ID = re.compile(r'\bid="(?P<id>[^"]+)"')


def markdown_figures(body: str) -> list[tuple[str, str]]:
    """The figures of a chapter's Markdown in order, as (drawing name or "", figure id or ""):
    each image with a caption alone in its paragraph, which pandoc makes a ``<figure>``."""
    found = []
    for para in re.split(r"\n[ \t]*\n", body):
        lines = [line for line in para.strip().splitlines() if not line.lstrip().startswith(":::")]
        m = _MD_FIGURE.fullmatch(" ".join(line.strip() for line in lines))
        if m is None:
            continue
        drawing = _DRAWING.search(m.group("src"))
        fid = _MD_ID.search(m.group("attrs") or "")
        found.append((drawing.group("name") if drawing else "", fid.group("id") if fid else ""))
    return found


def figure_numbers(bodies: Sequence[str]) -> dict[str, int]:
    """One numbering for every edition (design review D8): the figures of the book's chapters
    (``bodies``, their Markdown in reading order) numbered from 1. Keyed by drawing name (so the
    same chart shown elsewhere, as the summary's timeline, carries its number) and by ``#id``
    (for a picture that is not drawn, and for outputs that rename the pictures, as the EPUB)."""
    numbers: dict[str, int] = {}
    for body in bodies:
        for drawing, fid in markdown_figures(body):
            number = numbers.get(drawing) if drawing else None
            if number is None:
                number = max(numbers.values(), default=0) + 1
            for key in (drawing, f"#{fid}" if fid else ""):
                if key:
                    numbers.setdefault(key, number)
    return numbers


def figure_drawings(bodies: Sequence[str]) -> dict[str, str]:
    """Figure id -> drawing name, for outputs that rename the pictures (the EPUB's media/fileN.svg)."""
    return {fid: drawing for body in bodies for drawing, fid in markdown_figures(body) if fid and drawing}


def book_figure_numbers(book: Book, chapters: Sequence[Chapter]) -> dict[str, int]:
    """``figure_numbers`` over the chapters the book editions hold (the paged editions that are
    neither standalone nor one file per chapter), so every edition cites the book's numbers."""
    together = [e for e in book.editions.values() if e.paged and not e.standalone and not e.each]
    return figure_numbers([c.body for c in chapters if any(e.holds(c.kind) for e in together)])


def label_figures(bodies: Mapping[str, str], order: Sequence[str], specs: Sequence[FigureSpec],
                  numbers: Mapping[str, int] | None = None, drawings: Mapping[str, str] | None = None) -> dict[str, str]:
    """Number the captioned figures and give each drawn one its source.

    ``bodies`` maps chapter id to the chapter's HTML (pandoc's ``<figure>`` with an ``<img>`` and
    a ``<figcaption>``), ``order`` is the reading order of the chapter ids. Each caption starts
    with ``<span class="figure-label">Figure N.</span>`` and, for a figure drawn from
    ``assets/data/figures/<id>.yaml``, ends with ``<span class="figure-source">Source: ...</span>``
    from its ``source`` key. Chapters not in ``order`` are returned unchanged.

    With ``numbers`` (``figure_numbers``), N is the book's number of the figure's drawing or id,
    and a figure the book does not hold has no label; without, the figures are counted in
    ``order``. ``drawings`` (figure id -> drawing name) names the drawing of a renamed picture."""
    by_id = {s.id: s for s in specs}
    out = dict(bodies)
    count = 0

    def caption(m: re.Match[str]) -> str:
        nonlocal count
        inner = m.group("inner")
        found = _CAPTION.search(inner)
        if found is None:
            return m.group(0)
        img = _FIGURE_IMG.search(inner)
        fid = _FIGURE_ID.search(m.group("attrs"))
        name = img.group("name") if img else (drawings or {}).get(fid.group("id") if fid else "", "")
        if numbers is None:
            count += 1
            number: int | None = count
        else:
            number = numbers.get(name) if name in numbers else numbers.get(f"#{fid.group('id')}" if fid else "")
        spec = by_id.get(name)
        text = found.group("caption").strip()
        source = (f' <span class="figure-source">Source: {escape(spec.source.removeprefix("Source:").strip())}</span>'
                  if spec is not None and spec.source else "")
        label = f'<span class="figure-label">Figure {number}.</span> ' if number is not None else ""
        labelled = f"<figcaption>{label}{text}{source}</figcaption>"
        return f"<figure{m.group('attrs')}>{inner[:found.start()]}{labelled}{inner[found.end():]}</figure>"

    for chapter_id in order:
        if chapter_id in out:
            out[chapter_id] = _FIGURE_HTML.sub(caption, out[chapter_id])
    return out


def figure_data(spec: FigureSpec) -> tuple[str, object]:
    """The kind of a figure and its checked data, as the drawing uses them (for folio.chartdata)."""
    return _parse(spec, spec.id)
