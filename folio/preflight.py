"""Preflight a finished press PDF against a printer's profile.

This module reads the PDF that will go to the printer (with pikepdf), never our HTML or CSS: what
is checked is what the print shop receives. Every page's content stream is interpreted with a
small graphics-state machine (``q``/``Q``, ``cm``, ``w``, ``gs``, colour operators, ``Do`` into
form XObjects recursively, patterns, shadings, inline images and printable annotation
appearances), so each finding can name its page and object.

Checks (stable names, in report order):

``pdfx-version``
    ``GTS_PDFXVersion`` in the Info dictionary or the XMP ``pdfxid`` schema equals the profile's
    ``pdfx_version`` (``PDF/X-4``; ``PDF/X-1a`` also accepts ``PDF/X-1a:2003``), and no source
    claims a different version.
``output-intent``
    exactly one ``/OutputIntents`` entry with ``/S /GTS_PDFX`` whose ``/DestOutputProfile`` is an
    embedded ICC output profile with ``/N 4`` and a CMYK header.
``page-boxes``
    every page has a TrimBox of the trim size and a BleedBox extending ``bleed_mm`` beyond it on
    each side (both within 0.5 pt), and the MediaBox contains the BleedBox.
``no-rgb``
    no DeviceRGB, CalRGB or ICCBased N=3 colour space (also as the base of Indexed/Pattern or
    alternate of Separation/DeviceN) in page colour-space resources, colour operators, images
    (XObject and inline), shadings, patterns or transparency groups (page, forms, soft masks), and
    no ``rg``/``RG`` operator anywhere in page, form, pattern or annotation content.
``total-ink``
    the largest C+M+Y+K (percent) of ``k``/``K`` operators, ``sc``/``scn``/``SC``/``SCN`` in a
    DeviceCMYK or ICCBased N=4 space, axial/radial shading functions (types 2 and 3) and every
    pixel of CMYK images, against ``max_ink_percent``.
``fonts-embedded``
    every font used or listed in reachable resources (descendant fonts of Type 0 included) has a
    FontFile, FontFile2 or FontFile3; a Type 3 font must carry its own /Resources.
``image-resolution``
    effective resolution of each placed image (its pixels over its size on the page, from the CTM
    in effect at its ``Do``, through nested forms) against ``min_image_ppi``; the lower of the two
    axes counts.
``page-multiple``
    the page count is a multiple of ``page_multiple`` (4 for saddle stitch).
``transparency``
    only enforced when ``allow_transparency`` is False: no soft masks (image /SMask or
    /SMaskInData, ExtGState /SMask), constant alpha ``CA``/``ca`` below 1, blend modes other than
    Normal/Compatible, or transparency groups. When transparency is allowed the check passes and
    ``measured`` still counts the uses, for information.
``line-width``
    every stroke (``S s B B* b b*``) is at least ``min_line_width_pt`` thick on the page, after the
    CTM (the smaller singular value, so a squashed stroke counts at its thinnest); width 0 is a
    device hairline and always fails.

``annotations``
    no annotation's /Rect meets a page's BleedBox (the TrimBox, then the MediaBox, when there is
    none), except printer's marks and trap networks: PDF/X allows nothing else in the printed area.
    The press edition prints link addresses instead of carrying live links.

Checks run only when the build passes the laid-out pages (``layout``: the page plan):

``back-cover``
    for a self-cover binding (saddle stitch: page 1 and the last page are the covers), the last
    page is the designed back cover (the layouts mark it with the class ``back-cover``) and carries
    no running text, running head or page number. Other bindings have a separate cover: passes.
``blank-pages``
    a page is blank when the PDF draws nothing on it (no text, image, path or shading). Blank
    pages are allowed only where the binding needs them: the padding the build adds to reach
    ``page_multiple`` (fewer than ``page_multiple`` pages, the named page ``pad``), all together,
    just before the outside back cover (self-cover) or at the end. A page the layout calls padding
    must be blank in the PDF.

The report also carries the page plan itself: every page with its place in the binding (outside
front cover, inside front cover, interior, inside back cover, outside back cover) and what it
holds (cover, text of a chapter, blank for a forced right-hand start, padding, the back cover).

Limits of this implementation: sampled (type 0) and PostScript (type 4) shading functions and mesh
shadings are not measured for ink; text drawn in a stroking render mode is not checked for line
width; Type 3 glyph procedures are not interpreted.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image, ImageCms, ImageMath

from . import pdfread
from .pagequality import PageFacts
from .pdfread import IDENTITY, Matrix, dict_get, inherited, matrix, mul, name_of, num, obj_key

__all__ = [
    "CHECK_NAMES",
    "WARNING_CHECK_NAMES",
    "Check",
    "PreflightReport",
    "PrinterProfile",
    "run_preflight",
    "write_html",
    "write_json",
]

PT_PER_MM = 72.0 / 25.4
BOX_TOLERANCE_PT = 0.5
MAX_FAULTS = 200
MAX_DEPTH = 32
MAX_INK_SAMPLE_PIXELS = 16_000_000

CHECK_NAMES = (
    "pdfx-version",
    "output-intent",
    "page-boxes",
    "no-rgb",
    "total-ink",
    "fonts-embedded",
    "image-resolution",
    "page-multiple",
    "transparency",
    "line-width",
    "annotations",
    "small-type-plates",
)
PLAN_CHECK_NAMES = ("back-cover", "blank-pages")
# The finding code of each check's failure (folio.catalogue); the rest are X001.
CHECK_CODES = {"annotations": "X002", "back-cover": "X003", "blank-pages": "X004", "small-type-plates": "X005"}
PAGE_PLAN_CODES = frozenset({"X003", "X004", "X005"})   # warnings, errors under --strict, like the page-quality findings
# Checks whose failure is a warning for the editor (the codes above), not a file the printer cannot take.
WARNING_CHECK_NAMES = (*PLAN_CHECK_NAMES, "small-type-plates")
# Painting operators: a page whose content uses none of them is blank on paper.
_PAINT_OPS = frozenset({"Tj", "TJ", "'", '"', "Do", "sh", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "BI", "INLINE IMAGE"})


@dataclass(frozen=True)
class PrinterProfile:
    """What one print shop accepts. Defaults: UK offset, A4 saddle-stitched, PDF/X-4."""

    bleed_mm: float = 3.0
    trim_mm: tuple[float, float] = (210.0, 297.0)
    max_ink_percent: float = 300.0
    page_multiple: int = 4
    allow_transparency: bool = True
    min_image_ppi: float = 300.0
    min_line_width_pt: float = 0.25
    pdfx_version: str = "PDF/X-4"
    crop_marks: bool = False
    binding: str = "saddle-stitch"
    single_plate_below_pt: float = 12.0   # type smaller than this should print on one plate (registration)

    @property
    def self_cover(self) -> bool:
        """Saddle stitch prints the cover on the same sheets: page 1 and the last page are covers."""
        return self.binding == "saddle-stitch"


@dataclass
class Check:
    """One rule's outcome. ``at_fault`` entries start with ``page N:`` or ``document:``."""

    name: str
    passed: bool
    measured: object
    limit: object
    at_fault: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanPage:
    """One page of the press page plan."""

    number: int
    place: str          # outside front cover, inside front cover, interior, inside back cover, outside back cover
    holds: str          # what is on it, in words
    blank: bool         # nothing is drawn on it in the PDF
    allowed: bool = True   # False: a blank the binding does not need, or a back cover that is not one


@dataclass
class PreflightReport:
    """All checks for one PDF, plus the facts a print buyer needs to identify the file."""

    file: str
    profile: PrinterProfile
    checks: list[Check]
    sha256: str = ""
    page_count: int = 0
    output_intent: str = ""
    pdf_version: str = ""
    plan: list[PlanPage] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    def check(self, name: str) -> Check:
        """The check called ``name`` (KeyError if there is none)."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "passed": self.passed,
            "page_count": self.page_count,
            "pdf_version": self.pdf_version,
            "output_intent": self.output_intent,
            "profile": _jsonable(asdict(self.profile)),
            "checks": [
                {
                    "name": c.name,
                    "passed": c.passed,
                    "measured": _jsonable(c.measured),
                    "limit": _jsonable(c.limit),
                    "at_fault": list(c.at_fault),
                }
                for c in self.checks
            ],
            "page_plan": [asdict(p) for p in self.plan],
        }


# --------------------------------------------------------------------------------------------
# Small geometry helpers


def _min_scale(m: Matrix) -> float:
    """Smallest singular value of the linear part: the thinnest a unit stroke can become."""
    a, b, c, d = m[:4]
    s = a * a + b * b + c * c + d * d
    det = a * d - b * c
    disc = max(s * s - 4.0 * det * det, 0.0)
    return math.sqrt(max((s - math.sqrt(disc)) / 2.0, 0.0))


def _box(obj: object) -> tuple[float, float, float, float] | None:
    if isinstance(obj, pikepdf.Array) and len(obj) == 4:
        x0, y0, x1, y1 = (num(v) for v in obj)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    return None


# --------------------------------------------------------------------------------------------
# Colour spaces


@dataclass(frozen=True)
class _CS:
    label: str
    rgb: bool = False
    cmyk: bool = False
    pattern: bool = False
    base: _CS | None = None


_GRAY = _CS("DeviceGray")
_RGB = _CS("DeviceRGB", rgb=True)
_DEVCMYK = _CS("DeviceCMYK", cmyk=True)


def _colour_space(obj: object, resources: object, depth: int = 0) -> _CS:
    if depth > 8:
        return _CS("unresolvable")
    if isinstance(obj, pikepdf.Name):
        name = str(obj)
        if name in ("/DeviceRGB", "/RGB"):
            return _RGB
        if name in ("/DeviceCMYK", "/CMYK"):
            return _DEVCMYK
        if name in ("/DeviceGray", "/G"):
            return _GRAY
        if name == "/Pattern":
            return _CS("Pattern", pattern=True)
        named = dict_get(dict_get(resources, "/ColorSpace"), name)
        if named is not None:
            inner = _colour_space(named, resources, depth + 1)
            return replace(inner, label=f"{name} = {inner.label}")
        return _CS(f"{name} (undefined)")
    if isinstance(obj, pikepdf.Array) and len(obj) > 0:
        family = name_of(obj[0])
        if family == "/ICCBased" and len(obj) > 1:
            n = int(num(dict_get(obj[1], "/N")))
            return _CS(f"ICCBased N={n}", rgb=n == 3, cmyk=n == 4)
        if family == "/CalRGB":
            return _CS("CalRGB", rgb=True)
        if family in ("/Indexed", "/I") and len(obj) > 1:
            base = _colour_space(obj[1], resources, depth + 1)
            return _CS(f"Indexed {base.label}", rgb=base.rgb, base=base)
        if family in ("/Separation", "/DeviceN") and len(obj) > 2:
            alt = _colour_space(obj[2], resources, depth + 1)
            return _CS(f"{family[1:]} (alternate {alt.label})", rgb=alt.rgb)
        if family == "/Pattern":
            if len(obj) > 1:
                base = _colour_space(obj[1], resources, depth + 1)
                return _CS(f"Pattern over {base.label}", rgb=base.rgb, pattern=True, base=base)
            return _CS("Pattern", pattern=True)
        if family:
            if len(obj) == 1:
                return _colour_space(obj[0], resources, depth + 1)
            return _CS(family[1:])
    return _CS("unknown")


# --------------------------------------------------------------------------------------------
# Findings collected by the content walker


@dataclass
class _Findings:
    rgb: list[str] = field(default_factory=list)
    ink: list[tuple[float, str]] = field(default_factory=list)
    ink_unmeasured: list[str] = field(default_factory=list)
    ppi: list[tuple[float, str]] = field(default_factory=list)
    lines: list[tuple[float, str]] = field(default_factory=list)
    transparency: list[str] = field(default_factory=list)
    fonts: dict[tuple[int, int] | str, tuple[str, pikepdf.Object]] = field(default_factory=dict)
    listed_fonts: dict[tuple[int, int] | str, tuple[str, pikepdf.Object]] = field(default_factory=dict)
    small_type: list[tuple[float, int, str]] = field(default_factory=list)   # (size pt, plates, where)


@dataclass
class _GState(pdfread.GraphicsState):
    line_width: float = 1.0
    fill: _CS = _GRAY
    stroke: _CS = _GRAY
    plates: int = 1            # inks the fill colour is built from (1 for grey, black or one CMYK ink)
    font_size: float = 0.0     # Tf's size, in text space
    text_scale: float = 1.0    # the text matrix's scale (Tm)


@dataclass
class _ImageFacts:
    width: int
    height: int
    cs: _CS | None
    rgb_reason: str | None
    max_ink: float | None
    ink_error: str | None
    soft_mask: bool


_STROKE_OPS = {"S", "s", "B", "B*", "b", "b*"}


@dataclass(frozen=True)
class _Walk:
    """Where the content stream being interpreted is: its resources, its place in the file (for
    the messages), and the forms it is inside."""
    resources: object
    where: str
    number: int
    base: Matrix
    stack: tuple[tuple[int, int], ...]
    depth: int


class _Walker:
    """Interprets content streams, recording what each check needs."""

    def __init__(self) -> None:
        self.found = _Findings()
        self._images: dict[tuple[int, int], _ImageFacts] = {}
        self._seen_patterns: set[tuple[tuple[int, int], int]] = set()
        self._seen_resources: set[tuple[int, int]] = set()

    # -- pages ---------------------------------------------------------------------------
    def walk_page(self, number: int, page: pikepdf.Page) -> None:
        obj = page.obj
        resources = inherited(obj, "/Resources")
        unit = num(obj.get("/UserUnit"), 1.0) or 1.0
        base = (unit, 0.0, 0.0, unit, 0.0, 0.0)
        where = f"page {number}"
        self._scan_resources(number, where, resources)
        self._group(obj.get("/Group"), f"{where}: page transparency group", resources)
        self._walk(page, resources, _GState(base), where, number, base, (), 0)
        for annot in _as_list(obj.get("/Annots")):
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            if not int(num(annot.get("/F"))) & 4:  # not printed
                continue
            appearance = dict_get(dict_get(annot, "/AP"), "/N")
            streams: list[pikepdf.Object] = []
            if isinstance(appearance, pikepdf.Stream):
                streams = [appearance]
            elif isinstance(appearance, pikepdf.Dictionary):
                streams = [v for v in appearance.values() if isinstance(v, pikepdf.Stream)]
            sub = name_of(annot.get("/Subtype")) or "annotation"
            for stream in streams:
                self._form(stream, resources, _GState(base), f"{where} > {sub} appearance", number, (), 0)

    # -- resources --------------------------------------------------------------------------
    def _scan_resources(self, number: int, where: str, resources: object) -> None:
        if not isinstance(resources, pikepdf.Dictionary):
            return
        # WeasyPrint shares one resource dictionary between all pages: scan each dictionary once
        # and name the first page that has it (fonts are named where they are used, via Tf).
        key = obj_key(resources)
        if key is not None:
            if key in self._seen_resources:
                return
            self._seen_resources.add(key)
        spaces = resources.get("/ColorSpace")
        if isinstance(spaces, pikepdf.Dictionary):
            for name, value in spaces.items():
                cs = _colour_space(value, resources)
                if cs.rgb:
                    self.found.rgb.append(f"{where}: colour space resource {name} ({cs.label})")
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            for name, font in fonts.items():
                self._font(font, f"{where}: font {name}", used=False)

    def _font(self, font: object, where: str, used: bool = True) -> None:
        if not isinstance(font, pikepdf.Dictionary):
            return
        key = obj_key(font) or where
        table = self.found.fonts if used else self.found.listed_fonts
        if key not in table:
            base = name_of(font.get("/BaseFont"))
            label = f"{where} ({base[1:]})" if base else where
            table[key] = (label if used else f"{label}, listed but unused", font)

    # -- content -------------------------------------------------------------------------
    def _walk(
        self,
        content: pikepdf.Page | pikepdf.Object,
        resources: object,
        gs: _GState,
        where: str,
        number: int,
        base: Matrix,
        stack: tuple[tuple[int, int], ...],
        depth: int,
    ) -> None:
        try:
            program = pdfread.instructions(content)
        except pikepdf.PdfError as exc:
            self.found.rgb.append(f"{where}: content stream could not be parsed ({exc})")
            return
        walk = _Walk(resources, where, number, base, stack, depth)

        def operator(gs: _GState, op: str, args: list[Any]) -> None:
            handler = _OPERATORS.get(op)
            if handler is not None:
                handler(self, walk, gs, op, args)

        def inline_image(gs: _GState, image: Any) -> None:
            self._inline_image(image, resources, gs, where)

        pdfread.interpret(program, gs, operator, inline_image)

    # One method per group of operators, each given the walk, the graphics state, the operator and
    # its operands (q, Q and cm are pdfread.interpret's).
    def _op_line_width(self, w: _Walk, gs: _GState, op: str, args: list[Any]) -> None:
        if args:
            gs.line_width = num(args[0], 1.0)

    def _op_stroke(self, w: _Walk, gs: _GState, op: str, args: list[Any]) -> None:
        width = gs.line_width * _min_scale(gs.ctm)
        self.found.lines.append((width, f"{w.where}: {width:.3g} pt stroke (operator {op})"))

    def _op_colour(self, w: _Walk, gs: _GState, op: str, args: list[Any]) -> None:
        """rg/RG, k/K, g/G and cs/CS: set the fill (lower case) or stroke colour space."""
        cs: _CS
        if op in ("rg", "RG"):
            self.found.rgb.append(f"{w.where}: operator {op}")
            cs = _RGB
        elif op in ("k", "K"):
            if len(args) != 4:
                return
            self.found.ink.append((sum(num(v) for v in args) * 100.0, f"{w.where}: operator {op}"))
            cs = _DEVCMYK
            if op == "k":
                gs.plates = _plates([num(v) for v in args])
        elif op in ("g", "G"):
            cs = _GRAY
        else:
            if not args:
                return
            cs = _colour_space(args[0], w.resources)
            if cs.rgb:
                self.found.rgb.append(f"{w.where}: operator {op} {args[0]} ({cs.label})")
        if op.islower():
            gs.fill = cs
            if op in ("rg", "g", "cs"):
                gs.plates = 3 if op == "rg" else 1     # cs sets the space's initial colour: black, or no ink
        else:
            gs.stroke = cs

    def _op_colour_value(self, w: _Walk, gs: _GState, op: str, args: list[Any]) -> None:
        """sc/scn/SC/SCN: ink in a CMYK space, or a pattern to follow."""
        cs = gs.fill if op in ("sc", "scn") else gs.stroke
        numbers = [num(v) for v in args if not isinstance(v, pikepdf.Name)]
        if cs.cmyk and len(numbers) == 4:
            self.found.ink.append((sum(numbers) * 100.0, f"{w.where}: operator {op}"))
            if op in ("sc", "scn"):
                gs.plates = _plates(numbers)
        if cs.pattern:
            if cs.base is not None and cs.base.cmyk and len(numbers) == 4:
                self.found.ink.append((sum(numbers) * 100.0, f"{w.where}: operator {op}"))
            if args and isinstance(args[-1], pikepdf.Name):
                self._pattern(args[-1], w)

    def _op_resource(self, w: _Walk, gs: _GState, op: str, args: list[Any]) -> None:
        """gs, sh, Tf and Do: operators that name a resource."""
        if not args:
            return
        name = str(args[0])
        if op == "gs":
            state = dict_get(dict_get(w.resources, "/ExtGState"), name)
            if isinstance(state, pikepdf.Dictionary):
                if "/LW" in state:
                    gs.line_width = num(state.get("/LW"), gs.line_width)
                self._ext_gstate(state, f"{w.where}: ExtGState {args[0]}", w.resources, w.number, w.stack, w.depth, gs.ctm)
        elif op == "sh":
            self._shading(dict_get(dict_get(w.resources, "/Shading"), name), w.resources, f"{w.where}: shading {args[0]}")
        elif op == "Tf":
            self._font(dict_get(dict_get(w.resources, "/Font"), name), f"{w.where}: font {args[0]}")
            if len(args) > 1:
                gs.font_size = abs(num(args[1]))
        else:
            xobject = dict_get(dict_get(w.resources, "/XObject"), name)
            if not isinstance(xobject, pikepdf.Stream):
                return
            subtype = name_of(xobject.get("/Subtype"))
            if subtype == "/Image":
                self._image(xobject, gs, f"{w.where}: image {args[0]}", w.resources)
            elif subtype == "/Form":
                self._form(xobject, w.resources, gs, f"{w.where} > form {args[0]}", w.number, w.stack, w.depth)

    def _op_text(self, w: _Walk, gs: _GState, op: str, args: list[Any]) -> None:
        """BT and Tm (the text matrix's scale), and the text-showing operators: type smaller than the
        printer's limit in more than one ink (it blurs when the plates are out of register)."""
        if op == "BT":
            gs.text_scale = 1.0
        elif op == "Tm":
            if len(args) == 6:
                a, b, c, d = (num(v) for v in args[:4])
                gs.text_scale = math.sqrt(abs(a * d - b * c))
        elif gs.plates > 1:
            size = gs.font_size * gs.text_scale * _min_scale(gs.ctm)
            self.found.small_type.append((size, gs.plates, f"{w.where}: {size:.1f} pt text in {gs.plates} inks"))

    def _form(
        self,
        form: pikepdf.Object,
        parent_resources: object,
        gs: _GState,
        where: str,
        number: int,
        stack: tuple[tuple[int, int], ...],
        depth: int,
    ) -> None:
        key = obj_key(form)
        if key in stack or depth >= MAX_DEPTH:
            return
        inner_stack = stack if key is None else (*stack, key)
        own = form.get("/Resources")
        resources = own if isinstance(own, pikepdf.Dictionary) else parent_resources
        self._scan_resources(number, where, resources)
        self._group(form.get("/Group"), f"{where}: transparency group", resources)
        inner = replace(gs, ctm=mul(matrix(form.get("/Matrix")), gs.ctm))
        self._walk(form, resources, inner, where, number, inner.ctm, inner_stack, depth + 1)

    def _group(self, group: object, where: str, resources: object) -> None:
        if not isinstance(group, pikepdf.Dictionary):
            return
        if name_of(group.get("/S")) == "/Transparency":
            self.found.transparency.append(where)
        if "/CS" in group:
            cs = _colour_space(group.get("/CS"), resources)
            if cs.rgb:
                self.found.rgb.append(f"{where} /CS ({cs.label})")

    def _ext_gstate(
        self,
        state: pikepdf.Dictionary,
        where: str,
        resources: object,
        number: int,
        stack: tuple[tuple[int, int], ...],
        depth: int,
        ctm: Matrix = IDENTITY,
    ) -> None:
        reasons = []
        smask = state.get("/SMask")
        if smask is not None and name_of(smask) != "/None":
            reasons.append("soft mask")
            group = dict_get(smask, "/G")
            if isinstance(group, pikepdf.Stream):
                self._form(group, resources, _GState(ctm), f"{where} > soft-mask group", number, stack, depth)
        for key in ("/CA", "/ca"):
            if key in state and num(state.get(key), 1.0) < 1.0:
                reasons.append(f"{key[1:]} {num(state.get(key)):g}")
        mode = state.get("/BM")
        modes = [name_of(m) for m in mode] if isinstance(mode, pikepdf.Array) else [name_of(mode)]
        modes = [m for m in modes if m]
        if modes and modes[0] not in ("/Normal", "/Compatible"):
            reasons.append(f"blend mode {modes[0][1:]}")
        if reasons:
            self.found.transparency.append(f"{where} ({', '.join(reasons)})")

    def _pattern(self, name: pikepdf.Name, w: _Walk) -> None:
        """A pattern named by scn/SCN in the stream ``w``: its shading, or its own content."""
        resources, where, number, base, stack, depth = w.resources, w.where, w.number, w.base, w.stack, w.depth
        pattern = dict_get(dict_get(resources, "/Pattern"), str(name))
        if not isinstance(pattern, (pikepdf.Dictionary, pikepdf.Stream)):
            return
        pattern_key = obj_key(pattern)
        if pattern_key is not None:
            if (pattern_key, number) in self._seen_patterns:
                return
            self._seen_patterns.add((pattern_key, number))
        label = f"{where} > pattern {name}"
        ctm = mul(matrix(pattern.get("/Matrix")), base)
        if int(num(pattern.get("/PatternType"))) == 2:
            self._shading(pattern.get("/Shading"), resources, f"{label}: shading")
            state = pattern.get("/ExtGState")
            if isinstance(state, pikepdf.Dictionary):
                self._ext_gstate(state, f"{label}: ExtGState", resources, number, stack, depth, ctm)
        elif isinstance(pattern, pikepdf.Stream):
            own = pattern.get("/Resources")
            inner_resources = own if isinstance(own, pikepdf.Dictionary) else resources
            self._scan_resources(number, label, inner_resources)
            if pattern_key not in stack and depth < MAX_DEPTH:
                inner_stack = stack if pattern_key is None else (*stack, pattern_key)
                self._walk(pattern, inner_resources, _GState(ctm), label, number, ctm, inner_stack, depth + 1)

    def _shading(self, shading: object, resources: object, where: str) -> None:
        if not isinstance(shading, (pikepdf.Dictionary, pikepdf.Stream)):
            return
        cs = _colour_space(shading.get("/ColorSpace"), resources)
        if cs.rgb:
            self.found.rgb.append(f"{where} ({cs.label})")
        if cs.cmyk:
            ink = _function_max(shading.get("/Function"))
            if ink is None:
                self.found.ink_unmeasured.append(f"{where} (function not measurable)")
            else:
                self.found.ink.append((ink * 100.0, where))

    # -- images --------------------------------------------------------------------------
    def _image(self, image: pikepdf.Stream, gs: _GState, where: str, resources: object) -> None:
        key = obj_key(image)
        facts = self._images.get(key) if key is not None else None
        if facts is None:
            facts = _image_facts(image, image, resources)
            if key is not None:
                self._images[key] = facts
        self._record_image(facts, gs, where)

    def _inline_image(self, iimage: pikepdf.PdfInlineImage, resources: object, gs: _GState, where: str) -> None:
        try:
            facts = _image_facts(iimage.obj, iimage, resources)
        except Exception as exc:  # noqa: BLE001 - a broken inline image is itself a finding
            self.found.rgb.append(f"{where}: inline image could not be read ({exc})")
            return
        self._record_image(facts, gs, f"{where}: inline image")

    def _record_image(self, facts: _ImageFacts, gs: _GState, where: str) -> None:
        found = self.found
        if facts.rgb_reason:
            found.rgb.append(f"{where} ({facts.rgb_reason})")
        if facts.max_ink is not None:
            found.ink.append((facts.max_ink, where))
        if facts.ink_error:
            found.ink_unmeasured.append(f"{where} ({facts.ink_error})")
        if facts.soft_mask:
            found.transparency.append(f"{where} (soft mask)")
        a, b, c, d = gs.ctm[:4]
        width_in = math.hypot(a, b) / 72.0
        height_in = math.hypot(c, d) / 72.0
        if width_in > 0 and height_in > 0 and facts.width > 0 and facts.height > 0:
            ppi = min(facts.width / width_in, facts.height / height_in)
            found.ppi.append((ppi, f"{where} ({facts.width}x{facts.height} px at {ppi:.0f} ppi)"))


# The operators the preflight reads, and the _Walker method that reads each.
_OPERATORS: dict[str, Callable[[_Walker, _Walk, _GState, str, list[Any]], None]] = {
    "w": _Walker._op_line_width,
    **dict.fromkeys(_STROKE_OPS, _Walker._op_stroke),
    **dict.fromkeys(("rg", "RG", "k", "K", "g", "G", "cs", "CS"), _Walker._op_colour),
    **dict.fromkeys(("sc", "scn", "SC", "SCN"), _Walker._op_colour_value),
    **dict.fromkeys(("gs", "sh", "Tf", "Do"), _Walker._op_resource),
    **dict.fromkeys(("BT", "Tm", "Tj", "TJ", "'", '"'), _Walker._op_text),
}


def _image_facts(obj: pikepdf.Object, image: object, resources: object) -> _ImageFacts:
    width = int(num(obj.get("/Width")))
    height = int(num(obj.get("/Height")))
    soft_mask = isinstance(obj.get("/SMask"), pikepdf.Stream) or num(obj.get("/SMaskInData")) > 0
    if bool(obj.get("/ImageMask", False)):
        return _ImageFacts(width, height, None, None, None, None, soft_mask)
    cs_obj = obj.get("/ColorSpace")
    cs: _CS | None = _colour_space(cs_obj, resources) if cs_obj is not None else None
    rgb_reason = cs.label if cs is not None and cs.rgb else None
    max_ink: float | None = None
    ink_error: str | None = None
    if cs is None:
        # JPEG 2000 carries its own colour space: ask the decoder.
        try:
            mode = _pdf_image(image).mode
        except Exception as exc:  # noqa: BLE001
            mode = f"unknown ({exc})"
        if mode.startswith("RGB"):
            rgb_reason = f"no /ColorSpace, {mode} data"
        cs = _DEVCMYK if mode == "CMYK" else _CS(mode)
    if cs.cmyk:
        try:
            with _pdf_image(image).as_pil_image(apply_mask=False) as pil:
                max_ink = _max_ink(pil)
        except Exception as exc:  # noqa: BLE001 - undecodable images are reported, not fatal
            ink_error = f"could not decode: {exc}"
    elif cs.base is not None and cs.base.cmyk and isinstance(cs_obj, pikepdf.Array):
        max_ink = _palette_max_ink(cs_obj)
        if max_ink is None:
            ink_error = "indexed palette not readable"
    return _ImageFacts(width, height, cs, rgb_reason, max_ink, ink_error, soft_mask)


def _pdf_image(image: object) -> pikepdf.PdfImage | pikepdf.PdfInlineImage:
    if isinstance(image, pikepdf.PdfInlineImage):
        return image
    assert isinstance(image, pikepdf.Stream)
    return pikepdf.PdfImage(image)


def _max_ink(pil: Image.Image) -> float:
    """Largest C+M+Y+K over the pixels, in percent (nearest-neighbour sample of huge images)."""
    if pil.mode != "CMYK":
        pil = pil.convert("CMYK")
    pixels = pil.width * pil.height
    if pixels > MAX_INK_SAMPLE_PIXELS:
        scale = math.sqrt(MAX_INK_SAMPLE_PIXELS / pixels)
        size = (max(1, int(pil.width * scale)), max(1, int(pil.height * scale)))
        pil = pil.resize(size, Image.Resampling.NEAREST)
    c, m, y, k = (band.convert("I") for band in pil.split())
    total = ImageMath.lambda_eval(lambda v: v["c"] + v["m"] + v["y"] + v["k"], c=c, m=m, y=y, k=k)
    assert isinstance(total, Image.Image)
    extrema = total.getextrema()
    high = float(extrema[1]) if isinstance(extrema[1], (int, float)) else 0.0
    return high / 255.0 * 100.0


def _palette_max_ink(cs_obj: pikepdf.Array) -> float | None:
    if len(cs_obj) < 4:
        return None
    lookup = cs_obj[3]
    try:
        if isinstance(lookup, pikepdf.Stream):
            data = lookup.read_bytes()
        else:
            data = bytes(lookup)
    except (TypeError, pikepdf.PdfError):
        return None
    entries = [data[i : i + 4] for i in range(0, len(data) - 3, 4)]
    return max((sum(e) for e in entries), default=0) / 255.0 * 100.0


def _function_max(function: object, depth: int = 0) -> float | None:
    """Upper bound of the sum of a shading function's outputs (types 2 and 3 only)."""
    if depth > 8 or function is None:
        return None
    if isinstance(function, pikepdf.Array):
        parts = [_function_max(f, depth + 1) for f in function]
        return None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
    ftype = int(num(dict_get(function, "/FunctionType"), -1))
    if ftype == 2:
        c0 = [num(v) for v in _as_list(dict_get(function, "/C0"))] or [0.0]
        c1 = [num(v) for v in _as_list(dict_get(function, "/C1"))] or [1.0]
        return max(sum(c0), sum(c1))  # the sum is monotonic in t, so its maximum is at an end
    if ftype == 3:
        subs = [_function_max(f, depth + 1) for f in _as_list(dict_get(function, "/Functions"))]
        if not subs or any(s is None for s in subs):
            return None
        return max(s for s in subs if s is not None)
    return None


# --------------------------------------------------------------------------------------------
# Document-level helpers


def _as_list(obj: object) -> list[Any]:
    if isinstance(obj, pikepdf.Array):
        return list(obj)
    return []


_PDFXID = "http://www.npes.org/pdfx/ns/id/"


def _xmp_pdfx_versions(pdf: pikepdf.Pdf) -> list[str]:
    metadata = pdf.Root.get("/Metadata")
    if not isinstance(metadata, pikepdf.Stream):
        return []
    try:
        root = ET.fromstring(metadata.read_bytes())
    except (ET.ParseError, pikepdf.PdfError):
        return []
    tag = f"{{{_PDFXID}}}GTS_PDFXVersion"
    values = []
    for element in root.iter():
        if element.tag == tag and element.text:
            values.append(element.text.strip())
        if tag in element.attrib:
            values.append(element.attrib[tag].strip())
    return values


def _version_matches(found: str, wanted: str) -> bool:
    return found == wanted or found.startswith(wanted + ":")


def _icc_description(data: bytes) -> str:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
        return str(profile.profile.profile_description or "").strip()
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError):
        return ""


# --------------------------------------------------------------------------------------------
# The checks


def _summarise(items: list[str]) -> list[str]:
    """Collapse repeats into ``item (N×)``, keep first-seen order, cap the list."""
    counts = Counter(items)
    out: list[str] = []
    for item in dict.fromkeys(items):
        out.append(item if counts[item] == 1 else f"{item} ({counts[item]}×)")
    if len(out) > MAX_FAULTS:
        rest = len(out) - MAX_FAULTS
        out = [*out[:MAX_FAULTS], f"… and {rest} more"]
    return out


def _check_pdfx(pdf: pikepdf.Pdf, profile: PrinterProfile) -> Check:
    sources: dict[str, str] = {}
    info_value = pdf.docinfo.get("/GTS_PDFXVersion") if pdf.trailer.get("/Info") else None
    if info_value is not None:
        sources["Info GTS_PDFXVersion"] = str(info_value)
    for value in _xmp_pdfx_versions(pdf):
        sources.setdefault("XMP pdfxid:GTS_PDFXVersion", value)
    wanted = profile.pdfx_version
    faults = [
        f"document: {where} is {value!r}, expected {wanted}" for where, value in sources.items() if not _version_matches(value, wanted)
    ]
    if not sources:
        faults.append("document: no GTS_PDFXVersion in the Info dictionary or XMP metadata")
    measured: object = dict(sources) if sources else "none"
    return Check("pdfx-version", not faults, measured, wanted, faults)


def _check_output_intent(pdf: pikepdf.Pdf) -> tuple[Check, str]:
    limit = "one /GTS_PDFX output intent with an embedded CMYK ICC output profile (N=4)"
    intents = [i for i in _as_list(pdf.Root.get("/OutputIntents")) if isinstance(i, pikepdf.Dictionary)]
    pdfx = [i for i in intents if name_of(i.get("/S")) == "/GTS_PDFX"]
    faults: list[str] = []
    description = ""
    if not intents:
        faults.append("document: no /OutputIntents")
    elif not pdfx:
        kinds = ", ".join(name_of(i.get("/S")) or "?" for i in intents)
        faults.append(f"document: no /GTS_PDFX output intent (found {kinds})")
    if len(pdfx) > 1:
        faults.append(f"document: {len(pdfx)} /GTS_PDFX output intents, PDF/X allows one")
    if pdfx:
        intent = pdfx[0]
        identifier = str(intent.get("/OutputConditionIdentifier", "")).strip()
        info = str(intent.get("/Info", "")).strip()
        dest = intent.get("/DestOutputProfile")
        if not isinstance(dest, pikepdf.Stream):
            faults.append("document: output intent has no embedded /DestOutputProfile")
            description = identifier or info
        else:
            n = int(num(dest.get("/N")))
            try:
                data = dest.read_bytes()
            except pikepdf.PdfError as exc:
                data = b""
                faults.append(f"document: DestOutputProfile unreadable ({exc})")
            space = data[16:20].decode("latin-1") if len(data) >= 20 else "?"
            klass = data[12:16].decode("latin-1") if len(data) >= 16 else "?"
            icc_desc = _icc_description(data) if data else ""
            if n != 4:
                faults.append(f"document: DestOutputProfile has /N {n}, CMYK needs 4")
            if space != "CMYK":
                faults.append(f"document: DestOutputProfile colour space is {space!r}, not CMYK")
            if klass != "prtr":
                faults.append(f"document: DestOutputProfile class is {klass!r}, not output (prtr)")
            parts = [identifier]
            if info and info != identifier:
                parts.append(info)
            if icc_desc and icc_desc not in parts:
                parts.append(f"ICC profile “{icc_desc}”")
            description = " — ".join(p for p in parts if p)
            if data:
                description += f" ({space}, {len(data):,} bytes)"
    measured = description or "none"
    return Check("output-intent", not faults, measured, limit, faults), description


def _check_page_boxes(pdf: pikepdf.Pdf, profile: PrinterProfile) -> Check:
    tw, th = (v * PT_PER_MM for v in profile.trim_mm)
    bleed = profile.bleed_mm * PT_PER_MM
    tol = BOX_TOLERANCE_PT
    faults: list[str] = []
    geometries: list[str] = []
    for number, page in enumerate(pdf.pages, start=1):
        obj = page.obj
        media = _box(inherited(obj, "/MediaBox"))
        crop = _box(inherited(obj, "/CropBox"))
        trim = _box(obj.get("/TrimBox"))
        bleed_box = _box(obj.get("/BleedBox"))
        where = f"page {number}"
        if media is None:
            faults.append(f"{where}: no MediaBox")
            continue
        if trim is None:
            faults.append(f"{where}: no TrimBox")
            geometries.append("no TrimBox")
            continue
        width, height = trim[2] - trim[0], trim[3] - trim[1]
        if abs(width - tw) > tol or abs(height - th) > tol:
            faults.append(
                f"{where}: TrimBox is {width / PT_PER_MM:.1f} × {height / PT_PER_MM:.1f} mm, "
                f"expected {profile.trim_mm[0]:g} × {profile.trim_mm[1]:g} mm"
            )
        effective = bleed_box or crop or media
        sides = (
            trim[0] - effective[0],
            effective[2] - trim[2],
            effective[3] - trim[3],
            trim[1] - effective[1],
        )
        side_text = "/".join(f"{s / PT_PER_MM:.1f}" for s in sides)
        geometries.append(
            f"trim {width / PT_PER_MM:.1f} × {height / PT_PER_MM:.1f} mm, "
            f"bleed {side_text} mm (left/right/top/bottom)" + ("" if bleed_box else ", no BleedBox")
        )
        if any(abs(s - bleed) > tol for s in sides):
            missing = "no BleedBox, so " if bleed_box is None else ""
            faults.append(f"{where}: {missing}bleed is {side_text} mm (left/right/top/bottom), expected {profile.bleed_mm:g} mm each side")
        if (
            effective[0] < media[0] - 0.01
            or effective[1] < media[1] - 0.01
            or effective[2] > media[2] + 0.01
            or effective[3] > media[3] + 0.01
        ):
            faults.append(f"{where}: BleedBox extends outside the MediaBox")
    limit = (
        f"trim {profile.trim_mm[0]:g} × {profile.trim_mm[1]:g} mm, bleed {profile.bleed_mm:g} mm "
        f"each side, MediaBox contains BleedBox (tolerance {tol:g} pt)"
    )
    measured = list(dict.fromkeys(geometries))
    return Check("page-boxes", not faults, measured, limit, faults)


def _check_fonts(found: _Findings) -> Check:
    faults: list[str] = []
    fonts = dict(found.fonts)
    used_ids = {obj_key(font) for _, font in found.fonts.values()} - {None}
    for key, (where, font) in found.listed_fonts.items():
        if key not in fonts and obj_key(font) not in used_ids:
            fonts[key] = (where, font)
    for where, font in fonts.values():
        problem = _font_problem(font)
        if problem:
            faults.append(f"{where}: {problem}")
    total = len(fonts)
    names = sorted({str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1] for _, font in fonts.values()} - {""})
    measured = {"fonts": total, "not_embedded": len(faults), "names": names}
    limit = "all fonts embedded (FontFile, FontFile2 or FontFile3)"
    return Check("fonts-embedded", not faults, measured, limit, _summarise(faults))


def _font_problem(font: pikepdf.Object, depth: int = 0) -> str | None:
    subtype = name_of(font.get("/Subtype"))
    if subtype == "/Type3":
        return None if "/Resources" in font else "Type 3 font without /Resources"
    if subtype == "/Type0":
        descendants = _as_list(font.get("/DescendantFonts"))
        if not descendants or depth > 2:
            return "Type 0 font without descendant font"
        problem = _font_problem(descendants[0], depth + 1)
        return f"descendant font {problem}" if problem else None
    descriptor = font.get("/FontDescriptor")
    if not isinstance(descriptor, pikepdf.Dictionary):
        return f"{subtype[1:] or 'font'} not embedded (no FontDescriptor)"
    if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
        return f"{subtype[1:] or 'font'} not embedded (no FontFile)"
    return None


def _check_images(found: _Findings, profile: PrinterProfile) -> Check:
    limit = profile.min_image_ppi
    if not found.ppi:
        return Check("image-resolution", True, {"min_ppi": None, "at": "no images"}, limit, [])
    low, where = min(found.ppi, key=lambda item: item[0])
    faults = [w for ppi, w in found.ppi if ppi < limit - 0.5]
    measured = {"min_ppi": round(low, 1), "at": where}
    return Check("image-resolution", not faults, measured, limit, _summarise(faults))


def _check_ink(found: _Findings, profile: PrinterProfile) -> Check:
    limit = profile.max_ink_percent
    faults = [f"{w}: {ink:.0f} %" for ink, w in found.ink if ink > limit + 0.05]
    faults += [f"{w}: ink not measurable" for w in found.ink_unmeasured]
    if found.ink:
        high, where = max(found.ink, key=lambda item: item[0])
        measured: dict[str, object] = {"max_percent": round(high, 1), "at": where}
    else:
        measured = {"max_percent": 0.0, "at": "no CMYK colour"}
    return Check("total-ink", not faults, measured, limit, _summarise(faults))


def _plates(cmyk: list[float]) -> int:
    """How many of the four inks a CMYK colour uses (white counts as one: it prints nothing)."""
    return max(sum(1 for v in cmyk if v > 0.001), 1)


def _check_small_type(found: _Findings, profile: PrinterProfile) -> Check:
    limit = profile.single_plate_below_pt
    small = [(size, where) for size, plates, where in found.small_type if 0 < size < limit - 0.05]
    measured = {"text_in_several_inks_below_limit": len(small),
                "smallest_pt": round(min(s for s, _ in small), 1) if small else None}
    return Check("small-type-plates", not small, measured, f"type under {limit:g} pt on one ink",
                 _summarise([where for _, where in small]))


def _check_lines(found: _Findings, profile: PrinterProfile) -> Check:
    limit = profile.min_line_width_pt
    if not found.lines:
        return Check("line-width", True, {"min_pt": None, "at": "no strokes"}, limit, [])
    thin, where = min(found.lines, key=lambda item: item[0])
    faults = [w for width, w in found.lines if width < limit - 1e-6 or width <= 0.0]
    faults = [f.replace(" 0 pt stroke", " 0 pt (hairline) stroke") for f in faults]
    measured = {"min_pt": round(thin, 3), "at": where}
    return Check("line-width", not faults, measured, limit, _summarise(faults))


def _check_transparency(found: _Findings, profile: PrinterProfile) -> Check:
    uses = _summarise(found.transparency)
    if profile.allow_transparency:
        return Check("transparency", True, {"uses": len(found.transparency)}, "allowed", [])
    return Check("transparency", not uses, {"uses": len(found.transparency)}, "none", uses)


_ALLOWED_ANNOTATIONS = ("/PrinterMark", "/TrapNet")


def _check_annotations(pdf: pikepdf.Pdf) -> Check:
    faults: list[str] = []
    total = 0
    for number, page in enumerate(pdf.pages, start=1):
        obj = page.obj
        area = _box(obj.get("/BleedBox")) or _box(obj.get("/TrimBox")) or _box(inherited(obj, "/MediaBox"))
        for annot in _as_list(obj.get("/Annots")):
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            subtype = name_of(annot.get("/Subtype"))
            if subtype in _ALLOWED_ANNOTATIONS:
                continue
            rect = _box(annot.get("/Rect"))
            if rect is None or area is None:
                continue
            x0, x1 = sorted((rect[0], rect[2]))
            y0, y1 = sorted((rect[1], rect[3]))
            if x0 < area[2] and x1 > area[0] and y0 < area[3] and y1 > area[1]:
                total += 1
                target = annot.get("/A")
                uri = str(target.get("/URI", "")) if isinstance(target, pikepdf.Dictionary) else ""
                faults.append(f"page {number}: {subtype[1:] or 'annotation'} annotation at "
                              f"[{x0:.0f} {y0:.0f} {x1:.0f} {y1:.0f}]" + (f" ({uri})" if uri else ""))
    limit = "no annotation inside the BleedBox except printer's marks and trap networks"
    return Check("annotations", not faults, {"inside_bleed_box": total}, limit, _summarise(faults))


def run_preflight(pdf: Path, profile: PrinterProfile, layout: Sequence[PageFacts] | None = None) -> PreflightReport:
    """Check the finished PDF at ``pdf`` against ``profile``; never modifies the file.

    ``layout`` is what each laid-out page holds (``folio.pagequality.page_facts``); with it the
    report carries the page plan and the back-cover and blank-pages checks."""
    path = Path(pdf)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    with pikepdf.open(io.BytesIO(data)) as doc:
        walker = _Walker()
        for number, page in enumerate(doc.pages, start=1):
            walker.walk_page(number, page)
        found = walker.found
        page_count = len(doc.pages)
        intent_check, intent_text = _check_output_intent(doc)
        rgb_faults = _summarise(found.rgb)
        multiple = max(profile.page_multiple, 1)
        short = (-page_count) % multiple
        page_faults = (
            [f"document: {page_count} pages; add {short} blank page(s) to reach {page_count + short}, a multiple of {multiple}"]
            if short
            else []
        )
        checks = [
            _check_pdfx(doc, profile),
            intent_check,
            _check_page_boxes(doc, profile),
            Check("no-rgb", not found.rgb, len(found.rgb), 0, rgb_faults),
            _check_ink(found, profile),
            _check_fonts(found),
            _check_images(found, profile),
            Check("page-multiple", not short, page_count, multiple, page_faults),
            _check_transparency(found, profile),
            _check_lines(found, profile),
            _check_annotations(doc),
            _check_small_type(found, profile),
        ]
        plan: list[PlanPage] = []
        if layout is not None:
            drawn = [_paints(page) for page in doc.pages]
            plan, plan_checks = page_plan(drawn, list(layout), profile)
            checks += plan_checks
        version = str(doc.pdf_version)
    return PreflightReport(
        file=path.name,
        profile=profile,
        checks=checks,
        sha256=digest,
        page_count=page_count,
        output_intent=intent_text,
        pdf_version=version,
        plan=plan,
    )


def _paints(page: pikepdf.Page) -> bool:
    """Whether the page's content draws anything at all (text, an image, a path, a shading)."""
    try:
        ops = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return True      # unreadable content: not provably blank
    return any(str(instruction.operator) in _PAINT_OPS for instruction in ops)


def _place(number: int, count: int, self_cover: bool) -> str:
    if not self_cover:
        return "first page" if number == 1 else ("last page" if number == count else "interior")
    return {1: "outside front cover", 2: "inside front cover", count - 1: "inside back cover",
            count: "outside back cover"}.get(number, "interior")


def page_plan(drawn: Sequence[bool], layout: Sequence[PageFacts], profile: PrinterProfile) -> tuple[list[PlanPage], list[Check]]:
    """The page plan for the binding, and its two checks (back-cover, blank-pages).

    ``drawn[i]`` says whether the PDF paints anything on page i+1 (the truth for blanks);
    ``layout[i]`` is what the layout put there (named page, padding, back cover, chapter)."""
    count = len(drawn)
    facts = {f.number: f for f in layout}
    multiple = max(profile.page_multiple, 1)
    plan: list[PlanPage] = []
    blank_faults: list[str] = []
    padding = [n for n in range(1, count + 1) if n in facts and facts[n].name == "pad"]
    last_content = count - 1 if profile.self_cover else count     # padding must end here
    for n in range(1, count + 1):
        f = facts.get(n)
        blank = not drawn[n - 1]
        place = _place(n, count, profile.self_cover)
        allowed = True
        if f is None:
            holds = "a page the layout does not know (added after layout)"
            allowed = not blank
        elif f.name == "pad":
            holds = f"padding to a multiple of {multiple} pages"
            if not blank:
                allowed = False
                blank_faults.append(f"page {n}: a padding page, but the PDF draws on it")
        elif blank:
            nxt = facts.get(n + 1)
            if f.blank:
                why = (f"left blank so that '{nxt.chapter}' starts on a right-hand page (break-before: right)"
                       if nxt is not None and nxt.chapter else "left blank by a forced break to a right- or left-hand page")
            else:
                why = "nothing drawn on it"
            holds = f"blank: {why}"
            allowed = False
            blank_faults.append(f"page {n}: blank, {why}; the binding needs no blank page here")
        elif f.back_cover:
            holds = "the designed back cover" + (f", with {f.running_text} lines of running text" if f.running_text else "")
        elif f.name == "cover":
            holds = "the front cover"
        else:
            extras = [f"{f.lines} lines"] + (["running head"] if any(m.startswith("@top") for m in f.margin) else []) + (
                ["page number"] if any(m.startswith("@bottom") for m in f.margin) else [])
            holds = (f"text of '{f.chapter}'" if f.chapter else "text") + f" ({', '.join(extras)})"
        plan.append(PlanPage(n, place, holds, blank, allowed))
    # The padding: fewer than a multiple, together, right before the back cover (or at the end).
    if len(padding) >= multiple:
        blank_faults.append(f"document: {len(padding)} padding pages; fewer than {multiple} reach any multiple of {multiple}")
    if padding and padding != list(range(last_content - len(padding) + 1, last_content + 1)):
        where = "just before the outside back cover" if profile.self_cover else "at the end"
        blank_faults.append(f"pages {', '.join(map(str, padding))}: padding, but not all together {where}")
        for p in padding:
            plan[p - 1] = replace(plan[p - 1], allowed=False)
    blanks = [p.number for p in plan if p.blank]
    checks = [
        _check_back_cover(plan, facts, count, profile),
        Check("blank-pages", not blank_faults,
              {"blank": len(blanks), "padding": len(padding), "pages": ", ".join(map(str, blanks)) or "none"},
              f"only padding to a multiple of {multiple} ({multiple - 1} pages at most), "
              + ("just before the outside back cover" if profile.self_cover else "at the end"),
              _summarise(blank_faults)),
    ]
    return plan, checks


def _check_back_cover(plan: list[PlanPage], facts: dict[int, PageFacts], count: int, profile: PrinterProfile) -> Check:
    limit = "the last page is the designed back cover (class 'back-cover'), with no running text, head or page number"
    if not profile.self_cover:
        return Check("back-cover", True, f"not required: a {profile.binding} binding has a separate cover", limit, [])
    last = facts.get(count)
    faults: list[str] = []
    if last is None:
        faults.append(f"page {count}: the layout does not know this page")
        measured = "unknown"
    elif not last.back_cover:
        what = ("a padding page" if last.name == "pad" else "blank" if plan[-1].blank
                else f"running text of '{last.chapter}' ({last.lines} lines)" if last.lines else "no back cover")
        faults.append(f"page {count}: the outside back cover is {what}, not the designed back cover "
                      "(no element of class 'back-cover' is on it)")
        measured = what
    else:
        measured = "the designed back cover"
        if last.running_text:
            faults.append(f"page {count}: the back cover also carries {last.running_text} lines of running text")
        if last.margin:
            faults.append(f"page {count}: the back cover carries a running head or page number ({', '.join(last.margin)})")
    elsewhere = [n for n, f in facts.items() if f.back_cover and n != count]
    if elsewhere:
        faults.append(f"page {elsewhere[0]}: the back cover is laid out here, not on the last page ({count})")
    if faults:
        plan[-1] = replace(plan[-1], allowed=False)
    return Check("back-cover", not faults, measured, limit, faults)


# --------------------------------------------------------------------------------------------
# Output


def _jsonable(value: object) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def report_name(stem: str) -> str:
    """The file name of the preflight report (HTML) on the output named ``stem``, beside it in output/
    and in the build folder while it is staged."""
    return f"{stem}-preflight.html"


def write_json(report: PreflightReport, path: Path) -> None:
    """Write the machine-readable report (UTF-8, sorted checks as run, 2-space indent)."""
    text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    Path(path).write_text(text + "\n", encoding="utf-8")


_TITLES = {
    "pdfx-version": "PDF/X version",
    "output-intent": "Output intent (press condition)",
    "page-boxes": "Trim and bleed",
    "no-rgb": "No RGB colour",
    "total-ink": "Total ink coverage",
    "fonts-embedded": "Fonts embedded",
    "image-resolution": "Image resolution",
    "page-multiple": "Page count",
    "transparency": "Transparency",
    "line-width": "Thinnest line",
    "annotations": "No annotations in the printed area",
    "back-cover": "Outside back cover",
    "blank-pages": "Blank pages",
}

_EXPLAIN = {
    "pdfx-version": "The file declares the PDF/X standard the printer asked for.",
    "output-intent": "The file names the printing condition and carries its CMYK ICC profile.",
    "page-boxes": "Every page has the agreed trimmed size and enough bleed beyond it.",
    "no-rgb": "All colour is CMYK, so nothing is converted unpredictably at the press.",
    "total-ink": "The four inks together stay under the limit, so ink dries and does not set off.",
    "fonts-embedded": "Every font is inside the file, so the text prints as designed.",
    "image-resolution": "Each picture has enough pixels for its printed size.",
    "page-multiple": "The page count suits the binding, including any blank pages.",
    "transparency": "Transparency is allowed, or there is none to flatten.",
    "line-width": "Lines are thick enough to print reliably.",
    "annotations": "No link or other annotation lies inside the bleed box; web addresses are printed instead.",
    "back-cover": "In a self-cover booklet the last page is the outside back cover: it must be the designed cover, not a text page.",
    "blank-pages": "Blank pages appear only where the binding needs them: the padding to the page multiple.",
}

_UNITS = {
    "total-ink": " %",
    "image-resolution": " ppi",
    "line-width": " pt",
    "no-rgb": " RGB use(s)",
    "page-multiple": " pages",
}


def _display(value: object, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}{unit}"
    if isinstance(value, int):
        return f"{value}{unit}"
    if isinstance(value, dict):
        items = list(value.items())
        if len(items) == 2 and items[1][0] == "at":
            main, at = items[0][1], items[1][1]
            shown = _display(main, unit)
            return shown if main is None else f"{shown} ({at})"
        return "; ".join(f"{_label(str(k))}: {_display(v)}" for k, v in items)
    if isinstance(value, (list, tuple)):
        return "; ".join(_display(v) for v in value) or "—"
    return str(value)


def _label(key: str) -> str:
    return key.replace("_", " ") if key.isidentifier() and key.islower() else key


_CSS = """
@page { size: A4 landscape; margin: 12mm; }
body { font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff;
       max-width: 72rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
.verdict { font-size: 1.3rem; font-weight: 700; padding: .75rem 1rem; border: 3px solid;
           border-radius: 4px; }
.ok { color: #0b5d1e; border-color: #0b5d1e; background: #eef7f0; }
.bad { color: #8a1010; border-color: #8a1010; background: #fbeeee; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 700; }
dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; table-layout: fixed; }
col.c-check { width: 20%; } col.c-result { width: 8%; } col.c-measured { width: 24%; }
col.c-limit { width: 20%; } col.c-fault { width: 28%; }
td, th { overflow-wrap: anywhere; }
caption { text-align: left; font-weight: 700; font-size: 1.2rem; padding-bottom: .5rem; }
th, td { border: 1px solid #595959; padding: .4rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
td.result { font-weight: 700; white-space: nowrap; }
table.plan { table-layout: auto; }
table.plan th, table.plan td { overflow-wrap: normal; }
tr.fault td, tr.fault th { background: #fbeeee; color: #8a1010; font-weight: 700; }
ul { margin: 0; padding-left: 1.2rem; }
code { font-family: ui-monospace, monospace; font-size: .95em; }
.note { color: #404040; font-size: .95rem; font-weight: 400; }
th .note { display: block; margin-top: .25rem; }
"""


def _plan_html(report: PreflightReport) -> str:
    """The page plan: each page's place in the binding and what it holds; faults marked."""
    esc = html.escape
    prof = report.profile
    if not report.plan:
        return "<h2>Page plan</h2><p>Not available: the PDF was checked without its laid-out pages.</p>"
    cover = ("Self-cover: page 1 is the outside front cover and the last page the outside back cover, printed on the "
             "same sheets as the text." if prof.self_cover else f"A {prof.binding} binding: the cover is printed separately.")
    blanks = [p.number for p in report.plan if p.blank]
    rows = "".join(
        f'<tr class="{"planned" if p.allowed else "fault"}"><th scope="row">{p.number}</th><td>{esc(p.place)}</td>'
        f'<td>{esc(p.holds)}</td><td>{"yes" if p.blank else "no"}</td><td>{"yes" if p.allowed else "FAULT"}</td></tr>'
        for p in report.plan)
    return (f"<h2>Page plan</h2><p>{esc(cover)} {len(report.plan)} pages, in multiples of {prof.page_multiple}; "
            f"blank pages: {esc(', '.join(map(str, blanks)) or 'none')}.</p>"
            '<table class="plan"><caption>Pages in binding order</caption>'
            '<thead><tr><th scope="col">Page</th><th scope="col">Place</th><th scope="col">Holds</th>'
            f'<th scope="col">Blank</th><th scope="col">As the binding needs</th></tr></thead><tbody>{rows}</tbody></table>')


def _check_row(check: Check) -> str:
    """One check's row of the report's table: title and explanation, result, measure, limit, faults."""
    esc = html.escape
    unit = _UNITS.get(check.name, "")
    limit = _display(check.limit, unit)
    if check.name == "page-multiple":
        limit = f"a multiple of {check.limit}"
    result = "Pass" if check.passed else "FAIL"
    if check.at_fault:
        faults = "<ul>" + "".join(f"<li>{esc(f)}</li>" for f in check.at_fault) + "</ul>"
    else:
        faults = "None"
    return (
        "<tr>"
        f'<th scope="row">{esc(_TITLES.get(check.name, check.name))}<br>'
        f'<code>{esc(check.name)}</code><span class="note">'
        f"{esc(_EXPLAIN.get(check.name, ''))}</span></th>"
        f'<td class="result {"ok" if check.passed else "bad"}">{result}</td>'
        f"<td>{esc(_display(check.measured, unit))}</td>"
        f"<td>{esc(limit)}</td>"
        f"<td>{faults}</td>"
        "</tr>"
    )


def _file_facts(report: PreflightReport) -> list[tuple[str, str]]:
    """The file and the printer profile it was checked against, as term and description."""
    prof = report.profile
    trim = f"{prof.trim_mm[0]:g} × {prof.trim_mm[1]:g} mm"
    return [
        ("File", report.file),
        ("SHA-256", report.sha256),
        ("Pages", str(report.page_count)),
        ("PDF version", report.pdf_version),
        ("Trim size", trim),
        ("Bleed", f"{prof.bleed_mm:g} mm each side"),
        ("Output intent", report.output_intent or "none"),
        (
            "Printer profile",
            f"{prof.pdfx_version}, {prof.binding}, pages in multiples of {prof.page_multiple}, "
            f"total ink ≤ {prof.max_ink_percent:g} %, images ≥ {prof.min_image_ppi:g} ppi, "
            f"lines ≥ {prof.min_line_width_pt:g} pt, transparency "
            f"{'allowed' if prof.allow_transparency else 'not allowed'}, crop marks "
            f"{'required' if prof.crop_marks else 'not required'}",
        ),
    ]


def write_html(report: PreflightReport, path: Path) -> None:
    """Write a self-contained, accessible HTML report for the print buyer and the printer."""
    esc = html.escape
    verdict = "PASSED" if report.passed else "FAILED"
    failed = [c for c in report.checks if not c.passed]
    summary = (
        f"All {len(report.checks)} checks passed: this file meets the printer profile."
        if report.passed
        else f"{len(failed)} of {len(report.checks)} checks failed: "
        + ", ".join(_TITLES.get(c.name, c.name) for c in failed)
        + ". Do not send this file to press until they are fixed."
    )
    rows = [_check_row(check) for check in report.checks]
    facts = _file_facts(report)
    fact_html = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    plan_html = _plan_html(report)
    document = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Preflight {esc(verdict)}: {esc(report.file)}</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<h1>Preflight report: {esc(report.file)}</h1>
<p class="verdict {"ok" if report.passed else "bad"}" role="status">Result: {verdict}</p>
<p>{esc(summary)}</p>
<h2>The file</h2>
<dl>{fact_html}</dl>
<table>
<caption>Checks ({len(report.checks)})</caption>
<colgroup><col class="c-check"><col class="c-result"><col class="c-measured"><col class="c-limit">
<col class="c-fault"></colgroup>
<thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Measured</th>
<th scope="col">Limit</th><th scope="col">At fault</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
{plan_html}
<p class="note">Checked from the finished PDF itself. Compare the SHA-256 above with the file you
received to be sure this report belongs to it.</p>
</main>
</body>
</html>
"""
    Path(path).write_text(document, encoding="utf-8")
