"""new-chapter: create a chapter file with its front matter and sections, and list it in book.yaml."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from .catalogue import finding
from .config import Content, load_book
from .errors import BuildError

PLACEHOLDER = {"text": "Write this in one sentence.", "integer": 2000, "number": 1, "boolean": False,
               "date": dt.date(2026, 1, 1)}


def chapter_text(content: Content, kind: str, slug: str, title: str, colour: str) -> str:
    """A new chapter of ``kind``: front matter with every key the kind requires (each key's example,
    or a placeholder), its required sections in order, and its required blocks spread over them."""
    spec = content.kind(kind)
    front = {"id": slug, "title": title, "kind": kind}
    for key in spec.required:
        declared = content.keys.get(key, {"type": "text"})
        if declared["type"] == "colour":      # --theme, else the key's example, else the palette's first theme
            value = colour or declared.get("example") or next(iter(content.colours), "")
        else:
            value = declared.get("example", PLACEHOLDER[declared["type"]])
        front[key] = "One sentence on what this chapter is about." if key == "summary" else value
    sections = list(spec.sections)
    body: list[str] = []
    for i, name in enumerate(sections or [""]):
        body += [f"## {name}\n"] if name else []
        body.append("Write the chapter here." if not sections else f"What the {name} section says"
                    + (", with its sources cited [@key]." if i == 0 else "."))
        last = i == max(len(sections), 1) - 1
        for block in (spec.blocks[i:i + 1] if not last else spec.blocks[i:]):
            body.append(f"\n::: {block}\nThe {block} block: built only from sourced facts.\n:::")
        body.append("")
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n" + "\n".join(body)


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "chapter"


def new_chapter(root: Path, title: str, kind: str = "", theme: str = "") -> Path:
    """Write chapters/NN-slug.md and append it to the chapters list in book.yaml (comments kept).
    ``kind``: one of book.yaml's content.kinds (default its default_kind); ``theme``: the colour key
    (default the colour key's example in book.yaml, else the palette's first theme)."""
    content = load_book(root).content
    kind = kind or content.default_kind or "chapter"
    if content.kinds and kind not in content.kinds:
        raise BuildError([finding("M005", "book.yaml", 0, f"'{kind}' is not a kind of chapter",
                                  hint="the kinds are " + ", ".join(content.kinds))])
    chapters = root / "chapters"
    slug = slugify(title)
    numbers = [int(m.group(1)) for p in chapters.glob("*.md") if (m := re.match(r"(\d+)-", p.name))]
    path = chapters / f"{max(numbers, default=0) + 1:02d}-{slug}.md"
    if any(p.name.endswith(f"-{slug}.md") for p in chapters.glob("*.md")):
        raise BuildError([finding("M006", f"chapters/{path.name}", 0, f"a chapter named '{slug}' already exists")])
    book = root / "book.yaml"
    lines = book.read_text(encoding="utf-8").split("\n")
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == "chapters:")
    except StopIteration:
        raise BuildError([finding("M003", "book.yaml", 0, "book.yaml has no 'chapters:' list to add to")]) from None
    end = start + 1
    while end < len(lines) and re.match(r"^\s+-\s", lines[end]):
        end += 1
    indent = re.match(r"^(\s+)-", lines[start + 1]).group(1) if end > start + 1 else "  "  # type: ignore[union-attr]
    lines.insert(end, f"{indent}- {path.name}")
    path.write_text(chapter_text(content, kind, slug, title, theme), encoding="utf-8")
    book.write_text("\n".join(lines), encoding="utf-8")
    return path
