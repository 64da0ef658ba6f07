"""Tools we did not write read the finished PDFs of the real book, and pikepdf confirms them.

- Mozilla pdf.js (npm ``pdfjs-dist``, pinned in package-lock.json): ``getStructTree``,
  ``getTextContent({includeMarkedContent})`` and ``getAnnotations`` on every page
  (tests/e2e/pdfjs_structure.mjs only counts what the library returns);
- poppler (Debian ``poppler-utils``): ``pdfinfo -struct-text``;
- outloud (PyPI, test-only: requirements-test.lock; it pulls in AGPL PyMuPDF, so folio/ never
  imports it), a PDF/UA-1 checker.

They must agree, on the member and large-print PDFs, that every link annotation hangs from a
/Link element that has text, that no text is outside both the structure tree and the artifacts,
and that no element is detached; outloud must report no error at all (pull quotes have words of
their own, so nothing but pagination is an artifact); on the press PDF there is no annotation at
all. fontTools reads the large print's embedded font programs by their own name tables, and the
accessibility statement must name the versions of the tools that ran here.

A missing tool makes its test FAIL with the command that installs it (``make_book.py test``
installs them all: npm ci, apt-get install poppler-utils as root, pip install -r
requirements-test.lock).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from folio.bootstrap import ensure_debian_tool
from folio.build import BuildReport
from tests.e2e.test_collection import COLLECTION

pytestmark = pytest.mark.e2e
Built = tuple[Path, BuildReport]
ROOT = Path(__file__).resolve().parents[2]
# The book, its large print, the five-trends summary and each theme's PDF of its own (issue 18).
TAGGED = ("digital-trends-2026.pdf", "digital-trends-2026-large-print.pdf", "digital-trends-2026-five-trends-summary.pdf",
          *COLLECTION)
PRESS = "digital-trends-2026-press.pdf"


# --------------------------------------------------------------------------------------------
# pikepdf: the reference reading
# --------------------------------------------------------------------------------------------


@dataclass
class Pike:
    annotations: set[int] = field(default_factory=set)           # object numbers of link annotations
    in_link: set[int] = field(default_factory=set)               # ... whose ParentTree entry is a Link with an OBJR to it
    detached: int = 0                                            # ParentTree elements the root cannot reach
    artifact_kinds: list[str] = field(default_factory=list)      # the /Type of every /Artifact sequence


def _content_streams(page: pikepdf.Page) -> list[pikepdf.Stream]:
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Array):
        return [c for c in contents if isinstance(c, pikepdf.Stream)]
    return [contents] if isinstance(contents, pikepdf.Stream) else []


def read_pike(path: Path) -> Pike:
    out = Pike()
    with pikepdf.open(path) as pdf:
        st = pdf.Root.get("/StructTreeRoot")
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                out.annotations.add(annot.objgen[0])
            for stream in _content_streams(page):
                out.artifact_kinds += [m.decode() for m in re.findall(rb"/Artifact\s*<<\s*/Type\s*/(\w+)", stream.read_bytes())]
        if st is None:
            return out
        reachable: set[tuple[int, int]] = set()
        stack: list[Any] = [st.K]
        while stack:
            item = stack.pop()
            if isinstance(item, pikepdf.Array):
                stack.extend(item)
            elif isinstance(item, pikepdf.Dictionary) and "/S" in item:
                if item.objgen in reachable:
                    continue
                reachable.add(item.objgen)
                if "/K" in item:
                    stack.append(item.K)
        nums = st.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                owner = parents.get(int(annot.get("/StructParent", -1)))
                if isinstance(owner, pikepdf.Dictionary) and owner.S == "/Link" and owner.objgen in reachable and any(
                        isinstance(k, pikepdf.Dictionary) and k.get("/Obj") is not None and k.Obj.objgen == annot.objgen
                        for k in (owner.K if isinstance(owner.K, pikepdf.Array) else [owner.K])):
                    out.in_link.add(annot.objgen[0])
        owners = [e for v in parents.values() for e in (v if isinstance(v, pikepdf.Array) else [v])]
        out.detached = len({e.objgen for e in owners if isinstance(e, pikepdf.Dictionary) and e.objgen not in reachable})
    return out


# --------------------------------------------------------------------------------------------
# The third-party tools, run once per session on the real build
# --------------------------------------------------------------------------------------------


def _node() -> str:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "pdfjs-dist").is_dir():
        pytest.fail("pdf.js cannot run: install Node.js and the npm test tools (apt-get install -y nodejs npm; npm ci --omit=optional)")
    return node


def pdfjs(path: Path) -> dict[str, Any]:
    done = subprocess.run([_node(), str(ROOT / "tests" / "e2e" / "pdfjs_structure.mjs"), str(path)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def poppler(path: Path) -> list[tuple[int, str]]:
    """``pdfinfo -struct-text`` as (indent level, line) pairs."""
    if not ensure_debian_tool("pdfinfo", "poppler-utils", "the poppler structure test"):
        pytest.fail("pdfinfo is missing: sudo apt-get install -y poppler-utils")
    done = subprocess.run(["pdfinfo", "-struct-text", str(path)], capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr
    lines = []
    for line in done.stdout.splitlines():
        stripped = line.lstrip(" ")
        if stripped:
            lines.append(((len(line) - len(stripped)) // 2, stripped))
    return lines


@dataclass
class PopplerLinks:
    links: int = 0
    links_without_text: int = 0
    objects_in_links: set[int] = field(default_factory=set)
    tree_chars: int = 0


def poppler_links(lines: list[tuple[int, str]]) -> PopplerLinks:
    out = PopplerLinks()
    out.tree_chars = sum(len(re.sub(r"\s", "", text[1:-1])) for _, text in lines if text.startswith('"'))
    for i, (level, text) in enumerate(lines):
        if not re.match(r"Link\b", text):
            continue
        out.links += 1
        has_text = False
        for sub_level, sub in lines[i + 1:]:
            if sub_level <= level:
                break
            if sub.startswith('"') and sub.strip('"').strip():
                has_text = True
            found = re.match(r"Object (\d+) \d+$", sub)
            if found and sub_level == level + 1:
                out.objects_in_links.add(int(found.group(1)))
        out.links_without_text += not has_text
    return out


def outloud(path: Path) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("outloud")
    if not exe.exists():
        pytest.fail("outloud is missing: .venv/bin/python -m pip install -r requirements-test.lock (make_book.py test does it)")
    report = path.with_suffix(".outloud.json")
    done = subprocess.run([str(exe), "-q", "--json", str(report), str(path)], capture_output=True, text=True, timeout=1800,
                          check=False)
    assert report.exists(), done.stdout + done.stderr
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))["results"][0]
    return result


@pytest.fixture(scope="session")
def readings(real_build: Built) -> dict[str, dict[str, Any]]:
    """Every tool on every PDF, two at a time (the machine has two cores)."""
    from concurrent.futures import Future, ThreadPoolExecutor

    root, _ = real_build
    out: dict[str, dict[str, Any]] = {}
    with ThreadPoolExecutor(2) as pool:
        jobs: dict[tuple[str, str], Future[Any]] = {}
        for name in TAGGED:
            path = root / "output" / name
            jobs[(name, "pdfjs")] = pool.submit(pdfjs, path)
            jobs[(name, "poppler")] = pool.submit(poppler, path)
            jobs[(name, "outloud")] = pool.submit(outloud, path)
        jobs[(PRESS, "pdfjs")] = pool.submit(pdfjs, root / "output" / PRESS)
        for (name, tool), job in jobs.items():
            out.setdefault(name, {})[tool] = job.result()
    for name in (*TAGGED, PRESS):
        out[name]["pike"] = read_pike(root / "output" / name)
    return out


# --------------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TAGGED)
def test_links_are_in_link_elements_with_text(readings: dict[str, dict[str, Any]], name: str) -> None:
    pike: Pike = readings[name]["pike"]
    js = readings[name]["pdfjs"]["links"]
    pop = poppler_links(readings[name]["poppler"])
    assert pike.annotations and pike.in_link == pike.annotations, sorted(pike.annotations - pike.in_link)[:10]
    assert js["annotations"] == js["in_link"] == js["in_link_with_text"] == len(pike.annotations), readings[name]["pdfjs"]
    assert js["link_elements_without_text"] == 0, readings[name]["pdfjs"]["examples"]
    assert pop.objects_in_links == pike.annotations, sorted(pike.annotations - pop.objects_in_links)[:10]
    assert pop.links == js["link_elements"] and pop.links_without_text == 0, pop


@pytest.mark.parametrize("name", TAGGED)
def test_text_is_in_the_tree_or_an_artifact(readings: dict[str, dict[str, Any]], name: str) -> None:
    chars = readings[name]["pdfjs"]["chars"]
    pop = poppler_links(readings[name]["poppler"])
    assert chars["unreached"] == 0 and chars["outside"] == 0, readings[name]["pdfjs"]["examples"]["unreached"]
    assert chars["in_tree"] + chars["artifact"] == chars["total"]
    assert chars["artifact"] > 0                       # the running heads and page numbers
    # poppler walks the tree from the root and finds exactly the text pdf.js finds in it.
    assert pop.tree_chars == chars["in_tree"], (pop.tree_chars, chars)


@pytest.mark.parametrize("name", TAGGED)
def test_no_detached_elements(readings: dict[str, dict[str, Any]], name: str) -> None:
    assert readings[name]["pike"].detached == 0
    assert readings[name]["pdfjs"]["unreached_mcids"] == 0


@pytest.mark.parametrize("name", TAGGED)
def test_outloud_finds_no_pdfua_errors(readings: dict[str, dict[str, Any]], name: str) -> None:
    """outloud reports no error at all, and none of the warnings about links, tags or artifacts;
    pikepdf confirms the two things outloud's artifact rule (TAG-002) looks at: no text is an
    artifact except pagination, and every link annotation hangs from a /Link element."""
    result = readings[name]["outloud"]
    assert result["error"] is None, result["error"]
    errors = [f for f in result["findings"] if f["severity"] == "error"]
    assert errors == [], [(f["rule"], f["message"], f.get("page"), f.get("evidence")) for f in errors]
    warnings = {f["rule"] for f in result["findings"] if f["severity"] == "warning"}
    assert not warnings & {"LNK-001", "LNK-003", "LNK-004", "TAG-001", "TAG-002", "TAG-003", "TAG-004"}, warnings
    pike: Pike = readings[name]["pike"]
    assert pike.artifact_kinds and set(pike.artifact_kinds) == {"Pagination"}, Counter(pike.artifact_kinds)
    assert pike.in_link == pike.annotations


def test_press_pdf_has_no_annotations(readings: dict[str, dict[str, Any]], real_build: Built) -> None:
    root, _ = real_build
    assert readings[PRESS]["pike"].annotations == set()
    assert readings[PRESS]["pdfjs"]["links"]["annotations"] == 0
    with pikepdf.open(root / "output" / PRESS) as pdf:
        assert all("/Annots" not in page.obj for page in pdf.pages)
    text = subprocess.run(["pdftotext", str(root / "output" / PRESS), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Socitm’s website (socitm.net)" in " ".join(text.split())        # the address printed instead


def test_statement_names_the_versions_that_ran(readings: dict[str, dict[str, Any]], real_build: Built) -> None:
    """The accessibility statement in the built book names the versions of outloud, pdf.js and
    poppler that these tests ran (not a version typed into the text)."""
    root, _ = real_build
    text = " ".join((root / "output" / "build" / "digital-trends-2026.html").read_text(encoding="utf-8").split())
    ran_outloud = json.loads((root / "output" / TAGGED[0]).with_suffix(".outloud.json").read_text(encoding="utf-8"))
    assert f"outloud {ran_outloud['tool']['version']} reports" in text
    pdfjs_version = json.loads((ROOT / "node_modules" / "pdfjs-dist" / "package.json").read_text(encoding="utf-8"))["version"]
    assert f"pdf.js {pdfjs_version} " in text
    done = subprocess.run(["pdfinfo", "-v"], capture_output=True, text=True, check=False)
    poppler_version = re.search(r"pdfinfo version (\S+)", done.stdout + done.stderr)
    assert poppler_version and f"poppler {poppler_version.group(1)} (pdfinfo)" in text


def test_large_print_fonts_are_one_family_by_their_own_name_tables(real_build: Built) -> None:
    """pdffonts and pdfium name a font by its /BaseFont, which WeasyPrint takes from the CSS family;
    the embedded font program's own name table (read with fontTools) says which font it really is.
    Inter declared under the large-print family name once passed for Atkinson by /BaseFont."""
    import io

    from fontTools.ttLib import TTFont

    root, _ = real_build
    names: dict[str, str] = {}
    with pikepdf.open(root / "output" / "digital-trends-2026-large-print.pdf") as pdf:
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                descriptor = font.DescendantFonts[0].FontDescriptor if "/DescendantFonts" in font else font.FontDescriptor
                stream = next((descriptor[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor), None)
                assert stream is not None, f"{font.BaseFont} is not embedded"
                names[str(font.BaseFont)] = str(TTFont(io.BytesIO(stream.read_bytes()))["name"].getDebugName(1))
    assert names and {n.removesuffix(" ExtraBold") for n in names.values()} == {"Atkinson Hyperlegible Next"}, names
    done = subprocess.run(["pdffonts", str(root / "output" / "digital-trends-2026-large-print.pdf")],
                          capture_output=True, text=True, check=True)
    assert all("Atkinson-Hyperlegible-Next" in line for line in done.stdout.splitlines()[2:]), done.stdout
