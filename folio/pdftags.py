"""Post-processing of the finished PDFs with pikepdf: what WeasyPrint 70 cannot express.

WeasyPrint 70 tags the member and large-print PDFs, but (upstream issues #1836 and #2482):

- margin-box content (running heads, page numbers) is marked with MCIDs whose structure elements
  are never linked into the tree, so it is neither reachable content nor an artifact;
- an ``<a>`` with inline children gets one link annotation per inline box, and most of those
  annotations hang from ``Span``/``NonStruct`` elements, not from the ``Link``; a TOC entry's
  leader and page number become ``Link`` elements nested in the ``Link``, the leader one empty;
- every annotation's ``/Contents`` is the raw address or the anchor id ("foreword");
- a Figure's ``/BBox`` is in CSS pixels from the top of the page, not in PDF user space.

``finish_tagged`` fixes each of these on the written file, in place, in one pikepdf pass:

1. marked content whose structure element is not reachable from the root becomes
   ``/Artifact <</Type /Pagination>>`` in the content stream; its ParentTree entries are cleared,
   so the detached elements are no longer written;
2. every link annotation's ``/OBJR`` moves to the outermost ``Link`` element above it (the
   ParentTree follows), nested ``Link`` elements become ``Span``, a ``Link`` without text gets an
   ``/Alt``; each annotation's ``/Contents`` becomes the text of its whole link (all line pieces),
   or the address when the link has no text, and its Print flag is set;
3. every Figure ``/BBox`` is mapped through the page's initial transformation and clipped to the
   page.

Pull quotes are not touched: they have words of their own (the source check S011 refuses a pull
quote that repeats a sentence, ``folio.pullquotes``), so they are content like any paragraph and
nothing but pagination is an artifact.

``strip_annotations`` removes every annotation from the press PDF (PDF/X allows none in the
printed area, and a printed page needs no live links). Both are deterministic: the same input
gives the same bytes (``deterministic_id``), so builds stay byte-reproducible.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from . import pdfread

__all__ = ["TagReport", "finish_tagged", "strip_annotations"]

Marked = tuple[int, int]          # (page index, MCID)
Key = tuple[int, int]             # objgen of an indirect object


@dataclass
class TagReport:
    """What ``finish_tagged`` changed (for tests and the build log)."""
    artifacts: int = 0                 # marked-content sequences turned into artifacts
    detached: int = 0                  # structure elements that owned content but were not in the tree
    annotations_moved: int = 0         # OBJRs moved to their Link element
    nested_links: int = 0              # Link elements inside a Link, now Span
    alt_added: int = 0                 # Link elements without text, given /Alt
    contents: int = 0                  # annotations whose /Contents was rewritten
    figures: int = 0                   # Figure /BBox rewritten
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Content streams: text per MCID (a fast tokeniser for WeasyPrint's output) and artifact rewrite
# --------------------------------------------------------------------------------------------

_FONT = re.compile(rb"/([^\s/<>\[\]()]+)\s+-?[\d.]+\s+Tf")
_HEXSTR = re.compile(rb"<([0-9A-Fa-f]+)>")
_MC_WITH_MCID = re.compile(rb"/([A-Za-z0-9_.]+)\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def _streams(page: pikepdf.Page) -> list[pikepdf.Stream]:
    contents = page.obj.get("/Contents")
    if isinstance(contents, pikepdf.Stream):
        return [contents]
    if isinstance(contents, pikepdf.Array):
        return [c for c in contents if isinstance(c, pikepdf.Stream)]
    return []


def _page_text(page: pikepdf.Page, wanted: set[int], fonts: dict[Key, pdfread.Font]) -> dict[int, str]:
    """MCID -> text drawn in it, for the ``wanted`` MCIDs only. Reads hex strings (WeasyPrint writes all
    text in Type 0 fonts as hex) between the MCID's BDC and the next EMC; the font is the last Tf."""
    local = {name.lstrip("/").encode("latin-1"): font for name, font in pdfread.page_fonts(page, fonts).items()}
    out: dict[int, str] = {}
    for stream in _streams(page):
        data = stream.read_bytes()
        font_at = [(f.start(), f.group(1)) for f in _FONT.finditer(data)]
        starts = [pos for pos, _ in font_at]
        for m in _MC_WITH_MCID.finditer(data):
            mcid = int(m.group(2))
            if mcid not in wanted:
                continue
            end = data.find(b"EMC", m.end())
            segment = data[m.end(): end if end >= 0 else len(data)]
            last = bisect.bisect_left(starts, m.start()) - 1
            font = local.get(font_at[last][1]) if last >= 0 else None
            pieces: list[str] = []
            pos = 0
            for tf in [*_FONT.finditer(segment), None]:
                stop = tf.start() if tf is not None else len(segment)
                if font is not None:
                    raw = bytes.fromhex(b"".join(_HEXSTR.findall(segment, pos, stop)).decode("ascii"))
                    if raw:
                        pieces.append(font.decode(raw)[0])
                if tf is not None:
                    font, pos = local.get(tf.group(1)), tf.end()
            out[mcid] = out.get(mcid, "") + "".join(pieces)
    return out


def _artifact_content(page: pikepdf.Page, mcids: dict[int, bytes]) -> int:
    """Turn the marked-content sequences with these MCIDs into artifacts of the given type."""
    count = 0

    def swap(m: re.Match[bytes]) -> bytes:
        nonlocal count
        kind = mcids.get(int(m.group(2)))
        if kind is None:
            return m.group(0)
        count += 1
        return b"/Artifact <</Type /" + kind + b">> BDC"

    for stream in _streams(page):
        data = stream.read_bytes()
        new = _MC_WITH_MCID.sub(swap, data)
        if new != data:
            stream.write(new)
    return count


# --------------------------------------------------------------------------------------------
# Structure tree helpers
# --------------------------------------------------------------------------------------------


def _kids(elem: pikepdf.Dictionary) -> list[Any]:
    k = elem.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _set_kids(elem: pikepdf.Dictionary, kids: list[Any]) -> None:
    elem.K = pikepdf.Array(kids)


def _is_elem(obj: Any) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj and str(obj.get("/Type", "/StructElem")) == "/StructElem"


@dataclass
class _Tree:
    order: list[pikepdf.Dictionary]                  # reachable elements, document order
    parent: dict[Key, pikepdf.Dictionary]            # element -> parent element (or the root)
    page_index: dict[Key, int]

    @functools.cached_property
    def reachable(self) -> set[Key]:
        return {e.objgen for e in self.order}

    def page_of(self, elem: pikepdf.Dictionary) -> int | None:
        node: Any = elem
        while isinstance(node, pikepdf.Dictionary):
            pg = node.get("/Pg")
            if isinstance(pg, pikepdf.Dictionary) and pg.is_indirect:
                return self.page_index.get(pg.objgen)
            node = self.parent.get(node.objgen) if node.is_indirect else None
        return None

    def ancestors(self, elem: pikepdf.Dictionary) -> Iterator[pikepdf.Dictionary]:
        node = self.parent.get(elem.objgen)
        while node is not None and "/S" in node:
            yield node
            node = self.parent.get(node.objgen)

    def marked(self, elem: pikepdf.Dictionary) -> Iterator[Marked]:
        page = self.page_of(elem)
        for kid in _kids(elem):
            if isinstance(kid, int):
                if page is not None:
                    yield (page, kid)
            elif isinstance(kid, pikepdf.Dictionary) and str(kid.get("/Type", "")) == "/MCR":
                pg = kid.get("/Pg")
                mpage = self.page_index.get(pg.objgen) if isinstance(pg, pikepdf.Dictionary) else page
                if mpage is not None and "/MCID" in kid:
                    yield (mpage, int(kid.MCID))
            elif _is_elem(kid):
                yield from self.marked(kid)


def _read_tree(pdf: pikepdf.Pdf, root: pikepdf.Dictionary) -> _Tree:
    page_index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    order: list[pikepdf.Dictionary] = []
    parent: dict[Key, pikepdf.Dictionary] = {}
    seen: set[Key] = set()
    stack: list[tuple[Any, pikepdf.Dictionary]] = [(k, root) for k in reversed(_kids(root))]
    while stack:
        kid, up = stack.pop()
        if not _is_elem(kid) or not kid.is_indirect or kid.objgen in seen:
            continue
        seen.add(kid.objgen)
        parent[kid.objgen] = up
        order.append(kid)
        stack.extend((k, kid) for k in reversed(_kids(kid)))
    return _Tree(order, parent, page_index)


def _number_tree(root: Any) -> dict[int, Any]:
    out: dict[int, Any] = {}
    stack = [root] if isinstance(root, pikepdf.Dictionary) else []
    while stack:
        node = stack.pop()
        nums = node.get("/Nums")
        if isinstance(nums, pikepdf.Array):
            for i in range(0, len(nums) - 1, 2):
                out[int(nums[i])] = nums[i + 1]
        stack.extend(k for k in node.get("/Kids", []) if isinstance(k, pikepdf.Dictionary))
    return out


def _norm(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# The pass
# --------------------------------------------------------------------------------------------

def _initial_matrix(page: pikepdf.Page) -> tuple[float, float, float, float, float, float]:
    """The product of the ``cm`` operators WeasyPrint writes before anything is drawn."""
    streams = _streams(page)
    head = streams[0].read_bytes()[:400] if streams else b""
    m = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    for found in re.finditer(rb"((?:-?[\d.]+\s+){6})cm|BDC|BMC|BT|Do|re\b", head):
        if found.group(1) is None:
            break
        a, b, c, d, e, f = (float(x) for x in found.group(1).split())
        m0 = m
        m = (a * m0[0] + b * m0[2], a * m0[1] + b * m0[3], c * m0[0] + d * m0[2], c * m0[1] + d * m0[3],
             e * m0[0] + f * m0[2] + m0[4], e * m0[1] + f * m0[3] + m0[5])
    return m


def _fix_bbox(elem: pikepdf.Dictionary, page: pikepdf.Page) -> bool:
    attrs = elem.get("/A")
    items = list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]
    changed = False
    media = [float(v) for v in page.obj.get("/CropBox", page.obj.MediaBox)]
    px0, py0, px1, py1 = min(media[0], media[2]), min(media[1], media[3]), max(media[0], media[2]), max(media[1], media[3])
    m = _initial_matrix(page)
    for attr in items:
        if not isinstance(attr, pikepdf.Dictionary) or "/BBox" not in attr:
            continue
        x1, y1, x2, y2 = (float(v) for v in attr.BBox)
        xs, ys = [], []
        for x, y in ((x1, y1), (x2, y2)):
            xs.append(m[0] * x + m[2] * y + m[4])
            ys.append(m[1] * x + m[3] * y + m[5])
        box = [max(px0, min(xs)), max(py0, min(ys)), min(px1, max(xs)), min(py1, max(ys))]
        attr.BBox = pikepdf.Array([round(v, 3) for v in box])
        changed = True
    return changed


def _target(annot: pikepdf.Dictionary) -> str:
    action = annot.get("/A")
    if isinstance(action, pikepdf.Dictionary):
        if "/URI" in action:
            return str(action.URI)
        if "/D" in action:
            return "#" + str(action.D)
    if "/Dest" in annot:
        return "#" + str(annot.Dest)
    return ""


def _null() -> pikepdf.Object:
    return pikepdf.Object.parse(b"null")


def finish_tagged(path: Path) -> TagReport:
    """Fix the structure of the tagged PDF at ``path`` in place (see the module docstring)."""
    report = TagReport()
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        st = pdf.Root.get("/StructTreeRoot")
        if not isinstance(st, pikepdf.Dictionary):
            report.notes.append("no structure tree")
            return report
        tree = _read_tree(pdf, st)
        parents = _number_tree(st.get("/ParentTree"))
        # 1. Content whose element is not in the tree: running heads and page numbers.
        artifacts = _detach_unreachable(pdf, tree, parents, report)
        links = [e for e in tree.order if str(e.S) == "/Link"]
        text_of = _link_texts(pdf, tree, links)          # read before the artifacts are rewritten
        for i, kinds in sorted(artifacts.items()):
            report.artifacts += _artifact_content(pdf.pages[i], kinds)
        # 2. Links: every annotation hangs from the outermost Link element above it, and is
        # described by the text of its whole link.
        links_of = _hang_annotations(pdf, tree, parents, report)
        outer_links = _unnest_links(tree, links, report)
        _describe_links(tree, outer_links, links_of, text_of, report)
        # 3. Figure bounding boxes in page space, inside the page.
        for elem in tree.order:
            if str(elem.S) == "/Figure":
                figure_page = tree.page_of(elem)
                if figure_page is not None and _fix_bbox(elem, pdf.pages[figure_page]):
                    report.figures += 1
        _write_number_tree(pdf, st, parents)
        pdf.save(path, deterministic_id=True)
    return report


def _reachable(tree: _Tree, obj: Any) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and obj.is_indirect and obj.objgen in tree.reachable


def _detach_unreachable(pdf: pikepdf.Pdf, tree: _Tree, parents: dict[int, Any],
                        report: TagReport) -> dict[int, dict[int, bytes]]:
    """Clear the ParentTree entries of marked content whose element is not in the tree; return
    page -> MCID -> artifact type, for ``_artifact_content``."""
    artifacts: dict[int, dict[int, bytes]] = {}
    detached: set[Key] = set()
    for i, page in enumerate(pdf.pages):
        sp = page.obj.get("/StructParents")
        arr = parents.get(int(sp)) if sp is not None else None
        if not isinstance(arr, pikepdf.Array):
            continue
        for mcid, elem in enumerate(list(arr)):
            if _reachable(tree, elem):
                continue
            if isinstance(elem, pikepdf.Dictionary) and elem.is_indirect:
                detached.add(elem.objgen)
            artifacts.setdefault(i, {})[mcid] = b"Pagination"
            arr[mcid] = _null()
    report.detached = len(detached)
    return artifacts


def _link_texts(pdf: pikepdf.Pdf, tree: _Tree, links: list[pikepdf.Dictionary]) -> Callable[[pikepdf.Dictionary], str]:
    """The text of each Link element, read from the content streams of the pages it marks."""
    marked = {e.objgen: list(tree.marked(e)) for e in links}
    need: dict[int, set[int]] = {}
    for refs in marked.values():
        for page_no, mcid in refs:
            need.setdefault(page_no, set()).add(mcid)
    fonts: dict[Key, pdfread.Font] = {}
    texts: dict[Marked, str] = {}
    for page_no, mcids in need.items():
        for mcid, text in _page_text(pdf.pages[page_no], mcids, fonts).items():
            texts[(page_no, mcid)] = text

    def text_of(elem: pikepdf.Dictionary) -> str:
        return _norm("".join(texts.get(k, "") for k in marked.get(elem.objgen, [])))
    return text_of


def _hang_annotations(pdf: pikepdf.Pdf, tree: _Tree, parents: dict[int, Any],
                      report: TagReport) -> dict[Key, list[pikepdf.Dictionary]]:
    """Move each link annotation's OBJR to the outermost Link element above it; return Link
    element -> its annotations."""
    links_of: dict[Key, list[pikepdf.Dictionary]] = {}
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if not isinstance(annot, pikepdf.Dictionary) or str(annot.get("/Subtype", "")) != "/Link":
                continue
            sp_obj = annot.get("/StructParent")
            number = int(sp_obj) if sp_obj is not None else -1
            owner: Any = parents.get(number)
            if number < 0 or not _reachable(tree, owner):
                report.notes.append(f"link annotation {annot.objgen} has no structure element in the tree")
                continue
            outer = _outermost_link(tree, owner)
            if outer.objgen != owner.objgen:
                _move_objr(annot, page, owner, outer)
                parents[number] = outer
                report.annotations_moved += 1
            links_of.setdefault(outer.objgen, []).append(annot)
            annot.F = 4                                   # Print: screen and paper agree
    return links_of


def _outermost_link(tree: _Tree, owner: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The outermost Link element at or above ``owner``; ``owner`` itself, made a Link, if none."""
    chain = [owner, *tree.ancestors(owner)]
    outer = next((e for e in reversed(chain) if str(e.S) == "/Link"), None)
    if outer is None:
        owner.S = pikepdf.Name.Link
        outer = owner
    return outer


def _move_objr(annot: pikepdf.Dictionary, page: pikepdf.Page, owner: pikepdf.Dictionary, outer: pikepdf.Dictionary) -> None:
    kept, moved = [], []
    for k in _kids(owner):
        if isinstance(k, pikepdf.Dictionary) and str(k.get("/Type", "")) == "/OBJR" \
                and k.get("/Obj") is not None and k.Obj.objgen == annot.objgen:
            moved.append(k)
        else:
            kept.append(k)
    _set_kids(owner, kept)
    if not moved:
        moved = [pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annot, Pg=page.obj)]
    _set_kids(outer, [*_kids(outer), *moved])


def _unnest_links(tree: _Tree, links: list[pikepdf.Dictionary], report: TagReport) -> list[pikepdf.Dictionary]:
    """Link elements inside a Link become Span; return the outer ones."""
    outer_links = []
    for elem in links:
        if any(str(a.S) == "/Link" for a in tree.ancestors(elem)):
            elem.S = pikepdf.Name.Span
            report.nested_links += 1
        else:
            outer_links.append(elem)
    return outer_links


def _describe_links(tree: _Tree, outer_links: list[pikepdf.Dictionary], links_of: dict[Key, list[pikepdf.Dictionary]],
                    text_of: Callable[[pikepdf.Dictionary], str], report: TagReport) -> None:
    """Group Link elements into links (WeasyPrint writes one per line box of an <a>) and
    describe each annotation by the text of its whole link."""
    groups: list[tuple[str, list[pikepdf.Dictionary]]] = []
    for elem in outer_links:
        annots = links_of.get(elem.objgen, [])
        target = _target(annots[0]) if annots else ""
        block = next((a.objgen for a in tree.ancestors(elem) if str(a.S) not in ("/Span", "/NonStruct", "/Link")), None)
        key = f"{target}|{block}"
        if groups and target and groups[-1][0] == key:
            groups[-1][1].append(elem)
        else:
            groups.append((key, [elem]))
    for key, elems in groups:
        target = key.split("|", 1)[0]
        text = _norm(" ".join(text_of(e) for e in elems))
        description = text or _describe(target)
        for elem in elems:
            if not text_of(elem) and "/Alt" not in elem:
                elem.Alt = pikepdf.String(description)
                report.alt_added += 1
            for annot in links_of.get(elem.objgen, []):
                annot.Contents = pikepdf.String(description[:500])
                report.contents += 1


def _write_number_tree(pdf: pikepdf.Pdf, st: pikepdf.Dictionary, parents: dict[int, Any]) -> None:
    nums: list[Any] = []
    for key in sorted(parents):
        nums += [key, parents[key]]
    st.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))


def _describe(target: str) -> str:
    """A readable description for a link without text: its address, never an anchor id."""
    if target.startswith("#") or not target:
        return "Link to another part of this document"
    return target


def strip_annotations(path: Path) -> int:
    """Remove every annotation from the PDF at ``path`` (the press edition); return how many."""
    removed = 0
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        for page in pdf.pages:
            annots = page.obj.get("/Annots")
            if annots is not None:
                removed += len(annots)
                del page.obj["/Annots"]
            if "/Tabs" in page.obj:
                del page.obj["/Tabs"]
        pdf.save(path, deterministic_id=True)
    return removed
