"""Tests for folio.figures: data files, SVG structure, colours, legibility and determinism."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import pytest
import yaml

from folio.figures import (
    COLOUR_KEYS,
    FigureSpec,
    figure_drawings,
    figure_numbers,
    label_figures,
    load_figure_specs,
    render_figure,
    text_width,
    value_label,
    write_figures,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "assets" / "data" / "figures"
PALETTE = ROOT / "assets" / "data" / "palette.yaml"
SVG = "{http://www.w3.org/2000/svg}"
FONT = "Inter"
IDS = {"timeline", "ncsc-incidents", "homeworking", "digital-exclusion", "council-ai"}
CITES = {
    "timeline": (),
    "ncsc-incidents": ("ncsc-review-2025",),
    "homeworking": ("ons-homeworkers-2023", "ons-homeworking-2025"),
    "digital-exclusion": ("offline-population-2025", "ofcom-home-internet-2025", "lloyds-cdi-2024"),
    "council-ai": ("lga-ai-survey-2025",),
}


def themes() -> tuple[str, ...]:
    return tuple(yaml.safe_load(PALETTE.read_text(encoding="utf-8"))["themes"])


def sentinel(key: str) -> str:
    assert key in (*COLOUR_KEYS, *themes()), key
    return f"SENTINEL-{key}"


def palette_colour(key: str) -> str:
    palette = yaml.safe_load(PALETTE.read_text(encoding="utf-8"))
    themes: dict[str, str] = palette["themes"]
    return themes[key] if key in themes else str(palette[key])


@pytest.fixture(scope="module")
def specs() -> dict[str, FigureSpec]:
    return {spec.id: spec for spec in load_figure_specs(DATA)}


@pytest.fixture(scope="module")
def svgs(specs: dict[str, FigureSpec]) -> dict[str, str]:
    return {fid: render_figure(spec, sentinel, FONT) for fid, spec in specs.items()}


def texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg.encode("utf-8")).iter(f"{SVG}text"))


def all_text(svg: str) -> str:
    return " ".join(" ".join(t.text or "" for t in texts(svg)).split())


def value_labels(spec: FigureSpec) -> list[str]:
    """Every label the figure must print: values, categories, notes, milestones."""
    data, unit = spec.data, str(spec.data.get("unit", ""))
    if spec.kind in ("bars", "hbars"):
        out = []
        for bar in data["bars"]:
            out += [value_label(bar["value"], unit), bar["label"], bar.get("note", "")]
        return [s for s in out if s]
    if spec.kind == "grouped-bars":
        out = [s["label"] for s in data["series"]]
        for group in data["groups"]:
            out += [group["label"], *(value_label(v, unit) for v in group["values"])]
        return out
    out = [entry["label"] for entry in data["legend"]]
    for m in data["milestones"]:
        out += [str(m["year"]), m["text"]]
    return out


# --------------------------------------------------------------------------- data files


def test_every_data_file_loads(specs: dict[str, FigureSpec]) -> None:
    assert set(specs) == IDS
    assert {p.stem for p in DATA.glob("*.yaml")} == IDS
    for fid, spec in specs.items():
        assert spec.title and spec.alt and spec.source
        assert spec.cite == CITES[fid]
        assert spec.theme in ("ink", "ai", "cyber", "data", "work", "inclusion")
    assert specs["ncsc-incidents"].theme == "cyber"
    assert specs["homeworking"].theme == "work"
    assert specs["digital-exclusion"].theme == "inclusion"
    assert specs["council-ai"].theme == "ai"


def test_values_match_the_fact_sheet(specs: dict[str, FigureSpec]) -> None:
    groups = {g["label"]: g["values"] for g in specs["ncsc-incidents"].data["groups"]}
    assert groups == {"Nationally significant": [89, 204], "Highly significant": [12, 18]}
    assert [b["value"] for b in specs["homeworking"].data["bars"]] == [12, 49, 28]
    assert "hybrid" in specs["homeworking"].data["bars"][2]["note"]
    assert [b["value"] for b in specs["digital-exclusion"].data["bars"]] == [1.6, 2.8, 16.8]
    assert [b["value"] for b in specs["council-ai"].data["bars"]] == [19, 11]
    years = [m["year"] for m in specs["timeline"].data["milestones"]]
    assert years == [1986, 1990, 2000, 2010, 2012, 2016, 2016, 2018, 2020, 2025, 2025, 2026]


def test_alt_text_gives_every_value(specs: dict[str, FigureSpec]) -> None:
    for spec in specs.values():
        if spec.kind == "timeline":
            for m in spec.data["milestones"]:
                assert str(m["year"]) in spec.alt
            continue
        for label in value_labels(spec):
            if re.fullmatch(r"[\d.,]+[%m]?", label):
                assert label in spec.alt, (spec.id, label)


# --------------------------------------------------------------------------- SVG


def test_svg_structure(svgs: dict[str, str], specs: dict[str, FigureSpec]) -> None:
    for fid, svg in svgs.items():
        root = ET.fromstring(svg.encode("utf-8"))
        assert root.tag == f"{SVG}svg"
        assert root.get("version") == "1.1"
        assert root.get("role") == "img"
        assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))
        width = root.get("width", "")
        assert width.endswith("mm") and 140 <= float(width[:-2]) <= 160
        assert root.get("height", "").endswith("mm")
        first, second = list(root)[:2]
        assert first.tag == f"{SVG}title" and first.text == specs[fid].title
        assert second.tag == f"{SVG}desc" and second.text == specs[fid].alt
        assert root.get("aria-labelledby") == f"{first.get('id')} {second.get('id')}"


def test_svg_contains_every_label(svgs: dict[str, str], specs: dict[str, FigureSpec]) -> None:
    for fid, svg in svgs.items():
        printed = all_text(svg)
        for label in value_labels(specs[fid]):
            assert label in printed, (fid, label)


def test_svg_is_self_contained_and_flat(svgs: dict[str, str]) -> None:
    for svg in svgs.values():
        for banned in ("<image", "href", "url(", "opacity", "Gradient", "<filter", "<pattern", "<mask", "<style"):
            assert banned not in svg, banned
        assert "http://" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_colours_only_through_the_colour_function(svgs: dict[str, str]) -> None:
    for fid, svg in svgs.items():
        assert "SENTINEL-ink" in svg
        assert not re.search(r"#[0-9a-fA-F]{3,8}\b", svg), fid
        assert not re.search(r"\b(rgba?|hsla?|device-cmyk)\(", svg), fid
        root = ET.fromstring(svg.encode("utf-8"))
        for el in root.iter():
            if el.tag in (f"{SVG}svg", f"{SVG}title", f"{SVG}desc"):
                continue
            for attr in ("fill", "stroke"):
                value = el.get(attr)
                assert value is not None, (fid, el.tag, attr)  # SVG's default black would be RGB
                assert value == "none" or value.removeprefix("SENTINEL-") in (*COLOUR_KEYS, *themes()), (fid, value)
    assert "SENTINEL-cyber" in svgs["ncsc-incidents"]
    assert "SENTINEL-work" in svgs["homeworking"]
    assert "SENTINEL-inclusion" in svgs["digital-exclusion"]
    assert "SENTINEL-ai" in svgs["council-ai"]
    for key in ("ai", "cyber", "data", "work", "inclusion", "gold"):
        assert f"SENTINEL-{key}" in svgs["timeline"]


def test_font_family_and_legible_sizes(specs: dict[str, FigureSpec]) -> None:
    for spec in specs.values():
        svg = render_figure(spec, sentinel, "'Source Sans', sans-serif")
        root = ET.fromstring(svg.encode("utf-8"))
        width_mm = float(root.get("width", "0mm")[:-2])
        units = float(root.get("viewBox", "").split()[2])
        scale_at_140mm = 140 / width_mm * (width_mm / 25.4 * 72) / units  # points per unit
        for t in texts(svg):
            assert t.get("font-family") == "'Source Sans', sans-serif"
            assert float(t.get("font-size", "0")) * scale_at_140mm >= 7.0
        for el in root.iter():
            if el.get("stroke-width"):
                assert float(el.get("stroke-width", "0")) * scale_at_140mm >= 0.25


def test_text_does_not_overlap(svgs: dict[str, str]) -> None:
    for fid, svg in svgs.items():
        boxes = []
        for t in texts(svg):
            size = float(t.get("font-size", "0"))
            w = text_width(t.text or "", size, t.get("font-weight") == "700")
            x, y = float(t.get("x", "0")), float(t.get("y", "0"))
            anchor = t.get("text-anchor", "start")
            left = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
            boxes.append((t.text, left, y - 0.75 * size, left + w, y + 0.2 * size))
        for a, b in combinations(boxes, 2):
            overlap = a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
            assert not overlap, (fid, a, b)
        units = [float(v) for v in ET.fromstring(svg.encode()).get("viewBox", "").split()]
        for box in boxes:
            assert 0 <= box[1] and box[3] <= units[2] and 0 <= box[2] and box[4] <= units[3], (fid, box)


def test_output_is_deterministic(tmp_path: Path, specs: dict[str, FigureSpec]) -> None:
    first = {fid: render_figure(spec, palette_colour, FONT) for fid, spec in specs.items()}
    again = {spec.id: render_figure(spec, palette_colour, FONT) for spec in load_figure_specs(DATA)}
    assert first == again
    written = write_figures(load_figure_specs(DATA), tmp_path / "a", palette_colour, FONT)
    assert set(written) == IDS
    assert all(path.name == f"{fid}.svg" for fid, path in written.items())
    before = {fid: path.read_bytes() for fid, path in written.items()}
    rewritten = write_figures(load_figure_specs(DATA), tmp_path / "a", palette_colour, FONT)
    assert {fid: path.read_bytes() for fid, path in rewritten.items()} == before
    assert before["homeworking"].decode("utf-8") == first["homeworking"]


# --------------------------------------------------------------------------- bad data


def _write_bad(tmp_path: Path, source: str, change: str) -> Path:
    data = yaml.safe_load((DATA / source).read_text(encoding="utf-8"))
    exec(change, {"d": data})  # the change is a literal from the parameter list below
    path = tmp_path / source
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("source", "change", "key"),
    [
        ("homeworking.yaml", "del d['title']", "title"),
        ("homeworking.yaml", "del d['alt']", "alt"),
        ("homeworking.yaml", "d['alt'] = ['not', 'text']", "alt"),
        ("homeworking.yaml", "d['theme'] = 'purple'", "theme"),
        ("homeworking.yaml", "d['kind'] = 'pie'", "kind"),
        ("homeworking.yaml", "d['id'] = 'other'", "id"),
        ("homeworking.yaml", "d['tilte'] = 'typo'", "tilte"),
        ("homeworking.yaml", "d['cite'] = 42", "cite"),
        ("homeworking.yaml", "d['bars'][1]['value'] = 'lots'", "bars[1].value"),
        ("homeworking.yaml", "del d['bars'][0]['label']", "bars[0].label"),
        ("homeworking.yaml", "d['bars'] = {}", "bars"),
        ("digital-exclusion.yaml", "d['bars'][2]['2024'] = None", "bars[2].2024"),
        ("digital-exclusion.yaml", "d['unit'] = 1", "unit"),
        ("digital-exclusion.yaml", "d['note'] = ''", "note"),
        ("ncsc-incidents.yaml", "d['groups'][0]['values'] = [89]", "groups[0].values"),
        ("ncsc-incidents.yaml", "d['series'][1]['colour'] = '#ff0000'", "series[1].colour"),
        ("timeline.yaml", "d['milestones'][3]['year'] = 1900", "milestones[3].year"),
        ("timeline.yaml", "d['milestones'][0]['month'] = 13", "milestones[0].month"),
        ("timeline.yaml", "del d['milestones'][2]['text']", "milestones[2].text"),
    ],
)
def test_bad_data_names_path_and_key(tmp_path: Path, source: str, change: str, key: str) -> None:
    folder = tmp_path / "assets" / "data" / "figures"     # beside a palette: its themes are the colour keys
    folder.mkdir(parents=True)
    shutil.copy(PALETTE, folder.parent / "palette.yaml")
    path = _write_bad(folder, source, change)
    with pytest.raises(ValueError) as caught:
        load_figure_specs(folder)
    message = str(caught.value)
    assert message.startswith(f"{path}: "), message
    assert f"'{key}'" in message, message


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(f"{path}: ")):
        load_figure_specs(tmp_path)


def test_bad_spec_at_render(specs: dict[str, FigureSpec]) -> None:
    spec = specs["council-ai"]
    broken = FigureSpec(spec.id, spec.title, spec.alt, spec.cite, spec.source, spec.theme, {"kind": "hbars"})
    with pytest.raises(ValueError, match=r"^council-ai: missing key 'unit'"):
        render_figure(broken, sentinel, FONT)


# --------------------------------------------------------------------------- print


def test_figures_are_numbered_in_reading_order_with_their_source(specs: dict[str, FigureSpec]) -> None:
    def fig(name: str, caption: str) -> str:
        return f'<figure id="fig-{name}">\n<img src="figures/{name}.svg" alt="x" />\n<figcaption>{caption}</figcaption>\n</figure>'
    photo = '<figure><img src="photo.jpg" alt="y" /><figcaption>A photograph.</figcaption></figure>'
    bodies = {"b": fig("homeworking", "Hybrid working settled.") + photo, "a": fig("council-ai", "Fewer councils use no AI."),
              "c": '<figure><img src="x.png" alt="" /></figure>'}
    out = label_figures(bodies, ["a", "b", "c"], list(specs.values()))
    assert '<figcaption><span class="figure-label">Figure 1.</span> Fewer councils use no AI.' in out["a"]
    assert '<span class="figure-label">Figure 2.</span> Hybrid working settled.' in out["b"]
    assert '<span class="figure-label">Figure 3.</span> A photograph.</figcaption>' in out["b"]   # no data file, no source
    assert out["c"] == bodies["c"]                                                              # no caption, no number
    for name, body in (("council-ai", out["a"]), ("homeworking", out["b"])):
        source = re.search(r'<span class="figure-source">Source: (.*?)</span></figcaption>', body)
        assert source and source.group(1) == specs[name].source.replace("&", "&amp;")


def test_one_numbering_from_the_books_markdown(specs: dict[str, FigureSpec]) -> None:
    """Design review D8: every edition numbers a figure as the book does. The numbers come from
    the Markdown of the book's chapters: by drawing, so the same chart shown outside the book (the
    summary's timeline) carries the book's number, and by id; a figure not in the book has none."""
    glance = "Intro.\n\n![Forty years.](figures/timeline.svg){#fig-timeline alt=\"x\"}\n\nMore."
    ai = ("::: {.key-facts}\n- a\n:::\n\n![Fewer councils use no AI [@lga].](figures/council-ai.svg){#fig-council-ai}\n\n"
          "Inline ![icon](figures/homeworking.svg) in a sentence is no figure.\n\n![](photo.jpg)\n\n"
          "![A photograph.](photo.jpg){#fig-photo}\n")
    numbers = figure_numbers([glance, ai])
    assert numbers == {"timeline": 1, "#fig-timeline": 1, "council-ai": 2, "#fig-council-ai": 2, "#fig-photo": 3}
    assert figure_drawings([glance, ai]) == {"fig-timeline": "timeline", "fig-council-ai": "council-ai"}

    def fig(fid: str, src: str, caption: str) -> str:
        return f'<figure id="{fid}">\n<img src="{src}" alt="x" />\n<figcaption>{caption}</figcaption>\n</figure>'
    bodies = {"summary": fig("fig-summary-timeline", "figures/timeline.svg", "All on one line."),
              "ai": fig("fig-council-ai", "figures/council-ai.svg", "Fewer.") + fig("fig-photo", "photo.jpg", "A photo."),
              "work": fig("fig-homeworking", "figures/homeworking.svg", "Not in the book.")}
    out = label_figures(bodies, list(bodies), list(specs.values()), numbers)
    assert '<span class="figure-label">Figure 1.</span> All on one line.' in out["summary"]   # counted, it was 1 of its page
    assert '<span class="figure-label">Figure 2.</span> Fewer.' in out["ai"]
    assert '<span class="figure-label">Figure 3.</span> A photo.' in out["ai"]
    assert "figure-label" not in out["work"] and 'class="figure-source"' in out["work"]      # no number, still its source
    # The EPUB's pictures are renamed (media/fileN.svg): the drawing is found by the figure's id.
    epub = label_figures({"": fig("fig-council-ai", "../media/file1.svg", "Fewer.")}, [""], list(specs.values()),
                         numbers, figure_drawings([ai]))[""]
    assert '<figcaption><span class="figure-label">Figure 2.</span> Fewer. <span class="figure-source">Source: ' in epub


def test_epub_drawings_read_on_a_phone(specs: dict[str, FigureSpec]) -> None:
    """Design review D9: the EPUB's charts were the 450-unit print drawings with outlined labels,
    about 6 px high on a 390 px phone. They are now the phone layouts (a vertical timeline,
    labels above the bars) at 300 units, outlined, which the EPUB stylesheet sets at the column's
    width: about 358 px of a 390 px screen with 16 px margins (measured in Chromium), so 11-unit
    text is 13 px. Drawn with live text (outline off, same widths), no text is under 11 units."""
    from dataclasses import replace

    from folio.figures import NARROW_WIDTH, outlined_style

    fonts = (ROOT / "assets/fonts/inter/Inter-Regular.otf", ROOT / "assets/fonts/inter/Inter-Bold.otf")
    style = outlined_style(fonts, "Inter")
    assert style.outline and style.vertical_timeline and style.stacked_hbars
    for spec in specs.values():
        outlined = render_figure(spec, sentinel, style, width=NARROW_WIDTH)
        assert "<text" not in outlined and 'viewBox="0 0 300 ' in outlined
        sizes = [float(t.get("font-size", "0")) for t in texts(render_figure(spec, sentinel, replace(style, outline=False),
                                                                            width=NARROW_WIDTH))]
        assert sizes and min(sizes) * 358 / NARROW_WIDTH >= 13.0, (spec.id, min(sizes))


def test_every_figure_names_its_source(specs: dict[str, FigureSpec]) -> None:
    """A chart's 'Source:' line comes from its data file, so every data file must give one."""
    assert all(len(spec.source) > 20 for spec in specs.values()), [s.id for s in specs.values() if len(s.source) <= 20]


def test_grouped_bars_share_one_labelled_value_axis(specs: dict[str, FigureSpec], svgs: dict[str, str]) -> None:
    """Design review D6: the groups of a grouped-bar chart are drawn on one scale (12 drawn smaller
    than 89, not taller), and the value axis says what it counts and shows its ticks."""
    spec = specs["ncsc-incidents"]
    root = ET.fromstring(svgs["ncsc-incidents"].encode("utf-8"))
    series = {s["colour"] for s in spec.data["series"]}
    # A light bar is drawn inset by its outline's width (Canvas.bar): add it back.
    bars = [float(r.get("height", "0")) + float(r.get("stroke-width", "0")) for r in root.iter(f"{SVG}rect")
            if any(r.get("fill") == sentinel(k) for k in series)]
    values = [float(v) for g in spec.data["groups"] for v in g["values"]]
    assert len(bars) == len(values)
    per_unit = [h / v for h, v in zip(bars, values, strict=True)]
    assert max(per_unit) - min(per_unit) < 0.01 * max(per_unit), per_unit
    text = all_text(svgs["ncsc-incidents"])
    assert spec.data["axis"] in text
    assert all(tick in text.split() for tick in ("0", "50", "100", "150", "200", "250"))


def test_a_bar_of_a_different_measure_stands_apart(specs: dict[str, FigureSpec], svgs: dict[str, str]) -> None:
    """Design review D18: Figure 4's hybrid-working bar (a different measure) has a baseline of its
    own and a wider gap before it than between the like bars."""
    root = ET.fromstring(svgs["homeworking"].encode("utf-8"))
    bars = sorted(float(r.get("x", "0")) for r in root.iter(f"{SVG}rect")
                  if r.get("fill") in (sentinel("work"), sentinel("gold")))
    assert len(bars) == 3
    assert bars[2] - bars[1] > 1.3 * (bars[1] - bars[0])
    lines = list(root.iter(f"{SVG}line"))
    baselines = {round(float(x.get("y1", "0"))) for x in lines if x.get("y1") == x.get("y2")}
    assert len([x for x in lines if x.get("y1") == x.get("y2")]) == 2 and len(baselines) == 1


def test_timeline_dots_do_not_overlap(svgs: dict[str, str]) -> None:
    """Design review D16: milestones months apart (2016, 2025) had their dots drawn on top of each other."""
    root = ET.fromstring(svgs["timeline"].encode("utf-8"))
    dots = [(float(c.get("cx", "0")), float(c.get("cy", "0")), float(c.get("r", "0"))) for c in root.iter(f"{SVG}circle")]
    axis = max(set(cy for _, cy, _ in dots), key=[cy for _, cy, _ in dots].count)    # most dots sit on the axis
    on_line = [d for d in dots if abs(d[1] - axis) < 20]                             # not the legend's swatches
    for (x1, y1, r1), (x2, y2, r2) in combinations(on_line, 2):
        assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 >= r1 + r2, ((x1, y1), (x2, y2))
