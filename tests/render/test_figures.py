"""Tests for folio.figures: data files, SVG structure, colours, legibility and determinism."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio.figures import (
    load_figure_specs,
    write_figures,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "assets" / "data" / "figures"
FONT = "Inter"


# --------------------------------------------------------------------------- data files


# --------------------------------------------------------------------------- SVG


# --------------------------------------------------------------------------- bad data


# --------------------------------------------------------------------------- print


def test_device_cmyk_reaches_the_pdf_as_cmyk(tmp_path: Path) -> None:
    """The press edition's colour strings survive WeasyPrint as DeviceCMYK, never as RGB."""
    weasyprint = pytest.importorskip("weasyprint")
    pikepdf = pytest.importorskip("pikepdf")

    def cmyk(key: str) -> str:
        return "device-cmyk(0 0 0 0)" if key == "paper" else "device-cmyk(0.64 0.85 0 0.2)"

    written = write_figures(load_figure_specs(DATA), tmp_path, cmyk, FONT)
    html = "".join(f'<p><img src="{p.name}" style="width: 150mm"></p>' for p in written.values())
    page_css = "@page { size: A4; margin: 10mm } p { margin: 0 }"
    pdf_path = tmp_path / "figures.pdf"
    document = weasyprint.HTML(string=f"<html><body>{html}</body></html>", base_url=f"{tmp_path}/")
    document.write_pdf(pdf_path, stylesheets=[weasyprint.CSS(string=page_css)], pdf_variant="pdf/x-4")
    operators: list[str] = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            streams = [page.obj]
            resources = page.obj.get("/Resources")
            xobjects = resources.get("/XObject", {}) if resources is not None else {}
            streams += [x for x in xobjects.values() if x.get("/Subtype") == "/Form"]
            for stream in streams:
                content = page if stream is page.obj else stream
                for instruction in pikepdf.parse_content_stream(content):
                    operators.append(str(instruction.operator))
                    if str(instruction.operator) in ("cs", "CS"):
                        assert str(instruction.operands[0]) == "/DeviceCMYK"
    assert "scn" in operators and "SCN" in operators  # fills and strokes, both CMYK
    assert not {"rg", "RG", "g", "G"} & set(operators)


