"""End-to-end: the interactive parts of the web edition of the real book, in headless Chromium with
the keyboard only (``interactive_check.mjs``), over http as a reader on a static host would use them.

- Search (folio.search, Pagefind): a phrase from every chapter page finds that chapter among the
  first results; without JavaScript the search page is a list of every chapter and section.
- "What you can do next" checklists (assets/js/actions.js): a tick made with the keyboard survives a
  reload, shows on the action plan page, is in the saved text file, and can be cleared.
- the timeline's milestones (assets/js/timeline.js): unticking a theme with the keyboard hides its rows.
- axe reports nothing on the search and action plan pages at 1280 and 390 px, with and without
  the scripts.
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
SCRIPT = Path(__file__).with_name("interactive_check.mjs")


_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]+")


def _main_text(page: Path) -> list[str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    blocks = soup.select("main .chapter-main p, main .chapter-main li, main .chapter-main td")
    assert blocks, page
    return [b.get_text(" ", strip=True) for b in blocks]


def _key(word: str) -> str:
    return re.sub(r"[’']s$", "", word.lower())


def phrases(pages: list[Path]) -> dict[str, str]:
    """For each chapter page, four consecutive words of its text, as a reader might remember them:
    the first run of four words (of three letters or more) that holds a word of five letters or
    more that no other page uses (or, failing that, only one other), so the phrase is that chapter's."""
    texts = {p.name: _main_text(p) for p in pages}
    pages_with: dict[str, set[str]] = {}
    for name, blocks in texts.items():
        for word in _WORD.findall(" ".join(blocks)):
            pages_with.setdefault(_key(word), set()).add(name)
    out = {}
    for name, blocks in texts.items():
        for most in (1, 2):
            runs = ([w for w in _WORD.findall(block) if len(w) >= 3] for block in blocks)
            found = next((" ".join(r[i:i + 4]) for r in runs for i in range(len(r) - 3)
                          if any(len(w) >= 5 and len(pages_with[_key(w)]) <= most for w in r[i:i + 4])), None)
            if found:
                out[found] = name
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
        if "data-pagefind-body" not in page.read_text(encoding="utf-8"):     # not a chapter page
            continue
        assert page.name in hrefs, f"{page.name} is missing from the list of chapters"
        ids = re.findall(r'<h2 id="([^"]+)"', page.read_text(encoding="utf-8"))
        for i in ids:
            if not i.startswith("page-"):
                assert f"{page.name}#{i}" in hrefs, f"{page.name}#{i} is missing from the list of sections"


@pytest.fixture(scope="module")
def interactive(browser_ready: None, site: Path, loopback: str) -> dict[str, Any]:  # noqa: F811
    chapters = sorted(p for p in site.glob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8"))
    queries = phrases(chapters)
    with_actions = next(p.name for p in chapters if "data-actions=" in p.read_text(encoding="utf-8"))
    command = ["node", str(SCRIPT), "--base", loopback, "--chromium", str(CHROMIUM), "--axe", str(AXE),
               "--queries", json.dumps(list(queries)), "--chapter", with_actions, "--timeline", "index.html"]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-4000:]
    report: dict[str, Any] = json.loads(proc.stdout)
    report["expected"] = queries
    return report


def test_the_search_and_plan_pages_pass_axe_with_and_without_scripts(interactive: dict[str, Any]) -> None:
    assert interactive["console"] == []
    assert len(interactive["axe"]) == 8
    for key, entry in interactive["axe"].items():
        what, js, width = key.split("-")
        assert entry["violations"] == [], key
        assert entry["scrollWidth"] <= int(width), f"{key}: the page scrolls sideways"
        assert entry["controlsVisible"] == (js == "js"), f"{key}: controls that need the script must hide without it"
        assert entry["links"] > (30 if what == "search" else 20), key
        if what == "plan":
            assert (entry["boxes"] > 20) == (js == "js"), key


def test_search_finds_a_phrase_from_every_chapter_by_keyboard(interactive: dict[str, Any]) -> None:
    queries = interactive["expected"]
    assert interactive["tabsToField"] < 15
    for result in interactive["queries"]:
        expected = queries[result["query"]]
        found = [Path(r.split("#")[0]).name for r in result["results"][:5]]
        assert expected in found, f"searching for '{result['query']}' did not find {expected} first: {found}"
        assert result["focused"] == result["results"][0], "Tab from the button does not reach the first result"
        assert "q=" in result["url"]


def test_a_tick_made_by_keyboard_is_kept_shown_on_the_plan_saved_and_cleared(interactive: dict[str, Any]) -> None:
    a = interactive["actions"]
    assert a["box"] and a["name"], "no tick box with a label reached by Tab"
    assert a["status"].startswith("1 of ") and "this browser only" in a["status"]
    assert a["afterReload"] and a["onPlan"]
    assert a["savedName"] == "my-action-plan.txt"
    ticked = [line for line in a["saved"].splitlines() if line.startswith("[x] ")]
    assert ticked == ["[x] " + " ".join(a["name"].split())]
    assert sum(line.startswith("[ ] ") for line in a["saved"].splitlines()) == a["planBoxes"] - 1
    assert a["afterClear"] == 0


def test_the_timeline_filters_by_theme_with_the_keyboard(interactive: dict[str, Any]) -> None:
    t = interactive["timeline"]
    total = int(t["before"].split(" of ")[1].split()[0])
    assert t["before"] == f"Showing {total} of {total} milestones."
    assert t["rowsOfTheme"] > 0 and t["visibleOfTheme"] == 0
    assert t["visible"] == total - t["rowsOfTheme"]
    assert t["after"] == f"Showing {total - t['rowsOfTheme']} of {total} milestones."
