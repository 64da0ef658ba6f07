"""End-to-end: the web edition of the real book.

The site is built into the session's copy of the project (``real_build``, so the downloads
exist), then checked twice: as files (links, notes, figures, no outside references) and in
headless Chromium driven by ``axe_check.mjs`` (axe-core with the WCAG 2.2 AA tags on every page
at 1280 px and 320 px, requests, horizontal scrolling, keyboard, reduced motion, downloads).

The browser checks need Node.js, ``node_modules/`` (``npm ci``) and Chromium. When one is
missing the test fails and says what to run, unless FOLIO_SKIP_BROWSER=1 is set. Set
FOLIO_WEB_SHOTS=/some/folder to keep screenshots of the home page and a theme chapter.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from markupsafe import escape

from folio import a11y, figures, render, web
from folio.build import BuildReport, read_sources
from folio.errors import BuildError, Finding
from tests.conftest import copy_project

pytestmark = pytest.mark.e2e
Built = tuple[Path, BuildReport]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("axe_check.mjs")
CHROMIUM = Path(os.environ.get("FOLIO_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PLAYWRIGHT = ROOT / "node_modules" / "playwright-core" / "package.json"


def build_web(root: Path) -> list[Finding]:
    """What build() does for the web edition: figures, generated blocks, then build_site."""
    sources, problems = read_sources(root)
    assert not [p for p in problems if p.severity == "error"], problems
    book, chapters = sources.book, sources.chapters
    build_dir = root / "output" / "build"
    rgb = render.rgb_colour(render.load_palette(root))
    figures.write_figures(figures.load_figure_specs(root / "assets" / "data" / "figures"), build_dir / "figures", rgb, "Inter")
    env = render.environment(root)
    inserts = render.generated_blocks(env, book, chapters, a11y.statement(sources))
    return web.build_site(root, book, chapters, inserts, build_dir, root / "output" / "web-members")


@pytest.fixture(scope="module")
def site(real_build: Built) -> Path:
    root, _ = real_build
    out = root / "output" / "web-members"
    if not (out / "index.html").is_file():     # build() may already make it
        assert build_web(root) == []
    return out


def _chapters(root: Path) -> list[dict[str, Any]]:
    book = yaml.safe_load((root / "book.yaml").read_text(encoding="utf-8"))
    out = []
    for name in book["chapters"]:
        front = (root / "chapters" / name).read_text(encoding="utf-8").split("---")[1]
        out.append(yaml.safe_load(front))
    return out


def _pages(site: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(site.glob("*.html"))}


def _ids(text: str) -> set[str]:
    return {html.unescape(i) for i in re.findall(r'\sid="([^"]+)"', text)}


# --------------------------------------------------------------------------- files


def header_menu_problems(pages: dict[str, str]) -> list[str]:
    """Design review D21: on a phone the header shows Contents, Search and Menu (the links marked
    ``site-nav-full`` are hidden below 30em); Menu leads to the footer's links, which hold each
    hidden one."""
    problems = []
    for name, text in pages.items():
        nav = re.search(r'<nav class="site-nav".*?</nav>', text, re.S)
        footer = re.search(r'<ul class="footer-links" id="site-menu".*?</ul>', text, re.S)
        if nav is None or footer is None or '<li class="site-nav-menu"><a href="#site-menu">Menu</a></li>' not in nav.group(0):
            problems.append(f"{name}: no Menu link to the footer's links")
            continue
        for href in re.findall(r'<li class="site-nav-full"><a href="([^"]+)"', nav.group(0)):
            if f'href="{href}"' not in footer.group(0):
                problems.append(f"{name}: {href} is hidden on a phone and not in the footer")
    return problems


def test_phone_header_has_one_row_of_links(site: Path) -> None:
    assert header_menu_problems(_pages(site)) == []


def test_one_page_per_chapter_with_landmarks(site: Path) -> None:
    pages = _pages(site)
    chapters = _chapters(site.parent.parent)
    # One page per chapter, the home page, search, downloads and the action plan (every "What you can do next").
    assert sorted(pages) == sorted(["index.html", "search.html", "action-plan.html", "downloads.html",
                                    *(f"{c['id']}.html" for c in chapters)])
    for name, text in pages.items():
        assert text.count("<h1") == 1, name
        assert '<a class="skip-link" href="#page-main">' in text, name
        for tag in ("<header", "<nav", '<main id="page-main"', "<footer"):
            assert tag in text, (name, tag)
        assert len(re.findall(r'\sid="([^"]+)"', text)) == len(set(re.findall(r'\sid="([^"]+)"', text))), f"{name}: duplicate id"
    for i, c in enumerate(chapters):
        text = pages[f"{c['id']}.html"]
        assert f'<h1 id="{c["id"]}" class="chapter-title">{escape(c["title"])}</h1>' in text
        if i + 1 < len(chapters):
            assert f'href="{chapters[i + 1]["id"]}.html" rel="next"' in text
        if i > 0:
            assert f'href="{chapters[i - 1]["id"]}.html" rel="prev"' in text


def test_every_link_resolves_and_nothing_is_fetched_from_outside(site: Path) -> None:
    pages = _pages(site)
    ids = {name: _ids(text) for name, text in pages.items()}
    for name, text in pages.items():
        for attr, ref in re.findall(r'\b(href|src)="([^"]+)"', text):
            ref = html.unescape(ref)
            parts = urlsplit(ref)
            if attr == "href" and parts.scheme in ("http", "https", "mailto"):
                continue        # a link the reader may follow, not something the page loads
            assert not parts.scheme and not parts.netloc and not ref.startswith("/"), f"{name}: {attr}={ref} is not relative"
            target = name if not parts.path else unquote(parts.path)
            assert (site / target).is_file(), f"{name}: {ref} points to a missing file"
            if parts.fragment and target.endswith(".html"):
                assert parts.fragment in ids[target], f"{name}: {ref} points to a missing anchor"
        # Scripts only add to a page that works without them: each is a file of the site, none inline.
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S)
        assert all(re.search(r'\bsrc="js/[a-z-]+\.js"', attrs) and not body.strip() for attrs, body in scripts), name
        assert text.count("<script") == len(scripts), name
        assert not re.search(r'<(?:link|img|source|iframe)\b[^>]*\b(?:href|src)="(?:https?:)?//', text), name
    css = (site / "css" / "site.css").read_text(encoding="utf-8")
    urls = re.findall(r"url\(([^)]+)\)", css)
    assert urls and all(not re.match(r"['\"]?(?:[a-z]+:)?//", u) for u in urls), urls
    for u in (u.strip("'\"") for u in urls):
        if u.startswith("data:image/svg+xml"):            # the trend icons, inside the stylesheet
            continue
        assert (site / "css" / u).resolve().is_file(), u
    assert "@import" not in css


def test_notes_citations_and_cross_chapter_links(site: Path) -> None:
    pages = _pages(site)
    sources = pages["sources.html"]
    assert 'id="refs"' in sources
    total = 0
    for name, text in pages.items():
        assert not re.search(r'href="#ref-', text), f"{name}: a citation link still points into the page"
        assert "folio:begin" not in text and 'id="footnotes"' not in text, name
        calls = re.findall(r'<a href="#fn(\d+)" class="footnote-ref" id="fnref(\d+)"', text)
        assert [int(a) for a, _ in calls] == list(range(1, len(calls) + 1)), f"{name}: notes are not numbered 1, 2, 3 …"
        for n, _ in calls:
            note = re.search(rf'<li id="fn{n}">(.*?)</li>', text, re.S)
            assert note, f"{name}: note {n} is missing"
            assert f'href="#fnref{n}" class="footnote-back" role="doc-backlink"' in note.group(1), f"{name}: note {n} has no back-link"
        total += len(calls)
        for key in re.findall(r'href="sources\.html#(ref-[^"]+)"', text):
            assert f'id="{key}"' in sources, f"{name}: {key} is not in Sources"
    assert total > 100
    assert 'href="sources.html#ref-' in pages["artificial-intelligence.html"]
    glance = pages["at-a-glance.html"]
    for chapter in ("artificial-intelligence", "cyber-security", "data", "ways-of-working", "digital-inclusion"):
        assert f'href="{chapter}.html"' in glance
        assert f'href="#{chapter}"' not in glance


def test_figures_are_inline_svg_with_title_and_description(site: Path) -> None:
    pages = _pages(site)
    count = 0
    for name, text in pages.items():
        assert 'src="figures/' not in text, name
        for svg in re.findall(r"<svg\b.*?</svg>", text, re.S):
            if not re.search(r'class="figure-svg[" ]', svg[:svg.index(">") + 1]):
                continue                                  # the wide and the narrow (phone) drawing
            count += 1
            head = svg[:svg.index(">") + 1]
            assert 'role="img"' in head and "aria-labelledby=" in head, name
            labelled = re.search(r'aria-labelledby="([^"]+)"', head)
            assert labelled
            for ref in labelled.group(1).split():
                assert f'id="{ref}"' in svg, f"{name}: {ref} is not in the figure"
            assert re.search(r"<title id=\"[^\"]+\">[^<]+</title>", svg) and re.search(r"<desc id=\"[^\"]+\">[^<]+</desc>", svg), name
    figures_in_book = len(list((site.parent / "build" / "figures").glob("*.svg")))
    assert count >= figures_in_book + 1     # each figure once in its chapter, the timeline also on the home page


def test_home_page_title_trends_timeline_and_downloads(site: Path) -> None:
    home = (site / "index.html").read_text(encoding="utf-8")
    book = yaml.safe_load((site.parent.parent / "book.yaml").read_text(encoding="utf-8"))
    assert book["subtitle"] in home
    for c in _chapters(site.parent.parent):
        if c["kind"] == "theme":
            assert f'<a href="{c["id"]}.html">{html.escape(c["title"])}</a>' in home
    assert 'aria-labelledby="fig-timeline-title' in home or 'id="home-figure-caption"' in home
    expected = {
        f"{book['slug']}.pdf": "PDF", f"{book['slug']}-large-print.pdf": "PDF", f"{book['slug']}.epub": "EPUB",
    }
    for name, fmt in expected.items():
        built = site.parent / name
        assert built.is_file(), f"{name} was not built"
        size = web.human_size(built.stat().st_size).replace(" ", "\u00a0")
        link = re.search(rf'<a class="download-link" href="downloads/{re.escape(name)}"[^>]*>([^<]+)</a>', home)
        assert link, f"no download link for {name}"
        assert f"({fmt}, {size})" in link.group(1), link.group(1)
        assert (site / "downloads" / name).stat().st_size == built.stat().st_size
    assert "press" not in " ".join(re.findall(r'href="downloads/([^"]+)"', home))


def test_failed_build_leaves_the_previous_site(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    out = root / "output" / "web-members"
    out.mkdir()
    (out / "index.html").write_text("previous site", encoding="utf-8")
    template = root / "layouts" / "web" / "chapter.html.j2"
    text = template.read_text(encoding="utf-8").replace('<div class="prose">', '<div class="prose">{{ no_such_variable }}')
    template.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match="no_such_variable"):
        build_web(root)
    assert (out / "index.html").read_text(encoding="utf-8") == "previous site"
    assert sorted(p.name for p in (root / "output").iterdir()) == ["build", "web-members"]


def test_chapter_id_that_cannot_be_a_file_name(tmp_path: Path) -> None:
    # An id that would overwrite the site's own index.html is refused in the source, at its line,
    # before anything is rendered (the safety checks, M005), and nothing is published.
    from folio.build import build, read_sources

    root = copy_project(tmp_path / "project")
    chapter = root / "chapters" / "14-about-socitm.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("id: about-socitm", "id: index"), encoding="utf-8")
    _, findings = read_sources(root)
    assert [(f.code, f.path, f.line) for f in findings if f.severity == "error"] == [("M005", "chapters/14-about-socitm.md", 2)]
    with pytest.raises(BuildError):
        build(root, ("web",))
    assert not (root / "output" / "web-members").exists()


# --------------------------------------------------------------------------- browser


def _browser_problems() -> list[str]:
    missing = []
    if shutil.which("node") is None:
        missing.append("Node.js 20 or newer: apt-get install -y nodejs npm")
    if not AXE.is_file() or not PLAYWRIGHT.is_file():
        missing.append(f"axe-core and playwright-core: cd {ROOT} && npm ci")
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM}: apt-get install -y chromium (or set FOLIO_CHROMIUM)")
    return missing


def _require_browser() -> None:
    missing = _browser_problems()
    if not missing:
        return
    reason = "the browser checks of the web edition need " + "; ".join(missing)
    if os.environ.get("FOLIO_SKIP_BROWSER") == "1":
        pytest.skip(f"{reason} (skipped: FOLIO_SKIP_BROWSER=1)")
    pytest.fail(f"{reason}. Install them, or set FOLIO_SKIP_BROWSER=1 to skip these checks.", pytrace=False)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def loopback(site: Path) -> Iterator[str]:
    """The site over http://127.0.0.1:<port>/, for as long as the module's tests run."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _run_browser(site: Path, *extra: str) -> dict[str, Any]:
    command = ["node", str(SCRIPT), "--site", str(site), "--chromium", str(CHROMIUM), "--axe", str(AXE), *extra]
    shots = os.environ.get("FOLIO_WEB_SHOTS")
    if shots and "--no-axe" not in extra:
        Path(shots).mkdir(parents=True, exist_ok=True)
        command += ["--shots", shots]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, f"{' '.join(command)} failed:\n{proc.stderr[-4000:]}"
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def _violations(report: dict[str, Any]) -> list[str]:
    out = []
    for page, entry in report["pages"].items():
        for width, key in (("1280 px", "violations"), ("320 px", "violations320")):
            for v in entry[key]:
                nodes = "; ".join(f"{n['target']}: {n['summary']}" for n in v["nodes"])
                out.append(f"{page} at {width}: {v['id']} ({v['impact']}): {v['help']}. {nodes}")
    return out


@pytest.fixture(scope="module")
def browser_ready() -> None:
    """Before the book is built: fail (or skip) at once if a browser tool is missing."""
    _require_browser()


def test_browser_axe_requests_reflow_keyboard(browser_ready: None, site: Path, loopback: str) -> None:
    report = _run_browser(site, "--base", loopback)
    assert len(report["pages"]) == len(list(site.glob("*.html")))
    assert _violations(report) == []
    assert report["blocked"] == [], "requests left the site"
    assert report["failed"] == []
    assert report["console"] == []
    for page, entry in report["pages"].items():
        assert entry["scrollWidth320"] <= 320, f"{page} scrolls sideways at 320 px: {entry['wide320']}"
        assert entry["fontErrors"] == [], page
        assert entry["lang"] == "en-GB"
        assert entry["landmarks"]["banner"] == entry["landmarks"]["main"] == entry["landmarks"]["contentinfo"] == 1, page
    assert any(f.startswith("Source Serif 4") for f in report["pages"]["index.html"]["fonts"])
    assert any(f.startswith("Inter") for f in report["pages"]["index.html"]["fonts"])

    keyboard = report["keyboard"]
    assert keyboard["first"]["text"] == "Skip to main content" and keyboard["first"]["visible"]
    assert keyboard["afterSkip"]["inMain"]
    assert keyboard["afterSkip"]["background"] != "rgba(0, 0, 0, 0)", "no visible focus style"
    assert keyboard["tocLinks"] > 10 and keyboard["tocReached"] == keyboard["tocLinks"]
    assert report["motion"] == {"reduce": "auto", "noPreference": "smooth"}

    links = {Path(unquote(urlsplit(link["url"]).path)).name: link for link in report["home"]
             if "/downloads/" in link["url"]}
    book = yaml.safe_load((site.parent.parent / "book.yaml").read_text(encoding="utf-8"))
    for name in (f"{book['slug']}.pdf", f"{book['slug']}-large-print.pdf", f"{book['slug']}.epub"):
        assert name in links, f"the home page does not link to {name}"
        assert re.search(r"\((PDF|EPUB), [\d,.]+\s(KB|MB)\)$", links[name]["text"]), links[name]["text"]


def test_browser_from_the_file_system(browser_ready: None, site: Path) -> None:
    """Opened as files: every page, stylesheet, font and image loads, and nothing else is asked for."""
    report = _run_browser(site, "--no-axe")
    assert report["blocked"] == [] and report["failed"] == [] and report["console"] == []
    assert all(u.startswith("file://") for u in report["requests"])
    for page, entry in report["pages"].items():
        assert entry["fontErrors"] == [] and entry["fonts"], page
        assert entry["scrollWidth320"] <= 320, page
