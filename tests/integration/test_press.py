"""The press edition of the sample book: page padding, our own crop marks, and preflight."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest

from folio.build import build
from folio.preflight import WARNING_CHECK_NAMES

MM = 72 / 25.4


def use_printer(project: Path, printer: str) -> None:
    book = project / "book.yaml"
    book.write_text(book.read_text() + f"""printer: {printer}
printers:
  saddle: {{bleed_mm: 3, output_intent: assets/icc/coated-fogra39-argyll.icc, page_multiple: 4, binding: saddle-stitch}}
  marks: {{bleed_mm: 3, crop_marks: true, output_intent: assets/icc/coated-fogra39-argyll.icc, page_multiple: 2, binding: perfect}}
""")


@pytest.mark.parametrize("printer", ["saddle", "marks"])
def test_press_pdf_passes_its_preflight(sample_project: Path, printer: str) -> None:
    use_printer(sample_project, printer)
    build(sample_project, targets=("press",), strict=True, page_quality_strict=False)
    report = json.loads((sample_project / "output" / "sample-trends-press-preflight.json").read_text())
    # The page plan (back cover, blanks) follows the page-quality findings; it has its own tests below.
    failed = [c for c in report["checks"] if not c["passed"] and c["name"] not in WARNING_CHECK_NAMES]
    assert failed == []
    html = (sample_project / "output" / "sample-trends-press-preflight.html").read_text()
    assert report["sha256"] in html and "Page plan" in html


def test_the_page_plan_with_the_designed_back_cover_passes(sample_project: Path) -> None:
    """The layouts give the press edition a back cover (class 'back-cover'), last, after the padding,
    and chapters start on the next page, not a recto, so no blank page the binding does not need
    remains (before, recto starts left X004 blanks)."""
    use_printer(sample_project, "saddle")
    report = build(sample_project, targets=("press",))
    codes = {f.code for f in report.findings if f.code.startswith("X")}
    assert codes == set()
    data = json.loads((sample_project / "output" / "sample-trends-press-preflight.json").read_text())
    plan = data["page_plan"]
    assert len(plan) == data["page_count"] and plan[0]["place"] == "outside front cover"
    assert plan[-1]["place"] == "outside back cover" and plan[-1]["holds"] == "the designed back cover"
    assert plan[-1]["allowed"] is True and all(p["allowed"] for p in plan)


def test_the_page_plan_of_a_book_without_back_cover_fails(sample_project: Path) -> None:
    """As the book was before the design's back cover: the last page is padding or text (X003)."""
    use_printer(sample_project, "saddle")
    layout = sample_project / "layouts" / "book.html.j2"
    text = layout.read_text()
    start = text.index('<section class="back-cover')
    end = text.index("</section>", start) + len("</section>")
    layout.write_text(text[:start] + text[end:])
    report = build(sample_project, targets=("press",))
    assert {f.code for f in report.findings if f.code.startswith("X")} == {"X003", "X004"}
    data = json.loads((sample_project / "output" / "sample-trends-press-preflight.json").read_text())
    assert data["page_plan"][-1]["allowed"] is False


def test_a_perfect_binding_needs_no_designed_back_cover(sample_project: Path) -> None:
    use_printer(sample_project, "marks")
    build(sample_project, targets=("press",))
    data = json.loads((sample_project / "output" / "sample-trends-press-preflight.json").read_text())
    check = next(c for c in data["checks"] if c["name"] == "back-cover")
    assert check["passed"] and "separate cover" in check["measured"]
    assert data["page_plan"][0]["place"] == "first page"


def test_pages_are_padded_with_blank_pages_before_the_back_cover(sample_project: Path) -> None:
    use_printer(sample_project, "saddle")
    build(sample_project, targets=("press",))
    import pypdfium2  # type: ignore[import-untyped]

    doc = pypdfium2.PdfDocument(str(sample_project / "output" / "sample-trends-press.pdf"))
    texts = [doc[i].get_textpage().get_text_range().strip() for i in range(len(doc))]
    assert len(texts) % 4 == 0
    # The outside back cover is the last page, on a verso; the blanks for whole sheets come before it.
    assert "Also available as" in texts[-1] and len(texts) % 2 == 0
    last_text = max(i for i, t in enumerate(texts[:-1]) if t)
    # the last page with text ends the last chapter: the Sources list, with the book's last entry
    assert "Sources" in texts[last_text] and "Office for National Statistics" in texts[last_text], texts[last_text]
    assert all(t == "" for t in texts[last_text + 1:-1])


def test_crop_marks_sit_outside_the_bleed_in_registration_colour(sample_project: Path) -> None:
    use_printer(sample_project, "marks")
    build(sample_project, targets=("press",))
    with pikepdf.open(sample_project / "output" / "sample-trends-press.pdf") as pdf:
        for page in pdf.pages:
            trim = [float(v) for v in page.obj.TrimBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            media = [float(v) for v in page.obj.MediaBox]
            assert bleed[0] == pytest.approx(trim[0] - 3 * MM, abs=0.1)
            assert media[0] < bleed[0] - 5 * MM
            space = page.obj.Resources.ColorSpace["/FolioRegistration"]
            assert str(space[0]) == "/Separation" and str(space[1]) == "/All"
            strokes = []
            for instruction in pikepdf.parse_content_stream(page):
                if str(instruction.operator) in ("m", "l"):
                    strokes.append((float(instruction.operands[0]), float(instruction.operands[1])))
            marks = [(x, y) for x, y in strokes if x < bleed[0] - 0.01 or y < bleed[1] - 0.01
                     or x > bleed[2] + 0.01 or y > bleed[3] + 0.01]
            assert len(marks) >= 16   # eight marks, two ends each, all outside the bleed


def test_raster_images_are_placed_and_converted_to_cmyk_for_press(sample_project: Path) -> None:
    from PIL import Image

    (sample_project / "assets" / "images").mkdir(exist_ok=True)
    gradient = Image.linear_gradient("L").resize((2400, 1600))
    Image.merge("RGB", (gradient, gradient.rotate(90).resize((2400, 1600)), Image.new("L", (2400, 1600), 120))).save(
        sample_project / "assets" / "images" / "photo.png")
    chapter = sample_project / "chapters" / "02-data.md"
    chapter.write_text(chapter.read_text().replace(
        "## Actions\n", '## Actions\n\n![A test photograph.](../assets/images/photo.png){#fig-photo alt="A colour gradient."}\n\n'))
    use_printer(sample_project, "saddle")
    build(sample_project, targets=("pdf", "press", "epub"), strict=True, page_quality_strict=False)
    report = json.loads((sample_project / "output" / "sample-trends-press-preflight.json").read_text())
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["no-rgb"]["passed"] and checks["image-resolution"]["passed"]
    assert checks["image-resolution"]["measured"]["min_ppi"] >= 300
    with pikepdf.open(sample_project / "output" / "sample-trends.pdf") as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
        assert any(int(i.Width) == 2400 for i in images)
    import zipfile

    with zipfile.ZipFile(sample_project / "output" / "sample-trends.epub") as epub:
        assert any(name.startswith("EPUB/media/") and name.endswith(".png") for name in epub.namelist())


def test_a_heading_left_at_the_foot_of_a_page_is_found() -> None:
    import weasyprint

    from folio.pdf import stranded_headings

    html = ("<html lang='en'><style>@page { size: A6 }</style><body><h1>Title</h1><p>Some text.</p>"
            "<h2>Stranded</h2><p style='break-before: page'>Its text, forced onto the next page.</p>"
            "<h2>Kept</h2><p>Text that follows its heading.</p></body></html>")
    document = weasyprint.HTML(string=html).render()
    assert stranded_headings(document) == [(1, "Stranded")]


def test_padding_goes_before_the_back_cover() -> None:
    from folio.pdf import pad_pages

    pads = '<div class="pad-page"></div>'
    with_cover = '<body><p>Text</p><section class="back-cover" id="back">Socitm</section></body>'
    assert pad_pages(with_cover, pads) == f'<body><p>Text</p>{pads}<section class="back-cover" id="back">Socitm</section></body>'
    assert pad_pages("<body><p>Text</p></body>", pads) == f"<body><p>Text</p>{pads}</body>"
    other = '<body><section class="back-cover-note">x</section></body>'     # another class: not the cover
    assert pad_pages(other, pads) == f'<body><section class="back-cover-note">x</section>{pads}</body>'


def test_an_address_with_break_controls_is_not_printed_twice() -> None:
    """The Lua filter puts a zero-width space after '/' and a word joiner after '?' into printed
    addresses; a link whose text is its own address still gets no second, printed copy."""
    from folio.pdf import press_links

    own = '<a href="https://cy.theyworkforyou.com/wrans/?id=1">https://cy.theyworkforyou.com/\u200bwrans/\u200b?\u2060id=1</a>'
    assert press_links(own) == own
    named = press_links('<a href="https://example.org/wrans/?id=1">the answer</a>')
    assert named.endswith('<span class="link-address"> (example.org/\u200bwrans/\u200b?\u2060id=1)</span>')
