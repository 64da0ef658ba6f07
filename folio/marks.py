"""Crop marks for the press PDF, drawn by us outside the bleed in registration colour.

WeasyPrint's own ``marks: crop`` are DeviceRGB and sit inside the bleed, where they would be
printed on trimmed pages. Here each page's MediaBox grows to make room, and eight short marks
are drawn in the Separation ``All`` colour (registration: every plate), starting a little
beyond the bleed edge so no mark reaches the bleed area. TrimBox and BleedBox stay as they are.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

MM = 72 / 25.4
MARK_LENGTH_MM = 5.0
MARK_GAP_MM = 2.0          # between the bleed edge and the start of each mark
MARK_WIDTH_PT = 0.3


def _registration(pdf: pikepdf.Pdf) -> pikepdf.Array:
    tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1)
    return pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK, pdf.make_indirect(tint)])


def add_crop_marks(path: Path, bleed_mm: float) -> None:
    """Rewrite ``path`` in place (it is still a temporary file) with crop marks on every page."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        colour = pdf.make_indirect(_registration(pdf))
        outer = (bleed_mm + MARK_GAP_MM + MARK_LENGTH_MM) * MM
        near, far = (bleed_mm + MARK_GAP_MM) * MM, outer
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.obj.TrimBox)
            page.obj.MediaBox = pikepdf.Array([x0 - outer, y0 - outer, x1 + outer, y1 + outer])
            if pikepdf.Name.Resources not in page.obj:
                page.obj.Resources = pikepdf.Dictionary()
            resources = page.obj.Resources
            if pikepdf.Name.ColorSpace not in resources:
                resources.ColorSpace = pikepdf.Dictionary()
            resources.ColorSpace[pikepdf.Name("/FolioRegistration")] = colour
            lines = []
            for x in (x0, x1):
                lines += [(x, y0 - far, x, y0 - near), (x, y1 + near, x, y1 + far)]
            for y in (y0, y1):
                lines += [(x0 - far, y, x0 - near, y), (x1 + near, y, x1 + far, y)]
            ops = [f"q /FolioRegistration CS 1 SCN {MARK_WIDTH_PT} w 0 J"]
            ops += [f"{a:.3f} {b:.3f} m {c:.3f} {d:.3f} l S" for a, b, c, d in lines]
            ops.append("Q")
            page.contents_add(pdf.make_stream("\n".join(ops).encode("ascii")), prepend=False)
        pdf.save(path, deterministic_id=True)
