"""The pieces of pandoc's Markdown that the checks read line by line: code fences, fenced divs,
images, raw-format blocks and bracketed citations, and the body's lines outside code. One
definition, shared by the content checks (``folio.checks``), the source checks (``folio.sources``),
the pull-quote reader, the accessibility claims, the public guard and the summary's blocks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .chapters import Chapter

FENCE = re.compile(r"^(`{3,}|~{3,})")
DIV_OPEN = re.compile(r"^(:{3,})\s*(\{[^}]*\}|[A-Za-z][\w-]*)\s*(:*)\s*$")
DIV_CLOSE = re.compile(r"^(:{3,})\s*$")
IMAGE = re.compile(r"!\[(?P<caption>(?:[^\]\[]|\[[^\]]*\])*)\]\((?P<src>[^)\s]+)(?:\s+\"[^\"]*\")?\)(?P<attrs>\{[^}]*\})?")
RAW_FORMAT = re.compile(r"\{=\s*([A-Za-z0-9_-]+)\s*\}")
CITATION = re.compile(r"\s*\[[^\]]*@[\w:.#$%&+?<>~/-]+[^\]]*\]")   # a bracketed citation: [@key], [see @a; @b, p. 3]


@dataclass(frozen=True)
class Line:
    number: int
    text: str


def body_lines(chapter: Chapter) -> Iterator[Line]:
    """Lines of the body outside code blocks, with their file line numbers."""
    fence: str | None = None
    for offset, text in enumerate(chapter.body.split("\n")):
        match = FENCE.match(text)
        if fence is None and match:
            fence = match.group(1)[0] * 3
            if RAW_FORMAT.search(text):
                yield Line(chapter.body_line + offset, text)
            continue
        if fence is not None:
            if text.startswith(fence):
                fence = None
            continue
        yield Line(chapter.body_line + offset, text)
