"""Content checks on chapter bodies, run before anything is rendered.

Each check returns findings with a stable code (``folio.catalogue``) and the file line. The
checks read Markdown line by line, skipping code blocks, so they are fast and exact about lines.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import pullquotes, safety, sources, yamlio
from .catalogue import finding
from .chapters import Chapter
from .errors import Finding, relpath
from .syntax import DIV_CLOSE, DIV_OPEN, FENCE, RAW_FORMAT, Line, body_lines

MAX_NESTING = 4
MAX_IMAGE_BYTES = 20_000_000
MAX_IMAGE_PIXELS = 60_000_000

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*(\{[^}]*\})?\s*#*\s*$")
_CITE = re.compile(r"(?<![\w.@])@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*)")
# Every way pandoc's Markdown makes a link or an image, over the whole body (so a link whose text
# runs over two lines is seen too): [text](target "title"), <scheme:...>, and [label]: target.
_DEST = r"""(?P<href><[^<>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)"""
_TITLE = r"""(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?"""
_ANY_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[(?:[^\[\]\\]|\\.)*\])*)\]\(\s*" + _DEST + _TITLE + r"\s*\)")
_AUTOLINK = re.compile(r"<(?P<href>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
_REF_DEF = re.compile(r"(?m)^ {0,3}\[(?P<label>[^\]^][^\]]*)\]:[ \t]*(?P<href><[^<>\n]*>|\S*)")
_NOTE_REF = re.compile(r"\[\^(?P<id>[^\]\s]+)\](?!:)")
_NOTE_DEF = re.compile(r"(?m)^ {0,3}\[\^(?P<id>[^\]\s]+)\]:")
_ATTRS = re.compile(r"(?<=[)\]])\{(?P<body>[^{}\n]*)\}")
_ATTR_TOKEN = re.compile(r"""\s*(?:#(?P<id>[^\s}]*)|\.[^\s}]+|(?P<key>[^\s=}]+)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s}]*)|(?P<bad>\S+))""")
_RAW_HTML = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)(\s[^<>]*)?/?>")
_ALT = re.compile(r"""\balt\s*=\s*("([^"]*)"|'([^']*)')""")
_VAGUE = {"click here", "here", "more", "read more", "this link", "link"}


def check_structure(chapter: Chapter, allowed_blocks: tuple[str, ...] | None = None) -> list[Finding]:
    """Headings, blocks and nesting; the sections and blocks the chapter's kind requires (book.yaml's
    content.kinds). ``allowed_blocks``: the book's content.blocks (None: any name)."""
    out: list[Finding] = []
    sections: list[tuple[str, int]] = []
    level = 1
    last_heading: tuple[int, int] | None = None   # (line, level) of a heading with no text yet
    divs: list[tuple[str, int]] = []
    blocks: set[str] = set()
    for line in body_lines(chapter):
        heading = _HEADING.match(line.text)
        if heading:
            depth = len(heading.group(1))
            title = heading.group(2).strip()
            if depth == 1:
                out.append(finding("S002", chapter.shown, line.number, f"level-1 heading '{title}'"))
            elif depth > level + 1:
                out.append(finding("S003", chapter.shown, line.number,
                                   f"heading '{title}' is level {depth} but follows level {level}"))
            if last_heading is not None and depth <= last_heading[1]:
                out.append(finding("S005", chapter.shown, last_heading[0], "empty section"))
            last_heading = (line.number, depth)
            level = depth
            if depth == 2:
                sections.append((title, line.number))
            continue
        close = DIV_CLOSE.match(line.text)
        if close and divs:
            divs.pop()
            continue
        div = DIV_OPEN.match(line.text)
        if div:
            name = div.group(2).strip("{} ").split()[0].lstrip(".") if div.group(2) else ""
            if name and not name.startswith("#") and allowed_blocks is not None and name not in allowed_blocks:
                out.append(finding("S007", chapter.shown, line.number, f"unknown block '{name}'"))
            blocks.add(name)
            divs.append((name, line.number))
            if len(divs) > MAX_NESTING:
                out.append(finding("S008", chapter.shown, line.number, f"blocks nested {len(divs)} deep; the limit is {MAX_NESTING}"))
            continue
        if line.text.strip():
            last_heading = None
    for name, number in divs:
        out.append(finding("S006", chapter.shown, number, f"block '{name}' opened here is never closed"))
    out.extend(_required_parts(chapter, sections, blocks))
    return out


def _required_parts(chapter: Chapter, sections: list[tuple[str, int]], blocks: set[str]) -> list[Finding]:
    """S001 and S004: the level-2 sections (in order) and the blocks the chapter's kind requires."""
    out: list[Finding] = []
    expected = list(chapter.model.sections)
    titles = [t for t, _ in sections]
    if expected and titles != expected:
        missing = [t for t in expected if t not in titles]
        if missing:
            message = f"missing section{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)}"
        else:
            message = f"sections are {', '.join(titles)}; expected {', '.join(expected)}"
        out.append(finding("S001", chapter.shown, sections[0][1] if sections else chapter.body_line, message))
    out += [finding("S004", chapter.shown, chapter.body_line, f"no '{block}' block")
            for block in chapter.model.blocks if block not in blocks]
    return out


def check_inline(chapter: Chapter, root: Path, cite_keys: set[str], anchors: set[str],
                 figure_ids: set[str]) -> tuple[list[Finding], set[str]]:
    """Citations, images, links and raw HTML. Returns findings and the keys cited."""
    out: list[Finding] = []
    cited: set[str] = set()
    for line in body_lines(chapter):
        text = line.text
        for match in _CITE.finditer(text):
            key = match.group(1).rstrip(".:,;")
            if "@" in text[max(0, match.start() - 64):match.start()].split()[-1:] and "." in key:
                continue  # an e-mail address
            cited.add(key)
            if key not in cite_keys and not key.startswith(("fig-", "tbl-")):
                out.append(finding("C001", chapter.shown, line.number, f"citation '@{key}' is not in the bibliography",
                                   col=match.start() + 1))
        raw = RAW_FORMAT.search(text)
        if raw:
            out.append(finding("H001", chapter.shown, line.number, f"raw {raw.group(1)} block or span", col=raw.start() + 1))
        stripped = re.sub(r"`[^`]*`", "", text)
        for match in _RAW_HTML.finditer(stripped):
            out.append(finding("H001", chapter.shown, line.number, f"raw HTML <{match.group(1)}>", col=match.start() + 1))
    out.extend(check_links_and_images(chapter, root, anchors, figure_ids))
    return out, cited


def masked_body(chapter: Chapter) -> str:
    """The body with code blocks and code spans blanked out, keeping every offset and line."""
    kept = {line.number - chapter.body_line for line in body_lines(chapter) if not FENCE.match(line.text)}
    lines = [text if i in kept else " " * len(text) for i, text in enumerate(chapter.body.split("\n"))]
    return re.sub(r"(`+)(?:(?!\1)[^\n])*?\1", lambda m: " " * len(m.group(0)), "\n".join(lines))


class Positions:
    """File line and column of an offset into a chapter body."""

    def __init__(self, chapter: Chapter, text: str) -> None:
        import bisect

        self._bisect = bisect.bisect_right
        self.first = chapter.body_line
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        index = self._bisect(self.starts, offset) - 1
        return self.first + index, offset - self.starts[index] + 1


class _Located:
    """A chapter's masked body, and findings placed at an offset in it (file:line:col)."""

    def __init__(self, chapter: Chapter) -> None:
        self.chapter = chapter
        self.text = masked_body(chapter)
        self.where = Positions(chapter, self.text)
        self.out: list[Finding] = []

    def add(self, code: str, offset: int, message: str) -> None:
        line, col = self.where(offset)
        self.out.append(finding(code, self.chapter.shown, line, message, col=col))


def check_links_and_images(chapter: Chapter, root: Path, anchors: set[str], figure_ids: set[str]) -> list[Finding]:
    """Every link and image target in the body, in whichever form it is written."""
    located = _Located(chapter)
    text, where, out, add = located.text, located.where, located.out, located.add

    def link(href: str, label: str | None, offset: int) -> None:
        target = safety.normalise_target(href)
        problem = safety.link_problem(href)
        if problem is not None:
            add("L005" if not target else "L004", offset, problem)
        elif target.startswith("#") and target[1:] not in anchors:
            add("L001", offset, f"link to '{target}', which is not in the book")
        if label is None:
            return
        label = " ".join(label.split())
        if re.match(r"^(https?://|www\.)", label):
            add("L002", offset, f"link text '{label}' is a bare address")
        elif label.lower().strip(".") in _VAGUE:
            add("L003", offset, f"link text '{label}' does not say where it goes")

    for match in _ANY_LINK.finditer(text):
        href = match.group("href").strip()
        if match.group("bang"):
            src = safety.normalise_target(href)
            attrs = text[match.end():match.end() + 1] == "{" and re.match(r"\{[^}]*\}", text[match.end():])
            line, col = where(match.start())
            if not src:
                add("I005", match.start(), "the image has no path: write ![Caption](../assets/images/file.png){alt=\"...\"}")
                continue
            if not alt_text(attrs.group(0) if attrs else None):
                add("I002", match.start(), f"image '{href}' has no alt text")
            out.extend(_check_image_src(src, chapter, Line(line, ""), col, root, figure_ids))
        else:
            link(href, match.group("text"), match.start())
    for match in _AUTOLINK.finditer(text):
        link(match.group("href"), None, match.start())
    for match in _REF_DEF.finditer(text):
        link(match.group("href"), None, match.start("href") if match.group("href") else match.start())
    return out


_QUOTES = re.compile(r"^(?:[ \t]*>)+")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-+*]|\d+[.)])\s")


def check_limits(chapter: Chapter) -> list[Finding]:
    """Lines and nesting within what pandoc and the layouts handle in seconds (F005, F006).
    Runs first; a chapter past a bound gets no other check."""
    out: list[Finding] = []
    for line in body_lines(chapter):
        text = line.text
        if len(text) > safety.MAX_LINE_CHARS:
            out.append(finding("F005", chapter.shown, line.number,
                               f"the line is {len(text):,} characters long; the limit is {safety.MAX_LINE_CHARS:,}"))
            continue
        quotes = _QUOTES.match(text)
        item = _LIST_ITEM.match(text[quotes.end():] if quotes else text)
        depth = (quotes.group(0).count(">") if quotes else 0) + (len(item.group(1).expandtabs(4)) // 4 + 1 if item else 0)
        brackets = level = 0
        for char in text:
            level += (char == "[") - (char == "]")
            brackets = max(brackets, level)
        if max(depth, brackets) > safety.MAX_MARKDOWN_DEPTH:
            what = "brackets are" if brackets > depth else "quotes and lists are"
            out.append(finding("F006", chapter.shown, line.number,
                               f"{what} nested {max(depth, brackets)} deep; the limit is {safety.MAX_MARKDOWN_DEPTH}"))
    return out


def check_leftovers(chapter: Chapter) -> list[Finding]:
    """What pandoc would print literally or drop without a word: footnotes without a definition
    or never used, square brackets around a citation that do not match, and attributes that
    are unknown or not attributes at all."""
    located = _Located(chapter)
    text, out, add = located.text, located.out, located.add

    defined = {m.group("id"): m.start() for m in _NOTE_DEF.finditer(text)}
    used: set[str] = set()
    for match in _NOTE_REF.finditer(text):
        used.add(match.group("id"))
        if match.group("id") not in defined:
            add("N001", match.start(), f"footnote '[^{match.group('id')}]' has no definition ('[^{match.group('id')}]: ...')")
    for note, offset in defined.items():
        if note not in used:
            add("N002", offset, f"footnote '[^{note}]' is defined but never referenced, so it would be dropped")
    for line in body_lines(chapter):
        missing = safety.missing_glyphs(line.text, chapter.path.parent.parent)
        if missing:
            out.append(finding("F008", chapter.shown, line.number, f"{safety.describe(missing)}: none of the book's fonts can show "
                               f"{'it' if len(missing) == 1 else 'them'}", col=line.text.index(missing[0]) + 1))
    for paragraph in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", text):
        opened: list[int] = []
        chunk = paragraph.group(0)
        for index, char in enumerate(chunk):
            if char not in "[]" or (index and chunk[index - 1] == "\\"):
                continue
            if char == "[":
                opened.append(index)
            elif opened:
                opened.pop()
            elif re.search(r"@[\w-]+\W*$", chunk[:index]):
                add("C012", paragraph.start() + index, "']' after a citation closes no '['")
        for index in opened:
            if re.match(r"\[\s*-?@", chunk[index:]):
                add("C012", paragraph.start() + index, "'[' before a citation is never closed")
    blocks = [(m.start(), m.group("body")) for m in _ATTRS.finditer(text)]
    offset = 0
    for raw in text.split("\n"):
        heading = _HEADING.match(raw)
        div = DIV_OPEN.match(raw)
        if heading and heading.group(3):
            blocks.append((offset + heading.start(3), heading.group(3)[1:-1]))
        elif div and div.group(2).startswith("{"):
            blocks.append((offset + div.start(2), div.group(2)[1:-1]))
        offset += len(raw) + 1
    for start, body in blocks:
        if body.startswith("="):
            continue   # a raw block: H001
        for token in _ATTR_TOKEN.finditer(body):
            key, bad, anchor = token.group("key"), token.group("bad"), token.group("id")
            if anchor is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", anchor):
                add("S010", start, f"id '#{anchor}' must start with a letter and have only letters, digits, '-' and '_'")
            if bad:
                add("S010", start, f"'{{{body}}}' is not an attribute list ('{bad}'); pandoc would print it as text")
                break
            if key and key not in safety.ALLOWED_ATTRIBUTES:
                add("S010", start, f"attribute '{key}' is not allowed; use an #id, .classes, alt, lang or dir")
    return out


def alt_text(attrs: str | None) -> str:
    """The alt text in a Markdown image's attribute block, or '' when there is none."""
    alt = _ALT.search(attrs or "")
    return (alt.group(2) or alt.group(3) or "").strip() if alt else ""


def _check_image_src(src: str, chapter: Chapter, line: Line, col: int, root: Path,
                     figure_ids: set[str]) -> list[Finding]:
    if src.startswith("figures/") and src.endswith(".svg"):
        if src[len("figures/"):-len(".svg")] not in figure_ids:
            return [finding("I001", chapter.shown, line.number, f"figure '{src}' has no data file in assets/data/figures/", col=col)]
        return []
    if re.match(r"^[a-z]+:", src):
        return [finding("I003", chapter.shown, line.number, f"image '{src}' is not a file in assets/", col=col)]
    target = (chapter.path.parent / src).resolve()
    assets = (root / "assets").resolve()
    if not target.is_relative_to(assets):
        return [finding("I003", chapter.shown, line.number, f"image '{src}' is outside assets/", col=col)]
    if not target.is_file():
        return [finding("I001", chapter.shown, line.number, f"image '{src}' does not exist", col=col)]
    size = target.stat().st_size
    if size > MAX_IMAGE_BYTES:
        return [finding("F003", chapter.shown, line.number, f"image '{src}' is {size:,} bytes; the limit is {MAX_IMAGE_BYTES:,}", col=col)]
    if target.suffix.lower() in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".webp"):
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(target) as image:
                width, height = image.size
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
            return [finding("I004", chapter.shown, line.number, f"image '{src}' cannot be read: {exc}", col=col)]
        if width * height > MAX_IMAGE_PIXELS:
            return [finding("F003", chapter.shown, line.number,
                            f"image '{src}' is {width} x {height} pixels; the limit is {MAX_IMAGE_PIXELS:,} pixels", col=col)]
    return []


def load_bibliography(path: Path, root: Path) -> tuple[list[dict[str, Any]], list[Finding]]:
    shown = relpath(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [finding("C002", shown, 0, f"cannot read the bibliography: {exc}")]
    data, lines, problems = yamlio.load(text, shown)
    if problems:
        return [], problems
    if isinstance(data, dict) and "references" in data:
        data = data["references"]
    if not isinstance(data, list) or not all(isinstance(e, dict) and "id" in e for e in data):
        return [], [finding("C002", shown, 1, "the bibliography must be a list of CSL entries, each with an 'id'")]
    seen: dict[str, int] = {}
    for index, entry in enumerate(data):
        key = str(entry["id"])
        line = lines.get((str(index),), 1)
        for field in ("URL", "url"):
            why = safety.link_problem(str(entry[field])) if field in entry else None
            if why is not None:
                problems.append(finding("L004", shown, lines.get((str(index), field), line), f"entry '{key}': {why}"))
        if key in seen:
            problems.append(finding("Y002", shown, line, f"bibliography id '{key}' is already used at line {seen[key]}"))
        seen[key] = line
    return data, problems


def chapter_anchors(chapters: list[Chapter]) -> tuple[set[str], list[Finding]]:
    """Ids a link may point at (chapter ids, explicit heading, div and figure ids), and a finding
    for each explicit id used twice in the book."""
    first: dict[str, str] = {c.id: f"{c.shown} (chapter id)" for c in chapters}
    out: list[Finding] = []
    for chapter in chapters:
        for line in body_lines(chapter):
            for anchor in re.findall(r"\{[^}]*#([\w-]+)", line.text):
                if anchor in first:
                    out.append(finding("S009", chapter.shown, line.number, f"id '#{anchor}' is already used in {first[anchor]}"))
                else:
                    first[anchor] = f"{chapter.shown}:{line.number}"
    return set(first), out


def run_all(chapters: list[Chapter], root: Path, bibliography: list[dict[str, Any]],
            bib_path: Path, figure_ids: set[str], allowed_blocks: tuple[str, ...] | None = None) -> list[Finding]:
    keys = {str(e["id"]) for e in bibliography}
    anchors, out = chapter_anchors(chapters)
    cited: set[str] = set()
    for chapter in chapters:
        limits = check_limits(chapter)
        if limits:
            out.extend(limits)
            continue
        out.extend(check_structure(chapter, allowed_blocks))
        out.extend(check_leftovers(chapter))
        found, keys_used = check_inline(chapter, root, keys, anchors, figure_ids)
        out.extend(found)
        cited |= keys_used
    out.extend(pullquotes.check(chapters))
    out.extend(sources.run(chapters, root, bibliography, bib_path, cited))
    return out
