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


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["--help"], capsys)
    assert code == 0
    for command in cli.COMMANDS:
        assert command in out


def test_unknown_command_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["publish"], capsys)
    assert code == 2
    assert "invalid choice: 'publish'" in out


def test_check_passes_on_sample(sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(["check", "--project", str(sample_project), "--plain"], capsys)
    assert code == 0, out
    assert "check: 0 errors, 0 warnings" in out


def test_clean_removes_only_output(sample_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (sample_project / "output" / "x.pdf").write_bytes(b"x")
    (sample_project / "output" / "build").mkdir()
    code, _ = run(["clean", "--project", str(sample_project)], capsys)
    assert code == 0
    assert list((sample_project / "output").iterdir()) == []
    assert (sample_project / "chapters" / "02-data.md").exists()


def test_test_passes_everything_after_it_to_pytest(monkeypatch: pytest.MonkeyPatch) -> None:
    from folio import cli

    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "run_tests", lambda args: len(seen.append(args) or []))  # type: ignore[func-returns-value]
    assert cli.main(["--plain", "test", "-k", "golden", "-x"]) == 0
    assert cli.main(["--project", str(cli.ROOT), "test", "tests/unit", "-q"]) == 0
    assert cli.main(["test", "--plain"]) == 0            # '.ci/run' writes folio's flag after 'test'
    assert cli.main(["test", "--plain", "tests/e2e", "-x"]) == 0
    assert seen == [["-k", "golden", "-x"], ["tests/unit", "-q"], [], ["tests/e2e", "-x"]]


def test_several_editions_in_one_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from folio import cli

    seen: list[object] = []
    monkeypatch.setattr(cli, "run_build", lambda console, root, targets, strict, plain: len(seen.append(targets) or []))  # type: ignore[func-returns-value]
    assert cli.main(["--plain", "pdf", "epub"]) == 0
    assert seen == [("pdf", "epub")]
    assert cli.main(["--plain", "pdf", "nonsense"]) == 2
