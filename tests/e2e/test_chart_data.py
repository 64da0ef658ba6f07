"""End-to-end: in the built web edition and EPUB, every chart is followed by its data, and the
CSV beside the pages and the tables hold the numbers of the chart's data file."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.e2e.test_web import Built, site  # noqa: F401
from tests.unit.test_chartdata import FIGURES, expected_rows

pytestmark = pytest.mark.e2e


def _cells(table: object) -> list[list[str]]:
    rows = table.select("tbody tr")  # type: ignore[attr-defined]
    return [[c.get_text(strip=True) for c in r.find_all(["th", "td"])] for r in rows]


def test_each_chart_on_the_web_has_its_table_and_csv(site: Path) -> None:  # noqa: F811
    shown = 0
    for page in sorted(site.glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for figure in soup.select("figure.figure"):
            svg = figure.select_one("svg.figure-svg")
            if svg is None:
                continue
            details = figure.find_next_sibling()
            assert details is not None and details.name == "details" and "figure-data" in details["class"], \
                f"{page.name}: a chart without its data table"
            link = details.select_one(".figure-data-download a")
            assert link is not None, f"{page.name}: a data table without its CSV"
            href = str(link["href"])
            name = Path(href).stem
            data = yaml.safe_load((site.parents[1] / "assets/data/figures" / f"{name}.yaml").read_text(encoding="utf-8"))
            rows = list(csv.reader(io.StringIO((site / href).read_text(encoding="utf-8"), newline="")))
            assert rows[1:] == expected_rows(data), f"{href} does not hold {name}.yaml"
            assert len(_cells(details.select_one("table"))) == len(rows) - 1
            shown += 1
    assert shown >= len(FIGURES)


def test_each_chart_in_the_epub_is_followed_by_its_table(real_build: Built) -> None:
    root, _ = real_build
    epub = next((root / "output").glob("*.epub"))
    with zipfile.ZipFile(epub) as zf:
        text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xhtml"))
    figures = re.findall(r'<figure\b[^>]*\bid="fig-([a-z0-9-]+)"', text)
    assert sorted(set(figures)) == sorted(p.stem for p in FIGURES)
    for name in figures:
        after = re.search(rf'id="fig-{name}".*?</figure>\s*(<table class="figure-data-table">.*?</table>)', text, re.S)
        assert after is not None, f"the EPUB's figure {name} is not followed by its data"
        data = yaml.safe_load((root / "assets/data/figures" / f"{name}.yaml").read_text(encoding="utf-8"))
        assert len(_cells(BeautifulSoup(after.group(1), "html.parser"))) == len(expected_rows(data))
