"""The shipped fonts are complete where the book needs them (assets/fonts/README.md).

- every web font the stylesheet loads is a file in assets/fonts/, and each Source Serif 4 WOFF2
  has exactly the characters of the OTF the PDFs and the EPUB use (no Latin-only subset);
- the body font and the large-print font have U+2010 HYPHEN where the edition hyphenates, and
  Latin Extended-A apart from the gaps the README lists;
- every character of the book's text is in each family that sets it, so no glyph can come from a
  font installed on the machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
FONTS = ROOT / "assets" / "fonts"
SERIF = ("Regular", "It", "Semibold", "Bold", "BoldIt")
# The gaps the README lists (characters none of our text uses today).
ATKINSON_GAPS = set("ĈĉĔĕĜĝĤĥĨĩĬĭĴĵĸĿŀŉŊŋŌōŎŏŖŗŜŝŦŧŨũŬŭſ")
SERIF_GAPS = set("ĬĭĲĳŦŧ")
LATIN_EXT_A = {chr(c) for c in range(0x100, 0x180)}


def cmap(path: Path) -> set[str]:
    return {chr(c) for c in TTFont(path).getBestCmap()}


def test_web_fonts_are_shipped_files_and_complete() -> None:
    css = (ROOT / "layouts" / "web" / "site.css.j2").read_text(encoding="utf-8")
    urls = re.findall(r"url\(\{\{ fonts \}\}/([^)]+)\)", css)
    assert urls and all((FONTS / u).is_file() for u in urls), urls
    assert not any("latin" in u for u in urls), urls
    for name in SERIF:
        woff2 = FONTS / "source-serif-4" / f"SourceSerif4-{name}.otf.woff2"
        assert f"source-serif-4/{woff2.name}" in urls
        assert cmap(woff2) == cmap(FONTS / "source-serif-4" / f"SourceSerif4-{name}.otf"), name


@pytest.mark.parametrize("name", SERIF)
def test_body_font_has_the_hyphen_and_latin_extended(name: str) -> None:
    chars = cmap(FONTS / "source-serif-4" / f"SourceSerif4-{name}.otf")
    assert "\u2010" in chars
    assert LATIN_EXT_A - SERIF_GAPS <= chars, sorted(LATIN_EXT_A - SERIF_GAPS - chars)
    assert set("ŵŷłő") <= chars


def test_large_print_font_has_latin_extended_but_the_listed_gaps() -> None:
    for path in sorted((FONTS / "atkinson-hyperlegible-next").glob("*.ttf")):
        chars = cmap(path)
        assert LATIN_EXT_A - ATKINSON_GAPS <= chars, (path.name, sorted(LATIN_EXT_A - ATKINSON_GAPS - chars))


def test_every_character_of_the_book_is_in_the_fonts_that_set_it() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "chapters").glob("*.md")))
    text += (ROOT / "assets" / "bibliography.yaml").read_text(encoding="utf-8")
    used = {ch for ch in text if not ch.isspace() and ord(ch) >= 0x20}
    for path in [FONTS / "source-serif-4" / "SourceSerif4-Regular.otf", FONTS / "inter" / "Inter-Regular.otf",
                 *sorted((FONTS / "atkinson-hyperlegible-next").glob("*.ttf"))]:
        missing = used - cmap(path)
        assert not missing, (path.name, sorted(missing))
