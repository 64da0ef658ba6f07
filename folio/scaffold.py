"""new-chapter: create a chapter file with its front matter and sections, and list it in book.yaml."""

from __future__ import annotations

import re
from pathlib import Path

from .catalogue import finding
from .errors import BuildError

THEME_TEMPLATE = """---
id: {id}
title: {title}
kind: theme
theme: {theme}
summary: One sentence on what this chapter is about.
milestone_year: 2000
milestone: The "look back" milestone, in one sentence, with its source cited in the text.
opportunity: The "leap forward" opportunity, in one sentence.
---

## Then

Milestones across four decades, each with a citation [@key].

::: case-study
### Case study: a title

Built only from sourced facts.
:::

## Now

Where things stand, with sourced figures.

::: pull-quote
A short point of its own, from a sourced fact of this chapter.
:::

## Next

Opportunities and practical steps.

::: call-to-action
### What you can do next

1. A concrete step.

Join the conversation at a Socitm member event (members only).
:::
"""

PLAIN_TEMPLATE = """---
id: {id}
title: {title}
kind: {kind}
---

Write the chapter here.
"""


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "chapter"


def new_chapter(root: Path, title: str, kind: str = "theme", theme: str = "data") -> Path:
    """Write chapters/NN-slug.md and append it to the chapters list in book.yaml (comments kept)."""
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
    template = THEME_TEMPLATE if kind == "theme" else PLAIN_TEMPLATE
    path.write_text(template.format(id=slug, title=title, kind=kind, theme=theme), encoding="utf-8")
    book.write_text("\n".join(lines), encoding="utf-8")
    return path
