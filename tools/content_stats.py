"""Per-chapter counts for the closing note: words, notes and distinct sources cited, and the share of
bibliography entries with a date and an address.

Run from the project root:  python3 tools/content_stats.py  (add --markdown for a table)

- words: running text of the chapter body, without the YAML front matter, figure lines, fenced-div
  markers, citations, link targets and Markdown punctuation (a word is a run of letters, digits,
  apostrophes, hyphens, or a number such as 1,200 or 4.9);
- notes: citation groups, each "[@a; @b]" is one footnote in the book ("AI@Socitm" in a link is not);
- sources: distinct bibliography keys the chapter cites.
Only the standard library and PyYAML (already a dependency) are used.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CITE_GROUP = re.compile(r"\[(?:[^\[\]]*?)(?<![\w@])@[\w:.#$%&+?<>~/-]+[^\[\]]*\]")
CITE_KEY = re.compile(r"(?<![\w@])@([\w][\w:.#$%&+?<>~/-]*\w)")
WORD = re.compile(r"\d+(?:[.,]\d+)*%?|[A-Za-z\u00C0-\u024F]+(?:['’-][A-Za-z\u00C0-\u024F]+)*")


def body_of(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end != -1:
            return text[end + 4:]
    return text


def prose(body: str) -> str:
    lines = []
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(":::") or stripped.startswith("!["):
            continue
        lines.append(line)
    text = "\n".join(lines)
    text = CITE_GROUP.sub(" ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)       # link targets
    text = re.sub(r"\{[#.][^}]*\}", " ", text)      # attributes
    return text


def chapter_counts(path: Path) -> tuple[int, int, int]:
    body = body_of(path.read_text(encoding="utf-8"))
    groups = CITE_GROUP.findall(body)
    keys = {k for g in groups for k in CITE_KEY.findall(g)}
    return len(WORD.findall(prose(body))), len(groups), len(keys)


def main(argv: list[str]) -> int:
    book = yaml.safe_load((ROOT / "book.yaml").read_text(encoding="utf-8"))
    rows = []
    all_keys: set[str] = set()
    for name in book["chapters"]:
        path = ROOT / "chapters" / name
        words, notes, sources = chapter_counts(path)
        body = body_of(path.read_text(encoding="utf-8"))
        all_keys |= {k for g in CITE_GROUP.findall(body) for k in CITE_KEY.findall(g)}
        rows.append((name, words, notes, sources))
    entries = yaml.safe_load((ROOT / book["bibliography"]).read_text(encoding="utf-8"))
    dated = sum(1 for e in entries if e.get("issued"))
    addressed = sum(1 for e in entries if e.get("URL") or e.get("DOI"))
    total = (sum(r[1] for r in rows), sum(r[2] for r in rows), len(all_keys))
    if "--markdown" in argv:
        print("| Chapter | Words | Notes | Sources cited |")
        print("|---|---:|---:|---:|")
        for name, words, notes, sources in rows:
            print(f"| `{name}` | {words:,} | {notes} | {sources} |")
        print(f"| **Book** | **{total[0]:,}** | **{total[1]}** | **{total[2]}** distinct |")
    else:
        for name, words, notes, sources in rows:
            print(f"{name:34} {words:6} words {notes:4} notes {sources:4} sources")
        print(f"{'book':34} {total[0]:6} words {total[1]:4} notes {total[2]:4} distinct sources")
    print(f"\nbibliography: {len(entries)} entries, {dated} dated ({dated / len(entries):.1%}), "
          f"{addressed} with an address ({addressed / len(entries):.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
