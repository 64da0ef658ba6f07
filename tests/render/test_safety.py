"""Hostile and careless input, round two: links, paths, leftovers, data files, bounded cost,
interruption and full disks (issue 14). Each test names the defence it proves; see
docs/threat-model.md for what is trusted and what is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from folio import checks
from folio.build import build
from folio.chapters import read_chapter
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


def test_the_lua_filter_refuses_what_the_checks_miss(sample_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chapter = sample_project / "chapters" / "01-welcome.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + HOSTILE_LINKS, encoding="utf-8")
    monkeypatch.setattr(checks, "run_all", lambda *args, **kwargs: [])
    with pytest.raises(BuildError) as caught:
        build(sample_project, targets=("pdf",))
    inert = [f for f in caught.value.findings if f.code == "L006"]
    assert any("chapter 'welcome': link to 'javascript:alert(1)' was made inert" in f.message for f in inert)
    assert any("attribute 'onmouseover'" in f.message for f in inert)
    assert not (sample_project / "output" / "sample-trends.pdf").exists()


# --- 2. paths: everything a source names stays inside its folder, after symlinks ------------


# --- 4. data files: path:line:col, relative to the project ------------------------------------


# --- 5. bounded cost: one clear error within seconds ---------------------------------------------


# --- 3. leftovers and special characters ---------------------------------------------------------


# --- 6. interruption and exhaustion ---------------------------------------------------------------


# --- 7. fuzzing the whole source-checking phase ---------------------------------------------------


TARGETS = st.sampled_from([
    "https://socitm.net", "mailto:a@b.org", "tel:+441", "#welcome", "#nowhere", "", " ", "javascript:alert(1)",
    "JaVaScRiPt:x", "&#106;avascript:x", "java&#x09;script:x", "vbscript:x", "file:///etc/passwd", "data:text/html,x",
    "../x.md", "//evil/x", "<javascript:x>", "<https://socitm.net>", "java\\:script", "h&#116;tps://x", "%6Aavascript:x",
])
WORDS = st.text(alphabet=st.sampled_from([*"ab ]]{}[\"'&<>*_`\\#@^!:|~=.", "é", "“", "🙂", "\u202e", "ا"]), max_size=12)
PIECE = st.one_of(
    WORDS,
    st.builds(lambda t, h: f"[{t}]({h})", WORDS, TARGETS),
    st.builds(lambda t, h: f"[{t}\n{t}]({h} \"title\")", WORDS, TARGETS),
    st.builds(lambda h: f"<{h}>", TARGETS),
    st.builds(lambda t, h: f"![{t}]({h}){{alt=\"{t}\"}}", WORDS, st.sampled_from(["", "../assets/x.png", "figures/f.svg", "data:x"])),
    st.builds(lambda n: f"[^{n}]", st.sampled_from(["1", "2", "x"])),
    st.builds(lambda n, t: f"\n\n[^{n}]: {t}\n\n", st.sampled_from(["1", "2", "x"]), WORDS),
    st.builds(lambda h: f"\n\n[ref]: {h}\n\n", TARGETS),
    st.sampled_from(["[@known-key]", "[@known-key", "@known-key]", "[see @nobody]", "[[[[", "]]]]", "`[x](javascript:y)`"]),
    st.builds(lambda a: f"[span]{{{a}}}", st.sampled_from(["lang=cy", "onclick=x", ".c #i", "#a\"b", "not attrs", "=html"])),
    st.builds(lambda a: f"\n\n## Head {{{a}}}\n\nText.\n\n", st.sampled_from(["#h", "onclick=x", ".c", "style=\"x\""])),
    st.builds(lambda a: f"\n\n::: {{{a}}}\nIn.\n:::\n\n", st.sampled_from([".case-study", ".case-study onmouseover=x", "#d"])),
    st.sampled_from(["\n\n> > > quote\n\n", "\n\n```\n[x](javascript:y)\n```\n\n", "\n\n- a\n    - b\n", "\n\n" + "> " * 12 + "x\n"]),
)
FRONT = st.fixed_dictionaries({
    "id": st.sampled_from(["welcome", "a-b", "Bad Id", "index", "x\"y"]),
    "title": st.one_of(WORDS.filter(lambda t: t.strip() != ""), st.sampled_from(["Quotes \"and\" {braces} & <x>"])),
    "kind": st.sampled_from(["front", "back", "theme", "other"]),
    "summary": WORDS,
})


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from tests.conftest import ROOT

    root = tmp_path_factory.mktemp("fuzz")
    (root / "chapters").mkdir()
    shutil.copytree(ROOT / "assets" / "fonts", root / "assets" / "fonts")
    return root


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(front=FRONT, pieces=st.lists(PIECE, max_size=12))
def test_generated_chapters_give_a_clean_check_or_located_findings(fuzz_root: Path, front: dict[str, str],
                                                                    pieces: list[str]) -> None:
    import json

    from folio import pandoc

    path = fuzz_root / "chapters" / "x.md"
    meta = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in front.items())
    path.write_text(f"---\n{meta}---\n\n" + " ".join(pieces) + "\n", encoding="utf-8")
    chapter, problems = read_chapter(path, fuzz_root)
    if chapter is not None:
        problems = checks.run_all([chapter], fuzz_root, [{"id": "known-key"}], fuzz_root / "b.yaml", {"f"})
        problems = [p for p in problems if p.path != "b.yaml"]   # the stand-in bibliography
    for problem in problems:
        assert problem.path == "chapters/x.md" and problem.line >= 1, problem.format()
    if chapter is not None and not problems:
        # A clean check: pandoc's filter must find nothing to make inert (no gap in the checks).
        result = pandoc.run(["-f", pandoc.READER, "-t", "html5", f"--lua-filter={pandoc.LUA_FILTER}"],
                            pandoc.combined_markdown([chapter]), fuzz_root)
        assert [w.format() for w in result.warnings if w.code == "L006"] == []
