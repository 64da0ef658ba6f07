"""sRGB to press CMYK through the book's output-intent ICC profile.

The press edition is CMYK from end to end: WeasyPrint 70 converts nothing (``rgb()`` colours become
DeviceRGB and images keep their own colour space), so every colour and raster image must already be
CMYK when it reaches the press CSS.

* :func:`rgb_to_cmyk` converts one sRGB hex colour with the ICC relative colorimetric intent (no
  black point compensation, so in-gamut colours keep their measured appearance).
* :func:`css_device_cmyk` writes the result as a CSS ``device-cmyk()`` colour.
* :func:`convert_image_to_cmyk` converts raster images (relative colorimetric with black point
  compensation, the usual prepress choice for photographs, so shadow detail survives).

The profile is ``assets/icc/coated-fogra39-argyll.icc`` (see ``assets/icc/PROVENANCE.md``): built
with Argyll ``colprof`` from FOGRA39L.ti3 with a 300 % total ink limit, so no converted colour or
pixel goes over 300 % (sRGB black becomes about C83 M73 Y44 K100).

What WeasyPrint 70 needs for a PDF/X-4 with an output intent (found by experiment, WeasyPrint 70.0,
pydyf 0.13; ``tests/render/test_colour.py`` checks the essentials):

* The CSS must declare the profile under the name ``device-cmyk``, with ``components`` (leaving
  ``components`` out crashes WeasyPrint with ``TypeError: object of type 'NoneType' has no len()``)::

      @color-profile device-cmyk {
        src: url(file:///.../assets/icc/coated-fogra39-argyll.icc);
        components: cyan, magenta, yellow, black;
      }

  ``write_pdf(pdf_variant="pdf/x-4")`` then writes one ``/OutputIntents`` entry ``/S /GTS_PDFX``
  whose ``/DestOutputProfile`` is the profile, byte for byte, with ``/N 4``. **No ``output_intent``
  option is needed**: the PDF/X variants set it to ``"device-cmyk"``, which selects the profile
  declared under that name. Passing ``output_intent="device-cmyk"`` gives the same output intent.
  Without any ``@color-profile`` there is no output intent at all, and no warning.
* ``OutputConditionIdentifier`` and ``Info`` both get the profile's *model* tag if it has one,
  otherwise its description. That is why our profile's model tag is the registered name ``FOGRA39``.
* GTS_PDFXVersion ``PDF/X-4`` goes into the XMP only (``pdfxid:`` and ``pdfx:``); the Info
  dictionary gets ``Trapped /False`` but no version key.
* ``device-cmyk(c m y k)`` (numbers 0..1 or percentages) becomes ``/DeviceCMYK cs c m y k scn``:
  plain DeviceCMYK, interpreted through the output intent. The transparency group that
  ``opacity`` creates gets the output-intent ICC profile as ``/CS``, so it is not RGB.
* Everything else is RGB in the PDF:
  - ``rgb()``, hex and named colours, including the user-agent defaults: text with no ``color``
    set is written ``0 0 0 rg``, and links ``0 0 1 rg``.
  - SVG colours other than ``device-cmyk()``.
  - RGB images. Greyscale images stay DeviceGray, which is black ink only.
  - The crop marks of ``marks: crop``.
* CMYK JPEGs are embedded unchanged (``/DeviceCMYK``, DCTDecode, ``/Decode [1 0 1 0 1 0 1 0]`` for
  Adobe-inverted files). ICC profiles inside image files are dropped.
* ``device-cmyk()`` colours crash WeasyPrint 70 in two places:
  - ``linear-gradient()`` and ``radial-gradient()``: ``NotImplementedError`` in tinycss2's
    ``Color.to()``.
  - ``box-shadow``: ``AssertionError``.

  Use flat colours, or CMYK raster images for gradients.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from PIL import Image, ImageCms

__all__ = ["convert_image_to_cmyk", "css_device_cmyk", "rgb_to_cmyk"]

CMYK = tuple[float, float, float, float]

_HEX = re.compile(r"#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _parse_hex(hex_colour: str) -> tuple[int, int, int]:
    text = hex_colour.strip()
    if not _HEX.fullmatch(text):
        raise ValueError(f"not an sRGB hex colour (#RGB or #RRGGBB): {hex_colour!r}")
    digits = text.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _profile_key(profile: Path) -> tuple[str, int, int]:
    """Cache key that changes when the profile file is regenerated."""
    resolved = profile.resolve()
    stat = resolved.stat()
    return str(resolved), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=8)
def _transform(key: tuple[str, int, int], mode: str, bpc: bool) -> ImageCms.ImageCmsTransform:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    cmyk = ImageCms.getOpenProfile(key[0])
    if cmyk.profile.xcolor_space.strip() != "CMYK":
        raise ValueError(f"{key[0]} is not a CMYK profile ({cmyk.profile.xcolor_space.strip()})")
    flags = ImageCms.Flags.BLACKPOINTCOMPENSATION if bpc else ImageCms.Flags.NONE
    return ImageCms.buildTransform(srgb, cmyk, mode, "CMYK", ImageCms.Intent.RELATIVE_COLORIMETRIC, flags)


@functools.lru_cache(maxsize=1024)
def _convert_cached(rgb: tuple[int, int, int], key: tuple[str, int, int]) -> CMYK:
    pixel = ImageCms.applyTransform(Image.new("RGB", (1, 1), rgb), _transform(key, "RGB", False))
    assert pixel is not None
    values = pixel.getpixel((0, 0))
    assert isinstance(values, tuple) and len(values) == 4
    c, m, y, k = (round(float(v) / 255.0, 3) for v in values)
    return c, m, y, k


def rgb_to_cmyk(hex_colour: str, profile: Path) -> CMYK:
    """Convert an sRGB hex colour (``#RGB`` or ``#RRGGBB``) to CMYK through ``profile``.

    Relative colorimetric intent, 8-bit littleCMS transform (so each channel is a multiple of
    1/255), returned as four floats 0..1 rounded to 3 decimals. The transform is cached per profile
    file (path, mtime and size), so regenerating the profile is picked up.
    """
    return _convert_cached(_parse_hex(hex_colour), _profile_key(Path(profile)))


def _fmt(value: float) -> str:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"CMYK component out of range 0..1: {value}")
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def css_device_cmyk(cmyk: tuple[float, float, float, float]) -> str:
    """``(0.97, 0.667, 0, 0.808)`` -> ``"device-cmyk(0.97 0.667 0 0.808)"`` (CSS Color 5)."""
    if len(cmyk) != 4:
        raise ValueError(f"need four CMYK components, got {len(cmyk)}")
    return "device-cmyk({})".format(" ".join(_fmt(float(v)) for v in cmyk))


_JPEG = {".jpg", ".jpeg"}
_TIFF = {".tif", ".tiff"}


def convert_image_to_cmyk(src: Path, dst: Path, profile: Path) -> None:
    """Convert a raster image to CMYK through ``profile`` and save it as JPEG or TIFF.

    * RGB, RGBA, LA, P (palette, with or without transparency), L and 1-bit images are accepted.
      Alpha is flattened onto white first (PDF/X-1a has no transparency, and a CMYK JPEG has no
      alpha). Greyscale goes through sRGB too, so it becomes a four-colour grey: for a pure black
      plate, supply the image as CMYK already.
    * An ICC profile embedded in ``src`` is used as its source space when it is an RGB profile;
      otherwise sRGB is assumed.
    * Already-CMYK images are re-saved unchanged in pixel values.
    * Intent: relative colorimetric with black point compensation.
    * ``dst`` ending in ``.jpg``/``.jpeg`` gives a baseline JPEG, quality 95, no chroma subsampling;
      ``.tif``/``.tiff`` gives an LZW-compressed TIFF. The resolution (dpi) of ``src`` is kept and
      the CMYK profile is embedded so other tools know what the numbers mean (WeasyPrint ignores it).
    """
    src, dst, profile = Path(src), Path(dst), Path(profile)
    suffix = dst.suffix.lower()
    if suffix not in _JPEG | _TIFF:
        raise ValueError(f"destination must be .jpg, .jpeg, .tif or .tiff: {dst}")
    key = _profile_key(profile)

    with Image.open(src) as opened:
        opened.load()
        info = dict(opened.info)
        image: Image.Image = opened.copy()

    if image.mode == "CMYK":
        cmyk = image
    else:
        if image.mode == "P":
            image = image.convert("RGBA" if "transparency" in info else "RGB")
        elif image.mode == "1":
            image = image.convert("L")
        elif image.mode in {"I;16", "I;16B", "I;16L", "I", "F"}:
            image = image.convert("L")
        if "A" in image.getbands() or image.mode in {"RGBa", "La"}:
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image = Image.alpha_composite(white, rgba).convert("RGB")
        elif image.mode != "RGB":
            image = image.convert("RGB")
        transform = _image_transform(info.get("icc_profile"), key)
        converted = ImageCms.applyTransform(image, transform)
        assert converted is not None
        cmyk = converted

    save_args: dict[str, object] = {"icc_profile": Path(key[0]).read_bytes()}
    if "dpi" in info:
        save_args["dpi"] = info["dpi"]
    dst.parent.mkdir(parents=True, exist_ok=True)
    if suffix in _JPEG:
        cmyk.save(dst, "JPEG", quality=95, subsampling=0, optimize=True, **save_args)
    else:
        cmyk.save(dst, "TIFF", compression="tiff_lzw", **save_args)


def _image_transform(embedded: object, key: tuple[str, int, int]) -> ImageCms.ImageCmsTransform:
    if isinstance(embedded, bytes) and embedded:
        try:
            import io

            source = ImageCms.ImageCmsProfile(io.BytesIO(embedded))
        except (OSError, ImageCms.PyCMSError):
            source = None
        if source is not None and source.profile.xcolor_space.strip() == "RGB":
            return _embedded_transform(embedded, key)
    return _transform(key, "RGB", True)


@functools.lru_cache(maxsize=8)
def _embedded_transform(embedded: bytes, key: tuple[str, int, int]) -> ImageCms.ImageCmsTransform:
    import io

    source = ImageCms.ImageCmsProfile(io.BytesIO(embedded))
    cmyk = ImageCms.getOpenProfile(key[0])
    return ImageCms.buildTransform(
        source,
        cmyk,
        "RGB",
        "CMYK",
        ImageCms.Intent.RELATIVE_COLORIMETRIC,
        ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
