"""Jinja stage: assemble each edition's HTML and stylesheet from the chapter fragments.

Every edition shares the templates in ``layouts/``; what differs is passed in an ``Edition``,
the Jinja view of an edition declared in book.yaml (``folio.config.Edition``): the colour function
(sRGB hex, or ``device-cmyk()`` through the printer's profile), the stylesheet name (given to the
layouts as ``edition``), its tokens (``tokens``), the bleed, whether it is clear print, and the
folder its figures come from. Autoescape is on, so front matter values reach the page escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import yaml

from . import blocks, cover, largeprint
from .chapters import Chapter
from .config import Book
from .pandoc import markdown_text
from .syntax import CITATION

Colour = Callable[[str], str]


@dataclass(frozen=True)
class Edition:
    name: str            # the stylesheet's name, as the layouts see it (``edition``)
    file_stem: str       # output file name without .pdf
    colour: Colour
    figures_dir: str     # relative to output/build/
    paged: bool = True
    bleed_mm: float = 0.0
    tokens: Mapping[str, Any] = field(default_factory=dict)
    clear_print: bool = False
    trim_mm: tuple[float, float] | None = None     # None: the book's trim


def load_palette(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / "assets" / "data" / "palette.yaml").read_text(encoding="utf-8"))
    return data


def rgb_colour(palette: dict[str, Any]) -> Colour:
    def colour(key: str) -> str:
        if key in palette.get("themes", {}):
            return str(palette["themes"][key])
        if key == "text" and key not in palette:    # type is set in ink unless the palette says otherwise
            key = "ink"
        return str(palette[key])
    return colour


THEME = Path(__file__).parent / "theme"    # folio's default templates, for what a book's layouts/ lacks


def environment(root: Path) -> jinja2.Environment:
    """The Jinja environment of the book's layouts/, falling back to folio's default theme."""
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(root / "layouts")), jinja2.FileSystemLoader(str(THEME))]),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2", "xhtml", "svg"), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    icons = root / "assets" / "icons"      # icon(theme, colour): the book's icon of a theme as a data: URL
    env.globals["icon"] = lambda theme, colour: cover.icon_uri(str(theme), str(colour), icons)
    env.globals["numbered"] = number_label    # numbered(chapter, n[, count]): 'Trend 2 of 5' or 'Trend 2'
    env.filters["uncited"] = uncited          # Markdown without its citations, for a summary that points to them
    env.filters["md"] = lambda value: markupsafe.Markup(markdown_text(str(value)))   # front matter as literal Markdown
    return env


def uncited(markdown: str) -> str:
    """``markdown`` without its bracketed citations: a summary that says where its figures are cited in
    full carries no notes of its own (design review 2026-12-02c, D17)."""
    return CITATION.sub("", markdown)


def number_label(chapter: Chapter, n: object, count: object = None) -> str:
    """A numbered chapter's number as its kind's ``label`` writes it ('Trend {n} of {count}'): in full
    with ``count``, else up to the number ('Trend 2'), for contents and running lists."""
    label = chapter.model.label
    if count is None:
        label = label.split("{n}")[0] + "{n}"
    return label.format(n=n, count=count)


def theme_chapters(chapters: list[Chapter]) -> list[Chapter]:
    """The chapters numbered through the book: those whose kind book.yaml declares ``numbered``."""
    return [c for c in chapters if c.model.numbered]


def render_css(env: jinja2.Environment, template: str, edition: Edition, book: Book,
               chapters: list[Chapter], fonts_url: str) -> str:
    css_env = env.overlay(autoescape=False)
    return css_env.get_template(template).render(
        c=edition.colour, edition=edition.name, book=book, fonts=fonts_url,
        themes=sorted({c.theme for c in chapters if c.theme}),
        bleed_mm=edition.bleed_mm, trim=edition.trim_mm or book.trim_mm, tokens=edition.tokens,
    )


def theme_numbers(chapters: list[Chapter]) -> dict[str, int]:
    return {c.id: i for i, c in enumerate(theme_chapters(chapters), start=1)}


def generated_blocks(env: jinja2.Environment, book: Book, chapters: list[Chapter],
                     statement: dict[str, Any]) -> dict[str, str]:
    """Markdown for the generated blocks that chapters place with an empty fenced div: each block of
    book.yaml's content.generated, from its template, which gets the numbered chapters (``themes``)
    with their ``numbers``, each one's key facts and first actions (``trends``), the ``book`` and the
    accessibility statement (``s``)."""
    context = {"themes": theme_chapters(chapters), "numbers": theme_numbers(chapters), "book": book, "s": statement,
               "trends": trend_summaries(chapters)}
    return {name: env.get_template(template).render(**context) for name, template in book.content.generated.items()}


def openers(env: jinja2.Environment, chapters: list[Chapter]) -> dict[str, str]:
    """Chapter id -> the Markdown of its EPUB opener (partials/opener.md.j2), for the chapters whose
    kind book.yaml declares ``opener``; the number is written with the kind's ``label``."""
    numbers = theme_numbers(chapters)
    template = env.get_template("partials/opener.md.j2")
    return {c.id: template.render(chapter=c, label=c.model.label.format(n=numbers.get(c.id, ""), count=len(numbers)))
            for c in chapters if c.model.opener}


SUMMARY_ACTIONS = 3     # the first actions of each trend that the five-trends summary gives


def trend_summaries(chapters: list[Chapter]) -> list[dict[str, Any]]:
    """Each numbered chapter's number, key facts and first actions, for a summary of them."""
    numbers = theme_numbers(chapters)
    out = []
    for chapter in theme_chapters(chapters):
        facts = [item for block in blocks.fenced(chapter.body, "key-facts") for item in blocks.items(block)]
        actions = [item for block in blocks.fenced(chapter.body, "call-to-action") for item in blocks.items(block)]
        out.append({"chapter": chapter, "number": numbers[chapter.id], "facts": facts, "actions": actions[:SUMMARY_ACTIONS]})
    return out


def render_book(env: jinja2.Environment, book: Book, chapters: list[Chapter], bodies: dict[str, str],
                edition: Edition, stylesheet: str, layout: str = "book.html.j2",
                numbers: dict[str, int] | None = None, members_only: Sequence[Chapter] = ()) -> str:
    """The edition's HTML from ``layout``; ``numbers`` are the theme numbers of the whole book (by
    default counted in ``chapters``), so a part printed alone keeps its "Trend 2 of 5"; ``members_only``
    are the members' chapters a public file leaves out, which its contents names."""
    numbers = theme_numbers(chapters) if numbers is None else numbers
    quality = book.raw.get("page_quality")
    names = [str(n) for n in quality.get("names", [])] if isinstance(quality, dict) else []
    filled: dict[str, str] = {}
    for chapter in chapters:
        html = bodies.get(chapter.id, "")
        html = html.replace('src="figures/', f'src="{edition.figures_dir}/')
        if edition.clear_print:
            html = largeprint.prepare(html, chapter.id)
        filled[chapter.id] = protect_names(html, names) if edition.paged else html
    return env.get_template(layout).render(
        book=book, chapters=chapters, bodies=filled, numbers=numbers, edition=edition.name,
        stylesheet=stylesheet, date_iso=book.date.isoformat(), tokens=edition.tokens, members_only=members_only,
    )


_TAG = re.compile(r"(<[^>]*>)")


def unlink_absent(html: str, absent: set[str]) -> str:
    """Links to chapters this document does not hold (a public file without the members' chapters)
    become their text: the reader keeps the words, and no link points nowhere."""
    if not absent:
        return html
    ids = "|".join(re.escape(i) for i in sorted(absent))
    return re.sub(rf'<a href="#(?:{ids})"[^>]*>(.*?)</a>', r"\1", html, flags=re.S)


def protect_names(html: str, names: list[str]) -> str:
    """Wrap each name from book.yaml's page_quality.names in <span class="name"> (not hyphenated).

    Only text between tags is touched, never a tag or an attribute; the longest name wins.
    """
    if not names:
        return html
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")
    parts = _TAG.split(html)
    for i in range(0, len(parts), 2):
        parts[i] = pattern.sub(r'<span class="name">\1</span>', parts[i])
    return "".join(parts)


def cmyk_colour(palette: dict[str, Any], profile: Path) -> Colour:
    """Palette key -> ``device-cmyk()`` through the press output-intent profile."""
    from .colour import css_device_cmyk, rgb_to_cmyk

    rgb = rgb_colour(palette)
    single = palette.get("press_single_ink") or {}

    def colour(key: str) -> str:
        if key in single:       # small type on the black plate alone (palette.yaml, press_single_ink)
            return css_device_cmyk((0.0, 0.0, 0.0, float(single[key]) / 100))
        return css_device_cmyk(rgb_to_cmyk(rgb(key), profile))
    return colour


def press_colour_profile(book: Book, css_dir: Path, profile: Path | None = None) -> str:
    """The @color-profile rule that makes WeasyPrint write the PDF/X output intent (``profile``,
    by default the book's printer's)."""
    import os

    url = os.path.relpath(profile or book.printer.output_intent, css_dir)
    return ("@color-profile device-cmyk {\n"
            f"  src: url({url});\n"
            "  components: cyan, magenta, yellow, black;\n}\n")
