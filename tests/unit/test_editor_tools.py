"""Editors' tools: new-chapter, the generated check-code docs, and watch with its preview server."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio import checks, cli
from folio.build import read_sources
from folio.chapters import read_chapter
from folio.config import load_book
from folio.docs import check_codes_markdown

ROOT = Path(__file__).resolve().parent.parent.parent


def test_check_codes_doc_is_in_sync() -> None:
    assert (ROOT / "docs" / "check-codes.md").read_text(encoding="utf-8") == check_codes_markdown(), \
        "docs/check-codes.md is out of date: run python make_book.py docs"


def test_every_code_used_in_the_code_is_catalogued() -> None:
    import re

    from folio.catalogue import CATALOGUE

    used = set()
    for path in (ROOT / "folio").glob("*.py"):
        used |= set(re.findall(r"finding\(\"([A-Z]\d{3})\"", path.read_text()))
    assert used, "no codes found"
    assert sorted(used - set(CATALOGUE)) == []


# Catalogued codes that nothing emits yet, each with its reason; the test below fails when one of
# them starts to be emitted (take it off this list) or another code stops being emitted.
NOT_EMITTED = {"P001": "the contents page numbers are compared by tests/e2e/test_book.py, not by the build"}


def test_every_catalogued_code_is_emitted_somewhere() -> None:
    # The other direction (architecture review 5.3): a code passed in a variable, or written into
    # a message as text (cli's O001), counts wherever its literal appears outside the catalogue.
    import re

    from folio.catalogue import CATALOGUE

    source = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "folio").rglob("*"))
                       if p.suffix in (".py", ".lua") and p.name != "catalogue.py")
    silent = set(CATALOGUE) - set(re.findall(r"\b[A-Z]\d{3}\b", source))
    assert silent == set(NOT_EMITTED), f"catalogued but never emitted: {sorted(silent - set(NOT_EMITTED))}; " \
                                       f"emitted now, take off NOT_EMITTED: {sorted(set(NOT_EMITTED) - silent)}"


def test_new_chapter_creates_a_valid_chapter_of_the_default_kind(sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["new-chapter", "Open data", "--project", str(sample_project), "--plain"])
    assert code == 0
    path = sample_project / "chapters" / "04-open-data.md"
    assert path.exists()
    assert "  - 04-open-data.md" in (sample_project / "book.yaml").read_text()
    chapter, problems = read_chapter(path, sample_project, load_book(sample_project).content)
    assert problems == [] and chapter is not None
    assert chapter.kind == "essay" and chapter.id == "open-data"     # the sample's content.default_kind
    assert [line for line in path.read_text().split("\n") if line.startswith("## ")] == ["## Context", "## Findings", "## Actions"]
    found = checks.check_structure(chapter)
    assert [f.code for f in found] == []
    # the whole sample book still reads; the new chapter's placeholder citation is the one error
    _, problems = read_sources(sample_project)
    assert [p.code for p in problems if p.severity == "error"] == ["C001"]


def test_new_chapter_refuses_a_duplicate(sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["new-chapter", "Data", "--project", str(sample_project)]) == 1
    assert "a chapter named 'data' already exists" in capsys.readouterr().err


