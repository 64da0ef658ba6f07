"""Integration level, on tests/sample_book: an edition this book does not have, declared only in
book.yaml, builds with no change to folio/ (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from folio import cli
from folio.build import build
from folio.config import load_book

MM = 72 / 25.4


def test_the_sample_declares_six_editions_and_one_this_book_lacks(sample_project: Path) -> None:
    sample = load_book(sample_project)
    real = load_book(Path(__file__).resolve().parents[2])
    assert len(sample.editions) == 6
    assert set(sample.editions) - set(real.editions) == {"a5-print"}


def test_an_a5_print_edition_builds_from_book_yaml_alone(sample_project: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # Through the command line, as an editor would: the command exists because book.yaml names it.
    code = cli.main(["a5-print", "--project", str(sample_project), "--plain"])
    out = capsys.readouterr()
    assert code == 0, out.err
    pdf = sample_project / "output" / "sample-trends-a5.pdf"
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) % 4 == 0                      # the default printer's page multiple
        page = doc.pages[0]
        trim = [float(x) for x in page.obj["/TrimBox"]]
        bleed = [float(x) for x in page.obj["/BleedBox"]]
    assert (round((trim[2] - trim[0]) / MM), round((trim[3] - trim[1]) / MM)) == (148, 210)
    assert round((trim[0] - bleed[0]) / MM) == 3
    assert (sample_project / "output" / "sample-trends-a5-preflight.json").is_file()


def test_an_edition_the_book_does_not_declare_is_refused(sample_project: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = cli.main(["a4-print", "--project", str(sample_project), "--plain"])
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2
    assert "invalid choice: 'a4-print'" in capsys.readouterr().err
    with pytest.raises(Exception, match="no edition named 'a4-print'"):
        build(sample_project, ("a4-print",))
