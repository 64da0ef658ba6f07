"""HTML changes for the large-print edition (RNIB clear print) that CSS alone cannot make.

* ``endnotes``: the paged editions carry each note inline as ``span.footnote`` (floated to the
  foot of the page). In large print a 16 pt footnote area would fill half a page, so each note
  becomes a full-size superscript call linked to a numbered list at the end of its chapter.
* ``break_urls_at_slashes``: a printed address may break only after a slash, never at a hyphen or
  inside ``https://``, unless the part between two slashes is longer than a line (then after its
  punctuation too, rather than run off the page). Each address printed in the text gets a zero-width space (a break
  opportunity) after every slash of its path, and a word joiner (no break) after ``://`` and
  after the characters at which line breaking would otherwise allow a break (hyphens, question
  marks, per cent and plus signs). Both are default-ignorable characters: no font draws them.
"""

from __future__ import annotations

import re
from html import escape, unescape

ZWSP = "\u200b"
WORD_JOINER = "\u2060"
_NOTE_OPEN = re.compile(r'<span class="footnote">')
_SPAN_TAG = re.compile(r"<span\b[^>]*>|</span>")
_TAG = re.compile(r"(<[^>]*>)")
_URL = re.compile(r"(?:https?://|www\.)[^\s<]+")
_GLUE_AFTER = re.compile(r"([-?%+])")
_BREAK_AFTER = re.compile(r"([-.&=+_])(?=.)")   # never after '?' (page quality P038)
_BREAK_SOFT = re.compile(r"([-.])(?=.)")
_GLUE_SOFT = re.compile(r"([?%+])")
_GLUE_QUERY = re.compile(r"([?%])")
LONGEST_PART = 40    # characters of an address that fit on one large-print line, with room to spare


def split_notes(html: str) -> tuple[str, list[str]]:
    """Replace each ``span.footnote`` (nested spans allowed) by a placeholder ``\\0N\\0``; return
    the text and the notes' inner HTML, in order."""
    notes: list[str] = []
    out: list[str] = []
    pos = 0
    while (match := _NOTE_OPEN.search(html, pos)) is not None:
        out.append(html[pos:match.start()])
        depth, cursor = 1, match.end()
        while depth:
            tag = _SPAN_TAG.search(html, cursor)
            if tag is None:
                raise ValueError("a note's <span> is not closed")
            depth += -1 if tag.group(0) == "</span>" else 1
            cursor = tag.end()
        notes.append(html[match.end():cursor - len("</span>")])
        out.append(f"\0{len(notes)}\0")
        pos = cursor
    out.append(html[pos:])
    return "".join(out), notes


def endnotes(html: str, chapter_id: str) -> str:
    """One chapter's HTML with its notes moved to a 'Notes' list at the end."""
    text, notes = split_notes(html)
    if not notes:
        return html

    def call(match: re.Match[str]) -> str:
        n = match.group(1)
        return (f'<sup class="note-ref"><a href="#{chapter_id}-note-{n}" id="{chapter_id}-noteref-{n}" '
                f'role="doc-noteref">{n}</a></sup>')

    text = re.sub(r"\0(\d+)\0", call, text)
    items = "\n".join(f'<li id="{chapter_id}-note-{n}">{note.strip()}</li>' for n, note in enumerate(notes, start=1))
    return (f'{text}\n<section class="endnotes" role="doc-endnotes" aria-labelledby="{chapter_id}-notes">\n'
            f'<h2 id="{chapter_id}-notes">Notes</h2>\n<ol>\n{items}\n</ol>\n</section>')


def break_url(text: str) -> str:
    """A printed address with break opportunities only after the slashes of its path, except in
    a part between two slashes too long for a large-print line (``LONGEST_PART``): that part may
    also break after its punctuation (RNIB: break long addresses at punctuation), since the
    alternative is a line that runs off the page."""
    scheme, sep, rest = text.partition("://")
    if sep:
        sep += WORD_JOINER          # never break straight after the scheme
    else:
        scheme, rest = "", text
    parts = []
    for part in rest.split("/"):
        # The notes' filter may have let a long query string break after '+', '=' and '&' already
        # (for the narrower member column); large print decides for itself, on the bare characters.
        lead = ZWSP if part.startswith(ZWSP) else ""
        part = lead + part[len(lead):].replace(ZWSP, "")
        if len(part.replace(ZWSP, "").replace(WORD_JOINER, "")) > LONGEST_PART:
            # After its dots and hyphens first (page quality P038: an address breaks after '/', '.'
            # or '-'); at its other punctuation too only when a piece would still be too long.
            glued = _GLUE_SOFT.sub(lambda m: m.group(1) + WORD_JOINER, part)
            soft = _BREAK_SOFT.sub(lambda m: m.group(1) + ZWSP, glued)
            if max(len(piece) for piece in soft.replace(WORD_JOINER, "").split(ZWSP)) <= LONGEST_PART:
                part = soft
            else:
                # Not after '?' or '%' either, unless a piece would still be longer than a line.
                bare = part.replace(WORD_JOINER, "")
                part = _BREAK_AFTER.sub(lambda m: m.group(1) + ZWSP, _GLUE_QUERY.sub(lambda m: m.group(1) + WORD_JOINER, bare))
                if max(len(piece) for piece in part.replace(WORD_JOINER, "").split(ZWSP)) > LONGEST_PART:
                    part = re.sub(r"([?%])(?=.)", lambda m: m.group(1) + ZWSP, _BREAK_AFTER.sub(lambda m: m.group(1) + ZWSP, bare))
            part = part.replace(ZWSP, "", 1) if part.startswith(ZWSP) else part
        else:
            part = _GLUE_AFTER.sub(lambda m: m.group(1) + WORD_JOINER, part)
        parts.append(part)
    rest = ("/" + ZWSP).join(parts)
    rest = rest[:-len(ZWSP)] if rest.endswith("/" + ZWSP) else rest
    return f"{scheme}{sep}{rest}"


def break_urls_at_slashes(html: str) -> str:
    """``break_url`` on every address printed in the text (not in attributes), on its characters
    rather than its HTML: a break after the '&' of '&amp;' printed '&amp;'."""
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):      # even items are text between tags
        parts[i] = _URL.sub(lambda m: escape(break_url(unescape(m.group(0))), quote=False), parts[i])
    return "".join(parts)


def prepare(html: str, chapter_id: str) -> str:
    """Everything the large-print edition changes in one chapter's HTML."""
    return break_urls_at_slashes(endnotes(html, chapter_id))
