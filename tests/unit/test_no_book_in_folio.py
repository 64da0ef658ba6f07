"""Nothing in folio/ names the book it builds: folio is a toolchain for any report.

The book's own strings are read from the book, not written here: its title (and the title without
its year), publisher and web address from book.yaml, the font families its editions name (tokens
and figures), the theme keys and colours of its palette, and the folders under assets/fonts/. Each
is looked for in every file under folio/, as a whole word, case-insensitively. The palette's theme
keys are short common words ('data', 'work', also a folder and a URL scheme), so they count in a line
that quotes two of them ("ai", "cyber"), as a class (theme-data) or as a value given to a theme or a
default (theme: str = "data", default="data"). On 926c07d, before the content model moved to
book.yaml, this test listed 33 places.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FOLIO = ROOT / "folio"

# Mentions that stay for now, each with its reason: (file, a word of the line). Empty is the goal.
KNOWN: tuple[tuple[str, str], ...] = (
    # figures.py's built-in text-width estimate (for editions that give no font files) is a table of
    # Inter's advance widths; its comments say so. Measuring with the edition's figures.font_files
    # instead would move the member figures' labels by fractions of a point (new PDF bytes).
    ("folio/figures.py:", "Inter"),
)


def known(mention: str) -> bool:
    return any(mention.startswith(file) and word in mention.partition(": ")[2] for file, word in KNOWN)


def book_words(root: Path = ROOT) -> set[str]:
    """The book's own names: from book.yaml, its palette (not theme keys) and assets/fonts/."""
    book = yaml.safe_load((root / "book.yaml").read_text(encoding="utf-8"))
    title = str(book["title"])
    words = {title, re.sub(r"\s*\d{4}$", "", title), str(book["publisher"])}
    words.add(re.sub(r"^https?://(www\.)?", "", str(book.get("url", ""))).strip("/"))
    for edition in book["editions"].values():
        words.update(str(v) for k, v in edition.get("tokens", {}).items() if k.endswith("_font"))
        if "font" in edition.get("figures", {}):
            words.add(str(edition["figures"]["font"]))
    palette = yaml.safe_load((root / "assets" / "data" / "palette.yaml").read_text(encoding="utf-8"))
    words.update(str(v) for k, v in palette.items() if k != "themes")
    words.update(str(v) for v in palette.get("themes", {}).values())
    words.update(p.name for p in (root / "assets" / "fonts").iterdir() if p.is_dir())
    return {w for w in words if w}


def theme_keys(root: Path = ROOT) -> set[str]:
    palette = yaml.safe_load((root / "assets" / "data" / "palette.yaml").read_text(encoding="utf-8"))
    return set(palette.get("themes", {}))


def patterns(root: Path = ROOT) -> list[re.Pattern[str]]:
    words = sorted(book_words(root), key=len, reverse=True)
    out = [re.compile(r"(?<![\w#-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.IGNORECASE)]
    keys = "|".join(re.escape(k) for k in sorted(theme_keys(root)))
    quoted = rf"""["']({keys})["']"""
    out.append(re.compile(rf"{quoted}.*{quoted}|\btheme-({keys})\b|(theme|default)\w*\s*(:\s*\w+\s*)?=\s*{quoted}"))
    return out


def mentions(folder: Path = FOLIO, root: Path = ROOT) -> Iterator[str]:
    """Every line of a file under ``folder`` that names the book, as 'file:line: text'."""
    found = patterns(root)
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.split("\n"), start=1):
            if any(p.search(line) for p in found):
                yield f"{path.relative_to(folder.parent).as_posix()}:{number}: {line.strip()[:100]}"


def test_the_book_words_are_read_from_the_book() -> None:
    words = {w.lower() for w in book_words()}
    assert {"socitm", "digital trends", "inter", "atkinson hyperlegible next", "#5b2a86"} <= words
    assert {"ai", "cyber", "data", "work", "inclusion"} == theme_keys()


def test_nothing_in_folio_names_the_book() -> None:
    found = [m for m in mentions() if not known(m)]
    assert not found, f"{len(found)} places in folio/ name the book:\n" + "\n".join(found)


def test_the_known_list_is_still_true() -> None:
    stale = [k for k in KNOWN if not any(m.startswith(k[0]) and k[1] in m for m in mentions())]
    assert not stale, f"take these off KNOWN, they no longer name the book: {stale}"
