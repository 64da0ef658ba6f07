"""The accessibility statement claims only what a test enforces, and names the tools with the
versions the project pins (folio.a11y.claims)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from folio import a11y
from folio.build import read_sources

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def claims() -> tuple[list[a11y.Claim], list[a11y.Claim]]:
    sources, _ = read_sources(ROOT)
    return a11y.claims(sources)


def test_every_claim_names_tests_that_exist(claims: tuple[list[a11y.Claim], list[a11y.Claim]]) -> None:
    checked, limits = claims
    assert all(c.enforced_by for c in checked)
    for claim in [*checked, *limits]:
        for test in claim.enforced_by:
            path, _, name = test.partition("::")
            source = (ROOT / path).read_text(encoding="utf-8")
            assert re.search(rf"^def {re.escape(name)}\(", source, re.M), f"{test} does not exist"


def test_tools_are_named_with_the_pinned_versions(claims: tuple[list[a11y.Claim], list[a11y.Claim]]) -> None:
    text = " ".join(c.text for c in claims[0])
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    test_lock = (ROOT / "requirements-test.lock").read_text(encoding="utf-8")
    outloud = re.search(r"^outloud==(\S+)", test_lock, re.M)
    assert outloud and f"outloud {outloud.group(1)} reports" in text
    for tool, package in (("pdf.js", "pdfjs-dist"), ("axe-core", "axe-core"), ("DAISY Ace", "@daisy/ace-cli"),
                          ("Nu Html Checker", "vnu-jar")):
        assert f"{tool} {lock[f'node_modules/{package}']['version']}" in text, tool
    versions = a11y.tool_versions(ROOT)
    assert all(versions[t] for t in a11y.TOOLS), versions


def test_a_tool_without_a_pin_is_named_without_a_version(tmp_path: Path) -> None:
    versions = a11y.tool_versions(tmp_path)
    assert {t: versions[t] for t in a11y.TOOLS} == {t: "" for t in a11y.TOOLS}


def test_the_limits_no_longer_claim_what_is_fixed(claims: tuple[list[a11y.Claim], list[a11y.Claim]]) -> None:
    limits = " ".join(c.text for c in claims[1])
    assert "Pull quotes" not in limits and "running heads" not in limits
    assert "veraPDF" in limits and "screen reader" in limits
