"""Source checks: keep the citation apparatus honest.

Run by ``make_book.py check`` and by every build, on the bibliography and on the notes the
chapters make. Each finding points at the bibliography entry (its line in the YAML file) or at the
chapter line that makes the note.

- C003 an entry that no chapter cites.
- C004 a title that describes a document instead of naming it ("Article on ...", "Report on ...").
- C005, C006, C007 an entry without a title, without an author or publisher, without a date.
- C008 an entry without an address (URL or DOI).
- C009 an address or site on the deny list: encyclopaedias, mirrors, content farms.
- C010 a note that cites exactly what the note before it cited.
- C011 a section listed as pending that has nothing left to forgive.

The deny list and the placeholder phrases are data. folio's defaults are below; a book adds its
own in ``assets/data/source-checks.yaml``:

    deny:
      - {host: example-mirror.com, name: Example Mirror, why: copies other sites' pages}
    placeholder_starts: [Briefing on]
    pending_sections: [cyber security]

``pending_sections`` names bibliography sections (``# --- name`` comment lines) whose rewrite is
still under way. Their C004 and C009 findings are reported as warnings, not errors, so that the
rest of the book can build while they are finished; C011 says when a listed section is clean.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import yamlio
from .catalogue import finding
from .chapters import Chapter
from .errors import Finding, relpath

POLICY_FILE = Path("assets") / "data" / "source-checks.yaml"


@dataclass(frozen=True)
class DenyRule:
    host: str            # a domain; the rule matches it and its subdomains
    name: str            # the site's name as it may appear in container-title or publisher ('' for none)
    why: str


DEFAULT_DENY = (
    DenyRule("wikipedia.org", "Wikipedia", "an encyclopaedia; cite the document it cites"),
    DenyRule("wikimedia.org", "", "an encyclopaedia's media store; cite the original"),
    DenyRule("wikimili.com", "WikiMili", "a copy of Wikipedia"),
    DenyRule("piglix.com", "Piglix", "a copy of Wikipedia"),
    DenyRule("wikiwand.com", "Wikiwand", "a copy of Wikipedia"),
    DenyRule("zxc.wiki", "", "a machine-translated copy of Wikipedia"),
    DenyRule("alchetron.com", "Alchetron", "a copy of Wikipedia"),
    DenyRule("everybodywiki.com", "EverybodyWiki", "a wiki anyone can edit"),
    DenyRule("docslib.org", "Docslib", "re-posts documents from other sites; cite the publisher's copy"),
    DenyRule("docplayer.net", "DocPlayer", "re-posts documents from other sites; cite the publisher's copy"),
    DenyRule("studylib.net", "Studylib", "re-posts documents from other sites; cite the publisher's copy"),
    DenyRule("yumpu.com", "Yumpu", "re-posts documents from other sites; cite the publisher's copy"),
    DenyRule("news-247.top", "", "a content farm that re-posts other sites' articles"),
)

# A title that starts with one of these (or has one after a comma or semicolon) describes the
# document instead of naming it. Matched case-insensitively, as whole words.
DEFAULT_PLACEHOLDER_STARTS = (
    "article on", "article about", "articles on", "articles about",
    "report on", "report about", "reports on", "reports about",
    "page on", "page about", "pages on", "pages about",
    "piece on", "piece about", "post on", "post about", "blog post on", "blog post about",
    "news item on", "news item about", "news story on", "news story about", "story on", "story about",
    "item on", "item about", "entry on", "entry about", "coverage of",
    "parliamentary question on", "written question on", "statement on the roadmap",
)

AUTHOR_FIELDS = ("author", "editor", "publisher", "container-title", "authority", "collection-title")
ADDRESS_FIELDS = ("URL", "DOI")
TEXT_FIELDS = ("container-title", "publisher", "note", "source", "collection-title", "title")
FORGIVABLE = ("C004", "C009")
# The codes a build reports as warnings while the bibliography is rewritten (C004 and C009 only
# in pending sections). The end-to-end tests tolerate these and nothing else.
REWRITE_WARNINGS = frozenset({"C004", "C005", "C006", "C007", "C008", "C009", "C010", "C011"})

_SECTION = re.compile(r"^#\s*---\s*(.+?)\s*-*\s*$")
_GROUP = re.compile(r"(?<!!)\[(?P<body>[^\[\]]*@[^\[\]]*)\](?![(\[{])")
_KEY = re.compile(r"(?<![\w.@])-?@(?P<key>[A-Za-z0-9_][\w:.#$%&+?<>~/-]*)")
_BARE = re.compile(r"(?<![\w.@\[;-])@(?P<key>[A-Za-z0-9_][\w:.#$%&+?<>~/-]*)")


@dataclass(frozen=True)
class Policy:
    deny: tuple[DenyRule, ...] = DEFAULT_DENY
    placeholder_starts: tuple[str, ...] = DEFAULT_PLACEHOLDER_STARTS
    pending_sections: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Entry:
    key: str
    data: dict[str, Any]
    line: int           # the line of the entry's '- id:' in the file
    section: str        # the '# --- name' section it sits in ('' before the first)
    field_lines: dict[str, int]


@dataclass(frozen=True)
class Note:
    chapter: str
    line: int
    col: int
    cites: tuple[tuple[str, str], ...]   # (key, locator) in the order written
    in_caption: bool = False             # a figure caption names its source on its own


# --- reading -------------------------------------------------------------------------------------

def load_policy(root: Path) -> tuple[Policy, list[Finding]]:
    """folio's defaults, extended by the book's assets/data/source-checks.yaml when it exists."""
    path = root / POLICY_FILE
    if not path.is_file():
        return Policy(), []
    shown = relpath(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return Policy(), [finding("F001", shown, 0, f"cannot read the source-check policy: {exc}")]
    data, lines, problems = yamlio.load(text, shown)
    if problems:
        return Policy(), problems
    data = data or {}
    if not isinstance(data, dict):
        return Policy(), [finding("M005", shown, 1, "the source-check policy must be a mapping")]
    out: list[Finding] = []
    for key in data:
        if key not in ("deny", "placeholder_starts", "pending_sections"):
            out.append(finding("M004", shown, lines.get((str(key),), 1), f"unknown key '{key}'",
                               hint="The keys are deny, placeholder_starts and pending_sections."))
    deny = list(DEFAULT_DENY)
    for index, rule in enumerate(_as_list(data.get("deny"))):
        line = lines.get(("deny", str(index)), 1)
        if not isinstance(rule, dict) or not isinstance(rule.get("host"), str) or not rule["host"].strip():
            out.append(finding("M005", shown, line, f"deny item {index + 1} needs a 'host', such as example.com"))
            continue
        deny.append(DenyRule(rule["host"].strip().lower().removeprefix("www."), str(rule.get("name") or ""),
                             str(rule.get("why") or "on the book's deny list")))
    starts = list(DEFAULT_PLACEHOLDER_STARTS)
    for index, start in enumerate(_as_list(data.get("placeholder_starts"))):
        if not isinstance(start, str) or not start.strip():
            out.append(finding("M005", shown, lines.get(("placeholder_starts", str(index)), 1),
                               f"placeholder_starts item {index + 1} must be text"))
            continue
        starts.append(start.strip().lower())
    pending = set()
    for index, name in enumerate(_as_list(data.get("pending_sections"))):
        if not isinstance(name, str):
            out.append(finding("M005", shown, lines.get(("pending_sections", str(index)), 1),
                               f"pending_sections item {index + 1} must be a section name"))
            continue
        pending.add(name.strip().lower())
    for key in ("deny", "placeholder_starts", "pending_sections"):
        if key in data and data[key] is not None and not isinstance(data[key], list):
            out.append(finding("M005", shown, lines.get((key,), 1), f"'{key}' must be a list"))
    return Policy(tuple(deny), tuple(starts), frozenset(pending)), out


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def read_entries(bib_path: Path, root: Path, bibliography: list[dict[str, Any]]) -> list[Entry]:
    """The entries with their file lines and sections. Without a readable file, lines are 0."""
    try:
        text = bib_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return [Entry(str(e.get("id")), e, 0, "", {}) for e in bibliography]
    _, lines, problems = yamlio.load(text, relpath(bib_path, root))
    if problems:
        lines = {}
    sections: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _SECTION.match(raw)
        if match:
            sections.append((number, match.group(1).strip().lower()))
    prefix = ("references",) if text.lstrip().startswith("references") else ()
    out: list[Entry] = []
    for index, data in enumerate(bibliography):
        where = (*prefix, str(index))
        line = lines.get(where, 0)
        section = ""
        for start, name in sections:
            if start < line:
                section = name
        field_lines = {field: lines[(*where, field)] for field in data if (*where, field) in lines}
        out.append(Entry(str(data.get("id")), data, line, section, field_lines))
    return out


def chapter_notes(chapter: Chapter) -> list[Note]:
    """The notes a chapter makes, in order: one per bracketed citation group (which may run over
    a line break), one per bare @key."""
    from .syntax import IMAGE, body_lines

    lines = list(body_lines(chapter))
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line.text) + 1
    text = "\n".join(line.text for line in lines)

    def where(pos: int) -> tuple[int, int]:
        index = bisect.bisect_right(starts, pos) - 1
        return lines[index].number, pos - starts[index] + 1

    found: list[tuple[int, tuple[tuple[str, str], ...]]] = []
    spans: list[tuple[int, int]] = []
    for group in _GROUP.finditer(text):
        cites: list[tuple[str, str]] = []
        for item in group.group("body").split(";"):
            key = _KEY.search(item)
            if key is None:
                continue
            name = key.group("key").rstrip(".:,;")
            if not _is_crossref(name):
                cites.append((name, " ".join(item[key.end():].split()).strip(" ,")))
        if cites:
            found.append((group.start(), tuple(cites)))
            spans.append(group.span())
    for bare in _BARE.finditer(text):
        name = bare.group("key").rstrip(".:,;")
        if not _is_crossref(name) and not any(a <= bare.start() < b for a, b in spans):
            found.append((bare.start(), ((name, ""),)))
    captions = [m.span("caption") for m in IMAGE.finditer(text)]
    notes = []
    for pos, group_cites in sorted(found):
        number, col = where(pos)
        notes.append(Note(chapter.shown, number, col, group_cites, any(a <= pos < b for a, b in captions)))
    return notes


def _is_crossref(key: str) -> bool:
    return key.startswith(("fig-", "tbl-", "sec-", "eq-"))


# --- checking ------------------------------------------------------------------------------------

def check_entries(entries: Iterable[Entry], shown: str, policy: Policy, cited: set[str]) -> list[Finding]:
    out: list[Finding] = []
    for entry in entries:
        out.extend(_check_entry(entry, shown, policy, cited))
    return out


def _check_entry(entry: Entry, shown: str, policy: Policy, cited: set[str]) -> Iterator[Finding]:
    data, key = entry.data, entry.key

    def at(field: str) -> int:
        return entry.field_lines.get(field, entry.line)

    if key not in cited:
        yield finding("C003", shown, entry.line, f"'{key}' is never cited", col=3)
    title = _text(data.get("title"))
    if not title:
        yield finding("C005", shown, entry.line, f"'{key}' has no title", col=3)
    else:
        start = placeholder_start(title, policy.placeholder_starts)
        if start:
            yield finding("C004", shown, at("title"), f"'{key}' has a placeholder title ('{title}'): "
                          f"'{start}' describes the document instead of naming it", col=3)
    if not any(_text(data.get(f)) or _names(data.get(f)) for f in AUTHOR_FIELDS):
        yield finding("C006", shown, entry.line, f"'{key}' names no author, publisher or site", col=3)
    if not data.get("issued"):
        yield finding("C007", shown, entry.line, f"'{key}' has no date ('issued')", col=3)
    if not any(_text(data.get(f)) for f in ADDRESS_FIELDS):
        yield finding("C008", shown, entry.line, f"'{key}' has no address (URL or DOI)", col=3)
    for field, rule in denied(data, policy.deny):
        yield finding("C009", shown, at(field), f"'{key}' cites {rule.name or rule.host} in '{field}': {rule.why}", col=3)


def placeholder_start(title: str, starts: Iterable[str]) -> str:
    """The placeholder phrase a title opens with (or has after a comma or semicolon), or ''."""
    lowered = " ".join(title.lower().split())
    for start in starts:
        if re.search(r"(?:^|[,;:]\s*)" + re.escape(start) + r"\b", lowered):
            return start
    return ""


def denied(data: dict[str, Any], rules: Iterable[DenyRule]) -> Iterator[tuple[str, DenyRule]]:
    """(field, rule) for each deny rule the entry's address or site names break, once per rule."""
    seen: set[str] = set()
    rules = tuple(rules)
    url = _text(data.get("URL"))
    host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower() if url else ""
    for rule in rules:
        if host and (host == rule.host or host.endswith("." + rule.host)):
            seen.add(rule.host)
            yield "URL", rule
    for field in TEXT_FIELDS:
        text = _text(data.get(field)).lower()
        if not text:
            continue
        for rule in rules:
            if rule.host in seen:
                continue
            by_host = re.search(r"(?<![\w-])(?:[\w-]+\.)*" + re.escape(rule.host) + r"(?![\w-])", text)
            by_name = rule.name and field != "title" and re.search(r"\b" + re.escape(rule.name.lower()) + r"\b", text)
            if by_host or by_name:
                seen.add(rule.host)
                yield field, rule


def check_notes(notes: Iterable[Note]) -> list[Finding]:
    """C010: a note that cites exactly what the note before it (in the same chapter) cited.
    Figure captions are left out: a figure names its source wherever it floats to."""
    out: list[Finding] = []
    previous: Note | None = None
    for note in notes:
        if note.in_caption:
            continue
        if previous is not None and previous.chapter == note.chapter and sorted(previous.cites) == sorted(note.cites):
            what = "; ".join(f"@{k}{' ' + loc if loc else ''}" for k, loc in note.cites)
            out.append(finding("C010", note.chapter, note.line, f"this note repeats the note before it ({what}), "
                               f"at line {previous.line}", col=note.col))
        previous = note
    return out


def forgive_pending(findings: list[Finding], entries: list[Entry], policy: Policy, shown: str) -> list[Finding]:
    """Report C004 and C009 in pending sections as warnings; C011 for a pending section with none."""
    if not policy.pending_sections:
        return findings
    section_at = _section_lookup(entries)
    out: list[Finding] = []
    used: set[str] = set()
    for f in findings:
        section = section_at(f.line) if f.path == shown else ""
        if f.code in FORGIVABLE and section in policy.pending_sections:
            used.add(section)
            f = replace(f, severity="warning", message=f"{f.message} [pending section '{section}']")
        out.append(f)
    present = {e.section for e in entries}
    for section in sorted((policy.pending_sections & present) - used):
        out.append(finding("C011", POLICY_FILE.as_posix(), 0,
                           f"section '{section}' is listed under pending_sections but has no placeholder or "
                           f"deny-listed entry; remove it from the list"))
    return out


def _section_lookup(entries: list[Entry]) -> Any:
    ordered = sorted((e.line, e.section) for e in entries if e.line)

    def section_at(line: int) -> str:
        current = ""
        for start, section in ordered:
            if start <= line:
                current = section
            else:
                break
        return current

    return section_at


def run(chapters: list[Chapter], root: Path, bibliography: list[dict[str, Any]], bib_path: Path,
        cited: set[str]) -> list[Finding]:
    """Every source check on the book."""
    policy, out = load_policy(root)
    shown = relpath(bib_path, root)
    entries = read_entries(bib_path, root, bibliography)
    found = check_entries(entries, shown, policy, cited)
    for chapter in chapters:
        found.extend(check_notes(chapter_notes(chapter)))
    return out + forgive_pending(found, entries, policy, shown)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _names(value: Any) -> bool:
    """True for a CSL name list with at least one non-empty name."""
    if not isinstance(value, list):
        return False
    return any(isinstance(n, dict) and any(_text(n.get(k)) for k in ("family", "given", "literal")) for n in value)
