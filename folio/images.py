"""Raster images in chapters: point the assembled HTML at them, and make CMYK copies for press.

Chapters give image paths relative to chapters/ (``../assets/images/x.png``); the assembled HTML
lives in output/build/, so each path is rewritten relative to that folder. For the press edition
every raster image is converted through the output-intent profile into output/build/images-cmyk/
(WeasyPrint embeds images as they are, so an RGB image would put RGB into the PDF/X file).
Generated figures (``figures/*.svg``) are left alone: they are drawn per edition already.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .colour import convert_image_to_cmyk

_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')
RASTER = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".webp")


def place(html: str, root: Path, build_dir: Path, cmyk_profile: Path | None = None) -> str:
    def rewrite(match: re.Match[str]) -> str:
        src = match.group(2)
        if src.startswith(("figures", "data:", "#")) or re.match(r"^[a-z]+:", src):
            return match.group(0)
        source = (root / "chapters" / src).resolve()
        if cmyk_profile is not None and source.suffix.lower() in RASTER:
            target = build_dir / "images-cmyk" / f"{source.stem}.jpg"
            if not target.exists() or target.stat().st_mtime_ns < source.stat().st_mtime_ns:
                target.parent.mkdir(parents=True, exist_ok=True)
                convert_image_to_cmyk(source, target, cmyk_profile)
            return f"{match.group(1)}images-cmyk/{target.name}{match.group(3)}"
        return f"{match.group(1)}{os.path.relpath(source, build_dir)}{match.group(3)}"
    return _SRC.sub(rewrite, html)
