"""End-to-end: what the finished PDFs really contain, read by tools we did not write.

* Fonts: each embedded font program (read with pikepdf, named by fontTools from its own name
  table) must be one of the files in ``assets/fonts``; a fallback from the machine (DejaVu) fails.
* Large print (RNIB clear print): pdfium's size and font of every character drawn; each must be
  at least ``large_print.min_text_pt`` of book.yaml, in the one large-print family.
"""

from __future__ import annotations

import collections
import ctypes
import io
import re
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_raw  # type: ignore[import-untyped]
import pytest
import yaml
from fontTools.ttLib import TTFont

from folio import largeprint
from folio.build import BuildReport

pytestmark = pytest.mark.e2e
Built = tuple[Path, BuildReport]
PDFS = ("digital-trends-2026.pdf", "digital-trends-2026-large-print.pdf", "digital-trends-2026-press.pdf")


def project_font_names(root: Path) -> set[str]:
    """Full names (name ID 4) of every font file the project ships."""
    names = set()
    for path in sorted((root / "assets" / "fonts").rglob("*")):
        if path.suffix in (".otf", ".ttf", ".woff2"):
            names.add(TTFont(path)["name"].getDebugName(4))
    return names


def embedded_font_names(pdf_path: Path) -> dict[str, str]:
    """BaseFont -> the full name read from the embedded font program itself."""
    found: dict[str, str] = {}
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                base = str(font.BaseFont)
                if base in found:
                    continue
                descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
                stream = next((descriptor[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor), None)
                if stream is None:
                    found[base] = "(not embedded)"
                    continue
                found[base] = str(TTFont(io.BytesIO(stream.read_bytes()))["name"].getDebugName(4))
    return found


@pytest.mark.parametrize("name", PDFS)
def test_every_embedded_font_comes_from_assets(real_build: Built, name: str) -> None:
    root, _ = real_build
    ours = project_font_names(root)
    embedded = embedded_font_names(root / "output" / name)
    foreign = {base: full for base, full in embedded.items() if full not in ours}
    assert embedded and not foreign, f"fonts not from assets/fonts: {foreign}"


def char_census(pdf_path: Path) -> collections.Counter[tuple[int, str, float]]:
    """(page, font name without subset tag, size in pt rounded to 0.1) -> characters drawn.

    The size is the font size pdfium reports times the scale of the character's full matrix
    (text matrix and CTM), so text inside a scaled SVG counts at the size it prints."""
    doc = pypdfium2.PdfDocument(str(pdf_path))
    census: collections.Counter[tuple[int, str, float]] = collections.Counter()
    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for index in range(len(doc)):
        text = doc[index].get_textpage()
        for j in range(text.count_chars()):
            char = pdfium_raw.FPDFText_GetUnicode(text, j)
            if pdfium_raw.FPDFText_IsGenerated(text, j) or chr(char).isspace() or char in (0, 2, 0xFFFE):
                continue
            matrix = pdfium_raw.FS_MATRIX()
            pdfium_raw.FPDFText_GetMatrix(text, j, ctypes.byref(matrix))
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
            size = pdfium_raw.FPDFText_GetFontSize(text, j) * scale
            pdfium_raw.FPDFText_GetFontInfo(text, j, buf, len(buf), ctypes.byref(flags))
            font = buf.value.decode("latin-1").split("+", 1)[-1]
            census[(index + 1, font, round(size, 1))] += 1
    doc.close()
    return census


def test_large_print_every_character_at_least_16pt_in_one_family_upright(real_build: Built) -> None:
    root, _ = real_build
    settings = yaml.safe_load((root / "book.yaml").read_text(encoding="utf-8"))["large_print"]
    minimum = float(settings["min_text_pt"])
    family = "Atkinson-Hyperlegible-Next"
    census = char_census(root / "output" / "digital-trends-2026-large-print.pdf")
    total = sum(census.values())
    small = {k: n for k, n in census.items() if k[2] < minimum - 0.05}
    other = {k: n for k, n in census.items() if not k[1].startswith(family)}
    assert total > 50_000
    assert not small, (f"{sum(small.values())} of {total} characters under {minimum} pt, "
                       f"first: {sorted(small.items())[:10]}")
    assert not other, f"{sum(other.values())} characters not in {family}: {sorted(other.items())[:10]}"
    italic = {k: n for k, n in census.items() if "Italic" in k[1] or "Oblique" in k[1]}
    assert not italic, f"clear print sets no italics: {sorted(italic.items())[:10]}"


def test_epub_notes_cover_and_chart_text(real_build: Built) -> None:
    """Note references are superscripts with a way back; the cover is a raster image; no chart
    text is left for a reading system to draw in a font it cannot reach."""
    root, _ = real_build
    with zipfile.ZipFile(root / "output" / "digital-trends-2026.epub") as epub:
        names = epub.namelist()
        pages = {n: epub.read(n).decode("utf-8") for n in names if n.endswith(".xhtml")}
        svgs = {n: epub.read(n).decode("utf-8") for n in names if n.startswith("EPUB/media/") and n.endswith(".svg")}
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    refs = [m for page in pages.values() for m in re.finditer(r'role="doc-noteref">(.*?)</a>', page)]
    assert len(refs) > 100 and all(re.fullmatch(r"<sup>\d+</sup>", m.group(1)) for m in refs)
    for page in pages.values():
        ids = set(re.findall(r'id="(fnref\d+)"', page))
        backs = re.findall(r'<a href="#(fnref\d+)" class="footnote-back" role="doc-backlink">', page)
        assert sorted(backs) == sorted(ids)
    cover = re.search(r'<item properties="cover-image"[^>]*href="([^"]+)"[^>]*media-type="([^"]+)"', opf)
    assert cover is not None and cover.group(2) == "image/png"
    assert svgs and not [n for n, svg in svgs.items() if "<text" in svg]


LONGEST_SEGMENT = largeprint.LONGEST_PART   # characters of an address that fit on one large-print line


def test_large_print_urls_break_only_after_a_slash(real_build: Built) -> None:
    """Every address of the bibliography, wherever pdfium finds it split over two lines of the
    large-print PDF, is split right after a slash (not at a hyphen, not inside https://), unless the
    part between two slashes is itself longer than a line."""
    root, _ = real_build
    urls = {str(e["URL"]) for e in yaml.safe_load((root / "assets" / "bibliography.yaml").read_text(encoding="utf-8"))
            if isinstance(e, dict) and str(e.get("URL", "")).startswith("http")}
    doc = pypdfium2.PdfDocument(str(root / "output" / "digital-trends-2026-large-print.pdf"))
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    doc.close()
    found, bad = 0, []
    for url in sorted(urls):
        pattern = r"[\r\n\ufffe]*".join(re.escape(ch) for ch in url)
        for match in re.finditer(pattern, text):
            found += 1
            for cut in re.finditer(r"\ufffe?\r?\n", match.group(0)):
                before = match.group(0)[:cut.start()]
                at = len(re.sub(r"[\r\n\ufffe]", "", before))     # where in the address the line ends
                end = url.find("/", at)
                segment = url[url.rfind("/", 0, at) + 1:end if end >= 0 else len(url)]
                # A path segment longer than a large-print line cannot break at a slash; there a
                # break after '.' or '-' is the least bad (RNIB: break long addresses at punctuation).
                too_long = len(segment) > LONGEST_SEGMENT and before.endswith(tuple("-.?&=+_"))
                if (not before.endswith("/") or before.endswith("//")) and not too_long:
                    bad.append(match.group(0))
    assert found > 20
    assert not bad, f"{len(bad)} addresses broken elsewhere than after a slash: {bad[:5]}"
