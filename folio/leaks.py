"""The public web edition's guard: no sentence of a members' chapter may reach it.

The sentences come from the Markdown of every chapter whose front matter says ``audience:
members`` (its text, not the title and introduction the public may see: ``web.PUBLIC_KEYS``).
Every text file of the built site is searched (pages, scripts, stylesheets, SVG, CSV, JSON), and
the search index too: Pagefind's files are gzip-compressed, so each is read decompressed; a PDF
offered for download is read as its text layer, an EPUB as the XHTML it holds. Text is
compared after tags, entities, quotes and spacing are made the same, so a sentence is found
however the page marks it up.
"""

from __future__ import annotations

import gzip
import html
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from .chapters import Chapter
from .syntax import CITATION

MIN_WORDS = 6          # shorter sentences ("Set a baseline first.") may be common to both
TEXT_SUFFIXES = {".html", ".js", ".css", ".svg", ".csv", ".json", ".xml", ".txt", ".webmanifest"}
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)(\{[^}]*\})?")
_ATTRS = re.compile(r"\{[#.][^}]*\}")
_MARKS = re.compile(r"[*_`]+")
_SAME = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-",
                       "\u00a0": " ", "\u202f": " ", "\u00ad": None})
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9‘“\"'(])")


def normal(text: str) -> str:
    """Text as compared: no tags, entities decoded, straight quotes and dashes, one space, lower case."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = text.translate(_SAME)
    return re.sub(r"\s+", " ", text).strip().lower()


def sentences(chapter: Chapter) -> list[str]:
    """The chapter's sentences of MIN_WORDS words or more, as plain text."""
    out: list[str] = []
    for line in chapter.body.split("\n"):
        line = line.strip()
        if not line or line.startswith((":::", "|", "```")) or re.fullmatch(r"[-|: ]+", line):
            continue
        alts = re.findall(r'\balt="([^"]*)"', line)     # a figure's text alternative is its text too
        line = re.sub(r"^(#+|[-*+]|\d+[.)]|>)\s+", "", line)
        line = _MARKS.sub("", _ATTRS.sub("", _LINK.sub(r"\1", CITATION.sub("", line))))
        out += [s.strip() for text in (line, *alts) for s in _SENTENCE.split(text) if len(s.split()) >= MIN_WORDS]
    return out


def members_sentences(chapters: Sequence[Chapter]) -> dict[str, list[str]]:
    """Each members' chapter's id -> its sentences."""
    return {c.id: sentences(c) for c in chapters if c.meta.get("audience") == "members"}


_SOFT_HYPHEN = re.compile("[\u00ad\u0002\ufffe]\\s*")        # a soft hyphen the layout broke a line at
_LINE_END_HYPHEN = re.compile("(?<=[a-z])[-\u2010]\r?\n(?=[a-z])")   # a hyphen ending a line before a small letter


def pdf_texts(path: Path) -> tuple[str, str]:
    """A PDF's text layer twice: with its line-end hyphens taken out (a word hyphenated by the layout)
    and kept (a compound such as 'well-known' broken at its own hyphen)."""
    import pypdfium2  # type: ignore[import-untyped]

    pdf = pypdfium2.PdfDocument(path)
    try:
        text = _SOFT_HYPHEN.sub("", "\n".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()
    return _LINE_END_HYPHEN.sub("", text), _LINE_END_HYPHEN.sub("-", text)


def epub_text(path: Path) -> str:
    """The text of an EPUB's XHTML documents."""
    with zipfile.ZipFile(path) as book:
        return " ".join(book.read(n).decode("utf-8", errors="replace") for n in book.namelist()
                        if n.endswith((".xhtml", ".html", ".ncx", ".opf")))


def site_texts(folder: Path) -> Iterable[tuple[Path, str]]:
    """Every text file of the site, each Pagefind file decompressed, and each PDF and EPUB, as normalised text."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            yield from ((path, normal(text)) for text in pdf_texts(path))
            continue
        if path.suffix == ".epub":
            yield path, normal(epub_text(path))
            continue
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except OSError:
                continue
        elif path.suffix not in TEXT_SUFFIXES:
            continue
        yield path, normal(data.decode("utf-8", errors="replace"))


def leaks(folder: Path, chapters: Sequence[Chapter]) -> list[tuple[Path, str, str]]:
    """(file, chapter id, sentence) for each members' sentence found in the site in ``folder``."""
    wanted = [(cid, s, normal(s)) for cid, found in members_sentences(chapters).items() for s in found]
    out: dict[tuple[Path, str, str], None] = {}        # a PDF is read twice: each leak once, in order
    for path, text in site_texts(folder):
        out |= {(path, cid, s): None for cid, s, n in wanted if n in text}
    return list(out)
