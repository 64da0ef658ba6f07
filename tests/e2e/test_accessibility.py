"""End-to-end accessibility audit of the real book: the member PDF, the large-print PDF and the
EPUB must have no errors in folio.audit, and DAISY Ace must find no serious or critical violation.

Ace needs node_modules (npm ci) and Debian's chromium. Without them the Ace test FAILS and says
the exact command to run; set FOLIO_SKIP_BROWSER=1 to skip it instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from folio.audit import ace_missing, audit_epub, audit_pdf, run_ace, text_sizes
from folio.build import BuildReport
from folio.errors import Finding

pytestmark = pytest.mark.e2e
Built = tuple[Path, BuildReport]


def _errors(findings: list[Finding]) -> str:
    """The errors, one formatted finding per line ("" when there are none)."""
    return "\n".join(f.format() for f in findings if f.severity == "error")


def test_member_pdf_passes_the_audit(real_build: Built) -> None:
    root, _ = real_build
    findings = audit_pdf(root / "output" / "digital-trends-2026.pdf")
    errors = _errors(findings)
    assert not errors, errors


def test_large_print_pdf_passes_the_audit(real_build: Built) -> None:
    root, _ = real_build
    path = root / "output" / "digital-trends-2026-large-print.pdf"
    findings = audit_pdf(path, large_print=True)
    sizes = text_sizes(path)
    errors = _errors(findings)
    assert not errors, f"{errors}\ntext sizes: {sizes.summary()}"
    assert sizes.body.most_common(1)[0][0] >= 16, sizes.summary()


def test_epub_passes_the_audit(real_build: Built) -> None:
    root, _ = real_build
    errors = _errors(audit_epub(root / "output" / "digital-trends-2026.epub"))
    assert not errors, errors


def test_ace_finds_no_serious_violations(real_build: Built, tmp_path: Path) -> None:
    if os.environ.get("FOLIO_SKIP_BROWSER") == "1":
        pytest.skip("FOLIO_SKIP_BROWSER=1: DAISY Ace not run")
    missing = ace_missing()
    if missing:
        pytest.fail(f"DAISY Ace cannot run: {missing} (or set FOLIO_SKIP_BROWSER=1 to skip this test)")
    root, _ = real_build
    findings, report = run_ace(root / "output" / "digital-trends-2026.epub", tmp_path / "ace")
    serious = "\n".join(f.format() for f in findings if f.code in ("A301", "A303"))
    assert not serious, serious
    assert report["earl:assertedBy"]["doap:name"] == "DAISY Ace"
