"""Reading finished PDFs: the one content-stream interpreter, and the readers the judges share.

The accessibility audit (``folio.audit``), the press preflight (``folio.preflight``) and the tagging
pass (``folio.pdftags``) all read what WeasyPrint wrote with pikepdf. What they have in common is
here, once:

- ``instructions`` parses a content stream; ``interpret`` runs it: ``q`` and ``Q`` save and
  restore the graphics state (a copy, so the judge's own fields are restored too), ``cm``
  multiplies its current transformation matrix, and every other operator goes to the judge's
  handler with the state current at that point. An unmatched ``Q`` leaves the state as it is.
  Inline images go to their own handler. Form XObjects, patterns and annotation appearances are
  the judge's to follow (the preflight follows them; the audit reads page content only);
- the matrices (PDF's row-vector convention), operand numbers, inherited page attributes and
  the object and name helpers;
- fonts: the ``/ToUnicode`` CMap of each font, so text can be decoded from its character codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import pikepdf

__all__ = [
    "IDENTITY", "Font", "GraphicsState", "Matrix", "dict_get", "inherited", "instructions", "interpret",
    "load_font", "matrix", "mul", "name_of", "num", "obj_key", "page_fonts",
]

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def mul(m: Matrix, n: Matrix) -> Matrix:
    """m x n in PDF's row-vector convention (``cm`` m gives CTM' = m x CTM)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


def num(obj: object, default: float = 0.0) -> float:
    """An operand or dictionary value as a number; ``default`` when it is not one."""
    try:
        return float(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def matrix(obj: object) -> Matrix:
    """A six-number array as a matrix; the identity for anything else."""
    if isinstance(obj, pikepdf.Array) and len(obj) == 6:
        a, b, c, d, e, f = (num(v) for v in obj)
        return (a, b, c, d, e, f)
    return IDENTITY


def obj_key(obj: pikepdf.Object) -> tuple[int, int] | None:
    """Object number and generation, or None for a direct object (which has no identity)."""
    objgen: tuple[int, int] = obj.objgen
    return objgen if objgen != (0, 0) else None


def name_of(obj: object) -> str:
    """A name object as text (``/Image``); "" for anything else."""
    return str(obj) if isinstance(obj, pikepdf.Name) else ""


def dict_get(obj: object, key: str) -> Any:
    """``obj[key]`` for a dictionary or a stream's dictionary; None for anything else."""
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        return obj.get(key)
    return None


def inherited(page: pikepdf.Object, key: str) -> Any:
    """A page attribute (``/Resources``, ``/MediaBox`` ...), from the page or the nearest page-tree
    node above it that has it."""
    node: Any = page
    for _ in range(64):
        if not isinstance(node, pikepdf.Dictionary):
            return None
        if key in node:
            return node.get(key)
        node = node.get("/Parent")
    return None


# --------------------------------------------------------------------------------------------
# The interpreter
# --------------------------------------------------------------------------------------------


@dataclass
class GraphicsState:
    """What ``q`` saves and ``Q`` restores; a judge subclasses it with the fields it follows."""
    ctm: Matrix = IDENTITY


State = TypeVar("State", bound=GraphicsState)


def instructions(content: pikepdf.Page | pikepdf.Object) -> list[Any]:
    """The instructions of a page's content or of a content stream (a form, a pattern, an
    appearance); raises ``pikepdf.PdfError`` when they cannot be parsed."""
    return list(pikepdf.parse_content_stream(content))


def interpret(program: Iterable[Any], gs: State, operator: Callable[[State, str, list[Any]], None],
              inline_image: Callable[[State, Any], None] | None = None) -> None:
    """Run ``program`` (from ``instructions``) from the graphics state ``gs`` (changed in place
    until the first ``q``): ``operator(gs, op, operands)`` for every operator but q, Q and cm."""
    saved: list[State] = []
    for instruction in program:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            if inline_image is not None:
                inline_image(gs, instruction.iimage)
            continue
        op = str(instruction.operator)
        if op == "q":
            saved.append(replace(gs))
        elif op == "Q":
            if saved:
                gs = saved.pop()
        elif op == "cm" and len(instruction.operands) == 6:
            a, b, c, d, e, f = (num(v) for v in instruction.operands)
            gs.ctm = mul((a, b, c, d, e, f), gs.ctm)
        else:
            operator(gs, op, list(instruction.operands))


# --------------------------------------------------------------------------------------------
# Fonts: character codes to text
# --------------------------------------------------------------------------------------------


@dataclass
class Font:
    width: int                                   # bytes per character code
    to_unicode: dict[int, str] = field(default_factory=dict)

    def decode(self, data: bytes) -> tuple[str, int]:
        """Text and the number of codes in ``data``."""
        w = self.width
        count = len(data) // w
        if not self.to_unicode:
            return (data.decode("latin-1") if w == 1 else "\ufffd" * count), count
        if w == 1:
            return "".join(self.to_unicode.get(b, chr(b)) for b in data), count
        m = self.to_unicode
        return "".join(m.get((data[i] << 8) | data[i + 1], "\ufffd") for i in range(0, count * 2, 2)), count


_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _utf16(hexbytes: bytes) -> str:
    raw = bytes.fromhex(hexbytes.decode("ascii"))
    if len(raw) % 2:
        return raw.decode("latin-1")
    return raw.decode("utf-16-be", "replace")


def _parse_cmap(data: bytes) -> tuple[dict[int, str], int]:
    mapping: dict[int, str] = {}
    width = 0
    for block in re.findall(rb"begincodespacerange(.*?)endcodespacerange", data, re.S):
        codes = _HEX.findall(block)
        if codes:
            width = max(width, len(codes[0]) // 2)
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        items = _HEX.findall(block)
        for src, dst in zip(items[::2], items[1::2], strict=False):
            mapping[int(src, 16)] = _utf16(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for m in re.finditer(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block):
            lo, hi, dst = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            if hi - lo > 65535:
                continue
            if dst.startswith(b"["):
                for i, item in enumerate(_HEX.findall(dst)):
                    mapping[lo + i] = _utf16(item)
            else:
                start = _utf16(dst[1:-1])
                if not start:
                    continue
                for i in range(hi - lo + 1):
                    mapping[lo + i] = start[:-1] + chr(ord(start[-1]) + i)
    return mapping, width


def load_font(font: pikepdf.Object) -> Font:
    """A font's code width and ``/ToUnicode`` map (none when it has no readable map)."""
    subtype = str(font.get("/Subtype", ""))
    width = 2 if subtype == "/Type0" else 1
    mapping: dict[int, str] = {}
    tu = font.get("/ToUnicode")
    if isinstance(tu, pikepdf.Stream):
        try:
            mapping, cmap_width = _parse_cmap(tu.read_bytes())
        except (pikepdf.PdfError, ValueError):
            mapping, cmap_width = {}, 0
        if subtype == "/Type0" and cmap_width:
            width = cmap_width
    return Font(width, mapping)


def page_fonts(page: pikepdf.Page, cache: dict[tuple[int, int], Font]) -> dict[str, Font]:
    """Resource name (``/F1``) -> font, for the fonts of a page's own ``/Resources``; each font is
    loaded once per ``cache`` (WeasyPrint shares them between pages)."""
    resources = page.obj.get("/Resources")
    font_dict = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    local: dict[str, Font] = {}
    if isinstance(font_dict, pikepdf.Dictionary):
        for name, font_obj in font_dict.items():
            key = font_obj.objgen if font_obj.is_indirect else (id(font_obj), 0)
            if key not in cache:
                cache[key] = load_font(font_obj)
            local[name] = cache[key]
    return local
