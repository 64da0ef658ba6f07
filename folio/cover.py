"""A raster (PNG) copy of the EPUB cover, drawn with Pillow from ``layouts/cover.svg.j2``.

Retailers and many reading systems expect a JPEG or PNG cover. The SVG stays the one design
source: this reads its ``<rect>`` and ``<text>`` elements (the only ones it uses; anything else
is an error, so a change to the design cannot be dropped silently) and paints them with the
font files book.yaml names for it (the EPUB's ``cover_fonts``, each used for the weight its OS/2
table gives), so no system font is involved. Same SVG, same PNG bytes.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

_SVG = "{http://www.w3.org/2000/svg}"


def _float(el: ET.Element, name: str, default: float = 0.0) -> float:
    value = el.get(name)
    return float(value) if value is not None else default


def _colour(value: str) -> tuple[int, int, int]:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        raise ValueError(f"cover: colour {value!r} is not #rrggbb")
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def by_weight(files: Sequence[Path]) -> dict[int, Path]:
    """Font files by the weight each declares (OS/2 usWeightClass)."""
    from fontTools.ttLib import TTFont

    return {int(TTFont(str(f), lazy=True)["OS/2"].usWeightClass): f for f in files}


def rasterise(svg: str, font_files: Sequence[Path]) -> bytes:
    """The cover SVG as PNG bytes, at the pixel size of its width and height attributes, its text
    painted with ``font_files`` (one per weight it uses)."""
    weights = by_weight(font_files)
    root = ET.fromstring(svg)
    width, height = int(_float(root, "width")), int(_float(root, "height"))
    box = [float(v) for v in (root.get("viewBox") or f"0 0 {width} {height}").split()]
    scale = width / box[2]
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    fonts: dict[tuple[int, float], ImageFont.FreeTypeFont] = {}

    def paint(el: ET.Element, inherited: dict[str, str]) -> None:
        style = {**inherited, **{k: v for k, v in el.attrib.items() if k in (
            "fill", "font-size", "font-weight", "letter-spacing", "font-family")}}
        tag = el.tag.removeprefix(_SVG)
        if tag == "rect":
            x, y = _float(el, "x") * scale, _float(el, "y") * scale
            w, h = _float(el, "width") * scale, _float(el, "height") * scale
            draw.rectangle((round(x), round(y), round(x + w) - 1, round(y + h) - 1), fill=_colour(style["fill"]))
        elif tag == "text":
            size = float(style.get("font-size", "16")) * scale
            weight = int(style.get("font-weight", "400"))
            key = (weight, size)
            if key not in fonts:
                if weight not in weights:
                    raise ValueError(f"cover: no font file of weight {weight} (book.yaml: the EPUB's cover_fonts)")
                fonts[key] = ImageFont.truetype(str(weights[weight]), size)
            font = fonts[key]
            spacing = float(style.get("letter-spacing", "0")) * scale
            x, y = _float(el, "x") * scale, _float(el, "y") * scale
            text = el.text or ""
            if spacing:
                for ch in text:
                    draw.text((x, y), ch, font=font, fill=_colour(style["fill"]), anchor="ls")
                    x += font.getlength(ch) + spacing
            else:
                draw.text((x, y), text, font=font, fill=_colour(style["fill"]), anchor="ls")
        elif tag == "g":
            for child in el:
                paint(child, style)
        elif tag not in ("title", "desc"):
            raise ValueError(f"cover: <{tag}> cannot be rasterised; the cover may use only rect, text and g")

    for child in root:
        paint(child, {})
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


# --- Theme icons ---------------------------------------------------------------------------
# One line drawing per theme of the palette in the book's assets/icons/<theme>.svg, stroked in
# ``currentColor``. The layouts place them as CSS backgrounds in the edition's own colour (sRGB, or
# device-cmyk() for press), so they are decoration, never content: the text beside them names it.


def icon_svg(theme: str, colour: str, icons: Path) -> str:
    """The icon for ``theme`` with every stroke and fill in ``colour``."""
    path = icons / f"{theme}.svg"
    if not path.is_file():
        raise ValueError(f"assets/icons/{theme}.svg: no icon for the theme '{theme}'")
    return path.read_text(encoding="utf-8").replace("currentColor", colour).strip()


def icon_uri(theme: str, colour: str, icons: Path) -> str:
    """The icon as a ``data:`` URL, for ``background-image: url(...)`` in a stylesheet."""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(icon_svg(theme, colour, icons).encode("utf-8")).decode("ascii")
