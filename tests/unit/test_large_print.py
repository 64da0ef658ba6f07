"""Large print (RNIB clear print): endnotes, URL breaks, redrawn figures, font coverage."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from folio import figures, largeprint
from folio.chapters import read_chapters
from folio.config import load_book

ROOT = Path(__file__).resolve().parent.parent.parent
FONTS = ROOT / "assets" / "fonts"


def test_notes_become_chapter_endnotes_with_full_size_calls() -> None:
    html = ('<p>Founded in 1986.\u2060<span class="footnote">See <span class="x"><a href="#r">Ref</a></span>.</span> '
            'Then 2016.\u2060<span class="footnote">Two.</span></p>')
    out = largeprint.endnotes(html, "foreword")
    assert 'class="footnote"' not in out
    assert out.count('role="doc-noteref"') == 2
    assert '1986.\u2060<sup class="note-ref"><a href="#foreword-note-1" id="foreword-noteref-1"' in out
    assert '<li id="foreword-note-1">See <span class="x"><a href="#r">Ref</a></span>.</li>' in out
    assert '<li id="foreword-note-2">Two.</li>' in out
    assert out.index("</p>") < out.index('<section class="endnotes"')


def test_unclosed_note_is_an_error() -> None:
    with pytest.raises(ValueError):
        largeprint.endnotes('<span class="footnote">never closed', "c")


def test_urls_may_break_only_after_slashes() -> None:
    broken = largeprint.break_url("https://www.bbc.co.uk/news/uk-england-london-55574580")
    assert broken.replace(largeprint.ZWSP, "").replace(largeprint.WORD_JOINER, "") == \
        "https://www.bbc.co.uk/news/uk-england-london-55574580"
    assert broken.startswith("https://\u2060www.bbc.co.uk/\u200bnews/\u200buk-\u2060england-\u2060london-\u206055574580")
    assert "https:/\u200b" not in broken
    html = ('<a href="https://a.org/x-y/">https://a.org/x-y/</a> <a href="#n">not-a-url</a> '
            '<a href="#r"><span>https://b.org/p-q</span></a>')
    assert largeprint.break_urls_at_slashes(html) == (
        '<a href="https://a.org/x-y/">https://\u2060a.org/\u200bx-\u2060y/</a> <a href="#n">not-a-url</a> '
        '<a href="#r"><span>https://\u2060b.org/\u200bp-\u2060q</span></a>')


def test_a_part_too_long_for_a_line_may_also_break_at_its_punctuation() -> None:
    """Without this, a 95-character part glued at its hyphens ran off the large-print page (a design
    review found 43 such lines); the parts that fit still break only after a slash."""
    long = "IT-services-companies-and-datacentres-face-regulation-as-cyber-security-bill-reaches-Parliament"
    broken = largeprint.break_url(f"https://www.computerweekly.com/news/366634567/{long}")
    head, _, tail = broken.rpartition("/\u200b")
    assert "\u200b" not in head.split("/\u200b", 1)[0] and "news/\u200b366634567" in head
    assert tail == long.replace("-", "-\u200b")
    assert largeprint.break_url("https://a.org/" + "x-" * 10 + "y") == "https://\u2060a.org/\u200b" + "x-\u2060" * 10 + "y"


def test_a_long_part_breaks_after_dots_and_hyphens_before_other_punctuation() -> None:
    """Design review D20, page quality P038: a long part broke after '?', '=' and '&' although it had
    hyphens enough; only a part that still has a piece longer than a line breaks at '+' and the rest."""
    long = "/news/366634567/uk-national-cyber-security-centre-reports-surge-in-incidents?src=rss&id=5"
    tail = largeprint.break_url("https://www.example.com" + long).rpartition("/\u200b")[2]
    assert "?\u200b" not in tail and "=\u200b" not in tail and "&\u200b" not in tail
    assert tail.startswith("uk-\u200bnational-\u200b")
    words = "london+borough+of+hackney+reprimanded+following+cyberattack+18072024091000?open"
    assert "+\u200bof+\u200b" in largeprint.break_url("https://www.wired-gov.net/wg/" + words)


def test_a_long_part_never_breaks_after_a_question_mark() -> None:
    """Page quality P038 on the large print's Sources (pp. 152 and 164): a part without enough
    hyphens fell back to breaking at all its punctuation, '?' included, and printed
    '...12022025102000?' with 'open' alone on the next line."""
    words = "launching+the+artificial+intelligence+playbook+for+the+uk+government+12022025102000?open"
    broken = largeprint.break_url("https://www.wired-gov.net/wg/news.nsf/articles/" + words)
    assert "?\u200b" not in broken and "?\u2060open" in broken and "+\u200bthe+\u200b" in broken
    # ... unless '?' is the only place a piece longer than a line can break (P041: it ran 12 pt out)
    doc = largeprint.break_url("https://www.wired-gov.net/wg/wg-news-1.nsf/0/B72A11F8D278C39A802574E40035CD34?OpenDocument")
    assert doc.endswith("CD34?\u200bOpenDocument") and "\u2060\u2060" not in doc


def test_an_address_with_an_entity_keeps_it_whole() -> None:
    """The HTML's '&amp;' was split after its '&', and large print printed '&amp;' (ten times)."""
    html = '<span>https://example.org/index.php?option=com_content&amp;view=article&amp;id=20153&amp;catid=53</span>'
    out = largeprint.break_urls_at_slashes(html)
    assert "&amp;" in out and "&\u200bamp;" not in out and "&\u2060amp;" not in out
    assert out.replace("\u200b", "").replace("\u2060", "") == html


def _sizes(svg: str) -> list[float]:
    return [float(t.get("font-size", "0")) for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]


def test_large_print_figures_are_redrawn_with_no_label_under_16pt() -> None:
    specs = figures.load_figure_specs(ROOT / "assets" / "data" / "figures")
    declared = load_book(ROOT).editions["large-print"].figures     # book.yaml: the face and its files
    assert declared is not None
    regular, bold = declared.font_files
    style = figures.large_print_style(declared.font, (regular, bold), 16)
    for spec in specs:
        svg = figures.render_figure(spec, lambda key: "#000000", style, width=476.2)
        root = ET.fromstring(svg)
        assert root.get("viewBox", "").split()[2] == "476.2"     # drawn at the column width: scale 1
        sizes = _sizes(svg)
        assert sizes and min(sizes) >= 16, spec.id
        assert {t.get("font-family") for t in root.iter("{http://www.w3.org/2000/svg}text")} == {"Atkinson Hyperlegible Next"}
    member = figures.render_figure(specs[0], lambda key: "#000000", "Inter")
    assert min(_sizes(member)) < 16          # the member edition keeps its own, smaller, drawing


def test_outlined_figures_have_no_text_left() -> None:
    spec = figures.load_figure_specs(ROOT / "assets" / "data" / "figures")[0]
    inter = (FONTS / "inter" / "Inter-Regular.otf", FONTS / "inter" / "Inter-Bold.otf")
    svg = figures.render_figure(spec, lambda key: "#000000", figures.TextStyle(fonts=inter, outline=True))
    assert "<text" not in svg and svg.count("<path") > 3


def _book_text() -> str:
    book = load_book(ROOT)
    chapters, _ = read_chapters(book)
    parts = [c.body + c.title + " ".join(str(v) for v in c.meta.values()) for c in chapters]
    parts.append((ROOT / "assets" / "bibliography.yaml").read_text(encoding="utf-8"))
    parts.append((ROOT / "book.yaml").read_text(encoding="utf-8"))
    parts += [p.read_text(encoding="utf-8") for p in (ROOT / "assets" / "data" / "figures").glob("*.yaml")]
    return "".join(parts)


@pytest.mark.parametrize("font", ["atkinson-hyperlegible-next/AtkinsonHyperlegibleNext_400Regular.ttf",
                                  "source-serif-4/SourceSerif4-Regular.otf", "inter/Inter-Regular.otf"])
def test_every_character_of_the_book_is_in_each_edition_font(font: str) -> None:
    """No character can fall back to a system font: each one the book uses is in the font."""
    cmap = TTFont(FONTS / font).getBestCmap()
    used = {ch for ch in _book_text() if not ch.isspace() and ch.isprintable()}
    missing = sorted(ch for ch in used if ord(ch) not in cmap and not re.match(r"[\u200b-\u200f\u2060]", ch))
    assert not missing, f"{font} lacks {missing}"


def test_epub_note_references_become_superscripts_with_back_links() -> None:
    from folio.epub import mark_notes

    xhtml = ('<p>In 2016.<a href="#fn13" class="footnote-ref" id="fnref13" epub:type="noteref" '
             'role="doc-noteref">13</a></p>\n<aside epub:type="footnote" role="doc-footnote" id="fn13">\n'
             '<p><a href="x.xhtml#r">Title</a>.</p>\n</aside>')
    out = mark_notes(xhtml)
    assert 'role="doc-noteref"><sup>13</sup></a>' in out
    assert '<p><span class="note-number">13.</span> <a href="x.xhtml#r">Title</a>. <a href="#fnref13" ' \
           'class="footnote-back" role="doc-backlink">Back to the text of note 13</a></p>' in out


def test_cover_png_is_drawn_from_the_svg() -> None:
    import io

    from PIL import Image

    from folio.cover import rasterise

    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="140" height="198" viewBox="0 0 210 297">'
           '<rect width="210" height="297" fill="#14213d"/><rect x="100" y="100" width="10" height="10" fill="#f2b705"/>'
           '<g fill="#ffffff"><text x="20" y="60" font-size="20" font-weight="800">Digital</text></g></svg>')
    cover_fonts = load_book(ROOT).editions["epub"].cover_fonts      # book.yaml: the cover's files
    png = rasterise(svg, cover_fonts)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (140, 198)
    assert image.getpixel((5, 190)) == (0x14, 0x21, 0x3D)
    assert image.getpixel((70, 70)) == (0xF2, 0xB7, 0x05)
    assert (255, 255, 255) in {image.getpixel((x, 35)) for x in range(14, 60)}     # the title is painted
    assert rasterise(svg, cover_fonts) == png
    with pytest.raises(ValueError):
        rasterise(svg.replace("<g ", '<circle r="1"/><g '), cover_fonts)
    with pytest.raises(ValueError, match="no font file of weight 800"):
        rasterise(svg, cover_fonts[:1])
