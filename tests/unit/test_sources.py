"""Unit tests with inline sources: YAML, front matter, the schema and the content checks.

Each fixture in tests/fixtures is named after what it breaks; the expected message is asserted
word for word, with its file and line, because the message is part of the interface.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from folio import checks, yamlio
from folio.chapters import read_chapter
from folio.config import BOOK, load_book, validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ROOT = FIXTURES.parent.parent


def chapter_findings(name: str, tmp_path: Path) -> list[str]:
    (tmp_path / "chapters").mkdir(exist_ok=True)
    path = tmp_path / "chapters" / name
    shutil.copy(FIXTURES / name, path)
    chapter, problems = read_chapter(path, tmp_path, load_book(ROOT).content)   # the fixtures are the real book's kinds
    if chapter is not None:
        problems = checks.check_structure(chapter) + checks.check_inline(
            chapter, tmp_path, {"known-key"}, {"welcome"}, {"homeworking"})[0]
    return [p.format().split("\n")[0] for p in problems]


@pytest.mark.parametrize(("fixture", "expected"), [
    ("chapter_with_unclosed_front_matter.md",
     "chapters/chapter_with_unclosed_front_matter.md:1: M002 error: front matter opened with '---' on line 1 is never closed"),
    ("chapter_with_typo_in_front_matter_key.md",
     "chapters/chapter_with_typo_in_front_matter_key.md:3: M004 error: unknown key 'tilte'"),
    ("theme_chapter_without_now.md",
     "chapters/theme_chapter_without_now.md:12: S001 error: missing section 'Now'"),
    ("chapter_with_duplicate_key.md",
     "chapters/chapter_with_duplicate_key.md:4:1: Y002 error: duplicate key 'title' (first at line 3)"),
    ("chapter_with_tab_indent.md",
     "chapters/chapter_with_tab_indent.md:3:1: Y001 error: a tab is used for indentation; YAML needs spaces"),
    ("chapter_not_utf8.md",
     "chapters/chapter_not_utf8.md:3: F001 error: not UTF-8 text: byte 0xe9 cannot be decoded"),
    ("chapter_with_yaml_tag.md",
     "chapters/chapter_with_yaml_tag.md:3:8: Y003 error: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed"),
    ("chapter_empty.md", "chapters/chapter_empty.md:1: F002 error: the file is empty"),
    ("chapter_with_raw_html.md", "chapters/chapter_with_raw_html.md:7:6: H001 error: raw HTML <script>"),
    ("chapter_with_unknown_citation.md",
     "chapters/chapter_with_unknown_citation.md:7:9: C001 error: citation '@no-such-key' is not in the bibliography"),
    ("chapter_with_image_without_alt.md",
     "chapters/chapter_with_image_without_alt.md:7:1: I002 error: image 'figures/homeworking.svg' has no alt text"),
    ("chapter_with_skipped_heading_level.md",
     "chapters/chapter_with_skipped_heading_level.md:11: S003 error: heading 'Four' is level 4 but follows level 2"),
    ("chapter_with_unclosed_block.md",
     "chapters/chapter_with_unclosed_block.md:7: S006 error: block 'case-study' opened here is never closed"),
])
def test_fixture_gives_exact_first_message(fixture: str, expected: str, tmp_path: Path) -> None:
    found = chapter_findings(fixture, tmp_path)
    assert found, f"{fixture} produced no finding"
    assert found[0] == expected


def test_typo_in_key_suggests_the_right_one(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "chapters")
    _, problems = read_chapter(tmp_path / "chapters" / "chapter_with_typo_in_front_matter_key.md", tmp_path)
    assert problems[0].hint == "did you mean 'title'?"
    assert any(p.message == "required key 'title' is missing" for p in problems)


def test_every_problem_reported_in_one_run(tmp_path: Path) -> None:
    found = chapter_findings("theme_chapter_with_wrong_types.md", tmp_path)
    assert "chapters/theme_chapter_with_wrong_types.md:5: M005 error: 'theme' must be one of ai, cyber, data, work, inclusion, not 'purple'" in found
    assert "chapters/theme_chapter_with_wrong_types.md:7: M005 error: 'milestone_year' must be a whole number, not 'twenty ten'" in found


def test_links_checks(tmp_path: Path) -> None:
    found = chapter_findings("chapter_with_bad_links.md", tmp_path)
    codes = [f.split(": ")[1].split()[0] for f in found]
    assert codes == ["L002", "L003", "L001"]


def test_bom_and_crlf_are_handled(tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    shutil.copy(FIXTURES / "chapter_with_bom_and_crlf.md", tmp_path / "chapters" / "c.md")
    chapter, problems = read_chapter(tmp_path / "chapters" / "c.md", tmp_path)
    assert problems == []
    assert chapter is not None and chapter.title == "BOM and CRLF"
    assert chapter.body == "\nBody.\n"
    assert chapter.body_line == 6


def test_book_schema_names_line_and_key() -> None:
    text = "title: T\nlanguage: en-GB\npublisher: P\ndate: not-a-date\nidentifier: x\nlicence: l\nslug: s\n" \
           "bibliography: b\ncsl: c\nchapters: [a.md]\ntrim: {width_mm: 210, hieght_mm: 297}\n"
    data, lines, problems = yamlio.load(text, "book.yaml")
    assert problems == []
    found = [f.format().split("\n")[0] for f in validate(data, BOOK, lines, "book.yaml")]
    assert "book.yaml:4: M005 error: 'date' must be a date (YYYY-MM-DD), not 'not-a-date'" in found
    assert "book.yaml:11: M004 error: unknown key 'trim.hieght_mm'" in found
    assert "book.yaml:11: M003 error: required key 'trim.height_mm' is missing" in found


def test_yaml_syntax_error_has_file_line() -> None:
    _, _, problems = yamlio.load("a: 1\nb: [1, 2\nc: 3\n", "x.yaml", line_offset=10)
    assert problems[0].code == "Y001"
    assert problems[0].line >= 12


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    shutil.copy(FIXTURES / "chapter_with_duplicate_id.md", tmp_path / "chapters" / "c.md")
    chapter, _ = read_chapter(tmp_path / "chapters" / "c.md", tmp_path)
    assert chapter is not None
    found = [f.format().split("\n")[0] for f in checks.run_all([chapter], tmp_path, [], tmp_path / "b.yaml", set())]
    assert found == ["chapters/c.md:11: S009 error: id '#same' is already used in chapters/c.md:7"]


