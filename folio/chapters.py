"""Read chapter files: split and validate front matter, and keep the body with its line offset."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import safety, yamlio
from .catalogue import finding
from .config import Book, Content, Kind, validate
from .errors import Finding, relpath

MAX_CHAPTER_BYTES = 2_000_000
# A chapter id is a file name on the web, an anchor in every edition and a pandoc attribute.
CHAPTER_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
RESERVED_IDS = ("index", "page-main", "page-toc-title", "page-notes-title", "refs", "footnotes")


@dataclass(frozen=True)
class Chapter:
    path: Path
    shown: str             # path as shown in messages, relative to the project
    meta: dict[str, Any]
    body: str              # Markdown after the front matter, LF line endings
    body_line: int         # file line number of the first body line
    model: Kind = field(default=Kind(""), compare=False, repr=False)   # its kind, as book.yaml declares it
    colour_key: str = field(default="theme", compare=False, repr=False)  # the front-matter key of its colour

    @property
    def id(self) -> str:
        return str(self.meta["id"])

    @property
    def title(self) -> str:
        return str(self.meta["title"])

    @property
    def kind(self) -> str:
        return str(self.meta["kind"])

    @property
    def theme(self) -> str | None:
        """The chapter's colour: a theme key of the palette (the value of the key of type colour)."""
        value = self.meta.get(self.colour_key) if self.colour_key else None
        return str(value) if value is not None else None


def decode(raw: bytes, shown: str) -> tuple[str | None, list[Finding]]:
    """Text from bytes: UTF-8 only, a byte-order mark dropped, CRLF and CR made LF."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [finding("F001", shown, line, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded")]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def split_front_matter(text: str, shown: str) -> tuple[str | None, str, int, list[Finding]]:
    """Return (front matter text, body, body's first line number, findings)."""
    if not text.strip():
        return None, "", 1, [finding("F002", shown, 1, "the file is empty")]
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None, text, 1, [finding("M001", shown, 1, "the file does not start with front matter ('---')")]
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2, []
    return None, "", 1, [finding("M002", shown, 1, "front matter opened with '---' on line 1 is never closed")]


def read_chapter(path: Path, root: Path, content: Content | None = None) -> tuple[Chapter | None, list[Finding]]:
    """One chapter, its front matter checked against the book's content model (by default an open
    one: any kind, only folio's own keys)."""
    content = content or Content()
    shown = relpath(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [finding("B001", shown, 0, f"cannot read the chapter: {exc.strerror}")]
    if len(raw) > MAX_CHAPTER_BYTES:
        return None, [finding("F003", shown, 0, f"the file is {len(raw):,} bytes; the limit is {MAX_CHAPTER_BYTES:,}")]
    text, problems = decode(raw, shown)
    if text is None:
        return None, problems
    front, body, body_line, problems = split_front_matter(text, shown)
    if front is None:
        return None, problems
    meta, lines, problems = yamlio.load(front, shown, line_offset=1)
    if problems:
        return None, problems
    if meta is None:
        meta = {}
    schema = content.front_matter()
    problems = validate(meta, schema, lines, shown, first_line=1)
    kind = content.kind(str(meta.get("kind"))) if isinstance(meta, dict) else Kind("")
    if isinstance(meta, dict) and kind.name in content.kinds:
        problems += [finding("M003", shown, 1, f"{kind.name} chapters need '{key}'", hint=schema[key].help)
                     for key in kind.required if key not in meta]
    problems += check_text_values(meta, lines, shown, root, content.text_keys())
    if problems:
        return None, problems
    return Chapter(path=path, shown=shown, meta=meta, body=body, body_line=body_line, model=kind,
                   colour_key=content.colour_key()), []


def check_text_values(meta: dict[str, Any], lines: dict[tuple[str, ...], int], shown: str, root: Path,
                      text_keys: tuple[str, ...] = ("title", "short_title", "summary")) -> list[Finding]:
    """Ids that every edition can use, and text without the invisible characters that reorder
    or hide what a reader sees (bidi overrides, zero-width marks, control characters)."""
    out: list[Finding] = []
    cid = meta.get("id")
    if isinstance(cid, str) and (not CHAPTER_ID.fullmatch(cid) or cid in RESERVED_IDS):
        out.append(finding("M005", shown, lines.get(("id",), 1),
                           f"'id' must be lower-case letters, digits and hyphens, and not one of {', '.join(RESERVED_IDS)}; "
                           f"not {cid!r}"))
    for key in text_keys:
        value = meta.get(key)
        if not isinstance(value, str):
            continue
        bad = sorted({c for c in value if unicodedata.category(c) in ("Cc", "Cf") and c not in "\n\t"})
        if bad:
            names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}" for c in bad)
            out.append(finding("M005", shown, lines.get((key,), 1), f"'{key}' contains invisible characters ({names})",
                               hint="Retype the text; bidirectional overrides and zero-width characters change what readers see."))
        missing = safety.missing_glyphs(value, root)
        if missing:
            out.append(finding("F008", shown, lines.get((key,), 1), f"'{key}' has {safety.describe(missing)}, "
                               "which none of the book's fonts can show"))
    return out


def read_chapters(book: Book) -> tuple[list[Chapter], list[Finding]]:
    """Every chapter in book order, and every problem found in any of them."""
    chapters: list[Chapter] = []
    problems: list[Finding] = []
    book_shown = relpath(book.path, book.root)
    for path, line in zip(book.chapter_files, book.chapter_lines, strict=True):
        if not path.is_file():
            problems.append(finding("B001", book_shown, line, f"chapter '{relpath(path, book.root)}' does not exist"))
            continue
        chapter, found = read_chapter(path, book.root, book.content)
        problems.extend(found)
        if chapter is not None:
            chapters.append(chapter)
    seen: dict[str, Chapter] = {}
    for chapter in chapters:
        if chapter.id in seen:
            problems.append(finding("M006", chapter.shown, 2,
                                    f"id '{chapter.id}' is already used by {seen[chapter.id].shown}"))
        seen[chapter.id] = chapter
    listed = {p.resolve() for p in book.chapter_files}
    for path in sorted((book.root / "chapters").glob("*.md")):
        if path.resolve() not in listed:
            problems.append(finding("B002", relpath(path, book.root), 0, "not listed in book.yaml"))
    return chapters, problems
