"""WCAG 2.2 AA contrast, computed from the colours in the rendered member stylesheet.

Every rule that sets a text colour is paired with the background it sits on: its own
background if it sets one, else the background of its context (cover: ink; chapter opener:
each theme colour; boxes: tint; everything else: paper). Every pair must reach 4.5:1, the
body-text threshold, so large text (3:1) passes too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinycss2

from folio import render
from folio.build import read_sources

ROOT = Path(__file__).resolve().parent.parent.parent
HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_ratio_formula_against_known_values() -> None:
    assert ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


def member_css() -> str:
    sources, problems = read_sources(ROOT)
    assert not [p for p in problems if p.severity == "error"]
    palette = render.load_palette(ROOT)
    edition = render.Edition("member", "x", render.rgb_colour(palette), "figures")
    return render.render_css(render.environment(ROOT), "css/book.css.j2", edition, sources.book, sources.chapters, "fonts")


def text_pairs(css: str) -> list[tuple[str, str, str]]:
    palette = render.load_palette(ROOT)
    themes = list(palette["themes"].values())
    pairs = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "qualified-rule":
            continue
        selector = tinycss2.serialize(rule.prelude).strip()
        declarations = {d.lower_name: tinycss2.serialize(d.value) for d in tinycss2.parse_declaration_list(rule.content)
                        if d.type == "declaration"}
        colour = HEX.search(declarations.get("color", ""))
        if not colour:
            continue
        own = HEX.search(declarations.get("background", "") + declarations.get("background-color", ""))
        if own:
            backgrounds = [own.group()]
        elif ".cover" in selector:
            backgrounds = [palette["ink"]]
        elif ".opener" in selector:
            backgrounds = themes
        elif re.search(r"\.(look|case-study|call-to-action)", selector):
            backgrounds = [palette["tint"]]
        else:
            backgrounds = [palette["paper"]]
        pairs += [(selector, colour.group(), bg) for bg in backgrounds]
    return pairs


def test_every_text_colour_meets_aa() -> None:
    pairs = text_pairs(member_css())
    assert len(pairs) > 20, "the stylesheet should set text colours in many rules"
    failing = [f"{sel}: {fg} on {bg} is {ratio(fg, bg):.2f}:1" for sel, fg, bg in pairs if ratio(fg, bg) < 4.5]
    assert failing == []


def test_check_fails_on_a_low_contrast_colour() -> None:
    pairs = text_pairs(".caption { color: #AAAAAA; }")
    assert pairs == [(".caption", "#AAAAAA", "#FFFFFF")]
    assert ratio("#AAAAAA", "#FFFFFF") < 4.5
