"""The collection (issue 18): a PDF per theme, the five-trends summary, the public and members' web
editions, and the downloads page, read from the real book's build (``real_build``).

The leak test does not use folio's own guard (folio/leaks.py): it takes the members' chapters as a
reader meets them, on the members' web pages, and searches every file of the public site for each
of their sentences, Pagefind's compressed index included.
"""

from __future__ import annotations

import gzip
import html
import re
import shutil
from pathlib import Path

import pikepdf
import pypdfium2  # type: ignore[import-untyped]
import pytest
import yaml
from bs4 import BeautifulSoup

from folio.build import BuildReport

Built = tuple[Path, BuildReport]
ROOT = Path(__file__).resolve().parents[2]
SLUG = "digital-trends-2026"


def _front(path: Path) -> dict[str, object]:
    meta: dict[str, object] = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    return meta


CHAPTERS = {str(m["id"]): m for m in (_front(p) for p in sorted((ROOT / "chapters").glob("*.md")))}
THEMES = [i for i, m in CHAPTERS.items() if m["kind"] == "theme"]
MEMBERS = [i for i, m in CHAPTERS.items() if m.get("audience") == "members"]
COLLECTION = tuple(f"collection/{SLUG}-{i}.pdf" for i in THEMES)


def _text(path: Path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()


# --- The per-theme PDFs and the summary -----------------------------------------------------------

@pytest.mark.parametrize("name", COLLECTION)
def test_each_theme_is_a_tagged_pdf_of_its_own(real_build: Built, name: str) -> None:
    root, _ = real_build
    chapter = CHAPTERS[name.removeprefix(f"collection/{SLUG}-").removesuffix(".pdf")]
    with pikepdf.open(root / "output" / name) as pdf:
        assert bool(pdf.Root.MarkInfo.Marked) and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en-GB"
        assert pdf.open_metadata().get("dc:title") == f"{chapter['title']}: Digital Trends 2026"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert chapter["title"] in titles and "Sources" in titles and "About this file" in titles, titles
        pages = len(pdf.pages)
    text = _text(root / "output" / name)
    assert 6 <= pages <= 20
    assert "Trend" in text[0] and str(chapter["title"]) in text[0]          # its own cover
    assert "How to cite" in text[-1] and "Licence" in text[-1]


def _cited(markdown: str) -> set[str]:
    body = markdown.split("---", 2)[2]
    return set(re.findall(r"(?<![\w@])@([\w][\w:.#$%&+?<>~/-]*[\w])", re.sub(r"`[^`]*`", "", body))) & _keys()


def _keys() -> set[str]:
    return {str(e["id"]) for e in yaml.safe_load((ROOT / "assets" / "bibliography.yaml").read_text(encoding="utf-8"))}


@pytest.mark.parametrize("theme", THEMES)
def test_a_theme_pdf_lists_exactly_the_sources_it_cites(real_build: Built, theme: str) -> None:
    root, _ = real_build
    source = next(p for p in (ROOT / "chapters").glob("*.md") if _front(p)["id"] == theme)
    soup = BeautifulSoup((root / "output" / "build" / f"{SLUG}-{theme}.html").read_text(encoding="utf-8"), "html.parser")
    listed = {str(div["id"]).removeprefix("ref-") for div in soup.select("article#sources div.csl-entry")}
    assert listed == _cited(source.read_text(encoding="utf-8"))
    # and the Sources page of the PDF itself carries one entry per source (the entries start a line)
    assert listed


def test_the_summary_is_short_and_covers_every_trend(real_build: Built) -> None:
    root, _ = real_build
    path = root / "output" / f"{SLUG}-five-trends-summary.pdf"
    text = _text(path)
    assert 4 <= len(text) <= 8
    whole = " ".join(text)
    for theme in THEMES:
        meta = CHAPTERS[theme]
        assert str(meta["title"]) in whole and f"Look back, {meta['milestone_year']}" in whole, theme
    assert "First actions" in whole and "1986" in whole and "2026" in whole     # actions and the timeline


# --- Public and members' web editions -------------------------------------------------------------

def _normal(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for a, b in (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("\u00a0", " "), ("\u00ad", "")):
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip().lower()


def members_sentences(members_site: Path) -> list[str]:
    """Every sentence of six words or more that only members' chapters have, as the members' web
    pages show them: paragraphs, list items, captions, table cells and text alternatives, not the
    page's header (title, summary, look back and leap forward, which the public may read). A
    sentence that the members' edition also shows on a public chapter's page or the home page (the
    summary repeats each trend's milestone and the timeline) is public by the editor's choice."""
    shown_to_all = " ".join(_normal(p.read_text(encoding="utf-8")) for p in sorted(members_site.glob("*.html"))
                            if (p.stem not in MEMBERS and p.stem in CHAPTERS) or p.name == "index.html")
    return [s for s in _chapter_sentences(members_site) if _normal(s) not in shown_to_all]


def _chapter_sentences(members_site: Path) -> list[str]:
    out: list[str] = []
    for chapter in MEMBERS:
        soup = BeautifulSoup((members_site / f"{chapter}.html").read_text(encoding="utf-8"), "html.parser")
        prose = soup.select_one("main .prose")
        assert prose is not None, chapter
        texts = [e.get_text(" ") for e in prose.select("p, li, figcaption, td, th, h2, h3, blockquote")]
        texts += [str(e.get("aria-label") or "") for e in prose.select("[aria-label]")]
        texts += [e.get_text(" ") for e in prose.select("svg title, svg desc")]
        for text in texts:
            out += [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s.split()) >= 6]
    return sorted(set(out))


def found_in(site: Path, sentences: list[str]) -> list[tuple[str, str]]:
    wanted = [(s, _normal(s)) for s in sentences]
    hits = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        elif path.suffix not in {".html", ".js", ".css", ".svg", ".csv", ".json", ".xml", ".txt"}:
            continue
        text = _normal(data.decode("utf-8", errors="replace"))
        hits += [(path.relative_to(site).as_posix(), s) for s, n in wanted if n in text]
    return hits


def test_no_members_sentence_reaches_the_public_site(real_build: Built) -> None:
    root, _ = real_build
    sentences = members_sentences(root / "output" / "web-members")
    assert len(sentences) > 300          # the five theme chapters and the summary, not a few lines
    assert found_in(root / "output" / "web-public", sentences) == []
    # Each members' chapter is in the public site as a stand-in that says how members read it.
    for chapter in MEMBERS:
        page = (root / "output" / "web-public" / f"{chapter}.html").read_text(encoding="utf-8")
        assert str(CHAPTERS[chapter]["title"]) in page and "logging in to Socitm" in page


def test_the_leak_test_finds_a_planted_sentence(real_build: Built, tmp_path: Path) -> None:
    root, _ = real_build
    sentences = members_sentences(root / "output" / "web-members")
    site = tmp_path / "web-public"
    shutil.copytree(root / "output" / "web-public", site)
    planted = sentences[len(sentences) // 2]
    page = site / "foreword.html"
    page.write_text(page.read_text(encoding="utf-8").replace("</main>", f"<p>{html.escape(planted)}</p></main>"),
                    encoding="utf-8")
    assert found_in(site, sentences) == [("foreword.html", planted)]
    # and on the members' site, which has the chapters in full, it finds every sentence
    assert {s for _, s in found_in(root / "output" / "web-members", sentences)} == set(sentences)


def test_the_public_site_offers_only_public_files(real_build: Built) -> None:
    root, _ = real_build
    public, members = root / "output" / "web-public", root / "output" / "web-members"
    # Only the public PDF (the chapters without audience: members); it holds no members' chapter.
    assert sorted(p.name for p in (public / "downloads").iterdir()) == [f"{SLUG}-public.pdf"]
    with pikepdf.open(public / "downloads" / f"{SLUG}-public.pdf") as pdf, pdf.open_outline() as outline:
        top = [item.title for item in outline.root]
    assert "Foreword" in top and not {"Artificial intelligence", "Five trends summary"} & set(top), top
    soup = BeautifulSoup((public / "downloads.html").read_text(encoding="utf-8"), "html.parser")
    assert [s.h2.get_text(strip=True) for s in soup.select("section.downloads-group")] == ["For everyone"]  # type: ignore[union-attr]
    assert sorted(p.name for p in (public / "data").iterdir()) == ["timeline.csv"]     # the public chart only
    assert {f"{SLUG}.pdf", f"{SLUG}-five-trends-summary.pdf", f"{SLUG}-press.pdf",
            *(n.removeprefix("collection/") for n in COLLECTION)} <= {p.name for p in (members / "downloads").iterdir()}


def test_the_downloads_page_groups_every_file(real_build: Built) -> None:
    root, _ = real_build
    site = root / "output" / "web-members"
    soup = BeautifulSoup((site / "downloads.html").read_text(encoding="utf-8"), "html.parser")
    groups = {s.h2.get_text(strip=True): s for s  # type: ignore[union-attr]
               in soup.select("section.downloads-group")}
    assert list(groups) == ["For members", "For the print shop", "For everyone"]
    rows = {r.th.a.get_text(" ", strip=True):  # type: ignore[union-attr]
            [td.get_text(strip=True) for td in r.select("td")]
            for r in soup.select("tbody tr")}
    assert len(rows) == len(list((site / "downloads").iterdir()))
    for label, (fmt, size, pages, about) in rows.items():
        assert fmt in ("PDF", "PDF/X-4", "EPUB", "HTML"), label
        link = soup.find("a", string=label)
        assert link is not None and (site / str(link["href"])).is_file(), label
        file = site / str(link["href"])
        if file.suffix == ".pdf":
            with pikepdf.open(file) as pdf:
                assert pages == str(len(pdf.pages)), label
        if file.suffix == ".html":      # the preflight report: written after the site, so no size is listed
            assert "preflight" in file.name and size == "–" and (root / "output" / file.name).read_bytes() == file.read_bytes()
            continue
        assert re.fullmatch(r"[\d,.]+\s(KB|MB)", size.replace("\u00a0", " ")) and about, label
    assert [r.th.a.get_text(strip=True) for r in groups  # type: ignore[union-attr]
           ["For the print shop"].select("tbody tr")] == \
        ["Digital Trends 2026, press PDF", "Digital Trends 2026, press PDF: preflight report"]


# --- Both web editions in a browser: axe on every page, with and without scripts ----------------

@pytest.mark.parametrize(("edition", "scripts"), [("web-public", True), ("web-public", False), ("web-members", False)])
def test_every_page_passes_axe_at_1280_and_320_px(real_build: Built, edition: str, scripts: bool) -> None:
    """The members' site with scripts is checked in test_web.py; here the public site with and
    without them, and the members' site without them (every .js request refused)."""
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from tests.e2e import test_web

    test_web._require_browser()
    root, _ = real_build
    site = root / "output" / edition
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(test_web._QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        extra = () if scripts else ("--no-scripts",)
        report = test_web._run_browser(site, "--base", f"http://127.0.0.1:{server.server_address[1]}/", *extra)
    finally:
        server.shutdown()
        server.server_close()
    assert len(report["pages"]) == len(list(site.glob("*.html")))
    assert test_web._violations(report) == []
    assert report["blocked"] == [] and report["failed"] == [] and report["console"] == []
    for page, entry in report["pages"].items():
        assert entry["scrollWidth320"] <= 320, f"{page} scrolls sideways at 320 px: {entry['wide320']}"


def test_the_public_search_finds_a_phrase_from_every_public_chapter(real_build: Built) -> None:
    """The public site's own index, searched with the keyboard in headless Chromium: a phrase of
    each public chapter finds its page first; the stand-ins for members' chapters are indexed
    only with what the public may read."""
    import functools
    import json
    import subprocess
    import threading
    from http.server import ThreadingHTTPServer

    from tests.e2e import test_interactive, test_web

    test_web._require_browser()
    root, _ = real_build
    site = root / "output" / "web-public"
    chapters = sorted(p for p in site.glob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8")
                      and "members-notice" not in p.read_text(encoding="utf-8"))
    assert len(chapters) == len(CHAPTERS) - len(MEMBERS)
    queries = test_interactive.phrases(chapters)
    with_actions = next(p.name for p in chapters if "data-actions=" in p.read_text(encoding="utf-8"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(test_web._QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        command = ["node", str(test_interactive.SCRIPT), "--base", f"http://127.0.0.1:{server.server_address[1]}/",
                   "--chromium", str(test_web.CHROMIUM), "--axe", str(test_web.AXE), "--queries", json.dumps(list(queries)),
                   "--chapter", with_actions, "--timeline", "index.html"]
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout)
    assert report["console"] == []
    for result in report["queries"]:
        found = [Path(r.split("#")[0]).name for r in result["results"][:5]]
        assert queries[result["query"]] in found, (result["query"], found)
    for key, entry in report["axe"].items():
        assert entry["violations"] == [], key


def test_public_links_to_members_chapters_say_so(real_build: Built) -> None:
    """Design review 2026-12-02d, D4: on the public site every link to a members' chapter, in the
    contents, the trend cards and the search page's list, says '(members only)' in its own text; the
    members' site does not."""
    root, _ = real_build
    members_only = {"five-trends-summary.html", *(f"{t}.html" for t in ("artificial-intelligence", "cyber-security",
                                                                      "data", "ways-of-working", "digital-inclusion"))}
    for page in ("index.html", "search.html", "foreword.html", "how-we-chose.html"):
        soup = BeautifulSoup((root / "output" / "web-public" / page).read_text(encoding="utf-8"), "html.parser")
        links = [a for a in soup.select("main a, nav a") if str(a.get("href", "")) in members_only]
        assert links, page
        for a in links:
            assert a.get_text(" ", strip=True).endswith("(members only)"), (page, a.get("href"), a.get_text(" ", strip=True))
        plain = (root / "output" / "web-members" / page).read_text(encoding="utf-8")
        assert "(members only)" not in plain, page
