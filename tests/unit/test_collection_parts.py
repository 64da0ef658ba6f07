"""The collection's pieces without rendering (issue 18): editions that make one file per chapter,
the fenced blocks the summary gathers, the public stand-ins, and the members' text guard."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import ClassVar

from folio import blocks, leaks, web
from folio.chapters import Chapter
from folio.config import load_book
from folio.parts import held, parts
from tests.unit.test_editions import problems

ROOT = Path(__file__).resolve().parents[2]


def chapter(id_: str, kind: str, body: str = "", **meta: object) -> Chapter:
    return Chapter(Path(f"chapters/{id_}.md"), f"chapters/{id_}.md", {"id": id_, "title": id_.title(), "kind": kind, **meta}, body, 5)


CHAPTERS = [chapter("intro", "front"), chapter("one", "theme"), chapter("two", "theme"), chapter("short", "summary")]


def test_an_each_edition_makes_one_file_per_chapter_of_its_kind(sample_project: Path) -> None:
    book = load_book(sample_project)
    edition = book.editions["pdf"]
    import dataclasses

    each = dataclasses.replace(edition, each="theme", output="collection/x-{id}.pdf")
    files = parts(each, CHAPTERS)
    assert [(p.output, p.part, p.stem) for p in files] == [("collection/x-one.pdf", "one", "x-one"),
                                                            ("collection/x-two.pdf", "two", "x-two")]
    assert [c.id for c in held(files[1], CHAPTERS)] == ["two"]
    assert parts(edition, CHAPTERS) == [edition]
    kinds = dataclasses.replace(edition, kinds=("front", "theme"))
    assert [c.id for c in held(kinds, CHAPTERS)] == ["intro", "one", "two"]


def test_output_names_and_kinds_are_checked(sample_project: Path) -> None:
    found = problems(sample_project, '    output: "{slug}.pdf"\n', '    output: "collection/{slug}-{id}.pdf"\n    kinds: [intro, index]\n')
    assert any("M005 error: 'editions.pdf.output' has '{id}', which only an edition with 'each' can fill" in f for f in found), found
    assert any("'editions.pdf.kinds' names 'index', which is not a kind of chapter" in f for f in found), found


def test_an_each_edition_must_name_its_files(sample_project: Path) -> None:
    found = problems(sample_project, '    output: "{slug}.pdf"\n', '    output: "{slug}.pdf"\n    each: essay\n')
    assert any("must name each file with '{id}'" in f for f in found), found


def test_the_blocks_a_summary_gathers() -> None:
    body = ("Text.\n\n::: key-facts\n- **37%** of bodies had deployed AI.\n- **70%** were\n  piloting it.\n:::\n\n"
            "::: call-to-action\n### What you can do next\n\n1. **Take stock.** List every tool.\n2. Agree a policy.\n:::\n")
    assert blocks.items(blocks.fenced(body, "key-facts")[0]) == ["**37%** of bodies had deployed AI.", "**70%** were piloting it."]
    assert blocks.items(blocks.fenced(body, "call-to-action")[0]) == ["**Take stock.** List every tool.", "Agree a policy."]
    assert blocks.fenced(body, "case-study") == []


class _Book:
    raw: ClassVar[dict[str, str]] = {"members_notice": "For members only."}
    content = load_book(ROOT).content


def test_a_members_chapter_reaches_the_public_as_its_introduction_only() -> None:
    secret = chapter("one", "theme", "The secret plan has twelve careful steps in it.\n", audience="members", theme="ai",
                     summary="What it is about.", milestone="A milestone.", opportunity="An opportunity.", milestone_year=2016)
    public = web.public_chapters(_Book(), [CHAPTERS[0], secret])   # type: ignore[arg-type]
    assert public[0] is CHAPTERS[0]
    # It keeps its audience, so that the public site's links to it can say "(members only)".
    assert public[1].body == "::: members-notice\nFor members only.\n:::\n" and public[1].meta["audience"] == "members"
    assert {k: public[1].meta[k] for k in ("summary", "milestone", "opportunity")} == \
        {"summary": "What it is about.", "milestone": "A milestone.", "opportunity": "An opportunity."}


def test_the_guard_finds_a_members_sentence_in_any_file_even_compressed(tmp_path: Path) -> None:
    secret = chapter("one", "theme", "## Then\n\nThe secret plan has twelve careful steps [@key; @other].\n\n"
                     '![A caption](figures/x.svg){#fig-x alt="Bars for the twelve careful steps of the plan."}\n',
                     audience="members")
    # the citation goes, the heading and the caption are too short to be telling, the alt text is text
    assert leaks.sentences(secret) == ["The secret plan has twelve careful steps.", "Bars for the twelve careful steps of the plan."]
    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "index.html").write_text("<p>Nothing here.</p>", encoding="utf-8")
    assert leaks.leaks(site, [secret]) == []
    (site / "pagefind" / "x.pf_fragment").write_bytes(gzip.compress(b'{"content":"The secret plan has twelve  careful steps."}'))
    (site / "page.html").write_text("<p>The <em>secret</em> plan has twelve&nbsp;careful steps.</p>", encoding="utf-8")
    found = sorted((p.name, cid) for p, cid, _ in leaks.leaks(site, [secret]))
    assert found == [("page.html", "one"), ("x.pf_fragment", "one")]
    public = chapter("two", "theme", "The secret plan has twelve careful steps.\n")
    assert leaks.leaks(site, [public]) == []      # only members' chapters are guarded


def test_a_public_file_leaves_out_the_members_chapters_and_a_public_site_keeps_them(sample_project: Path) -> None:
    import dataclasses

    book = load_book(sample_project)
    chapters = [chapter("intro", "front"), chapter("one", "theme", audience="members"), chapter("guide", "back")]
    public_pdf = dataclasses.replace(book.editions["pdf"], audience="public")
    assert [c.id for c in held(public_pdf, chapters)] == ["intro", "guide"]
    assert [c.id for c in held(book.editions["pdf"], chapters)] == ["intro", "one", "guide"]
    public_site = dataclasses.replace(book.editions["web"], audience="public")
    assert [c.id for c in held(public_site, chapters)] == ["intro", "one", "guide"]     # shown as notices


def test_links_to_chapters_a_file_leaves_out_become_their_text() -> None:
    from folio import render

    html = '<p><a href="#one">Trend 1</a>, <a href="#intro">the introduction</a> and <a href="#one" class="x">again</a>.</p>'
    assert render.unlink_absent(html, {"one"}) == '<p>Trend 1, <a href="#intro">the introduction</a> and again.</p>'
    assert render.unlink_absent(html, set()) == html


def test_a_numbered_kind_writes_its_number_with_its_own_label() -> None:
    import dataclasses

    from folio import render
    from folio.config import Kind

    essay = dataclasses.replace(chapter("one", "essay"), model=Kind("essay", numbered=True, label="Essay {n} of {count}"))
    assert render.number_label(essay, 2, 3) == "Essay 2 of 3"
    assert render.number_label(essay, 2) == "Essay 2"
    plain = dataclasses.replace(chapter("two", "part"), model=Kind("part", numbered=True))
    assert render.number_label(plain, 4, 5) == render.number_label(plain, 4) == "4"


def test_a_summary_carries_no_citations_and_so_no_sources_list() -> None:
    from folio import render

    fact = "**37%** of bodies had deployed AI [@nao-ai-government-2024; see @lga-ai-survey-2025, p. 3]."
    assert render.uncited(fact) == "**37%** of bodies had deployed AI."
    assert render.uncited("A plain sentence, with an email@example.org in it.") == \
        "A plain sentence, with an email@example.org in it."


def test_a_standalone_file_that_cites_nothing_has_no_sources_list(sample_project: Path) -> None:
    import dataclasses

    from folio.build import read_sources
    from folio.editions import document

    sources, _ = read_sources(sample_project)
    part = dataclasses.replace(sources.book.editions["pdf"], standalone=True, kinds=("intro",))
    uncited = [dataclasses.replace(c, body="No citation here.\n") for c in sources.chapters]
    assert [c.id for c in document(dataclasses.replace(sources, chapters=uncited), part)] == \
        [c.id for c in uncited if c.kind == "intro"]
    cited = [dataclasses.replace(c, body="A fact [@data-gov-uk-2010].\n") for c in sources.chapters]
    assert document(dataclasses.replace(sources, chapters=cited), part)[-1].id == "sources"
