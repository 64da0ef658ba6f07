"""S011: a pull quote that repeats a sentence of the book fails the source check, at the line of the
block; a pull quote with words of its own passes, citations and markup notwithstanding."""

from __future__ import annotations

from pathlib import Path

from folio.chapters import Chapter
from folio.pullquotes import check, pull_quotes

ROOT = Path(__file__).resolve().parents[2]


def chapter(body: str, name: str = "04-x.md") -> Chapter:
    return Chapter(Path(name), f"chapters/{name}", {"id": name[:-3], "title": "X", "kind": "theme"}, body, 8)


BODY = """## Then

Councils published **every item** of spending over £500 [@spend-2010]. The deadline was January 2011.

::: pull-quote
{quote}
:::

## Next
"""


def test_a_repeated_sentence_is_an_error_at_the_block_line() -> None:
    found = check([chapter(BODY.format(quote="Councils published every item of spending over *£500*."))])
    assert [f.format().splitlines()[0] for f in found] == [
        "chapters/04-x.md:13: S011 error: the pull quote repeats a sentence of this chapter: "
        "'Councils published every item of spending over *£500*.'"]


def test_a_sentence_repeated_from_another_chapter_names_it() -> None:
    other = chapter("## Now\n\nThe deadline for councils was the end of January 2011, and most met it.\n", "05-y.md")
    found = check([chapter(BODY.format(quote="Look back. The deadline for councils was the end of January 2011, "
                                             "and most met it [@spend-2011].")), other])
    assert len(found) == 1 and "chapters/05-y.md" in found[0].message


def test_words_of_its_own_pass() -> None:
    quote = "Within eight months, 346 councils had published their spending [@spend-2011]."
    assert check([chapter(BODY.format(quote=quote))]) == []
    assert [q.text for q in pull_quotes([chapter(BODY.format(quote=quote))])] == [quote]


def test_the_real_book_has_no_repeated_pull_quote() -> None:
    from folio.chapters import read_chapter
    from folio.config import load_book

    content = load_book(ROOT).content
    chapters = [read_chapter(p, ROOT, content)[0] for p in sorted((ROOT / "chapters").glob("*.md"))]
    real = [c for c in chapters if c is not None]
    assert len(pull_quotes(real)) >= 5
    assert check(real) == []
