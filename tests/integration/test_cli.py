"""The command line, run in-process: exit codes, messages, and that a failed build touches nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio import cli


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.err + captured.out


@pytest.mark.parametrize(("edit", "expected"), [
    (("## Findings\n", ""), "chapters/02-data.md:12: S001 error: missing section 'Findings'"),
    (("colour: teal\n", "colur: teal\n"), "chapters/02-data.md:5: M004 error: unknown key 'colur'"),
])
def test_bad_chapter_stops_build_and_keeps_outputs(edit: tuple[str, str], expected: str, sample_project: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    earlier = sample_project / "output" / "sample-trends.pdf"
    earlier.write_bytes(b"%PDF- an earlier good build")
    chapter = sample_project / "chapters" / "02-data.md"
    chapter.write_text(chapter.read_text().replace(*edit), encoding="utf-8")
    before = {p: p.read_bytes() for p in (sample_project / "output").rglob("*") if p.is_file()}
    code, out = run(["pdf", "--project", str(sample_project), "--plain"], capsys)
    assert code == 1
    assert expected in out
    assert "Traceback" not in out
    after = {p: p.read_bytes() for p in (sample_project / "output").rglob("*") if p.is_file()}
    assert after == before


