"""The source checks (folio.sources) on small inputs: each code fails on a made-up entry or note,
with its file and line, and stays quiet on a good one."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio import sources
from folio.chapters import read_chapter

GOOD = """\
# --- front back
- id: good
  type: report
  title: Who has access to hybrid working in Great Britain?
  publisher: Office for National Statistics
  issued: {date-parts: [[2025, 6, 11]]}
  URL: https://www.ons.gov.uk/example
"""


def project(tmp_path: Path, bibliography: str, body: str = "Text [@good].\n", policy: str | None = None) -> Path:
    (tmp_path / "assets" / "data").mkdir(parents=True, exist_ok=True)
    (tmp_path / "chapters").mkdir(exist_ok=True)
    (tmp_path / "assets" / "bibliography.yaml").write_text(bibliography, encoding="utf-8")
    (tmp_path / "chapters" / "01-a.md").write_text(f"---\nid: a\ntitle: A\nkind: front\n---\n\n{body}", encoding="utf-8")
    if policy is not None:
        (tmp_path / "assets" / "data" / "source-checks.yaml").write_text(policy, encoding="utf-8")
    return tmp_path


def findings(root: Path) -> list[str]:
    import yaml

    bib_path = root / "assets" / "bibliography.yaml"
    bibliography = yaml.safe_load(bib_path.read_text(encoding="utf-8"))
    chapter, problems = read_chapter(root / "chapters" / "01-a.md", root)
    assert chapter is not None and not problems
    cited = {key for note in sources.chapter_notes(chapter) for key, _ in note.cites}
    return [f.format().split("\n")[0] for f in sources.run([chapter], root, bibliography, bib_path, cited)]


def test_a_good_entry_and_note_pass(tmp_path: Path) -> None:
    assert findings(project(tmp_path, GOOD)) == []


@pytest.mark.parametrize("title", ["Article on the launch of data.gov.uk", "Page about the Act",
                                   "Report on home and hybrid working", "Factsheet 146, article on the 1998 Act",
                                   "REPORTS ON the number of people offline"])
def test_placeholder_title_is_an_error_at_the_title_line(tmp_path: Path, title: str) -> None:
    found = findings(project(tmp_path, GOOD.replace("Who has access to hybrid working in Great Britain?", title)))
    assert len(found) == 1
    assert found[0].startswith(f"assets/bibliography.yaml:4:3: C004 error: 'good' has a placeholder title ('{title}')")


def test_real_titles_that_contain_the_words_are_not_placeholders() -> None:
    assert sources.placeholder_start("Annual report on the year", sources.DEFAULT_PLACEHOLDER_STARTS) == ""
    assert sources.placeholder_start("Reporting on data", sources.DEFAULT_PLACEHOLDER_STARTS) == ""
    assert sources.placeholder_start("Reportage", sources.DEFAULT_PLACEHOLDER_STARTS) == ""


def test_missing_title_author_date_and_address_are_warnings_at_the_entry(tmp_path: Path) -> None:
    found = findings(project(tmp_path, "# --- front back\n- id: good\n  type: webpage\n"))
    assert found == [
        "assets/bibliography.yaml:2:3: C005 warning: 'good' has no title",
        "assets/bibliography.yaml:2:3: C006 warning: 'good' names no author, publisher or site",
        "assets/bibliography.yaml:2:3: C007 warning: 'good' has no date ('issued')",
        "assets/bibliography.yaml:2:3: C008 warning: 'good' has no address (URL or DOI)",
    ]


def test_a_site_in_container_title_counts_as_the_publisher(tmp_path: Path) -> None:
    bib = GOOD.replace("  publisher: Office for National Statistics\n", "  container-title: GOV.UK\n")
    assert findings(project(tmp_path, bib)) == []


@pytest.mark.parametrize(("field", "value", "site"), [
    ("URL", "https://en.wikipedia.org/wiki/AI_Safety_Summit", "Wikipedia"),
    ("URL", "https://piglix.com/piglix/Computer_Misuse_Act_1990", "Piglix"),
    ("URL", "news-247.top/n/2029670", "news-247.top"),
    ("container-title", "Docslib.org", "Docslib"),
    ("container-title", "Wikipedia; also LBC", "Wikipedia"),
])
def test_deny_listed_sites_are_errors(tmp_path: Path, field: str, value: str, site: str) -> None:
    bib = GOOD.replace("  URL: https://www.ons.gov.uk/example\n", "") + f"  {field}: {value}\n"
    found = [f for f in findings(project(tmp_path, bib)) if " C009 " in f]
    assert found == [f"assets/bibliography.yaml:7:3: C009 error: 'good' cites {site} in '{field}': "
                     + next(r.why for r in sources.DEFAULT_DENY if (r.name or r.host) == site)]


def test_a_similar_host_is_not_denied(tmp_path: Path) -> None:
    bib = GOOD.replace("https://www.ons.gov.uk/example", "https://notwikipedia.org.uk/page")
    assert findings(project(tmp_path, bib)) == []


def test_the_book_extends_the_deny_list_and_the_placeholder_phrases(tmp_path: Path) -> None:
    policy = "deny:\n  - {host: example-mirror.com, name: Mirror, why: copies pages}\nplaceholder_starts: [Briefing on]\n"
    bib = GOOD.replace("https://www.ons.gov.uk/example", "https://www.example-mirror.com/x").replace(
        "Who has access to hybrid working in Great Britain?", "Briefing on hybrid working")
    found = findings(project(tmp_path, bib, policy=policy))
    assert [f.split(": ")[1] for f in found] == ["C004 error", "C009 error"]
    assert found[1] == "assets/bibliography.yaml:7:3: C009 error: 'good' cites Mirror in 'URL': copies pages"


def test_a_broken_policy_file_is_reported_not_raised(tmp_path: Path) -> None:
    found = findings(project(tmp_path, GOOD, policy="deny:\n  - {name: no host}\nsurprise: 1\n"))
    assert found == ["assets/data/source-checks.yaml:3: M004 error: unknown key 'surprise'",
                     "assets/data/source-checks.yaml:2: M005 error: deny item 1 needs a 'host', such as example.com"]


def test_uncited_entry_is_reported_at_its_line(tmp_path: Path) -> None:
    found = findings(project(tmp_path, GOOD, body="No citation here.\n"))
    assert found == ["assets/bibliography.yaml:2:3: C003 warning: 'good' is never cited"]


def test_a_note_that_repeats_the_one_before_is_a_warning_at_the_chapter_line(tmp_path: Path) -> None:
    body = "One [@good]. Two [@good].\n\nThree [@good, p. 4]. Four [@other;\n@good]. Five [@good; @other].\n"
    bib = GOOD + GOOD.replace("# --- front back\n", "").replace("id: good", "id: other")
    found = findings(project(tmp_path, bib, body=body))
    assert found == [
        "chapters/01-a.md:7:18: C010 warning: this note repeats the note before it (@good), at line 7",
        "chapters/01-a.md:10:14: C010 warning: this note repeats the note before it (@good; @other), at line 9",
    ]


def test_notes_split_over_lines_and_bare_citations_are_counted(tmp_path: Path) -> None:
    chapter_root = project(tmp_path, GOOD, body="As @good says. Then [see @good,\np. 3; @other].\nMail me@example.org.\n")
    chapter, _ = read_chapter(chapter_root / "chapters" / "01-a.md", chapter_root)
    assert chapter is not None
    notes = sources.chapter_notes(chapter)
    assert [(n.line, n.col, n.cites) for n in notes] == [
        (7, 4, (("good", ""),)), (7, 21, (("good", "p. 3"), ("other", ""))),
    ]


def test_a_figure_caption_may_name_the_source_just_cited(tmp_path: Path) -> None:
    body = 'Hybrid working was 28% [@good].\n\n![Hybrid working [@good].](figures/x.svg){alt="Bars."}\n\nAgain [@good].\n'
    found = findings(project(tmp_path, GOOD, body=body))
    assert found == ["chapters/01-a.md:11:7: C010 warning: this note repeats the note before it (@good), at line 7"]


def test_pending_sections_turn_errors_into_warnings_until_they_are_clean(tmp_path: Path) -> None:
    bib = GOOD + "# --- data\n" + GOOD.replace("# --- front back\n", "").replace("id: good", "id: bad").replace(
        "Who has access to hybrid working in Great Britain?", "Article on the launch of data.gov.uk")
    policy = "pending_sections: [data, front back, no such section]\n"
    found = findings(project(tmp_path, bib, body="[@good] and [@bad].\n", policy=policy))
    assert found == [
        "assets/bibliography.yaml:11:3: C004 warning: 'bad' has a placeholder title ('Article on the launch of "
        "data.gov.uk'): 'article on' describes the document instead of naming it [pending section 'data']",
        "assets/data/source-checks.yaml: C011 warning: section 'front back' is listed under pending_sections but has "
        "no placeholder or deny-listed entry; remove it from the list",
    ]
