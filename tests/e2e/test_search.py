"""End-to-end: search in the web edition of the real book (folio.search, Pagefind).

A phrase from every chapter page is searched for in headless Chromium with the keyboard only
(``search_check.mjs``), over http, as a reader on a static host would; the chapter must be among
the first results. The search page is checked with axe at 1280 and 390 px with JavaScript on and
off; without JavaScript it is a list of every chapter and section.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from tests.e2e.test_web import AXE, CHROMIUM, ROOT, browser_ready, loopback, site  # noqa: F401

pytestmark = pytest.mark.e2e
SCRIPT = Path(__file__).with_name("search_check.mjs")


_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")


def _main_text(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    blocks = soup.select("main .chapter-main p, main .chapter-main li, main .chapter-main td")
    assert blocks, page
    return [b.get_text(" ", strip=True) for b in blocks]


def phrases(pages: list[Path]) -> dict[str, str]:
    """For each chapter page, four consecutive words of its text, as a reader might remember them:
    the first run of four words (of three letters or more) that holds a word no more than two
    pages use, so the phrase belongs to that chapter."""
    texts = {p.name: _main_text(p) for p in pages}
    pages_with: dict[str, set[str]] = {}
    for name, blocks in texts.items():
        for word in _WORD.findall(" ".join(blocks).lower()):
            pages_with.setdefault(word, set()).add(name)
    out = {}
    for name, blocks in texts.items():
        for block in blocks:
            words = [w for w in _WORD.findall(block) if len(w) >= 3]
            runs = (words[i:i + 4] for i in range(len(words) - 3))
            run = next((r for r in runs if any(len(pages_with[w.lower()]) <= 2 for w in r)), None)
            if run:
                out[" ".join(run)] = name
                break
        else:
            raise AssertionError(f"{name}: no run of four words with a word of its own")
    return out


def test_the_index_is_made_and_holds_only_chapter_pages(site: Path) -> None:  # noqa: F811
    index = site / "pagefind"
    assert (index / "pagefind.js").is_file() and (index / "LICENCE.txt").is_file()
    chapters = [p for p in site.glob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8")]
    assert len(list((index / "fragment").glob("*.pf_fragment"))) == len(chapters) > 10
    assert "data-pagefind-body" not in (site / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind-body" not in (site / "search.html").read_text(encoding="utf-8")


def test_without_javascript_the_search_page_lists_every_chapter_and_section(site: Path) -> None:  # noqa: F811
    soup = BeautifulSoup((site / "search.html").read_text(encoding="utf-8"), "html.parser")
    form = soup.select_one("form.search-form")
    assert form is not None and form.has_attr("hidden"), "the form must stay hidden until the script can search"
    hrefs = {a["href"] for a in soup.select(".browse-list a")}
    for page in site.glob("*.html"):
        if page.name in ("index.html", "search.html"):
            continue
        assert page.name in hrefs, f"{page.name} is missing from the list of chapters"
        ids = re.findall(r'<h2 id="([^"]+)"', page.read_text(encoding="utf-8"))
        for i in ids:
            if not i.startswith("page-"):
                assert f"{page.name}#{i}" in hrefs, f"{page.name}#{i} is missing from the list of sections"


def test_search_finds_a_phrase_from_every_chapter_by_keyboard(browser_ready: None, site: Path, loopback: str) -> None:  # noqa: F811
    chapters = sorted(p for p in site.glob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8"))
    queries = phrases(chapters)
    command = ["node", str(SCRIPT), "--base", loopback, "--chromium", str(CHROMIUM), "--axe", str(AXE),
               "--queries", json.dumps(list(queries))]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    report: dict[str, Any] = json.loads(proc.stdout)
    assert report["console"] == []
    for key, entry in report["axe"].items():
        assert entry["violations"] == [], key
        assert entry["scrollWidth"] <= int(key.rsplit("-", 1)[1]), f"{key}: the search page scrolls sideways"
        assert entry["formVisible"] == key.startswith("js"), key
        assert entry["browseLinks"] > 30, key
    assert report["tabsToField"] < 15
    for result in report["queries"]:
        expected = queries[result["query"]]
        found = [Path(r.split("#")[0]).name for r in result["results"][:5]]
        assert expected in found, f"searching for '{result['query']}' did not find {expected} first: {found}"
        assert result["focused"] == result["results"][0], "Tab from the button does not reach the first result"
        assert "q=" in result["url"]
