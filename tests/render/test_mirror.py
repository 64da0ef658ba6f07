"""folio.mirror: a bound press PDF has its side column on the outside of versos too (design review D5)."""

from __future__ import annotations

from typing import Any

import pytest

from folio import mirror

weasyprint = pytest.importorskip("weasyprint")

# The member/press grid in small: A4, a 120 mm text column 20 mm from the left edge, a 44 mm side
# column 8 mm to its right (a float with a negative right margin) and a wide block across both.
HTML = """<html><head><style>
@page { size: 210mm 297mm; margin: 22mm 70mm 24mm 20mm; @bottom-center { content: counter(page); } }
body { margin: 0; font-size: 10pt; }
.pq { float: right; width: 44mm; margin: 0 -52mm 0 0; }
.wide { margin-right: -52mm; height: 20mm; background: #ccc; }
.indent { margin-left: 10mm; }
</style></head><body>
<p>Recto text.</p><p class="pq">Recto quote.</p><div class="wide"></div>
<p style="break-before: page">Verso text.</p><p class="pq">Verso quote.</p><div class="wide"></div>
<p class="indent">Indented verso text.</p>
</body></html>"""


def _x(page: Any, text: str) -> float:
    """The left edge, in mm, of the line box that holds ``text``."""
    def walk(box: Any) -> float | None:
        if type(box).__name__ == "LineBox" and any(text in getattr(t, "text", "") for t in box.descendants()):
            return float(box.position_x) / mirror.MM
        for child in getattr(box, "children", []):
            found = walk(child)
            if found is not None:
                return found
        return None
    found = walk(page._page_box)
    assert found is not None, text
    return found


def _wide_x(page: Any) -> float:
    boxes = [b for b in page._page_box.descendants() if getattr(b, "element_tag", "") == "div"]
    return float(boxes[0].position_x) / mirror.MM


def test_versos_are_mirrored_rectos_are_not() -> None:
    document = weasyprint.HTML(string=HTML).render()
    recto, verso = document.pages
    assert round(_x(verso, "Verso text")) == 20 and round(_x(verso, "Verso quote")) == 148   # laid out as a recto
    assert mirror.mirror_versos(document) == 1
    # Recto: text column inside (left), side column outside (right), unchanged.
    assert round(_x(recto, "Recto text")) == 20 and round(_x(recto, "Recto quote")) == 148
    assert round(_wide_x(recto)) == 20
    # Verso: side column outside (left, 18 mm from the edge), text column inside, 20 mm from the spine.
    assert round(_x(verso, "Verso quote")) == 18
    assert round(_x(verso, "Verso text")) == 70
    assert round(_x(verso, "Indented verso text")) == 80          # indents inside the column are kept
    assert round(_wide_x(verso)) == 18                            # the wide block spans the outer column
    folio = next(b for b in verso._page_box.children if type(b).__name__ == "MarginBox")
    assert round((float(folio.position_x) + float(folio.width) / 2) / mirror.MM) == 130   # under the text column


def test_covers_and_blank_pages_stay() -> None:
    html = HTML.replace("<p style=\"break-before: page\">", "<p style=\"break-before: page; page: cover\">")
    document = weasyprint.HTML(string=html).render()
    assert mirror.mirror_versos(document) == 0
    assert round(_x(document.pages[1], "Verso quote")) == 148


def test_printed_addresses_break_only_after_a_slash() -> None:
    """The press edition's printed addresses: a break after '/', none after '-' (read as a hyphen, P034)."""
    from folio.pdf import printed_address

    printed = printed_address("ico.org.uk/about-the-ico/what-we-do")
    assert printed == "ico.org.uk/\u200babout-\u2060the-\u2060ico/\u200bwhat-\u2060we-\u2060do"


def _tint_x(page: Any, tag: str, css_class: str) -> tuple[float, float]:
    """(border-box left, painted background left), in mm, of the first ``tag.css_class`` box on the page."""
    box = next(b for b in page._page_box.descendants() if getattr(b, "element_tag", "") == tag
               and css_class in (b.element.get("class") or "").split())
    painted = box.background.layers[0].painting_area[0]
    return float(box.border_box_x()) / mirror.MM, float(painted) / mirror.MM


def test_a_tinted_box_keeps_its_tint_under_its_text_on_a_verso() -> None:
    """WeasyPrint places backgrounds when it lays out a page; a box moved after that keeps its text
    but left its tint at the recto position (design review 2026-12-02c, D1: case studies, action boxes
    and opener cards on every press verso)."""
    html = HTML.replace("</style>", ".tint { background: #eee; padding: 2mm; } .card { background: #ddd; width: 50mm; }"
                        "</style>").replace('<p class="indent">', '<div class="tint"><p>Boxed.</p><div class="card">'
                                            '<p>Card.</p></div></div><p class="indent">')
    document = weasyprint.HTML(string=html).render()
    mirror.mirror_versos(document)
    verso = document.pages[1]
    for tag, css_class in (("div", "tint"), ("div", "card"), ("div", "wide")):
        box_x, painted_x = _tint_x(verso, tag, css_class)
        assert painted_x == pytest.approx(box_x, abs=0.1), (css_class, box_x, painted_x)
    assert round(_tint_x(verso, "div", "tint")[0]) == 70


def test_a_long_slug_or_query_string_may_break_after_its_hyphens_and_pluses() -> None:
    """A part between two '/' longer than a line (design review 2026-12-02d, D1: the 'Who to contact'
    address ran 80 pt into the side column) breaks after '-', '+', '=' or '&'; a short one still not
    after '-'."""
    from folio.pdf import LONG_PART, printed_address

    slug = "responsible-secure-use-technologies-artificial-intelligence-data-policy-focus"
    assert len(slug) > LONG_PART
    assert printed_address(f"www.gov.uk/{slug}").endswith("data-\u200bpolicy-\u200bfocus")
    query = "articles/launching+the+artificial+intelligence+playbook+for+the+uk+government?open"
    assert "launching+\u200bthe+\u200bartificial" in printed_address(f"wired-gov.net/{query}")
    assert printed_address("ico.org.uk/what-we-do") == "ico.org.uk/\u200bwhat-\u2060we-\u2060do"
