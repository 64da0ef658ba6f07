"""The public web edition's guard: no sentence of a members' chapter may reach it.

The sentences come from the Markdown of every chapter whose front matter says ``audience:
members`` (its text, not the title and introduction the public may see: ``web.PUBLIC_KEYS``).
Every text file of the built site is searched (pages, scripts, stylesheets, SVG, CSV, JSON), and
the search index too: Pagefind's files are gzip-compressed, so each is read decompressed. Text is
compared after tags, entities, quotes and spacing are made the same, so a sentence is found
however the page marks it up.
"""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .chapters import Chapter

MIN_WORDS = 6          # shorter sentences ("Set a baseline first.") may be common to both
TEXT_SUFFIXES = {".html", ".js", ".css", ".svg", ".csv", ".json", ".xml", ".txt", ".webmanifest"}
_CITATION = re.compile(r"\s*\[[^\]]*@[\w:.#$%&+?<>~/-]+[^\]]*\]")
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
        line = _MARKS.sub("", _ATTRS.sub("", _LINK.sub(r"\1", _CITATION.sub("", line))))
        out += [s.strip() for text in (line, *alts) for s in _SENTENCE.split(text) if len(s.split()) >= MIN_WORDS]
    return out


def members_sentences(chapters: Sequence[Chapter]) -> dict[str, list[str]]:
    """Each members' chapter's id -> its sentences."""
    return {c.id: sentences(c) for c in chapters if c.meta.get("audience") == "members"}


def site_texts(folder: Path) -> Iterable[tuple[Path, str]]:
    """Every text file of the site, and each Pagefind file decompressed, as normalised text."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
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
    out = []
    for path, text in site_texts(folder):
        out += [(path, cid, s) for cid, s, n in wanted if n in text]
    return out
