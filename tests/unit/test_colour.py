"""sRGB to press CMYK through the generated FOGRA39 profile, and what WeasyPrint does with it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml
from PIL import Image, ImageCms

from folio import colour
from folio.colour import convert_image_to_cmyk, css_device_cmyk, rgb_to_cmyk

REPO = Path(__file__).resolve().parents[2]
ICC = REPO / "assets" / "icc" / "coated-fogra39-argyll.icc"
PALETTE = REPO / "assets" / "data" / "palette.yaml"


def _hex_colours(node: object) -> list[str]:
    if isinstance(node, str):
        return [node] if re.fullmatch(r"#[0-9A-Fa-f]{6}", node) else []
    if isinstance(node, dict):
        return [h for value in node.values() for h in _hex_colours(value)]
    return []


# ------------------------------------------------------------------------------------------
# The profile itself


def test_profile_is_a_cmyk_output_profile_described_as_promised() -> None:
    profile = ImageCms.getOpenProfile(str(ICC)).profile
    assert profile.xcolor_space.strip() == "CMYK"
    assert profile.device_class == "prtr"
    assert profile.profile_description == "Coated FOGRA39 300% (Argyll colprof, from FOGRA39L.ti3)"
    assert profile.model == "FOGRA39"  # WeasyPrint's OutputConditionIdentifier


def test_provenance_records_the_current_sha256() -> None:
    digest = hashlib.sha256(ICC.read_bytes()).hexdigest()
    provenance = (ICC.parent / "PROVENANCE.md").read_text(encoding="utf-8")
    assert digest in provenance
    assert "colprof" in provenance and "Zlib" in provenance and "AGPL" in provenance


# ------------------------------------------------------------------------------------------
# rgb_to_cmyk


def test_white_is_no_ink_and_black_is_capped_at_300_percent() -> None:
    assert rgb_to_cmyk("#FFFFFF", ICC) == (0.0, 0.0, 0.0, 0.0)
    c, m, y, k = rgb_to_cmyk("#000000", ICC)
    assert k == 1.0
    assert c > 0.5 and m > 0.5 and y > 0.2  # rich black through the profile
    assert c + m + y + k <= 3.0 + 1e-9


def test_primaries_land_on_the_expected_inks() -> None:
    c, m, y, k = rgb_to_cmyk("#FF0000", ICC)
    assert m > 0.85 and y > 0.85 and c < 0.1 and k < 0.1
    c, m, y, k = rgb_to_cmyk("#0000FF", ICC)
    assert c > 0.7 and m > 0.6 and y < 0.1
    c, m, y, k = rgb_to_cmyk("#808080", ICC)
    assert k > c and abs(m - y) < 0.05  # a neutral built mostly on black


def test_values_are_floats_in_range_rounded_to_three_decimals() -> None:
    for hex_colour in ("#14213D", "#F2B705", "#A4262C", "#123", "#C9CED6"):
        values = rgb_to_cmyk(hex_colour, ICC)
        assert len(values) == 4
        for value in values:
            assert isinstance(value, float)
            assert 0.0 <= value <= 1.0
            assert value == round(value, 3)


def test_hex_forms_are_equivalent() -> None:
    assert rgb_to_cmyk("#fff", ICC) == rgb_to_cmyk("#FFFFFF", ICC)
    assert rgb_to_cmyk("14213d", ICC) == rgb_to_cmyk("#14213D", ICC)
    assert rgb_to_cmyk(" #14213D ", ICC) == rgb_to_cmyk("#14213D", ICC)


@pytest.mark.parametrize("bad", ["navy", "#12", "#GGGGGG", "#1234567", "rgb(0,0,0)", ""])
def test_bad_hex_is_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="hex colour"):
        rgb_to_cmyk(bad, ICC)


def test_whole_book_palette_stays_within_300_percent() -> None:
    palette = yaml.safe_load(PALETTE.read_text(encoding="utf-8"))
    colours = _hex_colours(palette)
    assert len(colours) >= 5
    for hex_colour in colours:
        assert sum(rgb_to_cmyk(hex_colour, ICC)) <= 3.0 + 1e-9, hex_colour


def test_transform_is_built_once_and_results_are_cached() -> None:
    rgb_to_cmyk("#010203", ICC)
    before = colour._transform.cache_info()
    cached_before = colour._convert_cached.cache_info()
    rgb_to_cmyk("#040506", ICC)
    rgb_to_cmyk("#040506", ICC)
    after = colour._transform.cache_info()
    cached_after = colour._convert_cached.cache_info()
    assert after.misses == before.misses  # no new transform for a new colour
    assert cached_after.hits == cached_before.hits + 1


def test_a_regenerated_profile_is_picked_up(tmp_path: Path) -> None:
    copy = tmp_path / "profile.icc"
    copy.write_bytes(ICC.read_bytes())
    first = rgb_to_cmyk("#00607A", copy)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    copy.write_bytes(srgb)  # same path, different size: the cache key changes
    with pytest.raises(ValueError, match="not a CMYK profile"):
        rgb_to_cmyk("#00607A", copy)
    assert first == rgb_to_cmyk("#00607A", ICC)


# ------------------------------------------------------------------------------------------
# css_device_cmyk


def test_css_device_cmyk_formats_numbers_compactly() -> None:
    assert css_device_cmyk((0.97, 0.667, 0.0, 0.808)) == "device-cmyk(0.97 0.667 0 0.808)"
    assert css_device_cmyk((1, 1, 1, 1)) == "device-cmyk(1 1 1 1)"
    assert css_device_cmyk((0.0, 0.0, 0.0, 0.0)) == "device-cmyk(0 0 0 0)"
    assert css_device_cmyk((0.1234, 0, 0, 0)) == "device-cmyk(0.123 0 0 0)"


@pytest.mark.parametrize("bad", [(1.2, 0, 0, 0), (-0.1, 0, 0, 0), (0, 0, 0)])
def test_css_device_cmyk_rejects_bad_input(bad: tuple[float, ...]) -> None:
    with pytest.raises(ValueError):
        css_device_cmyk(bad)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------
# convert_image_to_cmyk


def test_rgba_is_flattened_onto_white_and_saved_as_cmyk_jpeg(tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    image = Image.new("RGBA", (40, 20), (255, 0, 0, 255))
    for x in range(20, 40):
        for y in range(20):
            image.putpixel((x, y), (0, 0, 0, 0))  # transparent black must become paper white
    image.save(src, dpi=(300, 300))
    dst = tmp_path / "out.jpg"
    convert_image_to_cmyk(src, dst, ICC)
    with Image.open(dst) as out:
        assert out.format == "JPEG" and out.mode == "CMYK"
        assert out.size == (40, 20)
        assert out.info.get("icc_profile") == ICC.read_bytes()
        assert round(out.info["dpi"][0]) == 300
        c, m, y, k = out.getpixel((30, 10))  # type: ignore[misc]
        assert max(c, m, y, k) <= 3  # white (JPEG may wobble by a level or two)
        c, m, y, k = out.getpixel((5, 10))  # type: ignore[misc]
        assert m > 200 and y > 200 and c < 30 and k < 30


def test_tiff_output_is_lossless_and_within_ink_limit(tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    Image.new("RGB", (8, 8), (0, 0, 0)).save(src)
    dst = tmp_path / "out.tif"
    convert_image_to_cmyk(src, dst, ICC)
    with Image.open(dst) as out:
        assert out.format == "TIFF" and out.mode == "CMYK"
        pixel = out.getpixel((0, 0))
        assert isinstance(pixel, tuple)
        assert pixel[3] >= 245  # black point compensation: black is nearly full K
        assert sum(pixel) / 255 * 100 <= 300.5


@pytest.mark.parametrize("mode", ["L", "1", "P", "LA"])
def test_greyscale_palette_and_bilevel_images_convert(tmp_path: Path, mode: str) -> None:
    src = tmp_path / f"in-{mode}.png"
    base = Image.new("RGB", (10, 10), (255, 255, 255))
    base.paste((0, 0, 0), (0, 0, 5, 10))
    if mode == "LA":
        image = base.convert("LA")
    elif mode == "P":
        image = base.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
        image.info["transparency"] = 0
    else:
        image = base.convert(mode)
    image.save(src)
    dst = tmp_path / f"out-{mode}.tif"
    convert_image_to_cmyk(src, dst, ICC)
    with Image.open(dst) as out:
        assert out.mode == "CMYK"
        white = out.getpixel((9, 5))
        assert isinstance(white, tuple)
        assert max(white) <= 1


def test_cmyk_input_is_kept_as_it_is(tmp_path: Path) -> None:
    src = tmp_path / "in.tif"
    Image.new("CMYK", (4, 4), (10, 20, 30, 40)).save(src)
    dst = tmp_path / "out.tif"
    convert_image_to_cmyk(src, dst, ICC)
    with Image.open(dst) as out:
        assert out.getpixel((1, 1)) == (10, 20, 30, 40)


def test_embedded_srgb_profile_matches_untagged(tmp_path: Path) -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tagged, plain = tmp_path / "tagged.png", tmp_path / "plain.png"
    Image.new("RGB", (4, 4), (0, 96, 122)).save(tagged, icc_profile=srgb)
    Image.new("RGB", (4, 4), (0, 96, 122)).save(plain)
    convert_image_to_cmyk(tagged, tmp_path / "tagged.tif", ICC)
    convert_image_to_cmyk(plain, tmp_path / "plain.tif", ICC)
    with Image.open(tmp_path / "tagged.tif") as a, Image.open(tmp_path / "plain.tif") as b:
        pa, pb = a.getpixel((0, 0)), b.getpixel((0, 0))
        assert isinstance(pa, tuple) and isinstance(pb, tuple)
        assert all(abs(x - y) <= 2 for x, y in zip(pa, pb, strict=True))


def test_unknown_destination_format_is_rejected(tmp_path: Path) -> None:
    src = tmp_path / "in.png"
    Image.new("RGB", (2, 2)).save(src)
    with pytest.raises(ValueError, match="destination"):
        convert_image_to_cmyk(src, tmp_path / "out.png", ICC)


# ------------------------------------------------------------------------------------------
# Small type on one plate (design review 2026-12-04, D5)
def test_press_sets_type_in_black_alone_and_fills_through_the_profile() -> None:
    """The palette's press_single_ink keys become K-only device-cmyk(); ink (covers, fills) still goes
    through the profile, so the navy cover keeps its four-colour build."""
    from folio import render

    palette = yaml.safe_load(PALETTE.read_text(encoding="utf-8"))
    c = render.cmyk_colour(palette, ICC)
    assert c("text") == "device-cmyk(0 0 0 1)"
    assert c("muted") == "device-cmyk(0 0 0 0.72)"
    inks = [float(v) for v in c("ink").removeprefix("device-cmyk(").removesuffix(")").split()]
    assert sum(1 for v in inks if v > 0) >= 3, c("ink")
    assert render.rgb_colour(palette)("text") == palette["text"]
    assert render.rgb_colour({k: v for k, v in palette.items() if k != "text"})("text") == palette["ink"]


@pytest.mark.parametrize("entry, message", [("ghost: 50", "names no colour"), ("text: 140", "percentage of black"),
                                            ("text: dark", "percentage of black")])
def test_a_bad_single_ink_entry_is_an_error_at_its_line(tmp_path: Path, entry: str, message: str) -> None:
    from folio import datafiles

    text = PALETTE.read_text(encoding="utf-8").split("press_single_ink:")[0] + f"press_single_ink:\n  {entry}\n"
    (tmp_path / "assets" / "data").mkdir(parents=True)
    (tmp_path / "assets" / "data" / "palette.yaml").write_text(text, encoding="utf-8")
    found = datafiles.check_palette(tmp_path)
    assert [f.code for f in found] == ["M005"] and message in found[0].message, [f.format() for f in found]
    assert found[0].line == text.count("\n"), found[0].format()
