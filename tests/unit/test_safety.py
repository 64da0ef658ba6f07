"""Hostile and careless input, round two: links, paths, leftovers, data files, bounded cost,
interruption and full disks (issue 14). Each test names the defence it proves; see
docs/threat-model.md for what is trusted and what is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio import checks, safety
from folio.chapters import Chapter, read_chapter
from folio.errors import BuildError

# --- 1. links: one allow-list, in the source and again in every output ------------------------

HOSTILE_LINKS = """

Links: [a](javascript:alert(1)) [b](&#106;avascript:alert(2)) [c]( JaVaScRiPt:alert(3) )
[d](<java\tscript:alert(4)>) <javascript:alert(5)> [e][ref] [f](https://socitm.net){onclick="alert(6)"}
[g](file:///etc/passwd) [h](data:text/html;base64,PHNjcmlwdD4=) [i](vbscript:msgbox) [j](VBScript:x)
[k](../../etc/passwd) [l](//evil.example/x) [m](java&#x09;script:alert(7)) [n](&#x6A;avascript&colon;alert(8))
[o](%6Aavascript:alert(9)) [p](javascript&#58;alert(10)) [q](jav&#x0A;ascript:alert(11)) [r]()

[ref]: vbscript:msgbox

[Socitm's site](https://socitm.net) and [write to us](mailto:hello@example.org) and [call](tel:+441234567890).

::: {.case-study onmouseover="alert(12)" style="background:url(javascript:alert(13))"}
Boxed.
:::
"""


def chapter_from(body: str, tmp_path: Path, front: str = "id: c\ntitle: C\nkind: front\n") -> Chapter:
    (tmp_path / "chapters").mkdir(exist_ok=True)
    path = tmp_path / "chapters" / "c.md"
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    chapter, problems = read_chapter(path, tmp_path)
    assert chapter is not None, problems
    return chapter


def source_findings(body: str, tmp_path: Path) -> list[str]:
    chapter = chapter_from(body, tmp_path)
    found = checks.check_leftovers(chapter) + checks.check_inline(chapter, tmp_path, set(), {"x"}, set())[0]
    return [f.format().split("\n")[0] for f in found]


@pytest.mark.parametrize("target", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "&#106;avascript:alert(1)", "&#x6A;avascript&colon;alert(1)", "java&#x0A;script:x", "javascript&#58;x",
    "vbscript:msgbox", "file:///etc/passwd", "data:text/html,x", "<javascript:x>", "java\u200bscript:x",
    "ftp://example.org/x", "../notes.md", "//evil.example/x", "blob:https://x/y",
])
def test_link_policy_refuses(target: str) -> None:
    assert safety.link_problem(target) is not None


@pytest.mark.parametrize("target", ["https://socitm.net", "HTTP://example.org", "mailto:a@b.org", "tel:+44123", "#anchor"])
def test_link_policy_allows(target: str) -> None:
    assert safety.link_problem(target) is None


def test_every_hostile_link_is_an_error_at_its_line_and_column(tmp_path: Path) -> None:
    found = source_findings(HOSTILE_LINKS, tmp_path)
    refused = [f for f in found if " L004 " in f or " L005 " in f]
    # 17 bad targets in the text and one reference definition; each named at file:line:col
    assert len(refused) == 18, "\n".join(found)
    assert "chapters/c.md:8:8: L004 error: link to 'javascript:alert(1)': the scheme 'javascript:' is not allowed " \
           "(only https, http, mailto, tel and #anchors)" in found
    assert any(f.startswith("chapters/c.md:8:33: L004") and "&#106;avascript" in f for f in found)
    assert any(f.startswith("chapters/c.md:9:29: L004") and "javascript:alert(5)" in f for f in found)
    assert any(f.startswith("chapters/c.md:11:76: L004") and "&colon;" in f for f in found)
    assert "chapters/c.md:12:90: L005 error: the link has no target" in found
    assert any(f.startswith("chapters/c.md:14:8: L004") and "vbscript" in f for f in found)
    assert not any("socitm.net'" in f or "mailto:" in f or "tel:" in f for f in refused)
    assert any(" S010 " in f and "onclick" in f for f in found)
    assert any(" S010 " in f and "onmouseover" in f for f in found)


def test_a_link_over_two_lines_and_in_a_footnote_is_seen(tmp_path: Path) -> None:
    found = source_findings("\nA [link whose text\nruns on](javascript:x) here.[^1]\n\n[^1]: See [this](vbscript:x).\n", tmp_path)
    assert [f.split(": ")[0] + " " + f.split(": ")[1].split()[0] for f in found if " L004 " in f] == [
        "chapters/c.md:7:3 L004", "chapters/c.md:10:11 L004"]


def test_links_in_code_are_not_links(tmp_path: Path) -> None:
    assert source_findings("\nWrite `[x](javascript:y)`.\n\n```\n[x](javascript:y)\n```\n", tmp_path) == []


# --- 2. paths: everything a source names stays inside its folder, after symlinks ------------


def sources_messages(root: Path) -> list[str]:
    from folio.build import read_sources

    try:
        _, problems = read_sources(root)
    except BuildError as exc:
        problems = exc.findings
    return [p.format().split("\n")[0] for p in problems]


def set_book_key(root: Path, key: str, value: str) -> None:
    text = (root / "book.yaml").read_text(encoding="utf-8")
    lines = [f"{key}: {value}" if line.startswith(f"{key}:") else line for line in text.split("\n")]
    (root / "book.yaml").write_text("\n".join(lines), encoding="utf-8")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the project that a hostile source might try to read."""
    path = tmp_path / "elsewhere" / "notes.md"
    path.parent.mkdir()
    path.write_text("---\nid: secret\ntitle: Secret\nkind: front\n---\nSECRET TEXT\n", encoding="utf-8")
    return path


def test_a_chapter_outside_chapters_is_refused_at_its_book_yaml_line(sample_project: Path, outside: Path) -> None:
    text = (sample_project / "book.yaml").read_text(encoding="utf-8")
    (sample_project / "book.yaml").write_text(text.replace("  - 02-data.md", "  - ../../elsewhere/notes.md"), encoding="utf-8")
    assert sources_messages(sample_project) == [
        "book.yaml:20: F007 error: 'chapters.1': '../../elsewhere/notes.md' is not inside chapters/"]


def test_a_chapter_that_is_a_symlink_out_is_refused(sample_project: Path, outside: Path) -> None:
    (sample_project / "chapters" / "02-data.md").unlink()
    (sample_project / "chapters" / "02-data.md").symlink_to(outside)
    found = sources_messages(sample_project)
    assert found == ["book.yaml:20: F007 error: 'chapters.1': '02-data.md' is not inside chapters/"]


@pytest.mark.parametrize(("key", "value", "line"), [
    ("bibliography", "assets/../../elsewhere/notes.md", 16),
    ("csl", "/etc/hostname", 17),
])
def test_book_yaml_paths_stay_in_assets(sample_project: Path, outside: Path, key: str, value: str, line: int) -> None:
    set_book_key(sample_project, key, value)
    assert sources_messages(sample_project) == [f"book.yaml:{line}: F007 error: '{key}': '{value}' is not inside assets/"]


def test_the_icc_profile_stays_in_assets(sample_project: Path) -> None:
    text = (sample_project / "book.yaml").read_text(encoding="utf-8")
    (sample_project / "book.yaml").write_text(
        text + "printer: p\nprinters:\n  p:\n    bleed_mm: 3\n    output_intent: /etc/hostname\n", encoding="utf-8")
    line = text.count("\n") + 5
    assert sources_messages(sample_project) == [
        f"book.yaml:{line}: F007 error: 'printers.p.output_intent': '/etc/hostname' is not inside assets/"]


@pytest.mark.parametrize("link", ["assets/fonts/inter/Evil.otf", "assets/icc/evil.icc", "assets/data/figures/evil.yaml",
                                  "assets/images/evil.png", "chapters/evil.md"])
def test_a_symlink_out_of_assets_or_chapters_is_refused(sample_project: Path, link: str) -> None:
    path = sample_project / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to("/etc/hostname")
    assert f"{link}:0: F007" not in " ".join(sources_messages(sample_project))   # line 0 is not printed
    assert f"{link}: F007 error: '{link}' is a link to a place outside {link.split('/')[0]}/" in sources_messages(sample_project)


def test_an_image_outside_assets_is_refused(sample_project: Path, outside: Path) -> None:
    chapter = sample_project / "chapters" / "01-welcome.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + '\n![X.](../../elsewhere/notes.md){alt="X."}\n', encoding="utf-8")
    assert "chapters/01-welcome.md:12:1: I003 error: image '../../elsewhere/notes.md' is outside assets/" in sources_messages(sample_project)


# --- 4. data files: path:line:col, relative to the project ------------------------------------


def test_a_figure_data_error_names_the_file_and_line(sample_project: Path) -> None:
    path = sample_project / "assets" / "data" / "figures" / "homeworking.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[:text.index("value: 49")].count("\n") + 1
    path.write_text(text.replace("value: 49", "value: lots"), encoding="utf-8")
    assert sources_messages(sample_project) == [
        f"assets/data/figures/homeworking.yaml:{line}: D001 error: key 'bars[1].value': expected a number of 0 or more, got str"]


def test_every_bad_figure_file_is_reported_in_one_run(sample_project: Path) -> None:
    folder = sample_project / "assets" / "data" / "figures"
    (folder / "homeworking.yaml").write_text((folder / "homeworking.yaml").read_text(encoding="utf-8").replace("kind:", "knd:"))
    (folder / "council-ai.yaml").write_text("id: council-ai\nkind: [unclosed\n", encoding="utf-8")
    found = sources_messages(sample_project)
    assert any(f.startswith("assets/data/figures/homeworking.yaml:") and " D001 " in f for f in found), found
    assert any(f.startswith("assets/data/figures/council-ai.yaml:3:1: Y001") for f in found), found


def test_the_palette_is_checked_with_lines(sample_project: Path) -> None:
    path = sample_project / "assets" / "data" / "palette.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('gold: "#E8B100"', 'gold: "yellow"').replace('  teal: "#006B6B"\n', ""), encoding="utf-8")
    found = sources_messages(sample_project)
    # the palette's themes are the book's own names, so a chapter naming one it lacks is the error
    assert "chapters/02-data.md:5: M005 error: 'colour' must be one of plum, not 'teal'" in found
    path.write_text(text.replace('gold: "#E8B100"', 'gold: "yellow"'), encoding="utf-8")
    assert sources_messages(sample_project) == ["assets/data/palette.yaml:8: M005 error: 'gold' must be a colour as #rrggbb, not 'yellow'"]


def test_hostile_urls_in_book_yaml_and_the_bibliography(sample_project: Path) -> None:
    set_book_key(sample_project, "url", "javascript:alert(1)")
    with pytest.raises(BuildError) as caught:
        from folio.config import load_book

        load_book(sample_project)
    assert caught.value.findings[0].format().startswith("book.yaml:10: L004 error: 'url': link to 'javascript:alert(1)'")
    set_book_key(sample_project, "url", "https://socitm.net")
    bib = sample_project / "assets" / "bibliography.yaml"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text.replace("- id: data-gov-uk-2010\n", "- id: data-gov-uk-2010\n  url: 'vbscript:x'\n", 1))
    assert "assets/bibliography.yaml:2: L004 error: entry 'data-gov-uk-2010': link to 'vbscript:x': the scheme 'vbscript:' " \
           "is not allowed (only https, http, mailto, tel and #anchors)" in sources_messages(sample_project)


# --- 5. bounded cost: one clear error within seconds ---------------------------------------------


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + "".join(
    f"{chr(99 + i)}: &{chr(99 + i)} [{', '.join(['*' + chr(98 + i)] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize("where", ["front matter", "figure data", "bibliography", "book.yaml"])
def test_yaml_aliases_are_refused_everywhere(sample_project: Path, where: str) -> None:
    import time

    if where == "front matter":
        path = sample_project / "chapters" / "01-welcome.md"
        path.write_text(path.read_text(encoding="utf-8").replace("kind: intro\n", "kind: intro\nsummary: &s hi\n"))
        expected = "chapters/01-welcome.md:5:10: Y004 error: an anchor ('&s') is not allowed; write the value out"
    elif where == "figure data":
        path = sample_project / "assets" / "data" / "figures" / "homeworking.yaml"
        first = path.read_text(encoding="utf-8").count("\n") + 1
        path.write_text(path.read_text(encoding="utf-8") + LAUGHS)
        expected = f"assets/data/figures/homeworking.yaml:{first}:4: Y004 error: an anchor ('&a') is not allowed; write the value out"
    elif where == "bibliography":
        path = sample_project / "assets" / "bibliography.yaml"
        first = path.read_text(encoding="utf-8").count("\n") + 1
        path.write_text(path.read_text(encoding="utf-8") + "- id: x\n  title: *t\n")
        expected = f"assets/bibliography.yaml:{first + 1}:10: Y004 error: an alias ('*t') is not allowed; write the value out"
    else:
        path = sample_project / "book.yaml"
        first = path.read_text(encoding="utf-8").count("\n") + 1
        path.write_text(path.read_text(encoding="utf-8") + LAUGHS)
        expected = f"book.yaml:{first}:4: Y004 error: an anchor ('&a') is not allowed; write the value out"
    started = time.monotonic()
    found = sources_messages(sample_project)
    assert time.monotonic() - started < 5
    assert expected in found, found


def test_deep_yaml_is_refused_not_a_recursion_error(sample_project: Path) -> None:
    path = sample_project / "assets" / "data" / "figures" / "homeworking.yaml"
    first = path.read_text(encoding="utf-8").count("\n") + 1
    path.write_text(path.read_text(encoding="utf-8") + "extra: " + "[" * 50_000 + "\n")
    assert sources_messages(sample_project) == [
        f"assets/data/figures/homeworking.yaml:{first}:19: F006 error: the YAML is nested more than 12 levels deep"]


# --- 3. leftovers and special characters ---------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    ("\nText[^nowhere] here.\n", "chapters/c.md:7:5: N001 error: footnote '[^nowhere]' has no definition ('[^nowhere]: ...')"),
    ("\nText.\n\n[^lost]: Never used.\n", "chapters/c.md:9:1: N002 error: footnote '[^lost]' is defined but never referenced, "
                                           "so it would be dropped"),
    ("\nSee [the site]() now.\n", "chapters/c.md:7:5: L005 error: the link has no target"),
    ("\nSee ![]() now.\n", "chapters/c.md:7:5: I005 error: the image has no path: write "
                          "![Caption](../assets/images/file.png){alt=\"...\"}"),
    ("\nAs shown [@known-key, p. 4 and more.\n", "chapters/c.md:7:10: C012 error: '[' before a citation is never closed"),
    ("\nAs shown @known-key] here.\n", "chapters/c.md:7:20: C012 error: ']' after a citation closes no '['"),
    ("\n## Heading {#h onclick=\"x\"}\n", "chapters/c.md:7:12: S010 error: attribute 'onclick' is not allowed; "
                                        "use an #id, .classes, alt, lang or dir"),
    ("\n[text]{not an attribute}\n", "chapters/c.md:7:7: S010 error: '{not an attribute}' is not an attribute list ('not'); "
                                   "pandoc would print it as text"),
    ("\n::: {#a\"b .case-study}\nx\n:::\n", "chapters/c.md:7:5: S010 error: id '#a\"b' must start with a letter and have only "
                                            "letters, digits, '-' and '_'"),
])
def test_leftovers_are_caught_in_the_source(body: str, expected: str, tmp_path: Path) -> None:
    chapter = chapter_from(body, tmp_path)
    found = checks.check_leftovers(chapter) + checks.check_inline(chapter, tmp_path, {"known-key"}, {"x"}, set())[0]
    assert expected in [f.format().split("\n")[0] for f in found]


def test_well_formed_constructs_give_no_leftover(tmp_path: Path) -> None:
    body = ("\nA note.[^1] A citation [@known-key, p. 4] and [see @known-key]. A span [x]{lang=cy}.\n\n"
            "## Heading {#head .unnumbered}\n\nText.\n\n[^1]: The note.\n")
    chapter = chapter_from(body, tmp_path)
    assert checks.check_leftovers(chapter) == []


@pytest.mark.parametrize(("front", "expected"), [
    ('id: "a\\"b"\ntitle: T\nkind: front\n', "chapters/c.md:2: M005 error: 'id' must be lower-case letters, digits and hyphens"),
    ("id: index\ntitle: T\nkind: front\n", "chapters/c.md:2: M005 error: 'id' must be lower-case letters"),
    ('id: c\ntitle: "Evil \\u202Egnp.exe"\nkind: front\n',
     "chapters/c.md:3: M005 error: 'title' contains invisible characters (U+202E RIGHT-TO-LEFT OVERRIDE)"),
])
def test_ids_and_invisible_characters_are_refused(front: str, expected: str, tmp_path: Path) -> None:
    (tmp_path / "chapters").mkdir()
    path = tmp_path / "chapters" / "c.md"
    path.write_text(f"---\n{front}---\nBody.\n", encoding="utf-8")
    _, problems = read_chapter(path, tmp_path)
    assert any(p.format().startswith(expected) for p in problems), problems


@pytest.mark.parametrize(("text", "shown"), [
    ("Celebrate 🙂", "'🙂' (U+1F642 SLIGHTLY SMILING FACE)"),
    ("مرحبا", "'ا' (U+0627 ARABIC LETTER ALEF)"),
])
def test_characters_no_font_can_show_are_refused(sample_project: Path, text: str, shown: str) -> None:
    chapter = sample_project / "chapters" / "01-welcome.md"
    original = chapter.read_text(encoding="utf-8")
    chapter.write_text(original.replace("title: Welcome", f"title: {text}"))
    found = sources_messages(sample_project)
    assert any(f.startswith("chapters/01-welcome.md:3: F008 error: 'title' has ") and shown in f for f in found), found
    chapter.write_text(original + f"\nBody {text}.\n")
    found = sources_messages(sample_project)
    assert any(f.startswith("chapters/01-welcome.md:12:") and " F008 error: " in f and shown in f for f in found), found


# --- 6. interruption and exhaustion ---------------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    ("\n" + "word " * 5000 + "\n", "chapters/c.md:7: F005 error: the line is 25,000 characters long; the limit is 20,000"),
    ("\n" + "> " * 50 + "deep\n", "chapters/c.md:7: F006 error: quotes and lists are nested 50 deep; the limit is 8"),
    ("\n" + "[" * 400_000 + "\n", "chapters/c.md:7: F005 error: the line is 400,000 characters long; the limit is 20,000"),
    ("\n" + "[" * 5000 + "x" + "]" * 5000 + "\n", "chapters/c.md:7: F006 error: brackets are nested 5000 deep; the limit is 8"),
    ("\n" + "".join(" " * (4 * i) + "- item\n" for i in range(12)),
     "chapters/c.md:15: F006 error: quotes and lists are nested 9 deep; the limit is 8"),
])
def test_markdown_past_a_bound_is_one_clear_error_within_seconds(body: str, expected: str, tmp_path: Path) -> None:
    import time

    chapter = chapter_from(body, tmp_path)
    started = time.monotonic()
    found = [f.format().split("\n")[0] for f in checks.run_all([chapter], tmp_path, [], tmp_path / "b.yaml", set())]
    assert time.monotonic() - started < 5
    assert found[0] == expected, found


# --- 7. fuzzing the whole source-checking phase ---------------------------------------------------


