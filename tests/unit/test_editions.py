"""The editions book.yaml declares: extends, and every problem with its line (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio.config import load_book
from folio.errors import BuildError


def problems(project: Path, old: str, new: str) -> list[str]:
    book = project / "book.yaml"
    text = book.read_text(encoding="utf-8")
    assert old in text
    book.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        load_book(project)
    return [f.format().split("\n")[0] for f in caught.value.findings]


def test_extends_inherits_all_but_output_description_and_download(sample_project: Path) -> None:
    book = load_book(sample_project)
    a5, press = book.editions["a5-print"], book.editions["press"]
    assert (a5.variant, a5.colour, a5.judges, a5.stylesheet) == (press.variant, press.colour, press.judges, "press")
    assert a5.output == "sample-trends-a5.pdf" and a5.download is None
    assert a5.printer == press.printer and a5.trim_mm == (148.0, 210.0) and press.trim_mm is None
    assert a5.css == "press-a5-print.css" and press.css == "press.css"


def line_of(project: Path, text: str) -> int:
    return next(i for i, ln in enumerate((project / "book.yaml").read_text().splitlines(), start=1) if text in ln)


def test_unknown_parent_and_loop(sample_project: Path) -> None:
    found = problems(sample_project, "    extends: press\n", "    extends: prss\n")
    assert f"book.yaml:{line_of(sample_project, 'extends: prss')}: M005 error: 'editions.a5-print.extends' names " \
           "'prss', which is not an edition" in found


def test_a_judge_the_format_lacks_and_a_bad_output(sample_project: Path) -> None:
    found = problems(sample_project, "    judges: [epubcheck, accessibility]", "    judges: [epubcheck, preflight]")
    line = line_of(sample_project, "judges: [epubcheck, preflight]")
    assert f"book.yaml:{line}: M005 error: 'editions.epub.judges': epub editions have no judge 'preflight'" in found


def test_offers_must_name_an_edition_with_a_download(sample_project: Path) -> None:
    found = problems(sample_project, "offers: [pdf, large-print, epub]", "offers: [pdf, press]")
    line = line_of(sample_project, "offers: [pdf, press]")
    assert f"book.yaml:{line}: M005 error: 'editions.web.offers' names 'press', which is not an edition with a " \
           "'download'" in found


def test_an_unknown_key_in_an_edition(sample_project: Path) -> None:
    found = problems(sample_project, "    clear_print: true\n", "    clear_prnt: true\n")
    line = line_of(sample_project, "clear_prnt")
    assert f"book.yaml:{line}: M004 error: unknown key 'editions.large-print.clear_prnt'" in found
