"""A pull quote has words of its own: it must not repeat a sentence of the book (S011).

Every edition presents a pull quote as content: the tagged PDFs have it in the structure tree,
the web edition and the EPUB show it to screen readers. A pull quote that repeated a sentence of
the text would therefore be read twice, and hiding the repeat (as an artifact, or with
``aria-hidden``) makes a checker report real text as skipped. So the source check refuses a
repeat instead, at the line of the block, and the editions never need to hide a pull quote.

The comparison ignores case, spaces, punctuation, Markdown markup and citations: a sentence of the
pull quote (of 20 letters and digits or more) that occurs in any chapter outside its pull quotes
is a repeat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .catalogue import finding
from .chapters import Chapter
from .errors import Finding
from .syntax import DIV_CLOSE, DIV_OPEN, FENCE

__all__ = ["PullQuote", "check", "pull_quotes"]

_OPEN = re.compile(r"^(:{3,})\s*(?:\{[^}]*\.pull-quote\b[^}]*\}|pull-quote)\s*:*\s*$")
_CITATION = re.compile(r"\[[^\[\]]*@[^\[\]]*\]|(?<![\w.@])@[A-Za-z0-9_][\w:.#$%&+?<>~/-]*")
_NOTE = re.compile(r"\[\^[^\]\s]+\]")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\{[^{}\n]*\}")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+")
MIN_SENTENCE = 20          # letters and digits; shorter fragments ("Yes.") may recur by chance


@dataclass(frozen=True)
class PullQuote:
    chapter: Chapter
    line: int              # file line of the block's first text line
    text: str              # the Markdown inside the block


def _squash(text: str) -> str:
    text = _LINK_TARGET.sub(" ", _NOTE.sub(" ", _CITATION.sub(" ", text)))
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _split(chapter: Chapter) -> tuple[list[PullQuote], str]:
    """The chapter's pull quotes, and its body with them (and code blocks) left out."""
    quotes: list[PullQuote] = []
    rest: list[str] = []
    depth = 0                   # open divs inside the current pull quote, the pull quote included
    lines: list[str] = []
    start = 0
    fence: str | None = None
    for offset, text in enumerate(chapter.body.split("\n")):
        fenced = FENCE.match(text)
        if fence is not None or fenced:
            if fence is None and fenced:
                fence = fenced.group(1)[0] * 3
            elif fence is not None and text.startswith(fence):
                fence = None
            continue
        if depth == 0:
            if _OPEN.match(text):
                depth, lines, start = 1, [], chapter.body_line + offset + 1
            else:
                rest.append(text)
            continue
        if DIV_CLOSE.match(text):
            depth -= 1
            if depth == 0:
                quotes.append(PullQuote(chapter, start, "\n".join(lines)))
                continue
        elif DIV_OPEN.match(text):
            depth += 1
        lines.append(text)
    if depth:
        quotes.append(PullQuote(chapter, start, "\n".join(lines)))
    return quotes, "\n".join(rest)


def pull_quotes(chapters: list[Chapter]) -> list[PullQuote]:
    return [q for c in chapters for q in _split(c)[0]]


def check(chapters: list[Chapter]) -> list[Finding]:
    """S011 for every pull quote that repeats a sentence found elsewhere in the book."""
    split = [_split(c) for c in chapters]
    texts = [(c, _squash(rest)) for c, (_, rest) in zip(chapters, split, strict=True)]
    out: list[Finding] = []
    for quotes, _ in split:
        for quote in quotes:
            plain = " ".join(quote.text.split())
            sentences = [s for s in _SENTENCE_END.split(plain) if len(_squash(s)) >= MIN_SENTENCE]
            for sentence in sentences:
                where = next((c for c, text in texts if _squash(sentence) in text), None)
                if where is not None:
                    shown = "this chapter" if where is quote.chapter else where.shown
                    out.append(finding("S011", quote.chapter.shown, quote.line,
                                       f"the pull quote repeats a sentence of {shown}: '{sentence[:80]}'"))
                    break
    return out
