"""Incremental builds: nothing changed means nothing rebuilt; a change rebuilds what reads it."""

from __future__ import annotations

from pathlib import Path

from folio.build import BuildReport, build


def targets(report: BuildReport) -> list[str]:
    """The targets a build published; a PDF's page-quality reports ('pdf:page-quality-html') count as the PDF."""
    return sorted({o.name.split(":")[0] for o in report.outputs})


def test_unchanged_inputs_skip_rendering(sample_project: Path) -> None:
    first = build(sample_project, targets=("pdf", "epub"))
    assert targets(first) == ["epub", "pdf"]
    assert sorted(o.name for o in first.outputs if o.name.startswith("pdf:")) == ["pdf:page-quality-html",
                                                                                   "pdf:page-quality-json"]
    pdf = sample_project / "output" / "sample-trends.pdf"
    stamp = pdf.stat().st_mtime_ns
    again = build(sample_project, targets=("pdf", "epub"))
    assert again.outputs == [] and sorted(again.up_to_date) == ["epub", "pdf"]
    assert pdf.stat().st_mtime_ns == stamp


def test_web_is_up_to_date_after_a_no_change_all(sample_project: Path) -> None:
    build(sample_project, targets=("pdf", "epub", "web"))
    again = build(sample_project, targets=("pdf", "epub", "web"))
    assert again.outputs == [] and sorted(again.up_to_date) == ["epub", "pdf", "web"]


def test_a_change_rebuilds_only_what_reads_it(sample_project: Path) -> None:
    build(sample_project, targets=("pdf", "epub"))
    css = sample_project / "layouts" / "css" / "epub.css.j2"
    css.write_text(css.read_text() + "\n/* a change only the EPUB reads */\n")
    after_css = build(sample_project, targets=("pdf", "epub"))
    assert targets(after_css) == ["epub"] and after_css.up_to_date == ["pdf"]
    chapter = sample_project / "chapters" / "02-data.md"
    chapter.write_text(chapter.read_text().replace("A case study paragraph.", "An edited case study paragraph."))
    after_edit = build(sample_project, targets=("pdf", "epub"))
    assert targets(after_edit) == ["epub", "pdf"]


def test_a_changed_or_deleted_output_is_rebuilt(sample_project: Path) -> None:
    build(sample_project, targets=("pdf",))
    pdf = sample_project / "output" / "sample-trends.pdf"
    pdf.write_bytes(pdf.read_bytes()[:-10])
    assert targets(build(sample_project, targets=("pdf",))) == ["pdf"]
    pdf.unlink()
    assert targets(build(sample_project, targets=("pdf",))) == ["pdf"]


def test_strict_does_not_trust_a_build_with_warnings(sample_project: Path) -> None:
    import json

    build(sample_project, targets=("pdf",))
    state_path = sample_project / "output" / ".cache" / "state.json"
    state = json.loads(state_path.read_text())
    state["pdf"]["warnings"] = 2
    state_path.write_text(json.dumps(state))
    assert build(sample_project, targets=("pdf",)).up_to_date == ["pdf"]
    assert build(sample_project, targets=("pdf",), strict=True, page_quality_strict=False).up_to_date == []
