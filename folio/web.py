"""Web edition: a static site with one page per chapter, made from the same Markdown.

One pandoc call converts the whole book, with pandoc's normal notes (not ``folio-notes:
inline``), so citeproc writes the notes as endnotes and the Sources list into ``#refs``. The
HTML is split per chapter and then, page by page:

* the chapter's own notes move to the end of its page, numbered from 1, each with a back-link;
* citation links (``#ref-key``) point to the Sources page, a link to another chapter
  (``#chapter-id``) points to that chapter's page, and a link to an anchor on another page
  points to that page and anchor;
* each generated figure (``<img src="figures/x.svg">``) becomes the SVG itself, read from
  ``build_dir/figures`` (``role="img"``, ``<title>`` and ``<desc>`` kept), in a frame that
  scrolls sideways on narrow screens and can be scrolled with the keyboard;
* each table gets a labelled, keyboard-focusable wrapper that scrolls on narrow screens.

The Jinja layouts in ``layouts/web/`` make the pages, and ``layouts/web/site.css.j2`` the
screen stylesheet, with colours from ``assets/data/palette.yaml``. The site asks for nothing
outside itself: the fonts are copied in, the downloads (member PDF, large-print PDF, EPUB, when
they exist) are copied to ``downloads/``, and every link between pages is relative, so it works
from the file system or any static host.

Everything is written to a temporary folder next to ``out_dir`` and swapped into place at the
end; an error leaves the previous site as it was.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import chartdata, datafiles, figures, leaks, pandoc, render, search
from .catalogue import finding
from .chapters import Chapter
from .config import Book, Edition
from .errors import BuildError, Finding
from .parts import parts
from .publish import swap_into_place

__all__ = ["Download", "DownloadKind", "Page", "build_site", "human_size", "offered"]

HOME_FIGURE = "timeline"                   # the figure shown on the home page
DATA_DIR = "data"                          # each chart's data as CSV, beside the pages
ACTION_PLAN = "action-plan.html"           # every "What you can do next" list, as one plan
DOWNLOADS = "downloads.html"               # every file offered, grouped by who it is for
# ids the chapter layout writes
TEMPLATE_IDS = frozenset({"page-main", "page-toc-title", "page-notes-title", "action-plan", "search", "downloads"})
NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}
SCROLL_HINT = '<p class="scroll-hint" aria-hidden="true">Scroll sideways to see the whole figure.</p>'
_CHAPTER_ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def _block(name: str) -> re.Pattern[str]:
    """The empty fenced div that places a generated block (as in pandoc.combined_markdown)."""
    return re.compile(rf"(?m)^:{{3,}}\s*\{{?\.?{re.escape(name)}\}}?\s*$")


_STATEMENT = _block("accessibility-statement")
_GLANCE = _block("trends-at-a-glance")


@dataclass(frozen=True)
class DownloadKind:
    key: str            # the edition's name in book.yaml
    file: str           # its output file, relative to output/ (one per part of an 'each' edition)
    label: str          # what the file is
    format: str         # the format, as a reader would name it
    mime: str
    about: str          # one line for the home page
    group: str = "members"    # members, print or public (download.group)
    part: str = ""      # the chapter of one file of an 'each' edition
    report_of: str = ""  # a judge's report: the output file it reports on (written once that file is judged)


GROUPS = {   # the downloads page's groups, in order: (heading, one line on who it is for)
    "members": ("For members", "The report and its collection, for {publisher} members."),
    "print": ("For the print shop", "Files to send to press unchanged."),
    "public": ("For everyone", "Files anyone may read and share."),
}


def offered(book: Book, site: Edition, chapters: Sequence[Chapter] = ()) -> tuple[DownloadKind, ...]:
    """What the site offers for download: the files of the editions its ``offers`` names, as book.yaml
    describes them (one per part of an ``each`` edition); a public site offers only public files."""
    kinds = []
    titles = {c.id: c.title for c in chapters}
    for name in site.offers:
        edition = book.editions[name]
        d = edition.download
        if d is None or (site.audience == "public" and d.group != "public"):
            continue
        for part in parts(edition, chapters):
            label = f"{titles[part.part]}, {d.label}" if part.part else d.label
            kinds.append(DownloadKind(name, part.output, label, d.format, d.mime, d.about, d.group, part.part))
            if "preflight" in part.judges:
                from .preflight import report_name  # here: the site alone need not import the PDF reader

                folder = part.output.rpartition("/")[0]
                report = f"{folder}/{report_name(part.stem)}".lstrip("/")
                kinds.append(DownloadKind(name, report, f"{label}: preflight report", "HTML", "text/html",
                                          PREFLIGHT_ABOUT, d.group, part.part, report_of=part.output))
    return tuple(kinds)


PREFLIGHT_ABOUT = "The preflight report of the file above: each check, its limit and what was measured, page by page."


def pending_reports(kinds: Sequence[DownloadKind], files: Mapping[str, Path] | None) -> list[DownloadKind]:
    """The reports on files this run made: their judges write them after the site is built, so the
    site's job copies them in when it finishes."""
    return [k for k in kinds if k.report_of and files is not None and k.report_of in files]


def site_edition(book: Book) -> Edition:
    """The book's first site edition (for callers that do not name one)."""
    return next(e for e in book.editions.values() if e.format == "site")


@dataclass(frozen=True)
class Download:
    label: str
    format: str
    size: str
    href: str
    mime: str
    about: str
    group: str = "members"
    pages: int | None = None
    part: str = ""


@dataclass
class Page:
    """One chapter page, ready for the layout."""

    chapter: Chapter
    file: str
    number: int | None                       # theme number, for theme chapters
    body: str = ""
    notes: list[str] = field(default_factory=list)
    sections: list[tuple[str, str]] = field(default_factory=list)   # (id, plain text) of each h2
    ids: set[str] = field(default_factory=set)


def human_size(size: int) -> str:
    """A file size as a reader would say it: ``453 KB``, ``2.4 MB`` (1 KB = 1,024 bytes)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)):,} KB"
    return f"{size / (1024 * 1024):.1f} MB"


# --------------------------------------------------------------------------- pandoc


def convert(book: Book, chapters: list[Chapter], inserts: dict[str, str], root: Path) -> tuple[dict[str, str], list[Finding]]:
    """Chapter id -> HTML, with pandoc's normal notes (all at the end of the last chapter)."""
    args = ["-f", pandoc.READER, "-t", "html5", *pandoc.common_args(book.bibliography, book.csl, book.language),
            f"--lua-filter={pandoc.LUA_FILTER}"]
    result = pandoc.run(args, pandoc.combined_markdown(chapters, inserts=inserts), root)
    return pandoc.split_html(result.output.decode("utf-8")), result.warnings


_NOTES_SECTION = re.compile(
    r'<section id="footnotes" class="footnotes[^"]*" role="doc-endnotes">\s*(?:<hr\s*/?>)?\s*<ol>(.*?)</ol>\s*</section>', re.S)
_NOTE_ITEM = re.compile(r'<li id="fn(\d+)">(.*?)</li>\s*(?=<li id="fn\d+">|\Z)', re.S)
_NOTE_REF = re.compile(r'<a href="#fn(\d+)" class="footnote-ref" id="fnref\1" role="doc-noteref"><sup>\d+</sup></a>')
_BACK_LINK = re.compile(r'<a href="#fnref(\d+)" class="footnote-back" role="doc-backlink">[^<]*</a>')


def split_notes(bodies: dict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Move the notes from the end of the book to their chapters, numbered from 1 in each.

    Returns chapter id -> body and chapter id -> the notes' inner HTML, in order.
    """
    notes: dict[str, str] = {}
    out: dict[str, str] = {}
    for cid, body in bodies.items():
        match = _NOTES_SECTION.search(body)
        if match:
            notes.update((m.group(1), m.group(2).strip()) for m in _NOTE_ITEM.finditer(match.group(1)))
            body = body[:match.start()].rstrip() + "\n" + body[match.end():].lstrip()
        out[cid] = body
    per_chapter: dict[str, list[str]] = {}
    placed = 0
    for cid, body in out.items():
        local: list[str] = []

        def call(m: re.Match[str], local: list[str] = local) -> str:
            text = notes.get(m.group(1))
            if text is None:
                return m.group(0)
            local.append(text)
            n = len(local)
            return (f'<a href="#fn{n}" class="footnote-ref" id="fnref{n}" role="doc-noteref">'
                    f'<span class="visually-hidden">Note </span><sup>{n}</sup></a>')

        out[cid] = _NOTE_REF.sub(call, body)
        per_chapter[cid] = [_back_link(text, n) for n, text in enumerate(local, start=1)]
        placed += len(local)
    if placed != len(notes):
        raise BuildError([finding("T004", "pandoc", 0,
                                  f"web edition: placed {placed} of {len(notes)} notes; pandoc's note markup has changed")])
    return out, per_chapter


def _back_link(text: str, n: int) -> str:
    link = (f'<a href="#fnref{n}" class="footnote-back" role="doc-backlink">'
            f'<span aria-hidden="true">↩</span><span class="visually-hidden">Back to the text of note {n}</span></a>')
    text, count = _BACK_LINK.subn(lambda _m: link, text)
    if not count:
        text += " " + link
    return text


# --------------------------------------------------------------------------- links


_ID = re.compile(r'\sid="([^"]+)"')
_HREF = re.compile(r'href="#([^"]+)"')


def rewrite_links(body: str, here: Page, page_of: Mapping[str, str], chapter_pages: Mapping[str, str]) -> str:
    """``#x`` stays when x is on this page; otherwise it goes to the page that has x."""
    def fix(m: re.Match[str]) -> str:
        target = html.unescape(m.group(1))
        if target in here.ids:
            return m.group(0)
        if target in chapter_pages:
            return f'href="{chapter_pages[target]}"'
        page = page_of.get(target)
        return f'href="{page}#{m.group(1)}"' if page else m.group(0)
    return _HREF.sub(fix, body)


# --------------------------------------------------------------------------- figures and tables


_FIGURE = re.compile(r'<figure(?P<attrs>[^>]*)>(?P<inner>.*?)</figure>', re.S)
_FIG_IMG = re.compile(r'<img src="figures/(?P<name>[A-Za-z0-9_-]+)\.svg"[^>]*?/?>')
_IMG = re.compile(r'<img src="(?P<src>[^"]+)"')
_SVG_ROOT = re.compile(r'<svg\b[^>]*>')
_ID_REFS = re.compile(r'(?<![\w-])(id|aria-labelledby|aria-describedby)="([^"]*)"')


def inline_svg(path: Path, used: set[str]) -> tuple[str, str]:
    """The SVG for inline use, and the id of its title; its ids made unique on the page."""
    text = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", path.read_text(encoding="utf-8"))
    renamed = {old: _unique(old, used) for old in _ID.findall(text)}
    text = _ID_REFS.sub(lambda m: f'{m.group(1)}="{" ".join(renamed.get(t, t) for t in m.group(2).split())}"', text)
    root = _SVG_ROOT.search(text)
    if root is None:
        raise BuildError([finding("I001", str(path), 0, "the figure file has no <svg> element")])
    tag = re.sub(r'\s(?:width|height)="[^"]*"', "", root.group(0))
    tag = tag.replace("<svg", '<svg class="figure-svg" focusable="false"', 1)
    text = text[:root.start()] + tag + text[root.end():]
    title = re.search(r'<title id="([^"]+)"', text)
    return text.strip(), title.group(1) if title else ""


def place_figures(body: str, figures_dir: Path, used: set[str], copy_image: Mapping[str, str],
                  data: Mapping[str, str] | None = None) -> str:
    """Each generated figure inline, in a frame, followed by its data (``data``: figure name to the
    HTML of ``chartdata.details_html``); other images point to their copy in media/."""
    def figure(m: re.Match[str]) -> str:
        inner = m.group("inner")
        img = _FIG_IMG.search(inner)
        if img is None:
            return m.group(0)
        name = img.group("name")
        path = figures_dir / f"{name}.svg"
        if not path.is_file():
            raise BuildError([finding("I001", str(path), 0, f"figure '{name}' was not drawn; the web edition needs it")])
        svg, title_id = inline_svg(path, used)
        narrow = figures_dir.parent / "figures-narrow" / f"{name}.svg"
        hint = SCROLL_HINT
        if narrow.is_file():   # a drawing for phones (folio.figures.narrow_style): no sideways scrolling
            small, _ = inline_svg(narrow, used)
            svg = (svg.replace('class="figure-svg"', 'class="figure-svg figure-svg-wide"', 1) + "\n"
                   + small.replace('class="figure-svg"', 'class="figure-svg figure-svg-narrow"', 1))
            hint = ""
        fid = re.search(r'id="([^"]+)"', m.group("attrs"))
        caption_id = _unique(f"{fid.group(1) if fid else 'figure-' + name}-caption", used)
        has_caption = "<figcaption>" in inner
        label = caption_id if has_caption else title_id
        frame = (f'<div class="figure-frame" tabindex="0" role="group"'
                 f'{f" aria-labelledby={chr(34)}{label}{chr(34)}" if label else ""}>\n{svg}\n</div>')
        inner = inner[:img.start()] + hint + "\n" + frame + inner[img.end():]
        inner = inner.replace("<figcaption>", f'<figcaption id="{caption_id}">', 1)
        after = f"\n{data[name]}" if data and name in data else ""
        return f'<figure class="figure"{m.group("attrs")}>{inner}</figure>{after}'

    body = _FIGURE.sub(figure, body)
    return _IMG.sub(lambda m: f'<img src="{copy_image.get(m.group("src"), m.group("src"))}"', body)


def _unique(wanted: str, used: set[str]) -> str:
    new, n = wanted, 2
    while new in used:
        new, n = f"{wanted}-{n}", n + 1
    used.add(new)
    return new


_TABLE = re.compile(r'<table(?P<attrs>[^>]*)>(?P<inner>.*?)</table>', re.S)


def wrap_tables(body: str, used: set[str]) -> str:
    """A labelled, focusable wrapper per table, so a wide table scrolls on its own."""
    count = 0

    def table(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        inner = m.group("inner")
        if "<caption" in inner:
            cid = _unique(f"table-{count}-caption", used)
            inner = re.sub(r"<caption(?:\s[^>]*)?>", f'<caption id="{cid}">', inner, count=1)
            label = f'aria-labelledby="{cid}"'
        else:
            label = f'aria-label="Table {count}"'
        return (f'<div class="table-frame" role="region" tabindex="0" {label}>\n'
                f'<table{m.group("attrs")}>{inner}</table>\n</div>')
    return _TABLE.sub(table, body)


_ACTIONS = re.compile(r'<section id="(?P<id>[^"]+)" class="call-to-action">\s*<h3(?: id="[^"]*")?>(?P<title>.*?)</h3>\s*'
                      r'<ol(?P<attrs>[^>]*)>(?P<items>.*?)</ol>(?P<rest>.*?)</section>', re.S)


@dataclass(frozen=True)
class Actions:
    key: str              # the id of the chapter's call-to-action block, shared with the action plan page
    title: str            # its heading, HTML
    items: str            # its <li> elements, HTML
    page: Page


def mark_actions(body: str) -> str:
    """Each "What you can do next" list becomes a checklist for ``actions.js`` (``data-actions``, named
    by its heading), with a link to the action plan page; without the script it stays a plain list."""
    def mark(m: re.Match[str]) -> str:
        key = m.group("id")
        return (f'<section id="{key}" class="call-to-action">\n<h3 id="{key}-title">{m.group("title")}</h3>\n'
                f'<ol{m.group("attrs")} data-actions="{key}" aria-labelledby="{key}-title">{m.group("items")}</ol>'
                f'{m.group("rest")}<p class="plan-link"><a href="{ACTION_PLAN}">All the actions of this report in one '
                f'plan you can tick, print or save</a></p>\n</section>')
    return _ACTIONS.sub(mark, body)


def actions_of(pages: list[Page]) -> list[Actions]:
    return [Actions(m.group("id"), m.group("title"), m.group("items"), page)
            for page in pages for m in _ACTIONS.finditer(page.body)]


_H2 = re.compile(r'<h2(?P<attrs>[^>]*)>(?P<text>.*?)</h2>', re.S)


def sections(body: str) -> list[tuple[str, str]]:
    out = []
    for m in _H2.finditer(body):
        hid = re.search(r'\bid="([^"]+)"', m.group("attrs"))
        if hid:
            out.append((hid.group(1), html.unescape(re.sub(r"<[^>]+>", "", m.group("text"))).strip()))
    return out


# --------------------------------------------------------------------------- pages


def chapter_file(chapter: Chapter) -> str:
    return f"{chapter.id}.html"


def prepare_pages(chapters: list[Chapter], bodies: dict[str, str], notes: dict[str, list[str]],
                  figures_dir: Path, images: dict[str, str], data: Mapping[str, str] | None = None) -> list[Page]:
    numbers = render.theme_numbers(chapters)
    pages = [Page(c, chapter_file(c), numbers.get(c.id), bodies.get(c.id, ""), notes.get(c.id, [])) for c in chapters]
    bad = [p.chapter for p in pages
           if p.chapter.id == "index" or p.chapter.id in TEMPLATE_IDS or not _CHAPTER_ID.fullmatch(p.chapter.id)]
    if bad:
        raise BuildError([finding("M005", c.shown, 0, f"the web edition cannot use the chapter id '{c.id}' as a file name",
                                  hint="Use lower-case letters, digits and hyphens, and not 'index' or "
                                  + ", ".join(sorted(TEMPLATE_IDS)) + ".") for c in bad])
    for page in pages:
        used = set(_ID.findall(page.body)) | {page.chapter.id} | TEMPLATE_IDS
        body = place_figures(page.body, figures_dir, used, images, data)
        # Pull quotes have words of their own (source check S011), so they stay visible to readers.
        page.body = mark_actions(wrap_tables(body, used))
        used |= {f"{a.key}-title" for a in actions_of([page])}
        page.sections = sections(page.body)
        page.ids = used | {f"fn{n}" for n in range(1, len(page.notes) + 1)}
    page_of = {i: p.file for p in reversed(pages) for i in p.ids}
    chapter_pages = {p.chapter.id: p.file for p in pages}
    for page in pages:
        page.body = rewrite_links(page.body, page, page_of, chapter_pages)
        page.notes = [rewrite_links(n, page, page_of, chapter_pages) for n in page.notes]
    return pages


def images_to_copy(root: Path, bodies: dict[str, str]) -> dict[str, str]:
    """Images other than figures: ``src`` as written (relative to chapters/) -> path in the site.

    ``checks`` has made sure each is a file under assets/; it is copied to the same path under
    ``media/`` (``../assets/images/x.png`` becomes ``media/images/x.png``).
    """
    assets = (root / "assets").resolve()
    out: dict[str, str] = {}
    for body in bodies.values():
        for m in _IMG.finditer(body):
            src = m.group("src")
            target = (root / "chapters" / src).resolve()
            if src.startswith("figures/") or re.match(r"^[a-z]+:", src) or not target.is_relative_to(assets):
                continue
            out[src] = "media/" + target.relative_to(assets).as_posix()
    return out


def downloads(book: Book, out_root: Path, files: Mapping[str, Path] | None,
              kinds: tuple[DownloadKind, ...]) -> list[tuple[Download, Path]]:
    """The downloads that exist, with the file each is copied from (this run's, else the published
    one), its size and, for a PDF, its page count."""
    found = []
    pending = pending_reports(kinds, files)
    for kind in kinds:
        source = (files or {}).get(kind.file, out_root / kind.file)
        name = kind.file.rpartition("/")[2]
        if kind in pending:        # written after the site: listed without a size, copied in at the end
            found.append((Download(f"{book.title}, {kind.label}", kind.format, "–", f"downloads/{name}", kind.mime,
                                   kind.about, kind.group, None, kind.part), source))
            continue
        if not source.is_file():
            continue
        size = human_size(source.stat().st_size).replace(" ", "\u00a0")     # no line break inside "453 KB"
        found.append((Download(f"{book.title}, {kind.label}", kind.format, size, f"downloads/{name}", kind.mime, kind.about,
                               kind.group, page_count(source), kind.part), source))
    return found


def page_count(path: Path) -> int | None:
    """A PDF's number of pages (None for other files, or a PDF that cannot be read)."""
    if path.suffix != ".pdf":
        return None
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, OSError):
        return None


@dataclass(frozen=True)
class HomeFigure:
    svg: str
    title_id: str
    caption: str          # HTML, from the book, without its notes
    page: Page | None     # the chapter that has the figure
    data: str = ""        # its data as a table (chartdata.details_html)
    narrow: bool = False  # the SVG holds a drawing for phones too, so no "scroll sideways" hint


def home_figure(bodies: dict[str, str], pages: list[Page], figures_dir: Path,
                book_ids: Collection[str] = ()) -> HomeFigure | None:
    """The home page's figure: inline SVG, with the caption it has in the book, without notes.
    ``book_ids`` are the ids of the book's own figures (``figures.figure_numbers``' ``#id`` keys): a
    page showing the book's figure gives the caption before one showing it elsewhere (the
    summary's timeline has a caption of its own; design review D21: one caption text)."""
    path = figures_dir / f"{HOME_FIGURE}.svg"
    if not path.is_file():
        return None
    used = set(TEMPLATE_IDS)
    svg, title_id = inline_svg(path, used)
    narrow_path = figures_dir.parent / "figures-narrow" / f"{HOME_FIGURE}.svg"
    narrow = narrow_path.is_file()
    if narrow:   # as place_figures: the phone drawing beside the wide one (design review W1)
        small, _ = inline_svg(narrow_path, used)
        svg = (svg.replace('class="figure-svg"', 'class="figure-svg figure-svg-wide"', 1) + "\n"
               + small.replace('class="figure-svg"', 'class="figure-svg figure-svg-narrow"', 1))
    found = [(page, re.search(rf'<figure(?:[^>]*\bid="([^"]*)")?[^>]*>\s*<img src="figures/{HOME_FIGURE}\.svg".*?'
                              r"<figcaption>(.*?)</figcaption>", bodies.get(page.chapter.id, ""), re.S)) for page in pages]
    for page, m in sorted(found, key=lambda f: not (f[1] and f[1].group(1) in book_ids)):
        if m:
            caption = re.sub(r'<span class="citation"[^>]*>\s*<a [^>]*>.*?</a>\s*</span>', "", m.group(2), flags=re.S)
            caption = re.sub(r'<a href="#fn\d+"[^>]*>.*?</a>', "", caption, flags=re.S).strip()
            return HomeFigure(svg, title_id, caption, page, narrow=narrow)
    return HomeFigure(svg, title_id, "", None, narrow=narrow)


def write_site(target: Path, env: jinja2.Environment, colour: render.Colour, book: Book, pages: list[Page],
               offered: list[Download], figure: HomeFigure | None, public: bool = False) -> None:
    """The pages, the stylesheet, the favicon and the cover motif, into ``target``."""
    themes = sorted({p.chapter.theme for p in pages if p.chapter.theme})
    (target / "css").mkdir()
    css = env.overlay(autoescape=False).get_template("web/site.css.j2").render(c=colour, themes=themes, fonts="../fonts")
    (target / "css" / "site.css").write_text(css, encoding="utf-8")
    (target / "images").mkdir()
    (target / "images" / "cover-motif.svg").write_text(
        env.get_template("cover-motif.svg.j2").render(c=colour), encoding="utf-8")
    (target / "favicon.svg").write_text(env.get_template("web/favicon.svg.j2").render(c=colour), encoding="utf-8")
    actions = actions_of(pages)       # every "What you can do next" list, once
    common = {
        "book": book, "pages": pages, "downloads": offered, "downloads_page": DOWNLOADS,
        "main_downloads": [d for d in offered if d.group == "members" and not d.part],
        "themes_total": sum(1 for p in pages if p.number),
        "date": f"{book.date.day} {book.date:%B %Y}", "title_words": book.title.rsplit(" ", 1),
        "sources": next((p for p in pages if 'id="refs"' in p.body), None),
        "statement": next((p for p in pages if _STATEMENT.search(p.chapter.body)), None),
        "number_words": NUMBER_WORDS, "scroll_hint": Markup(SCROLL_HINT),
        "action_plan": ACTION_PLAN if actions else None,
        "public": public,      # the public edition: links to members' chapters say so
    }
    home = env.get_template("web/home.html.j2").render(
        **common, current="index.html", figure=figure, glance=[p for p in pages if p.number],
        glance_page=next((p for p in pages if _GLANCE.search(p.chapter.body)), None))
    (target / "index.html").write_text(home, encoding="utf-8")
    chapter_template = env.get_template("web/chapter.html.j2")
    for i, page in enumerate(pages):
        text = chapter_template.render(
            **common, current=page.file, page=page, body=Markup(page.body), notes=[Markup(n) for n in page.notes],
            previous=pages[i - 1] if i > 0 else None, next=pages[i + 1] if i + 1 < len(pages) else None)
        (target / page.file).write_text(text, encoding="utf-8")
    plain = env.overlay(autoescape=False)
    (target / "css" / "search.css").write_text(plain.get_template("web/search.css.j2").render(c=colour), encoding="utf-8")
    search_page = env.get_template("web/search.html.j2").render(**common, current="search.html")
    (target / "search.html").write_text(search_page, encoding="utf-8")
    if offered:
        listing = env.get_template("web/downloads.html.j2").render(**common, current=DOWNLOADS,
                                                                         groups=groups(book))
        (target / DOWNLOADS).write_text(listing, encoding="utf-8")
    if common["action_plan"]:
        plan = env.get_template("web/action-plan.html.j2").render(**common, current=ACTION_PLAN, actions=actions)
        (target / ACTION_PLAN).write_text(plan, encoding="utf-8")


def leak_findings(site: Path, chapters: Sequence[Chapter], pages: list[Page], edition: Edition) -> list[Finding]:
    """W001 for each members' sentence in the public site, named at the chapter whose page has it
    (or at the members' chapter, for a file that is not a chapter's page)."""
    by_file = {p.file: p.chapter for p in pages}
    by_id = {c.id: c for c in chapters}
    out = []
    for path, cid, sentence in leaks.leaks(site, chapters):
        file = path.relative_to(site).as_posix()
        at = by_file.get(file, by_id[cid])
        out.append(finding("W001", at.shown, at.body_line if at is not by_id[cid] else 0,
                           f"'{sentence[:80]}' from {by_id[cid].shown} (audience: members) is in the public "
                           f"web edition: output/{edition.output}/{file}"))
    return out


# folio's own front-matter keys that introduce a chapter; every key the book declares (content.keys) is public too.
PUBLIC_KEYS = ("id", "title", "short_title", "kind", "summary", "audience")


def groups(book: Book) -> dict[str, tuple[str, str]]:
    """GROUPS with the book's publisher filled in."""
    return {name: (heading, line.format(publisher=book.publisher)) for name, (heading, line) in GROUPS.items()}


def public_chapters(book: Book, chapters: Sequence[Chapter]) -> list[Chapter]:
    """The chapters as the public may read them: a members' chapter keeps its title and the front
    matter that introduces it (PUBLIC_KEYS and the book's content.keys), and its text becomes book.yaml's
    members_notice."""
    notice = str(book.raw.get("members_notice", "This chapter is for members."))
    public = (*PUBLIC_KEYS, *book.content.keys)
    return [c if c.meta.get("audience") != "members" else
            dataclasses.replace(c, meta={k: v for k, v in c.meta.items() if k in public},
                                body=f"::: members-notice\n{notice}\n:::\n")
            for c in chapters]


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def build_site(root: Path, book: Book, chapters: list[Chapter], inserts: dict[str, str], build_dir: Path,
               out_dir: Path, files: Mapping[str, Path] | None = None, edition: Edition | None = None) -> list[Finding]:
    """Write the site ``edition`` (default: the book's first) to ``out_dir``; return pandoc's warnings.

    ``files`` maps an offered edition's name to the file of it this run made; the others come
    from the published files in ``output/``, each one only if it exists, so a site rebuilt alone
    keeps its downloads.
    """
    edition = edition or site_edition(book)
    env = render.environment(root)
    colour = render.rgb_colour(render.load_palette(root))
    kinds = offered(book, edition, chapters)
    written = list(chapters)
    if edition.audience == "public":
        chapters = public_chapters(book, chapters)
    bodies, findings = convert(book, chapters, inserts, root)
    bodies, notes = split_notes(bodies)
    specs = datafiles.load_figures(root)[0]
    # The book's figure numbers (design review D8), not a count of this site's pages: the summary's
    # timeline is the book's Figure 1, and a public site that leaves a chapter out numbers no differently.
    numbers = figures.book_figure_numbers(book, written)
    bodies = figures.label_figures(bodies, [c.id for c in chapters], specs, numbers)
    figures_dir = build_dir / (edition.figures.folder if edition.figures else "figures")
    images = images_to_copy(root, bodies)
    html = "".join(bodies.values())       # only the charts its pages show (a public site shows fewer)
    tables = {s.id: chartdata.data_table(s) for s in specs if f'src="figures/{s.id}.svg"' in html}
    data = {name: chartdata.details_html(t, f"{DATA_DIR}/{name}.csv") for name, t in tables.items()}
    pages = prepare_pages(chapters, bodies, notes, figures_dir, images, data)
    offered_files = downloads(book, root / "output", files, kinds)
    figure = home_figure(bodies, pages, figures_dir, {k.removeprefix("#") for k in numbers if k.startswith("#")})
    if figure is not None and HOME_FIGURE in data:
        figure = dataclasses.replace(figure, data=wrap_tables(data[HOME_FIGURE], {"page-main"}))

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        temp.chmod(0o755)
        write_site(temp, env, colour, book, pages, [d for d, _ in offered_files], figure, edition.audience == "public")
        for download, source in offered_files:
            if source.is_file():        # a pending report is copied in by the site's job (pending_reports)
                _copy(source, temp / download.href)
        for src, target in images.items():
            _copy((root / "chapters" / src).resolve(), temp / target)
        (temp / DATA_DIR).mkdir()
        for name, table in tables.items():
            (temp / DATA_DIR / f"{name}.csv").write_bytes(chartdata.csv_text(table).encode("utf-8"))
        for folder in edition.fonts:     # book.yaml: the font folders, copied whole with their licences
            shutil.copytree(folder, temp / "fonts" / folder.name)
        for script in ("search.js", "actions.js", "timeline.js"):
            _copy(root / "assets" / "js" / script, temp / "js" / script)
        search.index_site(temp, book.language, len(pages))
        _copy(root / "assets" / "js" / "pagefind-LICENCE.txt", temp / search.INDEX_DIR / "LICENCE.txt")
        if edition.audience == "public":
            leaked = leak_findings(temp, written, pages, edition)
            if leaked:
                raise BuildError(leaked)
        swap_into_place(temp, out_dir)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return findings
