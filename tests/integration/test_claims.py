"""Accessibility claims are derived from the content, and a claim it cannot back fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio import a11y
from folio.build import Sources, build
from folio.errors import BuildError


def test_a_claim_the_content_cannot_back_fails_the_build(sample_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    honest = a11y.epub_metadata

    def overclaiming(sources: Sources) -> dict[str, list[str] | str]:
        claims = honest(sources)
        claims["schema:accessibilityFeature"] = [*claims["schema:accessibilityFeature"], "pageBreakMarkers"]
        return claims

    monkeypatch.setattr(a11y, "epub_metadata", overclaiming)
    earlier = sample_project / "output" / "sample-trends.epub"
    earlier.write_bytes(b"an earlier good EPUB")
    with pytest.raises(BuildError) as caught:
        build(sample_project, targets=("epub",))
    assert [f.code for f in caught.value.findings if f.severity == "error"] == ["A210"]
    assert caught.value.findings[0].path == "sample-trends.epub"
    assert earlier.read_bytes() == b"an earlier good EPUB"


def test_honest_claims_pass_and_follow_the_content(sample_project: Path) -> None:
    build(sample_project, targets=("epub",), strict=True, page_quality_strict=False)
    import zipfile

    with zipfile.ZipFile(sample_project / "output" / "sample-trends.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode()
    assert '<meta property="schema:accessMode">visual</meta>' in opf
    assert '<meta property="schema:accessibilityFeature">alternativeText</meta>' in opf
    assert '<meta property="schema:accessibilityFeature">table</meta>' in opf
    assert '<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>' in opf
    assert "schema:accessibilitySummary" in opf
