"""Line breaking in the paged editions (folio.pdf): design review 2026-12-02c, D5.

WeasyPrint 70 measures a run of text with its trailing space. When the run fits its line only
without that space and an inline element follows (a name, a link, a note call), it gave up on the
run and set its first word alone on the line: 'The five-trends summary puts each trend's milestone,
opportunity,' / 'key' / 'figures and first actions ... It is for' / 'Socitm members.' (p. 58).
``folio.pdf.fix_line_breaking`` measures the run without the space, as a line end does.
"""

from __future__ import annotations

import pytest

from folio import pdf

TEXT = ("key figures and first actions on a few pages, with the timeline. It is for "
        '<span class="name">Socitm</span> members.')


def _lines(html: str) -> list[str]:
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    document = HTML(string=html).render()
    found = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox):
                found.append("".join(t.text for t in box.descendants() if isinstance(t, boxes.TextBox)).strip())
    return found


def _stubs() -> list[tuple[float, list[str]]]:
    """For widths around the one where the text before the name just fits: the widths at which the
    first line held one word only."""
    stubs = []
    for tenth in range(0, 80):     # the run is about 504 px wide with its space, 500 px without
        width = 498 + tenth / 10
        lines = _lines(f'<html lang="en-GB"><body style="margin: 0"><p style="width: {width}px; '
                       f'font: 14px serif; margin: 0">{TEXT}</p></body></html>')
        if len(lines[0].split()) == 1:
            stubs.append((width, lines))
    return stubs


def test_a_run_that_fits_without_its_trailing_space_keeps_its_words_on_the_line() -> None:
    pdf.fix_line_breaking()
    assert not _stubs(), "a line held a single word although the text up to the name fitted"


@pytest.mark.parametrize("text", ["an EPUB e-book for reading apps", "a print-ready PDF for printers"])
def test_compounds_do_not_break_at_their_hyphen(text: str) -> None:
    glued = pdf.glue_compounds(f"<p>{text}</p>")
    first, second = next(word for word in text.split() if "-" in word).split("-")
    lines = _lines(f'<html lang="en-GB"><body style="margin: 0"><p style="width: 1px; font: 14px serif">'
                   f'{glued[3:-4]}</p></body></html>')
    assert not any(line.endswith("-") for line in lines), lines
    assert any(line.replace("\u2060", "") == f"{first}-{second}" for line in lines), lines


def test_glue_compounds_leaves_tags_and_addresses_alone() -> None:
    html = ('<h2 id="how-to-use-the-collection">An e-book</h2><p class="x-y">'
            'https://example.org/a-b/\u200bc-\u200bd and print-ready, www.x-y.org</p><svg><text>a-b</text></svg>')
    glued = pdf.glue_compounds(html)
    assert 'id="how-to-use-the-collection"' in glued and 'class="x-y"' in glued
    # Headings are never hyphenated, and are the PDF's bookmarks, where a word joiner shows as a box
    # in some viewers (design review 2026-12-02d, D13): they keep their hyphens as written.
    assert "An e-book</h2>" in glued and "print-\u2060ready" in glued
    assert "https://example.org/a-b/\u200bc-\u200bd" in glued and "www.x-y.org" in glued   # addresses as they were
    assert "<text>a-b</text>" in glued               # SVG text is the figure's, not ours


def _note_pages(filler: int) -> list[tuple[int, int]]:
    """(page of the call, page of the note) for note 'N1' of a page that ends with a paragraph whose
    third line (orphans: 3) would not fit."""
    import io

    import pypdfium2  # type: ignore[import-untyped]
    from weasyprint import HTML

    css = ("@page { size: 100mm 80mm; margin: 8mm; } body { font: 10pt/14pt serif; margin: 0 } "
           "p { margin: 0; orphans: 3; widows: 3 } .fn { float: footnote; footnote-policy: line }")
    body = ("<p>Opening line with a note<span class='fn'>N1 note text.</span> at its end.</p>"
            + "".join(f"<p>Filler {i}.</p>" for i in range(filler))
            + "<p>" + " ".join(["A paragraph of five lines at the foot of the page."] * 5) + "</p>")
    data = HTML(string=f"<html lang='en-GB'><head><style>{css}</style></head><body>{body}</body></html>").write_pdf()
    pages = [page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(io.BytesIO(data))]
    call = next(i for i, text in enumerate(pages) if "a note" in text)
    note = next(i for i, text in enumerate(pages) if "N1 note text." in text)
    return [(call, note)]


def test_a_note_is_not_moved_off_its_page_to_fit_an_orphan_line() -> None:
    """WeasyPrint 70 moved notes already placed to the next page to fit the line that a paragraph
    needs for its orphans, although footnote-policy: line keeps a note on its call's page (P016,
    cyber security p. 28: note 12 overleaf)."""
    pdf.fix_footnote_deferral()
    moved = [filler for filler in range(0, 14) if any(call != note for call, note in _note_pages(filler))]
    assert not moved, f"the note left its call's page with {moved} filler lines"
