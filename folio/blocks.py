"""Read the fenced blocks of a chapter's Markdown (``::: key-facts`` … ``:::``) and their list items,
for generated blocks that gather them from several chapters (the five-trends summary)."""

from __future__ import annotations

import re

_OPEN = re.compile(r"^(:{3,})\s*\{?\s*\.?(?P<cls>[A-Za-z][\w-]*)")
_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")


def fenced(body: str, cls: str) -> list[str]:
    """The Markdown inside each fenced div of class ``cls`` (outermost, in order), without its fences."""
    found: list[str] = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m or m.group("cls") != cls:
            i += 1
            continue
        depth, start = 1, i + 1
        i += 1
        while i < len(lines) and depth:
            line = lines[i].strip()
            if re.fullmatch(r":{3,}", line):
                depth -= 1
            elif _OPEN.match(line):
                depth += 1
            i += 1
        found.append("\n".join(lines[start:i - 1]).strip("\n"))
    return found


def items(markdown: str) -> list[str]:
    """The top-level list items of ``markdown``, each without its marker, continuation lines joined."""
    out: list[str] = []
    for line in markdown.split("\n"):
        if _ITEM.match(line):
            out.append(_ITEM.sub("", line, count=1).strip())
        elif out and line.startswith((" ", "\t")) and line.strip():
            out[-1] += " " + line.strip()
        elif out and not line.strip():
            continue
    return out
