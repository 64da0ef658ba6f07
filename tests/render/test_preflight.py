"""Every preflight check can fail and can pass, on real finished PDFs.

WeasyPrint renders three documents once per session (a press-ready PDF/X-4, one that leaks RGB and
one plain PDF without PDF/X); each rule is then broken surgically with pikepdf on a copy of the good
file, so that each test proves one check fails, names the page, and leaves the others alone.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import zlib
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms

from folio.colour import convert_image_to_cmyk, css_device_cmyk, rgb_to_cmyk
from folio.preflight import (
    CHECK_NAMES,
    PreflightReport,
    PrinterProfile,
    run_preflight,
    write_html,
    write_json,
)

REPO = Path(__file__).resolve().parents[2]
ICC = REPO / "assets" / "icc" / "coated-fogra39-argyll.icc"
STRICT = PrinterProfile(allow_transparency=False)
DEFAULT = PrinterProfile()

PALETTE = {
    "ink": "#14213D",
    "rule": "#C9CED6",
    "tint": "#F3F5F8",
    "theme": "#00607A",
    "link": "#5B2A86",
}


# ------------------------------------------------------------------------------------------
# Fixtures: WeasyPrint renders (session scope, about half a second each)


def _press_css(with_profile: bool = True) -> str:
    c = {name: css_device_cmyk(rgb_to_cmyk(hex_, ICC)) for name, hex_ in PALETTE.items()}
    profile = (
        f"@color-profile device-cmyk {{ src: url({ICC.as_uri()}); components: cyan, magenta, yellow, black }}\n" if with_profile else ""
    )
    return (
        profile
        + f"""
@page {{ size: 210mm 297mm; bleed: 3mm; margin: 20mm }}
@page :first {{ background: {c["theme"]} }}
html {{ color: device-cmyk(0 0 0 1); font-family: sans-serif }}   /* type on one plate (small-type-plates) */
a {{ color: {c["link"]} }}
h1 {{ border-bottom: 1pt solid {c["rule"]} }}
table {{ border-collapse: collapse }}
td {{ border: 0.5pt solid {c["rule"]}; background: {c["tint"]} }}
section {{ break-after: page }}
img {{ width: 1in; height: 1in }}
"""
    )


def _html(css: str, extra: str = "", pages: int = 4) -> str:
    sections = "".join(
        f"<section id='s{i}'><h1>Chapter {i}</h1><p>Text and a <a href='#s{i}'>link</a>.</p>"
        f"<table><tr><td>a</td><td>b</td></tr></table>"
        f"<img src='photo.jpg' alt='Teal and gold test pattern'>{extra if i == 2 else ''}"
        "</section>"
        for i in range(1, pages + 1)
    )
    return (
        "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='dcterms.created' content='2026-11-25T00:00:00Z'>"
        "<meta name='dcterms.modified' content='2026-11-25T00:00:00Z'>"
        f"<title>Digital Trends 2026 preflight fixture</title><style>{css}</style></head>"
        f"<body>{sections}</body></html>"
    )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="session")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("assets")
    photo = Image.new("RGBA", (300, 300), (0, 96, 122, 255))
    for x in range(0, 300, 3):
        for y in range(150):
            photo.putpixel((x, y), (242, 183, 5, 128))
    photo.save(folder / "photo.png")
    convert_image_to_cmyk(folder / "photo.png", folder / "photo.jpg", ICC)
    Image.new("RGB", (300, 300), (200, 30, 40)).save(folder / "rgb.png")
    return folder


def _render(assets: Path, html: str, keep_annotations: bool = False, **options: object) -> tuple[bytes, list[str]]:
    """WeasyPrint's PDF, without its link annotations as the build leaves the press edition
    (folio.pdftags.strip_annotations), unless ``keep_annotations``."""
    from weasyprint import HTML

    from folio.pdftags import strip_annotations

    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        data = HTML(string=html, base_url=f"{assets}/").write_pdf(**options)
    finally:
        logger.removeHandler(handler)
    assert isinstance(data, bytes)
    if not keep_annotations:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "press.pdf"
            path.write_bytes(data)
            strip_annotations(path)
            data = path.read_bytes()
    return data, handler.messages


@pytest.fixture(scope="session")
def good_bytes(assets: Path) -> bytes:
    data, messages = _render(assets, _html(_press_css()), pdf_variant="pdf/x-4")
    assert messages == []
    return data


@pytest.fixture(scope="session")
def rgb_bytes(assets: Path) -> bytes:
    """Default link colour, an rgb() box and an RGB PNG: what leaks when CSS is not converted."""
    extra = (
        "<p><a href='#s1' style='color: revert'>blue link</a></p>"
        "<p style='color: rgb(200 30 40)'>red</p><img src='rgb.png' alt='red square'>"
    )
    data, _ = _render(assets, _html(_press_css(), extra), pdf_variant="pdf/x-4")
    return data


@pytest.fixture(scope="session")
def plain_bytes(assets: Path) -> bytes:
    """No PDF/X variant and no @color-profile: neither version nor output intent."""
    data, _ = _render(assets, _html(_press_css(with_profile=False)))
    return data


@pytest.fixture(scope="session")
def good_report(good_bytes: bytes, tmp_path_factory: pytest.TempPathFactory) -> PreflightReport:
    path = tmp_path_factory.mktemp("good") / "digital-trends-2026-press.pdf"
    path.write_bytes(good_bytes)
    return run_preflight(path, STRICT)


# ------------------------------------------------------------------------------------------
# Helpers for surgery


Surgery = Callable[[pikepdf.Pdf], None]


@pytest.fixture
def broken(good_bytes: bytes, tmp_path: Path) -> Iterator[Callable[[Surgery], Path]]:
    counter = iter(range(1000))

    def make(surgery: Surgery) -> Path:
        with pikepdf.open(io.BytesIO(good_bytes)) as pdf:
            surgery(pdf)
            path = tmp_path / f"broken-{next(counter)}.pdf"
            pdf.save(path)
        return path

    yield make


def _write(tmp_path: Path, data: bytes, name: str = "file.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _add_content(pdf: pikepdf.Pdf, page: int, content: bytes) -> None:
    """Prepend content to a page (1-based) so it runs with WeasyPrint's identity CTM."""
    pdf.pages[page - 1].contents_add(pdf.make_stream(content), prepend=True)


def _own_resources(pdf: pikepdf.Pdf, page: int) -> pikepdf.Dictionary:
    """WeasyPrint shares one /Resources between pages: give this page its own copy."""
    obj = pdf.pages[page - 1].obj
    original = obj.Resources
    copy = pikepdf.Dictionary({k: v for k, v in original.items()})
    for key in ("/XObject", "/ExtGState", "/Font"):
        inner = original.get(key)
        copy[key] = pikepdf.Dictionary({k: v for k, v in inner.items()}) if inner else (pikepdf.Dictionary())
    obj.Resources = copy
    return copy


def _image(pdf: pikepdf.Pdf, size: int, mode: str, fill: tuple[int, ...]) -> pikepdf.Stream:
    space = {"CMYK": "/DeviceCMYK", "RGB": "/DeviceRGB", "L": "/DeviceGray"}[mode]
    raw = Image.new(mode, (size, size), fill).tobytes()
    return pdf.make_stream(
        zlib.compress(raw),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=size,
        Height=size,
        ColorSpace=pikepdf.Name(space),
        BitsPerComponent=8,
        Filter=pikepdf.Name.FlateDecode,
    )


def _check(report: PreflightReport, name: str) -> tuple[bool, list[str]]:
    check = report.check(name)
    return check.passed, check.at_fault


def _failed_only(report: PreflightReport) -> set[str]:
    return {c.name for c in report.checks if not c.passed}


# ------------------------------------------------------------------------------------------
# The good file passes everything


def test_good_press_pdf_passes_every_check(good_report: PreflightReport) -> None:
    assert [c.name for c in good_report.checks] == list(CHECK_NAMES)
    failures = {c.name: c.at_fault for c in good_report.checks if not c.passed}
    assert failures == {}
    assert good_report.passed
    assert good_report.page_count == 4
    assert good_report.pdf_version == "1.6"
    assert "FOGRA39" in good_report.output_intent
    assert "Coated FOGRA39" in good_report.output_intent


def test_good_report_measures_what_it_claims(good_report: PreflightReport) -> None:
    ink = good_report.check("total-ink").measured
    assert isinstance(ink, dict) and 0 < ink["max_percent"] <= 300
    ppi = good_report.check("image-resolution").measured
    assert isinstance(ppi, dict) and ppi["min_ppi"] == pytest.approx(300, abs=1)
    lines = good_report.check("line-width").measured
    assert isinstance(lines, dict) and lines["min_pt"] == pytest.approx(0.5, abs=0.01)
    fonts = good_report.check("fonts-embedded").measured
    assert isinstance(fonts, dict) and {k: fonts[k] for k in ("fonts", "not_embedded")} == {"fonts": 2, "not_embedded": 0}
    assert len(fonts["names"]) == 2    # the system's sans-serif, regular and bold, without the subset tag
    assert good_report.check("pdfx-version").measured == {"XMP pdfxid:GTS_PDFXVersion": "PDF/X-4"}


# ------------------------------------------------------------------------------------------
# pdfx-version


def test_pdfx_version_fails_without_pdfx(plain_bytes: bytes, tmp_path: Path) -> None:
    report = run_preflight(_write(tmp_path, plain_bytes), DEFAULT)
    passed, faults = _check(report, "pdfx-version")
    assert not passed
    assert faults == ["document: no GTS_PDFXVersion in the Info dictionary or XMP metadata"]


def test_pdfx_version_fails_on_the_wrong_version(good_report: PreflightReport, tmp_path: Path, good_bytes: bytes) -> None:
    report = run_preflight(_write(tmp_path, good_bytes), PrinterProfile(pdfx_version="PDF/X-1a"))
    passed, faults = _check(report, "pdfx-version")
    assert not passed
    assert "expected PDF/X-1a" in faults[0]


def test_pdfx_version_from_info_dictionary(broken: Callable[[Surgery], Path]) -> None:
    def x1a(pdf: pikepdf.Pdf) -> None:
        del pdf.Root["/Metadata"]
        pdf.docinfo["/GTS_PDFXVersion"] = "PDF/X-1a:2003"

    path = broken(x1a)
    assert run_preflight(path, PrinterProfile(pdfx_version="PDF/X-1a")).check("pdfx-version").passed
    assert not run_preflight(path, DEFAULT).check("pdfx-version").passed


# ------------------------------------------------------------------------------------------
# output-intent


def test_output_intent_fails_without_color_profile(plain_bytes: bytes, tmp_path: Path) -> None:
    report = run_preflight(_write(tmp_path, plain_bytes), DEFAULT)
    passed, faults = _check(report, "output-intent")
    assert not passed
    assert faults == ["document: no /OutputIntents"]
    assert report.output_intent == ""


def test_output_intent_fails_with_an_rgb_profile(broken: Callable[[Surgery], Path]) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    def rgb_intent(pdf: pikepdf.Pdf) -> None:
        intent = pdf.Root.OutputIntents[0]
        intent.DestOutputProfile = pdf.make_stream(srgb, N=3)

    passed, faults = _check(run_preflight(broken(rgb_intent), DEFAULT), "output-intent")
    assert not passed
    assert "document: DestOutputProfile has /N 3, CMYK needs 4" in faults
    assert any("not CMYK" in f for f in faults)


def test_output_intent_fails_with_pdfa_subtype(broken: Callable[[Surgery], Path]) -> None:
    def pdfa(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OutputIntents[0].S = pikepdf.Name("/GTS_PDFA1")

    passed, faults = _check(run_preflight(broken(pdfa), DEFAULT), "output-intent")
    assert not passed
    assert faults == ["document: no /GTS_PDFX output intent (found /GTS_PDFA1)"]


# ------------------------------------------------------------------------------------------
# page-boxes


def test_page_boxes_fail_without_trimbox(broken: Callable[[Surgery], Path]) -> None:
    def no_trim(pdf: pikepdf.Pdf) -> None:
        del pdf.pages[1].obj["/TrimBox"]

    report = run_preflight(broken(no_trim), DEFAULT)
    passed, faults = _check(report, "page-boxes")
    assert not passed
    assert faults == ["page 2: no TrimBox"]
    assert _failed_only(report) == {"page-boxes"}


def test_page_boxes_fail_without_bleed(broken: Callable[[Surgery], Path]) -> None:
    def no_bleed(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[2].obj
        page.BleedBox = page.TrimBox
        page.MediaBox = page.TrimBox

    passed, faults = _check(run_preflight(broken(no_bleed), DEFAULT), "page-boxes")
    assert not passed
    assert len(faults) == 1 and faults[0].startswith("page 3: bleed is 0.0/0.0/0.0/0.0 mm")


def test_page_boxes_fail_on_wrong_trim_and_media(broken: Callable[[Surgery], Path]) -> None:
    def wrong(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0].obj
        page.TrimBox = pikepdf.Array([0, 0, 595.28, 800])
        page.MediaBox = pikepdf.Array([0, 0, 595.28, 841.89])

    passed, faults = _check(run_preflight(broken(wrong), DEFAULT), "page-boxes")
    assert not passed
    assert any(f.startswith("page 1: TrimBox is 210.0 × 282.2 mm") for f in faults)
    assert "page 1: BleedBox extends outside the MediaBox" in faults


def test_page_boxes_respect_the_profile(good_bytes: bytes, tmp_path: Path) -> None:
    path = _write(tmp_path, good_bytes)
    assert not run_preflight(path, PrinterProfile(bleed_mm=5.0)).check("page-boxes").passed
    assert not run_preflight(path, PrinterProfile(trim_mm=(148.0, 210.0))).check("page-boxes").passed


# ------------------------------------------------------------------------------------------
# no-rgb


def test_no_rgb_fails_on_weasyprint_rgb_leaks(rgb_bytes: bytes, tmp_path: Path) -> None:
    report = run_preflight(_write(tmp_path, rgb_bytes), DEFAULT)
    passed, faults = _check(report, "no-rgb")
    assert not passed
    assert any(f.startswith("page 2: operator rg") for f in faults)
    assert any(f.startswith("page 2: image /") and f.endswith("(DeviceRGB)") for f in faults)
    assert not any(f.startswith(("page 1", "page 3", "page 4")) for f in faults)


def test_no_rgb_fails_on_a_single_rg_operator(broken: Callable[[Surgery], Path]) -> None:
    def rg(pdf: pikepdf.Pdf) -> None:
        _add_content(pdf, 3, b"q 1 0 0 rg 0 0 10 10 re f Q")

    report = run_preflight(broken(rg), DEFAULT)
    passed, faults = _check(report, "no-rgb")
    assert not passed
    assert faults == ["page 3: operator rg"]
    assert report.check("no-rgb").measured == 1
    assert _failed_only(report) == {"no-rgb"}


def test_no_rgb_finds_rgb_inside_forms_groups_and_shadings(
    broken: Callable[[Surgery], Path],
) -> None:
    def nested(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 4)
        inner = pdf.make_stream(
            b"0 0 1 RG 0 0 m 10 10 l S",
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 10, 10],
        )
        outer = pdf.make_stream(
            b"/Inner Do",
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 10, 10],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Inner=inner)),
            Group=pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceRGB),
        )
        resources.XObject["/Outer"] = outer
        resources["/Shading"] = pikepdf.Dictionary(
            Sh0=pikepdf.Dictionary(
                ShadingType=2,
                ColorSpace=pikepdf.Name.DeviceRGB,
                Coords=[0, 0, 10, 0],
                Function=pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 0, 0], C1=[0, 0, 1], N=1),
            )
        )
        _add_content(pdf, 4, b"q /Outer Do Q q /Sh0 sh Q")

    passed, faults = _check(run_preflight(broken(nested), DEFAULT), "no-rgb")
    assert not passed
    assert faults == [
        "page 4 > form /Outer: transparency group /CS (DeviceRGB)",
        "page 4 > form /Outer > form /Inner: operator RG",
        "page 4: shading /Sh0 (DeviceRGB)",
    ]


def test_no_rgb_finds_inline_images_tiling_patterns_and_soft_masks(broken: Callable[[Surgery], Path]) -> None:
    def hidden(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 2)
        tile = pdf.make_stream(
            b"1 0 0 rg 0 0 5 5 re f",
            Type=pikepdf.Name.Pattern,
            PatternType=1,
            PaintType=1,
            TilingType=1,
            BBox=[0, 0, 10, 10],
            XStep=10,
            YStep=10,
            Resources=pikepdf.Dictionary(),
        )
        resources["/Pattern"] = pikepdf.Dictionary(P0=tile)
        mask_group = pdf.make_stream(
            b"0.5 0.5 0.5 rg 0 0 10 10 re f",
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 10, 10],
            Group=pikepdf.Dictionary(S=pikepdf.Name.Transparency, CS=pikepdf.Name.DeviceGray),
        )
        resources.ExtGState["/GSmask"] = pikepdf.Dictionary(SMask=pikepdf.Dictionary(S=pikepdf.Name.Luminosity, G=mask_group))
        _add_content(
            pdf,
            2,
            b"q /Pattern cs /P0 scn 0 0 20 20 re f Q "
            b"q /GSmask gs 0 0 0 1 k 0 0 5 5 re f Q "
            b"q 72 0 0 72 0 0 cm BI /W 2 /H 2 /CS /RGB /BPC 8 ID \xff\x00\x00\xff\x00\x00"
            b"\xff\x00\x00\xff\x00\x00 EI Q",
        )

    report = run_preflight(broken(hidden), STRICT)
    passed, faults = _check(report, "no-rgb")
    assert not passed
    assert faults == [
        "page 2 > pattern /P0: operator rg",
        "page 2: ExtGState /GSmask > soft-mask group: operator rg",
        "page 2: inline image (DeviceRGB)",
    ]
    transparency = report.check("transparency").at_fault
    assert "page 2: ExtGState /GSmask (soft mask)" in transparency
    low = report.check("image-resolution").at_fault
    assert low == ["page 2: inline image (2x2 px at 2 ppi)"]


def test_no_rgb_fails_on_rgb_colour_space_resource(broken: Callable[[Surgery], Path]) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    def icc_rgb(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 1)
        spaces = pikepdf.Dictionary({k: v for k, v in resources.ColorSpace.items()})
        spaces["/CS9"] = pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_stream(srgb, N=3)])
        resources.ColorSpace = spaces
        _add_content(pdf, 1, b"q /CS9 cs 1 0 0 scn 0 0 5 5 re f Q")

    passed, faults = _check(run_preflight(broken(icc_rgb), DEFAULT), "no-rgb")
    assert not passed
    assert faults == [
        "page 1: colour space resource /CS9 (ICCBased N=3)",
        "page 1: operator cs /CS9 (/CS9 = ICCBased N=3)",
    ]


# ------------------------------------------------------------------------------------------
# total-ink


def test_total_ink_fails_on_400_percent_operators(broken: Callable[[Surgery], Path]) -> None:
    def heavy(pdf: pikepdf.Pdf) -> None:
        _add_content(pdf, 2, b"q 1 1 1 1 k 0 0 10 10 re f Q")
        _add_content(pdf, 3, b"q /DeviceCMYK CS 1 1 0.5 1 SCN 0 0 m 9 9 l S Q")

    report = run_preflight(broken(heavy), DEFAULT)
    check = report.check("total-ink")
    assert not check.passed
    assert check.measured == {"max_percent": 400.0, "at": "page 2: operator k"}
    assert check.at_fault == ["page 2: operator k: 400 %", "page 3: operator SCN: 350 %"]
    assert _failed_only(report) == {"total-ink"}
    assert run_preflight(broken(heavy), PrinterProfile(max_ink_percent=400)).check("total-ink").passed


def test_total_ink_fails_on_cmyk_image_pixels(broken: Callable[[Surgery], Path]) -> None:
    def heavy_image(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 4)
        resources.XObject["/Heavy"] = _image(pdf, 300, "CMYK", (255, 255, 200, 255))
        _add_content(pdf, 4, b"q 72 0 0 72 0 0 cm /Heavy Do Q")

    check = run_preflight(broken(heavy_image), DEFAULT).check("total-ink")
    assert not check.passed
    assert check.at_fault == ["page 4: image /Heavy: 378 %"]


def test_total_ink_fails_on_cmyk_shading(broken: Callable[[Surgery], Path]) -> None:
    def shading(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 1)
        resources["/Shading"] = pikepdf.Dictionary(
            Sh1=pikepdf.Dictionary(
                ShadingType=2,
                ColorSpace=pikepdf.Name.DeviceCMYK,
                Coords=[0, 0, 10, 0],
                Function=pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 0.5], N=1),
            )
        )
        _add_content(pdf, 1, b"q /Sh1 sh Q")

    check = run_preflight(broken(shading), DEFAULT).check("total-ink")
    assert not check.passed
    assert check.at_fault == ["page 1: shading /Sh1: 350 %"]


# ------------------------------------------------------------------------------------------
# fonts-embedded


def test_fonts_embedded_fails_on_standard_helvetica(broken: Callable[[Surgery], Path]) -> None:
    def helvetica(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 3)
        resources.Font["/FHelv"] = pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
        )
        _add_content(pdf, 3, b"q BT /FHelv 12 Tf 72 72 Td (Hi) Tj ET Q")

    report = run_preflight(broken(helvetica), DEFAULT)
    check = report.check("fonts-embedded")
    assert not check.passed
    assert check.at_fault == ["page 3: font /FHelv (Helvetica): Type1 not embedded (no FontDescriptor)"]
    assert isinstance(check.measured, dict) and check.measured["not_embedded"] == 1 and check.measured["fonts"] == 3
    assert "Helvetica" in check.measured["names"]
    assert _failed_only(report) == {"fonts-embedded"}


def test_fonts_embedded_names_the_page_that_uses_a_shared_font(broken: Callable[[Surgery], Path]) -> None:
    """WeasyPrint shares one /Font dictionary between pages: the fault names where it is used."""

    def shared(pdf: pikepdf.Pdf) -> None:
        fonts = pdf.pages[0].Resources.Font  # the same dictionary object on every page
        for name in ("/FUsed", "/FIdle"):
            fonts[name] = pdf.make_indirect(
                pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
            )
        _add_content(pdf, 4, b"q BT /FUsed 9 Tf 72 72 Td (Hi) Tj ET Q")

    check = run_preflight(broken(shared), DEFAULT).check("fonts-embedded")
    assert not check.passed
    assert check.at_fault == [
        "page 4: font /FUsed (Helvetica): Type1 not embedded (no FontDescriptor)",
        "page 1: font /FIdle (Helvetica), listed but unused: Type1 not embedded (no FontDescriptor)",
    ]


def test_fonts_embedded_checks_descendant_fonts(broken: Callable[[Surgery], Path]) -> None:
    def strip(pdf: pikepdf.Pdf) -> None:
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        descriptor = font.DescendantFonts[0].FontDescriptor
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in descriptor:
                del descriptor[key]

    check = run_preflight(broken(strip), DEFAULT).check("fonts-embedded")
    assert not check.passed
    assert len(check.at_fault) == 1
    assert check.at_fault[0].startswith("page 1: font /")
    assert check.at_fault[0].endswith("descendant font CIDFontType2 not embedded (no FontFile)")


# ------------------------------------------------------------------------------------------
# image-resolution


def test_image_resolution_fails_at_72_ppi(broken: Callable[[Surgery], Path]) -> None:
    def low(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 2)
        resources.XObject["/Low"] = _image(pdf, 72, "CMYK", (0, 0, 0, 128))
        _add_content(pdf, 2, b"q 72 0 0 72 100 100 cm /Low Do Q")

    report = run_preflight(broken(low), DEFAULT)
    check = report.check("image-resolution")
    assert not check.passed
    assert check.at_fault == ["page 2: image /Low (72x72 px at 72 ppi)"]
    assert check.measured == {"min_ppi": 72.0, "at": "page 2: image /Low (72x72 px at 72 ppi)"}
    assert _failed_only(report) == {"image-resolution"}
    assert run_preflight(broken(low), PrinterProfile(min_image_ppi=72)).check("image-resolution").passed


def test_image_resolution_tracks_ctm_through_q_and_forms(broken: Callable[[Surgery], Path]) -> None:
    """72 px drawn 0.24 in wide inside a scaled form is 300 ppi; a cm undone by Q is ignored."""

    def scaled(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 1)
        image = _image(pdf, 72, "CMYK", (0, 0, 0, 128))
        form = pdf.make_stream(
            b"q 0.01 0 0 0.01 0 0 cm Q q 72 0 0 72 0 0 cm /Img Do Q",
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=[0, 0, 72, 72],
            Matrix=[0.24, 0, 0, 0.24, 0, 0],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Img=image)),
        )
        resources.XObject["/Fm"] = form
        _add_content(pdf, 1, b"q 1 0 0 1 50 50 cm /Fm Do Q")

    report = run_preflight(broken(scaled), DEFAULT)
    check = report.check("image-resolution")
    assert check.passed, check.at_fault
    assert check.measured == {
        "min_ppi": 300.0,
        "at": "page 1 > form /Fm: image /Img (72x72 px at 300 ppi)",
    }
    assert report.passed


# ------------------------------------------------------------------------------------------
# page-multiple


def test_page_multiple_fails_on_odd_page_count(broken: Callable[[Surgery], Path]) -> None:
    def drop(pdf: pikepdf.Pdf) -> None:
        del pdf.pages[3]

    report = run_preflight(broken(drop), DEFAULT)
    check = report.check("page-multiple")
    assert not check.passed
    assert check.measured == 3 and check.limit == 4
    assert check.at_fault == ["document: 3 pages; add 1 blank page(s) to reach 4, a multiple of 4"]
    assert _failed_only(report) == {"page-multiple"}
    assert run_preflight(broken(drop), PrinterProfile(page_multiple=1)).check("page-multiple").passed


def test_page_multiple_from_weasyprint(plain_bytes: bytes, assets: Path, tmp_path: Path) -> None:
    data, _ = _render(assets, _html(_press_css(), pages=5), pdf_variant="pdf/x-4")
    check = run_preflight(_write(tmp_path, data), DEFAULT).check("page-multiple")
    assert not check.passed and check.measured == 5
    assert run_preflight(_write(tmp_path, data), PrinterProfile(page_multiple=5)).passed


# ------------------------------------------------------------------------------------------
# transparency


def test_transparency_fails_on_image_smask_only_when_not_allowed(
    broken: Callable[[Surgery], Path],
) -> None:
    def smask(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 2)
        image = _image(pdf, 300, "CMYK", (0, 0, 0, 128))
        image.SMask = _image(pdf, 300, "L", (128,))
        resources.XObject["/Masked"] = image
        _add_content(pdf, 2, b"q 72 0 0 72 0 0 cm /Masked Do Q")

    path = broken(smask)
    strict = run_preflight(path, STRICT)
    check = strict.check("transparency")
    assert not check.passed
    assert check.at_fault == ["page 2: image /Masked (soft mask)"]
    assert _failed_only(strict) == {"transparency"}
    allowed = run_preflight(path, DEFAULT).check("transparency")
    assert allowed.passed and allowed.measured == {"uses": 1} and allowed.at_fault == []


def test_transparency_fails_on_weasyprint_opacity(assets: Path, tmp_path: Path) -> None:
    data, _ = _render(assets, _html(_press_css(), "<p style='opacity: .5'>ghost</p>"), pdf_variant="pdf/x-4")
    path = _write(tmp_path, data)
    report = run_preflight(path, STRICT)
    check = report.check("transparency")
    assert not check.passed
    assert all(f.startswith("page 2") for f in check.at_fault)
    assert any("ca 0.5" in f for f in check.at_fault)
    assert any(f.endswith(": transparency group") for f in check.at_fault)
    # the transparency group WeasyPrint writes follows the output intent: CMYK, not RGB
    assert report.check("no-rgb").passed
    assert run_preflight(path, DEFAULT).passed


def test_transparency_fails_on_blend_mode(broken: Callable[[Surgery], Path]) -> None:
    def multiply(pdf: pikepdf.Pdf) -> None:
        resources = _own_resources(pdf, 4)
        resources.ExtGState["/GSm"] = pikepdf.Dictionary(BM=pikepdf.Name.Multiply)
        _add_content(pdf, 4, b"q /GSm gs 0 0 0 1 k 0 0 5 5 re f Q")

    check = run_preflight(broken(multiply), STRICT).check("transparency")
    assert not check.passed
    assert check.at_fault == ["page 4: ExtGState /GSm (blend mode Multiply)"]


# ------------------------------------------------------------------------------------------
# line-width


def test_line_width_fails_on_thin_and_hairline_strokes(broken: Callable[[Surgery], Path]) -> None:
    def thin(pdf: pikepdf.Pdf) -> None:
        _add_content(pdf, 3, b"q 0 0 0 1 K 0.1 w 0 0 m 100 0 l S Q")
        _add_content(pdf, 4, b"q 0 0 0 1 K 0 w 0 0 m 100 0 l S Q")

    report = run_preflight(broken(thin), DEFAULT)
    check = report.check("line-width")
    assert not check.passed
    assert check.at_fault == [
        "page 3: 0.1 pt stroke (operator S)",
        "page 4: 0 pt (hairline) stroke (operator S)",
    ]
    assert check.measured == {"min_pt": 0.0, "at": "page 4: 0 pt stroke (operator S)"}
    assert _failed_only(report) == {"line-width"}


def test_line_width_is_scaled_by_the_ctm(broken: Callable[[Surgery], Path]) -> None:
    def scaled(pdf: pikepdf.Pdf) -> None:
        # 0.4 w at half scale is 0.2 pt: fails; 0.2 w at double scale is 0.4 pt: passes;
        # a thin width set but never stroked does not count
        _add_content(pdf, 1, b"q 0.5 0 0 0.5 0 0 cm 0.4 w 0 0 m 9 0 l S Q")
        _add_content(pdf, 2, b"q 2 0 0 2 0 0 cm 0.2 w 0 0 m 9 0 l S Q q 0.01 w Q")

    check = run_preflight(broken(scaled), DEFAULT).check("line-width")
    assert not check.passed
    assert check.at_fault == ["page 1: 0.2 pt stroke (operator S)"]


# ------------------------------------------------------------------------------------------
# Reports


def test_json_report_shape(good_report: PreflightReport, good_bytes: bytes, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    write_json(good_report, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"file", "sha256", "passed", "profile", "checks"} <= set(data)
    assert data["file"] == "digital-trends-2026-press.pdf"
    assert data["sha256"] == hashlib.sha256(good_bytes).hexdigest()
    assert data["passed"] is True
    assert data["profile"]["trim_mm"] == [210.0, 297.0]
    assert [c["name"] for c in data["checks"]] == list(CHECK_NAMES)
    for check in data["checks"]:
        assert set(check) == {"name", "passed", "measured", "limit", "at_fault"}


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.title = ""
        self.in_title = False
        self.th_scopes: list[str | None] = []
        self.external: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "title":
            self.in_title = True
        if tag == "th":
            self.th_scopes.append(a.get("scope"))
        for key in ("src", "href"):
            if a.get(key):
                self.external.append(str(a[key]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        self.text.append(data)


def test_html_report_is_readable_and_self_contained(good_report: PreflightReport, rgb_bytes: bytes, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    write_html(good_report, out)
    audit = _Audit()
    audit.feed(out.read_text(encoding="utf-8"))
    text = " ".join(audit.text)
    assert audit.lang == "en-GB"
    assert "PASSED" in audit.title
    assert "Result: PASSED" in text
    assert good_report.sha256 in text
    assert "210 × 297 mm" in text and "3 mm each side" in text
    assert "Coated FOGRA39" in text
    assert audit.th_scopes and all(s in ("col", "row") for s in audit.th_scopes)
    assert audit.external == []
    assert "url(" not in out.read_text(encoding="utf-8")

    bad = run_preflight(_write(tmp_path, rgb_bytes, "leaky.pdf"), DEFAULT)
    write_html(bad, out)
    audit = _Audit()
    audit.feed(out.read_text(encoding="utf-8"))
    text = " ".join(audit.text)
    assert "Result: FAILED" in text and "FAIL" in text
    assert "page 2: operator rg" in text


def test_annotations_fail_inside_the_bleed_box(assets: Path, tmp_path: Path) -> None:
    """WeasyPrint writes a link annotation for every <a>; the build strips them from the press PDF."""
    html = _html(_press_css(), "<p><a href='https://socitm.net'>Socitm’s website</a></p>")
    data, _ = _render(assets, html, keep_annotations=True, pdf_variant="pdf/x-4")
    check = run_preflight(_write(tmp_path, data), DEFAULT).check("annotations")
    assert not check.passed
    assert check.measured == {"inside_bleed_box": 5}           # one internal link on each page, and the web link
    assert next(f for f in check.at_fault if f.endswith("(https://socitm.net)")).startswith("page 2: Link annotation at [")
    stripped, _ = _render(assets, html, pdf_variant="pdf/x-4")
    assert run_preflight(_write(tmp_path, stripped), DEFAULT).check("annotations").passed


def test_printer_marks_outside_the_bleed_box_are_allowed(broken: Callable[[Surgery], Path]) -> None:
    def marks(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0].obj
        page.Annots = pdf.make_indirect(pikepdf.Array([
            pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.PrinterMark, Rect=[10, 10, 50, 50])),
            pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[-30, -30, -20, -20])),
        ]))

    assert run_preflight(broken(marks), DEFAULT).check("annotations").passed


# ------------------------------------------------------------------------------------------
# The press page plan: covers, blanks, padding, the back cover (rendered, then checked)


def _plan_html(back_cover: bool, recto: bool, chapters: int = 3, pads: int = 0) -> str:
    css = """
@page { size: 210mm 297mm; margin: 20mm; @bottom-center { content: counter(page) } }
@page cover { margin: 0; background: #123; @bottom-center { content: none } }
@page pad { @bottom-center { content: none } }
@page back { margin: 0; @bottom-center { content: none } }
@page :blank { @bottom-center { content: none } }
.cover { page: cover; height: 100mm }
.chapter { break-before: %s }
.pad-page { page: pad; break-before: page; height: 1px }
.back-cover { page: back; break-before: page }
""" % ("right" if recto else "page")
    body = "<section class='cover'><h1>Title</h1></section>" + "".join(
        f"<article class='chapter' id='c{i}'><h1>Chapter {i}</h1><p>Text of chapter {i}.</p></article>"
        for i in range(1, chapters + 1))
    body += "<div class='pad-page'></div>" * pads
    if back_cover:
        body += "<section class='back-cover'><p>Socitm, socitm.net</p></section>"
    return (f"<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>Plan</title><style>{css}</style>"
            f"</head><body>{body}</body></html>")


def _plan_report(tmp_path: Path, html: str, profile: PrinterProfile = DEFAULT) -> PreflightReport:
    """Render like folio.pdf does (layout first, then the PDF), then preflight with the page facts."""
    from weasyprint import HTML

    from folio.pagequality import page_facts, read_layout

    document = HTML(string=html).render()
    facts = page_facts(read_layout(document))
    path = tmp_path / "plan.pdf"
    document.write_pdf(path)
    return run_preflight(path, profile, facts)


def test_a_text_page_as_outside_back_cover_fails(tmp_path: Path) -> None:
    # Cover + three chapters on their own pages = 4 pages; the last is chapter 3's text.
    report = _plan_report(tmp_path, _plan_html(back_cover=False, recto=False))
    assert report.page_count == 4
    check = report.check("back-cover")
    assert not check.passed
    assert check.at_fault and check.at_fault[0].startswith("page 4:") and "running text of 'c3'" in check.at_fault[0]
    assert report.check("blank-pages").passed
    assert [p.place for p in report.plan] == ["outside front cover", "inside front cover", "inside back cover",
                                              "outside back cover"]
    assert report.plan[-1].allowed is False and not report.passed


def test_a_designed_back_cover_after_padding_passes(tmp_path: Path) -> None:
    # Cover, 2 chapters, 1 padding page, back cover: 5 pages would not be a multiple of 4, so 4 content + pads.
    report = _plan_report(tmp_path, _plan_html(back_cover=True, recto=False, chapters=2, pads=0))
    assert report.page_count == 4
    assert report.check("back-cover").passed, report.check("back-cover").at_fault
    assert report.check("blank-pages").passed
    assert report.plan[-1].holds == "the designed back cover"
    padded = _plan_report(tmp_path, _plan_html(back_cover=True, recto=False, chapters=1, pads=1))
    assert padded.page_count == 4 and padded.plan[2].blank and "padding" in padded.plan[2].holds
    assert padded.check("blank-pages").passed and padded.check("back-cover").passed


def test_blank_pages_from_recto_starts_fail_and_name_the_chapter(tmp_path: Path) -> None:
    report = _plan_report(tmp_path, _plan_html(back_cover=True, recto=True, chapters=2))
    check = report.check("blank-pages")
    assert not check.passed
    # Cover (1), blank (2), c1 (3), blank (4), c2 (5), then the back cover (6).
    assert any(f.startswith("page 2:") and "'c1' starts on a right-hand page" in f for f in check.at_fault), check.at_fault
    assert report.plan[1].blank and not report.plan[1].allowed


def test_padding_after_the_back_cover_fails(tmp_path: Path) -> None:
    html = _plan_html(back_cover=True, recto=False, chapters=1).replace(
        "</body>", "<div class='pad-page'></div></body>")
    report = _plan_report(tmp_path, html)
    assert not report.check("back-cover").passed       # the last page is padding, not the cover
    assert not report.check("blank-pages").passed      # padding not just before the back cover


def test_a_separate_cover_binding_needs_no_back_cover(tmp_path: Path) -> None:
    report = _plan_report(tmp_path, _plan_html(back_cover=False, recto=False, chapters=1),
                          PrinterProfile(page_multiple=2, binding="perfect"))
    assert report.check("back-cover").passed
    assert report.plan[0].place == "first page"


def test_the_page_plan_is_in_both_reports(tmp_path: Path) -> None:
    report = _plan_report(tmp_path, _plan_html(back_cover=False, recto=True, chapters=2))
    write_json(report, tmp_path / "r.json")
    write_html(report, tmp_path / "r.html")
    data = json.loads((tmp_path / "r.json").read_text())
    assert [p["number"] for p in data["page_plan"]] == list(range(1, report.page_count + 1))
    page = (tmp_path / "r.html").read_text()
    assert "Page plan" in page and "outside back cover" in page and "FAULT" in page


def test_without_the_layout_there_is_no_page_plan(good_report: PreflightReport) -> None:
    assert good_report.plan == []
    assert {c.name for c in good_report.checks}.isdisjoint({"back-cover", "blank-pages"})


# ------------------------------------------------------------------------------------------
# Small type on one plate (design review 2026-12-04, D5)


def test_small_type_plates_fails_on_small_text_in_three_inks(broken: Callable[[Surgery], Path]) -> None:
    """9 pt text in navy (three plates) fails; the same text at 14 pt, or in black alone, passes."""
    def text(size: int, colour: bytes) -> Surgery:
        def surgery(pdf: pikepdf.Pdf) -> None:
            font = next(iter(_own_resources(pdf, 2)["/Font"].keys()))
            _add_content(pdf, 2, b"q " + colour + b" k BT " + font.encode() + b" " + str(size).encode()
                         + b" Tf 1 0 0 1 72 72 Tm (Ab) Tj ET Q")
        return surgery

    report = run_preflight(broken(text(9, b"0.97 0.667 0 0.808")), DEFAULT)
    check = report.check("small-type-plates")
    assert not check.passed
    assert check.measured == {"text_in_several_inks_below_limit": 1, "smallest_pt": 9.0}
    assert check.at_fault == ["page 2: 9.0 pt text in 3 inks"]
    assert _failed_only(report) == {"small-type-plates"}
    assert run_preflight(broken(text(14, b"0.97 0.667 0 0.808")), DEFAULT).check("small-type-plates").passed
    assert run_preflight(broken(text(9, b"0 0 0 1")), DEFAULT).check("small-type-plates").passed
    assert run_preflight(broken(text(9, b"0.97 0.667 0 0.808")),
                         PrinterProfile(single_plate_below_pt=8)).check("small-type-plates").passed


def test_fonts_check_names_the_fonts(good_report: PreflightReport) -> None:
    measured = good_report.check("fonts-embedded").measured
    assert isinstance(measured, dict) and measured["names"] and all("+" not in n for n in measured["names"])
