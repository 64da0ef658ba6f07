"""folio.pdftags repairs what WeasyPrint 70 tags wrongly, and folio.audit's structure checks
(A119-A124) see each defect in WeasyPrint's own output and none after the repair.

tests/fixtures/a11y/weasyprint-defects.html has each defect the real book has: running heads and
page numbers in margin boxes, a link with an inline child, a contents entry with a leader and a
page number, a figure, and a pull quote (with words of its own: it stays content).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from folio.audit import audit_pdf
from folio.errors import Finding
from folio.pdf import press_links, short_address
from folio.pdftags import finish_tagged, strip_annotations

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "a11y" / "weasyprint-defects.html"
NEW_CODES = ("A119", "A120", "A121", "A122", "A123", "A124")


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import weasyprint

    target = tmp_path_factory.mktemp("defects") / "raw.pdf"
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    weasyprint.HTML(filename=str(FIXTURE)).write_pdf(target, pdf_variant="pdf/ua-1", pdf_identifier=b"0" * 32)
    return target


@pytest.fixture
def finished(raw: Path, tmp_path: Path) -> Path:
    target = tmp_path / "finished.pdf"
    shutil.copy(raw, target)
    finish_tagged(target)
    return target


def by_code(findings: list[Finding]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in findings:
        out.setdefault(f.code, []).append(f.message)
    return out


def elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    stack: list[Any] = [pdf.Root.StructTreeRoot.K]
    while stack:
        item = stack.pop()
        if isinstance(item, pikepdf.Array):
            stack.extend(reversed(list(item)))
        elif isinstance(item, pikepdf.Dictionary) and "/S" in item:
            yield item
            if "/K" in item:
                stack.append(item.K)


def test_weasyprint_output_fails_every_structure_check(raw: Path) -> None:
    found = by_code(audit_pdf(raw))
    assert sorted(c for c in found if c in NEW_CODES) == list(NEW_CODES), found
    assert any("RUNNING HEAD" in m for m in found["A122"]), found["A122"]
    assert any("'second'" in m for m in found["A121"]), found["A121"]


def test_finished_pdf_passes_the_audit(finished: Path) -> None:
    findings = audit_pdf(finished)
    assert findings == [], [f.format() for f in findings]


def test_links_hang_from_link_elements_with_their_text(finished: Path) -> None:
    with pikepdf.open(finished) as pdf:
        st = pdf.Root.StructTreeRoot
        nums = st.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        contents = []
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                owner = parents[int(annot.StructParent)]
                assert owner.S == "/Link"
                assert any(k.get("/Obj") is not None and k.Obj.objgen == annot.objgen
                           for k in owner.K if isinstance(k, pikepdf.Dictionary))
                assert int(annot.F) & 4          # printed like the rest of the page
                contents.append(str(annot.Contents))
        assert "the second chapter" in contents
        assert "Socitm's website" in contents
        assert any(c.startswith("Second chapter") for c in contents)      # the contents entry, leader and page
        assert "second" not in contents
        links = [e for e in elements(pdf) if e.S == "/Link"]
        assert all(not any(a.S == "/Link" for a in _ancestors(e)) for e in links)


def _ancestors(elem: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
    node = elem.get("/P")
    while isinstance(node, pikepdf.Dictionary) and "/S" in node:
        yield node
        node = node.get("/P")


def test_margin_boxes_become_artifacts_and_nothing_else(raw: Path, finished: Path) -> None:
    def artifacts(path: Path) -> list[bytes]:
        with pikepdf.open(path) as pdf:
            return [kind for page in pdf.pages for kind in
                    __import__("re").findall(rb"/Artifact\s*<<\s*/Type\s*/(\w+)", page.Contents.read_bytes())]

    before, after = artifacts(raw), artifacts(finished)
    assert before == []
    assert after.count(b"Pagination") >= 4          # a running head and a page number on each of two pages
    assert set(after) == {b"Pagination"}            # the pull quote is not an artifact
    with pikepdf.open(finished) as pdf:
        paragraphs = [e for e in elements(pdf) if e.S == "/P"]
    assert len(paragraphs) == 4                     # the pull quote's paragraph is in the tree, once


def test_figure_box_is_in_page_space(finished: Path) -> None:
    with pikepdf.open(finished) as pdf:
        figure = next(e for e in elements(pdf) if e.S == "/Figure")
        x0, y0, x1, y1 = (float(v) for v in figure.A.BBox)
        width, height = (float(v) for v in pdf.pages[0].MediaBox[2:])
    assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    assert x1 - x0 == pytest.approx(110 * 72 / 25.4, abs=1)      # the image is 110 mm wide


def test_finishing_is_byte_reproducible(raw: Path, tmp_path: Path) -> None:
    digests = set()
    for name in ("a.pdf", "b.pdf"):
        copy = tmp_path / name
        shutil.copy(raw, copy)
        finish_tagged(copy)
        digests.add(hashlib.sha256(copy.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_strip_annotations_leaves_none(raw: Path, tmp_path: Path) -> None:
    copy = tmp_path / "press.pdf"
    shutil.copy(raw, copy)
    assert strip_annotations(copy) >= 3
    with pikepdf.open(copy) as pdf:
        assert all("/Annots" not in page.obj for page in pdf.pages)


def test_press_prints_web_addresses() -> None:
    html = ('<p>See <a href="https://www.socitm.net/">Socitm’s website</a>, '
            '<a href="https://socitm.net">Socitm’s website at socitm.net</a> and '
            '<a href="https://example.org/a">https://example.org/a</a> and <a href="#x">inside</a>.</p>')
    out = press_links(html)
    assert '</a><span class="link-address"> (socitm.net)</span>, ' in out
    assert out.count("link-address") == 1
    assert short_address("https://www.gov.uk/") == "gov.uk"
