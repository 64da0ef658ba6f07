"""sRGB to press CMYK through the generated FOGRA39 profile, and what WeasyPrint does with it."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from folio.colour import css_device_cmyk, rgb_to_cmyk

REPO = Path(__file__).resolve().parents[2]
ICC = REPO / "assets" / "icc" / "coated-fogra39-argyll.icc"


# ------------------------------------------------------------------------------------------
# The profile itself


# ------------------------------------------------------------------------------------------
# rgb_to_cmyk


# ------------------------------------------------------------------------------------------
# css_device_cmyk


def test_weasyprint_writes_device_cmyk_exactly_with_a_fogra39_output_intent() -> None:
    """The recipe in folio/colour.py's docstring, checked against WeasyPrint 70 itself."""
    from weasyprint import HTML

    cmyk = rgb_to_cmyk("#14213D", ICC)
    css = (
        f"@color-profile device-cmyk {{ src: url({ICC.as_uri()}); "
        "components: cyan, magenta, yellow, black }"
        f"@page {{ size: 210mm 297mm; bleed: 3mm }} html {{ color: {css_device_cmyk(cmyk)} }}"
    )
    html = f"<html lang='en-GB'><style>{css}</style><p>Digital Trends 2026</p></html>"
    data = HTML(string=html).write_pdf(pdf_variant="pdf/x-4")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1
        assert intents[0].S == "/GTS_PDFX"
        assert str(intents[0].OutputConditionIdentifier) == "FOGRA39"
        assert intents[0].DestOutputProfile.N == 4
        assert intents[0].DestOutputProfile.read_bytes() == ICC.read_bytes()
        ops = [
            (str(i.operator), [str(v) if isinstance(v, pikepdf.Name) else float(v) for v in i.operands])
            for i in pikepdf.parse_content_stream(pdf.pages[0])
            if str(i.operator) in ("cs", "scn", "rg", "RG", "k", "K")
        ]
    assert ("cs", ["/DeviceCMYK"]) in ops
    assert ("scn", list(cmyk)) in ops
    assert not any(op in ("rg", "RG") for op, _ in ops)


# ------------------------------------------------------------------------------------------
# convert_image_to_cmyk


