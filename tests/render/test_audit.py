"""Every accessibility check fails on a small broken file and passes on a good one.

PDFs: WeasyPrint renders tests/fixtures/a11y/good.html and large.html (once per variant per
module); structural faults come from editing the HTML, and faults WeasyPrint cannot produce are
made surgically with pikepdf on a copy of the good PDF. EPUBs: tests/fixtures/a11y/epub/ is a
small valid EPUB 3 (it passes EPUBCheck and Ace), zipped with one edit per test.
"""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from folio.audit import ace_findings, ace_missing, audit_epub, audit_pdf, run_ace, text_sizes
from folio.catalogue import CATALOGUE
from folio.errors import Finding
from folio.pdftags import finish_tagged

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "a11y"
Edits = tuple[tuple[str, str], ...]
Render = Callable[..., Path]


def codes(findings: list[Finding]) -> list[str]:
    return sorted({f.code for f in findings})


def messages(findings: list[Finding], code: str) -> list[str]:
    return [f.message for f in findings if f.code == code]


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Render]:
    """Render a fixture with some text replaced; each variant once per module."""
    import weasyprint

    out = tmp_path_factory.mktemp("a11y-pdf")
    cache: dict[tuple[Any, ...], Path] = {}
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.CRITICAL)      # missing alt and lang are logged as errors: expected here

    def _render(name: str = "good.html", edits: Edits = (), variant: str | None = "pdf/ua-1", finish: bool = True,
                **options: Any) -> Path:
        """``finish``: post-process a PDF/UA file with folio.pdftags, as the build does."""
        key = (name, edits, variant, finish, tuple(sorted(options.items())))
        if key not in cache:
            html = (FIXTURES / name).read_text(encoding="utf-8")
            for old, new in edits:
                assert old in html, old
                html = html.replace(old, new)
            target = out / f"{len(cache)}-{name}.pdf"
            if variant:
                options["pdf_variant"] = variant
            weasyprint.HTML(string=html, base_url=str(FIXTURES / name)).write_pdf(target, **options)
            if finish and variant and variant.startswith("pdf/ua"):
                finish_tagged(target)
            cache[key] = target
        return cache[key]

    yield _render
    logger.setLevel(level)


def edited(source: Path, target: Path, change: Callable[[pikepdf.Pdf], None]) -> Path:
    with pikepdf.open(source) as pdf:
        change(pdf)
        pdf.save(target)
    return target


def struct_elems(pdf: pikepdf.Pdf, kind: str) -> list[pikepdf.Dictionary]:
    found: list[pikepdf.Dictionary] = []
    stack: list[Any] = [pdf.Root.StructTreeRoot.K]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(reversed(list(item)))
        elif isinstance(item, pikepdf.Dictionary) and "/S" in item:
            if str(item.S) == kind:
                found.append(item)
            if "/K" in item:
                stack.append(item.K)
    return found


# --------------------------------------------------------------------------------------------
# PDF: good files pass
# --------------------------------------------------------------------------------------------


def test_good_pdf_passes(render: Render) -> None:
    assert audit_pdf(render()) == []


def test_good_large_print_pdf_passes_and_sizes_are_measured(render: Render) -> None:
    path = render("large.html")
    assert audit_pdf(path, large_print=True) == []
    sizes = text_sizes(path)
    assert sizes.body.most_common(1)[0][0] == 16
    assert set(sizes.notes) == {12}            # the footnote and its call
    assert set(sizes.captions) == {13}         # captions may be smaller than 14 pt
    assert set(sizes.untagged) == {14}         # the page number in the margin box
    assert "body: 16 pt" in sizes.summary()


def test_link_over_two_lines_is_one_link(render: Render) -> None:
    """The second line of "Socitm's website at / socitm.net" alone would look like a bare address."""
    findings = audit_pdf(render(edits=(("Socitm's website at<br>socitm.net", "<br>socitm.net"),)))
    assert messages(findings, "A114") == ["link text 'socitm.net' on page 2 is a bare web address"]


def test_role_map_is_followed(render: Render, tmp_path: Path) -> None:
    """A custom tag mapped to H2 through /RoleMap still counts as H2."""
    def change(pdf: pikepdf.Pdf) -> None:
        for h2 in struct_elems(pdf, "/H2"):
            h2.S = pikepdf.Name("/Subhead")
        pdf.Root.StructTreeRoot.RoleMap = pikepdf.Dictionary({"/Subhead": pikepdf.Name("/H2")})

    assert audit_pdf(edited(render(), tmp_path / "rolemap.pdf", change)) == []


# --------------------------------------------------------------------------------------------
# PDF: each check fails on a broken rendering
# --------------------------------------------------------------------------------------------

STYLE = "</style>"


@pytest.mark.parametrize(("edits", "code", "message"), [
    ((("<h2>A section</h2>", "<h3>A section</h3>"),), "A108",
     "H3 'A section' on page 2 comes after H1 'Second chapter'"),
    ((("<h1>Audit fixture</h1>", "<h2>Audit fixture</h2>"),), "A108",
     "H2 'Audit fixture' on page 1 comes as the first heading"),
    (((' alt="A blue square."', ""),), "A109", "Figure on page 1 has no /Alt"),
    ((("<thead><tr><th>Year</th><th>Event</th></tr></thead>", ""),), "A110", "Table on page 1 has no TH cells"),
    ((('<html lang="en-GB">', '<html lang="fr">'),), "A103", "the document language is 'fr', expected 'en-GB'"),
    ((('<html lang="en-GB">', "<html>"),), "A103", "the document language (/Lang) is not set"),
    ((("<title>Audit fixture</title>", ""),), "A104", "the XMP metadata has no dc:title"),
    ((("Socitm's website</a>", "click here</a>"),), "A113", "link text 'click here' on page 1 does not say where it goes"),
    ((("Socitm's website</a>", "https://socitm.net</a>"),), "A114", "link text 'https://socitm.net' on page 1 is a bare web address"),
    (((STYLE, ".chapter h1 { bookmark-level: none; }" + STYLE),), "A107", "H1 'Second chapter' on page 2 has no bookmark"),
    (((STYLE, "h1, h2 { bookmark-level: none; }" + STYLE),), "A107", "the PDF has no bookmarks (outline)"),
], ids=["skipped-level", "first-heading-h2", "image-without-alt", "table-without-th", "wrong-lang",
        "missing-lang", "missing-title", "click-here", "bare-url", "h1-without-bookmark", "no-outline"])
def test_broken_html_fails_one_check(render: Render, edits: Edits, code: str, message: str) -> None:
    findings = audit_pdf(render(edits=edits))
    assert codes(findings) == [code], [f.format() for f in findings]
    assert messages(findings, code) == [message]
    assert findings[0].severity == CATALOGUE[code].severity
    assert findings[0].hint == CATALOGUE[code].hint


def test_tagged_but_not_pdf_ua(render: Render) -> None:
    findings = audit_pdf(render(variant=None, pdf_tags=True))
    assert "A106" in codes(findings)
    assert messages(findings, "A106") == ["the XMP metadata has no pdfuaid:part=1"]


def test_untagged_pdf_fails_every_tagging_check(render: Render) -> None:
    findings = audit_pdf(render(variant=None))
    assert codes(findings) == ["A101", "A102", "A104", "A105", "A106", "A112"]
    assert messages(findings, "A102") == ["the catalogue has no /StructTreeRoot"]
    assert messages(findings, "A112") == ["5 link annotation(s) have neither /Contents nor a Link structure element (pages 1, 2)"]


def _no_markinfo(pdf: pikepdf.Pdf) -> None:
    del pdf.Root["/MarkInfo"]


def _no_display_title(pdf: pikepdf.Pdf) -> None:
    pdf.Root.ViewerPreferences.DisplayDocTitle = False


def _ua_part_2(pdf: pikepdf.Pdf) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfuaid:part"] = "2"


def _empty_alt(pdf: pikepdf.Pdf) -> None:
    struct_elems(pdf, "/Figure")[0].Alt = pikepdf.String("  ")


def _li_as_p(pdf: pikepdf.Pdf) -> None:
    struct_elems(pdf, "/LI")[0].S = pikepdf.Name("/P")


def _lbody_as_p(pdf: pikepdf.Pdf) -> None:
    struct_elems(pdf, "/LBody")[0].S = pikepdf.Name("/P")


def _untag_link(pdf: pikepdf.Pdf) -> None:
    struct_elems(pdf, "/Link")[0].S = pikepdf.Name("/Span")
    for annot in pdf.pages[0].Annots:
        if "/Contents" in annot:
            del annot["/Contents"]


@pytest.mark.parametrize(("change", "code", "message"), [
    (_no_markinfo, "A101", "the catalogue has no /MarkInfo << /Marked true >>"),
    (_no_display_title, "A105", "ViewerPreferences /DisplayDocTitle is not true"),
    (_ua_part_2, "A106", "the XMP metadata has no pdfuaid:part=1 (part=2)"),
    (_empty_alt, "A109", "Figure on page 1 has no /Alt"),
    (_li_as_p, "A111", "L on page 1 contains P, not only LI"),
    (_lbody_as_p, "A111", "LI on page 1 has no LBody"),
    (_untag_link, "A112 A119 A121", "1 link annotation(s) have neither /Contents nor a Link structure element (pages 1)"),
], ids=["markinfo", "display-doc-title", "pdfua-part", "blank-alt", "li-as-p", "lbody-as-p", "untagged-link"])
def test_broken_pdf_fails_one_check(render: Render, tmp_path: Path, change: Callable[[pikepdf.Pdf], None],
                                    code: str, message: str) -> None:
    findings = audit_pdf(edited(render(), tmp_path / "broken.pdf", change))
    assert codes(findings) == code.split(), [f.format() for f in findings]
    assert message in messages(findings, code.split()[0])


def test_no_structure_tree(render: Render, tmp_path: Path) -> None:
    def change(pdf: pikepdf.Pdf) -> None:
        del pdf.Root["/StructTreeRoot"]

    findings = audit_pdf(edited(render(), tmp_path / "no-tree.pdf", change))
    assert codes(findings) == ["A102"]          # WeasyPrint's link annotations keep their /Contents


def test_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"not a pdf")
    findings = audit_pdf(path)
    assert codes(findings) == ["A100"]
    assert findings[0].message.startswith("cannot open the PDF: ")


# --------------------------------------------------------------------------------------------
# PDF: large print
# --------------------------------------------------------------------------------------------


def test_small_body_text_fails_large_print(render: Render) -> None:
    findings = audit_pdf(render("large.html", (("html { font-size: 16pt;", "html { font-size: 11pt;"),)), large_print=True)
    assert codes(findings) == ["A115", "A116"]
    assert messages(findings, "A115")[0].startswith("the most common body text size is 11 pt (body: 11 pt ")


def test_one_small_paragraph_fails_large_print(render: Render) -> None:
    findings = audit_pdf(render("large.html", ((".label { font-size: 14pt; }", ".label { font-size: 12pt; }"),)),
                         large_print=True)
    assert codes(findings) == ["A116"]
    message = messages(findings, "A116")[0]
    assert message.startswith("35 characters of body text are below 14 pt (12 pt 100% of 35 characters), "
                              "for example page 1 'A label at the smallest body size allowe…' at 12 pt; body: 16 pt ")


def test_tiny_caption_and_chart_labels_warn_in_large_print(render: Render) -> None:
    findings = audit_pdf(render("large.html", (("figcaption { font-size: 13pt; }", "figcaption { font-size: 10pt; }"),
                                               ('<text x="130" y="22" font-size="16">', '<text x="130" y="22" font-size="11">'))),
                         large_print=True)
    assert codes(findings) == ["A117", "A118"]
    assert all(f.severity == "warning" for f in findings)
    assert messages(findings, "A117")[0].startswith("47 characters of notes, note calls, captions, running heads or "
                                                    "page numbers are below 12 pt (10 pt 100% of 47 characters)")
    assert messages(findings, "A118") == ["2 characters of text inside figures are below 12 pt (8 pt 100% of 2 characters)"]


def test_size_checks_only_for_large_print(render: Render) -> None:
    assert audit_pdf(render("large.html", (("html { font-size: 16pt;", "html { font-size: 11pt;"),))) == []


# --------------------------------------------------------------------------------------------
# EPUB
# --------------------------------------------------------------------------------------------

OPF = "EPUB/content.opf"
NAV = "EPUB/nav.xhtml"
CH1 = "EPUB/text/ch1.xhtml"
COVER = "EPUB/text/cover.xhtml"


def make_epub(target: Path, edits: dict[str, Edits] | None = None) -> Path:
    source = FIXTURES / "epub"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for file in sorted(p for p in source.rglob("*") if p.is_file() and p.name != "mimetype"):
            name = file.relative_to(source).as_posix()
            data = file.read_text(encoding="utf-8")
            for old, new in (edits or {}).get(name, ()):
                assert old in data, (name, old)
                data = data.replace(old, new)
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return target


def meta_line(prop: str, value: str) -> str:
    return f'    <meta property="{prop}">{value}</meta>\n'


SUMMARY = "Headings, a table of contents and text alternatives for every picture."


def test_good_epub_passes(tmp_path: Path) -> None:
    assert audit_epub(make_epub(tmp_path / "good.epub")) == []


def test_no_claim_no_error(tmp_path: Path) -> None:
    """An image without alt is fine for the metadata when nothing claims otherwise."""
    path = make_epub(tmp_path / "honest.epub", {
        CH1: ((' alt="A blue square."', ' alt=""'),),
        OPF: ((meta_line("schema:accessibilityFeature", "alternativeText"), ""),
              (meta_line("schema:accessModeSufficient", "textual"), meta_line("schema:accessModeSufficient", "textual,visual"))),
    })
    assert audit_epub(path) == []


@pytest.mark.parametrize(("edits", "code", "message"), [
    ({OPF: (("    <dc:language>en-GB</dc:language>\n", ""),)}, "A201", "EPUB/content.opf has no dc:language"),
    ({OPF: ((meta_line("schema:accessibilitySummary", SUMMARY), ""),)}, "A202",
     "EPUB/content.opf has no schema:accessibilitySummary"),
    ({OPF: ((meta_line("schema:accessibilityHazard", "none"), ""),)}, "A202",
     "EPUB/content.opf has no schema:accessibilityHazard"),
    ({OPF: (("WCAG 2.2 Level AA", "WCAG 2.1 Level A"),)}, "A203",
     "EPUB/content.opf has no dcterms:conformsTo 'EPUB Accessibility 1.1 - WCAG 2.2 Level AA' "
     "(found: 'EPUB Accessibility 1.1 - WCAG 2.1 Level A')"),
    ({OPF: ((meta_line("a11y:certifiedBy", "Socitm"), ""),)}, "A204", "EPUB/content.opf has no a11y:certifiedBy"),
    ({NAV: (('<nav epub:type="toc"', '<nav epub:type="lot"'),)}, "A206",
     "tableOfContents is claimed, but the navigation document has no toc nav with links"),
    ({CH1: (("<h2>A section</h2>", "<h3>A section</h3>"),)}, "A207",
     "structuralNavigation is claimed, but EPUB/text/ch1.xhtml: h3 'A section' comes after h1 'First chapter'"),
    ({NAV: (('epub:type="landmarks"', 'epub:type="lol"'),)}, "A208",
     "the navigation document has no landmarks nav with entries"),
    ({OPF: ((meta_line("schema:accessibilityHazard", "none"),
             meta_line("schema:accessibilityHazard", "none") + meta_line("schema:accessibilityFeature", "pageList")),)},
     "A210", "pageList is claimed, but the navigation document has no page-list nav"),
    ({OPF: ((meta_line("schema:accessMode", "visual"), ""),)}, "A212",
     "accessMode is textual, but the publication has 2 image(s)"),
], ids=["language", "summary", "hazard", "conforms-to", "certified-by", "toc", "headings", "landmarks", "page-list",
        "access-mode-visual"])
def test_broken_epub_fails_one_check(tmp_path: Path, edits: dict[str, Edits], code: str, message: str) -> None:
    findings = audit_epub(make_epub(tmp_path / "broken.epub", edits))
    assert codes(findings) == [code], [f.format() for f in findings]
    assert messages(findings, code) == [message]


def test_image_without_alt_breaks_two_claims(tmp_path: Path) -> None:
    findings = audit_epub(make_epub(tmp_path / "no-alt.epub", {CH1: ((' alt="A blue square."', ' alt=""'),)}))
    assert codes(findings) == ["A205", "A211"]
    assert messages(findings, "A205") == [
        "alternativeText is claimed, but 1 image(s) have no text alternative: EPUB/text/ch1.xhtml (figure.svg)"]
    assert messages(findings, "A211") == [
        "accessModeSufficient 'textual' is claimed, but 1 image(s) have no text alternative: EPUB/text/ch1.xhtml (figure.svg)"]


def test_cover_without_alt(tmp_path: Path) -> None:
    """pandoc 3.9's default EPUB template: an <svg><image/></svg> cover with no text alternative."""
    path = make_epub(tmp_path / "cover.epub", {COVER: ((' role="img" aria-label="Cover of Audit fixture: a dark blue page '
                                                         'with the title in white."', ""),)})
    findings = audit_epub(path)
    assert codes(findings) == ["A205", "A209", "A211"]
    assert messages(findings, "A209") == [
        "EPUB/text/cover.xhtml shows the cover image EPUB/media/cover.svg without a text alternative"]


def test_svg_title_counts_as_alternative(tmp_path: Path) -> None:
    path = make_epub(tmp_path / "svg-title.epub", {COVER: (
        (' aria-label="Cover of Audit fixture: a dark blue page with the title in white."', ""),
        ('<image width', "<title>Cover of Audit fixture</title>\n<image width"))})
    assert audit_epub(path) == []


def test_not_an_epub(tmp_path: Path) -> None:
    path = tmp_path / "broken.epub"
    path.write_bytes(b"not a zip")
    findings = audit_epub(path)
    assert codes(findings) == ["A200"]
    assert findings[0].message == "cannot read the EPUB: File is not a zip file"


def test_malformed_xhtml(tmp_path: Path) -> None:
    findings = audit_epub(make_epub(tmp_path / "bad-xml.epub", {CH1: (("<p>Some text.</p>", "<p>Some text.</div>"),)}))
    assert "A200" in codes(findings)
    assert messages(findings, "A200")[0].startswith("EPUB/text/ch1.xhtml is not well-formed XML: mismatched tag")


# --------------------------------------------------------------------------------------------
# DAISY Ace
# --------------------------------------------------------------------------------------------


def test_ace_report_to_findings() -> None:
    report = json.loads((FIXTURES / "ace-report.json").read_text(encoding="utf-8"))
    findings = ace_findings(report, "book.epub")
    assert [(f.code, f.severity) for f in findings] == [
        ("A302", "warning"), ("A302", "warning"), ("A301", "error")]
    assert findings[0].message == ("EPUB/content.opf: [moderate] metadata-accessibilitysummary: "
                                   "Publications should declare the 'schema:accessibilitySummary' metadata")
    assert findings[2].message == "text/ch1.xhtml: [critical] image-alt: Element does not have an alt attribute"
    assert findings[2].hint == "http://kb.daisy.org/publishing/docs/html/images.html"


def test_ace_missing_says_what_to_run(tmp_path: Path) -> None:
    findings, report = run_ace(tmp_path / "book.epub", tmp_path / "ace", root=tmp_path)
    assert report == {}
    assert codes(findings) == ["A303"]
    assert f"cd {tmp_path} && PUPPETEER_SKIP_DOWNLOAD=1 npm ci" in findings[0].message
    assert findings[0].message == ace_missing(tmp_path)


def test_every_code_is_described() -> None:
    for code, entry in ((c, e) for c, e in CATALOGUE.items() if c.startswith("A")):
        assert code == entry.code and code[0] == "A" and code[1] in "123"
        assert entry.summary.endswith(".")
