"""The content model lives in book.yaml (content:): its kinds of chapter, their front matter, their
sections and blocks. folio validates that section with lines, builds the front-matter schema from it
and checks each chapter against its kind, whatever the kinds are called."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from folio import checks
from folio.chapters import read_chapter
from folio.config import load_book
from folio.errors import BuildError

ROOT = Path(__file__).resolve().parents[2]

MODEL = """
content:
  keys:
    colour: {type: colour, help: The chapter's colour.}
    owner: {type: text, help: Who answers for the essay.}
    year: {type: integer, help: The year it looks at.}
  kinds:
    essay:
      help: An essay.
      required: [colour, owner, year]
      sections: [Context, Findings, Actions]
      blocks: [aside]
      numbered: true
      opener: true
      label: "Essay {n} of {count}"
    appendix: {help: At the back.}
  blocks: [aside]
"""


def project(tmp_path: Path, model: str = MODEL) -> Path:
    """A copy of the sample book's book.yaml with ``model`` in place of its content model."""
    text = (ROOT / "tests" / "sample_book" / "book.yaml").read_text(encoding="utf-8")
    start, end = text.index("\n# Its own content model"), text.index("\n# Six editions")
    (tmp_path / "book.yaml").write_text(text[:start] + model + text[end:], encoding="utf-8")
    (tmp_path / "assets" / "data").mkdir(parents=True, exist_ok=True)
    (tmp_path / "assets" / "data" / "palette.yaml").write_text("themes: {teal: '#00607A', plum: '#5B2A86'}\n")
    (tmp_path / "chapters").mkdir(exist_ok=True)
    if not (tmp_path / "assets" / "fonts").is_dir():     # the editions name these files (and the checks read them)
        shutil.copytree(ROOT / "assets" / "fonts", tmp_path / "assets" / "fonts")
    return tmp_path


def line(root: Path, text: str) -> int:
    """The line of book.yaml that holds ``text``."""
    return next(i for i, row in enumerate((root / "book.yaml").read_text().split("\n"), 1) if text in row)


def messages(tmp_path: Path, model: str) -> list[str]:
    with pytest.raises(BuildError) as caught:
        load_book(project(tmp_path, model))
    return [f.format().split("\n")[0] for f in caught.value.findings]


def test_a_declared_model_builds_the_front_matter_schema(tmp_path: Path) -> None:
    root = project(tmp_path)
    content = load_book(root).content
    assert list(content.kinds) == ["essay", "appendix"] and content.colours == ("teal", "plum")
    path = root / "chapters" / "a.md"
    path.write_text("---\nid: a\ntitle: A\nkind: essay\ncolour: red\nyear: x\n---\n\n## Context\n\nText.\n")
    chapter, found = read_chapter(path, root, content)
    assert chapter is None
    assert [f.format().split("\n")[0] for f in found] == [
        "chapters/a.md:5: M005 error: 'colour' must be one of teal, plum, not 'red'",
        "chapters/a.md:6: M005 error: 'year' must be a whole number, not 'x'",
        "chapters/a.md:1: M003 error: essay chapters need 'owner'",
    ]
    path.write_text("---\nid: a\ntitle: A\nkind: theme\n---\n\nText.\n")
    assert [f.format().split("\n")[0] for f in read_chapter(path, root, content)[1]] == [
        "chapters/a.md:4: M005 error: 'kind' must be one of essay, appendix, not 'theme'"]


def test_sections_and_blocks_come_from_the_kind(tmp_path: Path) -> None:
    root = project(tmp_path)
    content = load_book(root).content
    path = root / "chapters" / "a.md"
    path.write_text("---\nid: a\ntitle: A\nkind: essay\ncolour: teal\nowner: Me\nyear: 2020\n---\n\n"
                    "## Findings\n\nText.\n\n## Context\n\nText.\n\n## Actions\n\nText.\n\n::: box\nIn.\n:::\n")
    chapter, found = read_chapter(path, root, content)
    assert chapter is not None and found == []
    assert chapter.theme == "teal" and chapter.model.numbered and chapter.model.label == "Essay {n} of {count}"
    assert [f.format().split("\n")[0] for f in checks.check_structure(chapter, content.blocks)] == [
        "chapters/a.md:22: S007 warning: unknown block 'box'",
        "chapters/a.md:10: S001 error: sections are Findings, Context, Actions; expected Context, Findings, Actions",
        "chapters/a.md:9: S004 error: no 'aside' block",
    ]


def test_book_yaml_content_errors_have_lines(tmp_path: Path) -> None:
    model = MODEL.replace("      numbered: true\n", "      numberd: true\n").replace("[colour, owner, year]", "[colour, owner, when]")
    found = messages(tmp_path, model)
    at = line(tmp_path, "numberd")
    assert found[0].startswith(f"book.yaml:{at}: M004 error: unknown key 'content.kinds.essay.numberd'"), found
    model = MODEL.replace("[colour, owner, year]", "[colour, owner, when]").replace("blocks: [aside]\n      numbered",
                                                                                   "blocks: [note]\n      numbered")
    found = messages(tmp_path, model)
    assert found == [
        f"book.yaml:{line(tmp_path, 'required:')}: M005 error: 'content.kinds.essay.required' names 'when', which is not "
        "a front-matter key",
        f"book.yaml:{line(tmp_path, 'blocks: [note]')}: M005 error: 'content.kinds.essay.blocks' names 'note', which is "
        "not under content.blocks",
    ]
    found = messages(tmp_path, MODEL.replace("      numbered: true\n", ""))
    assert found == [f"book.yaml:{line(tmp_path, 'label:')}: M005 error: 'content.kinds.essay.label' is only for numbered kinds"]


def test_the_default_kind_must_be_declared(tmp_path: Path) -> None:
    model = MODEL + "  default_kind: essays\n"
    found = messages(tmp_path, model)
    assert found == [f"book.yaml:{line(tmp_path, 'default_kind')}: M005 error: 'content.default_kind' names 'essays', "
                     "which is not a kind"]


def test_the_cli_offers_the_declared_kinds(tmp_path: Path) -> None:
    from folio.cli import parser

    kind = next(a for a in parser(project(tmp_path))._actions if a.dest == "kind")
    assert list(kind.choices or ()) == ["essay", "appendix"]


def test_an_edition_s_fonts_are_files_of_assets_fonts(tmp_path: Path) -> None:
    root = project(tmp_path)
    text = (root / "book.yaml").read_text(encoding="utf-8")
    (root / "book.yaml").write_text(text.replace("    fonts: [inter, source-serif-4]", "    fonts: [inter, no-such-font]"))
    with pytest.raises(BuildError) as caught:
        load_book(root)
    assert [f.format().split("\n")[0] for f in caught.value.findings] == [
        f"book.yaml:{line(root, 'no-such-font')}: B001 error: 'editions.web.fonts.1': 'no-such-font' is not in assets/fonts/"]
