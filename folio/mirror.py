"""Mirrored margins for a bound press PDF (design review D5).

The member and press grids are a 120 mm text column with a 44 mm side column on its right, and
wide blocks (figures, tables, key facts) across both. In a bound booklet the side column belongs on
the outside of each page: on the right of a recto, on the left of a verso. WeasyPrint cannot place
a block by the side of the page it lands on (``float: outside`` is not supported, and a block's
width is fixed before it is paginated), so the press edition is laid out as rectos and then each
verso is mirrored after layout:

- the text column, its notes and the page's running heads and folio move to the inside (right);
- a block that runs across both columns stays where it is, so it now spans the outer column;
- a side-column float (a pull quote) moves to the outer column on the left.

Only positions change: every line keeps its breaks, and the page count is the same. WeasyPrint
places each box's background (tints, panels, cards) when it lays out the page, so a mirrored page's
backgrounds are placed again after the move (``_place_backgrounds``), from the images already loaded.
"""

from __future__ import annotations

from typing import Any

MM = 96 / 25.4          # CSS px per millimetre (WeasyPrint lays out in CSS px)
SLACK = 0.5 * MM        # rounding in the layout


def _span(box: Any) -> tuple[float, float]:
    x = float(box.position_x) + float(box.margin_left or 0)
    return x, x + float(box.border_width())


def _has_wide(box: Any, left: float, right: float) -> bool:
    """Whether anything inside ``box`` reaches past the text column (``left``..``right``)."""
    for child in box.all_children() if hasattr(box, "all_children") else ():
        if not hasattr(child, "border_width"):
            continue
        x0, x1 = _span(child)
        if x0 < left - SLACK or x1 > right + SLACK or _has_wide(child, left, right):
            return True
    return False


def _place(box: Any, left: float, right: float, centre: float) -> None:
    """Mirror ``box`` about the page's ``centre`` for a verso. A box inside the text column
    (``left``..``right``) moves with the column, so indents inside it are kept; a side-column box
    (a pull quote) and a box across both columns are each mirrored whole; a container of both kinds
    moves only itself and then places each child."""
    if not hasattr(box, "border_width"):
        return
    x0, x1 = _span(box)
    if x0 >= right - SLACK or x0 < left - SLACK or x1 > right + SLACK:
        box.translate(dx=2 * centre - x0 - x1)           # side column, or across both, or full bleed
    elif not _has_wide(box, left, right):
        box.translate(dx=2 * centre - left - right)
    else:
        box.position_x += 2 * centre - left - right
        for child in box.all_children():
            _place(child, left, right, centre)


def _boxes(box: Any) -> list[Any]:
    out = [box]
    for child in box.all_children() if hasattr(box, "all_children") else ():
        out += _boxes(child)
    return out


def _place_backgrounds(page_box: Any) -> None:
    """Place the page's backgrounds again where their boxes now are. The images are those of the
    first layout (no file is read again); a box whose background WeasyPrint gave to the page's canvas
    (the root's or body's) keeps none of its own."""
    from weasyprint.draw.color import get_color
    from weasyprint.layout.background import layout_box_backgrounds

    images: dict[str, Any] = {}
    canvas_owners = []
    inner = [b for child in page_box.children for b in _boxes(child)]
    for b in inner:
        style = b.style
        if b.background is not None:
            for (kind, value), layer in zip(style["background_image"], b.background.layers, strict=False):
                if kind == "url":
                    images[value] = layer.image
        elif get_color(style, "background_color").alpha > 0 or any(k == "url" for k, _ in style["background_image"]):
            canvas_owners.append(b)
        for attr, key in (("border_image", "border_image_source"), ("mask_border_image", "mask_border_source")):
            kind, value = style[key]
            if kind == "url":
                images[value] = getattr(b, attr, None)

    def loaded(url: str, orientation: Any = None) -> Any:
        return images.get(url)

    for child in page_box.children:
        layout_box_backgrounds(page_box, child, loaded)
    for b in canvas_owners:
        b.background = None


def mirror_versos(document: Any, skip_pages: tuple[str, ...] = ("cover", "pad")) -> int:
    """Mirror the grid of each verso of a laid-out WeasyPrint ``document`` (laid out as rectos:
    text column on the inside, side column on the outside) so that its side column is on the
    outside too; the running heads and folio follow the text column. Pages named in
    ``skip_pages`` (covers, padding) and blank pages stay. Returns how many pages were mirrored."""
    done = 0
    for page in document.pages:
        box = page._page_box
        if box.page_type.side != "left" or box.page_type.name in skip_pages or box.page_type.blank:
            continue
        left = float(box.content_box_x())
        right = left + float(box.width)
        centre = float(box.position_x) + float(box.margin_width()) / 2
        for child in box.children:
            if type(child).__name__ == "MarginBox":
                child.translate(dx=2 * centre - left - right)
            else:
                _place(child, left, right, centre)
        _place_backgrounds(box)
        done += 1
    return done
