"""Accessibility audit of the FINISHED files: the tagged PDFs, the EPUB, and DAISY Ace on the EPUB.

It judges what was written, never what the build meant to write: the PDFs are read with pikepdf
(catalogue, XMP, outline, structure tree, annotations and content streams), the EPUB as a zip
(package document, navigation document, XHTML). A claim in the EPUB metadata that the content
cannot back is an error.

Codes: ``A1xx`` PDF, ``A2xx`` EPUB, ``A3xx`` DAISY Ace. Their severity, summary and hint are in ``folio.catalogue``.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urldefrag

import pikepdf

from . import pdfread
from .catalogue import finding
from .errors import Finding


def _finding(code: str, path: str, message: str, hint: str | None = None) -> Finding:
    return finding(code, path, 0, message, hint=hint)


def _norm(text: str) -> str:
    return " ".join(text.split())


def _squash(text: str) -> str:
    return "".join(text.split()).casefold()


_VAGUE_LINK = {"click here", "here", "more", "read more", "this link", "link", "click", "this"}
_BARE_URL = re.compile(r"^(https?://|www\.)\S|^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)


# --------------------------------------------------------------------------------------------
# PDF: content streams (text per marked-content id, text sizes)
# --------------------------------------------------------------------------------------------

@dataclass
class _Run:
    """A text-showing operation: where it belongs (page, MCID or None), its size and characters."""
    page: int
    mcid: int | None
    artifact: bool
    size: float
    chars: int


@dataclass
class _PageText:
    text: dict[int, list[str]] = field(default_factory=dict)   # MCID -> pieces


@dataclass
class _TextState:
    """What the audit follows in a page's text, outside the graphics state: as before, ``Q``
    does not restore it."""
    tm: pdfread.Matrix = pdfread.IDENTITY
    font: pdfread.Font | None = None
    tf_size: float = 0.0
    marks: list[tuple[int | None, bool]] = field(default_factory=list)   # (mcid, artifact) per open sequence


def _scan_page(page: pikepdf.Page, index: int, fonts: dict[tuple[int, int], pdfread.Font],
               runs: list[_Run]) -> _PageText:
    """The text of each MCID on the page, and a run for every text-showing operation."""
    out = _PageText()
    local = pdfread.page_fonts(page, fonts)
    text = _TextState()
    try:
        program = pdfread.instructions(page)
    except pikepdf.PdfError:
        return out

    def operator(gs: pdfread.GraphicsState, op: str, operands: list[Any]) -> None:
        if op in ("TJ", "Tj", "'", '"'):
            _show_text(text, gs, operands, index, runs, out)
        elif op == "Tf" and len(operands) == 2:
            text.font = local.get(str(operands[0]))
            text.tf_size = float(operands[1])
        elif op == "Tm" and len(operands) == 6:
            text.tm = tuple(float(x) for x in operands)  # type: ignore[assignment]
        elif op == "BT":
            text.tm = pdfread.IDENTITY
        elif op == "BDC":
            tag = str(operands[0]) if operands else ""
            props = operands[1] if len(operands) > 1 else None
            mcid = None
            if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                mcid = int(props["/MCID"])
            text.marks.append((mcid, tag == "/Artifact"))
        elif op == "BMC":
            text.marks.append((None, bool(operands) and str(operands[0]) == "/Artifact"))
        elif op == "EMC" and text.marks:
            text.marks.pop()

    pdfread.interpret(program, pdfread.GraphicsState(), operator)
    return out


def _show_text(text: _TextState, gs: pdfread.GraphicsState, operands: list[Any], index: int,
               runs: list[_Run], out: _PageText) -> None:
    """A text-showing operator: its characters, its size on the page, the MCID it belongs to."""
    if text.font is None or not operands:
        return
    shown = operands[-1]
    pieces: Iterable[Any] = shown if isinstance(shown, pikepdf.Array) else [shown]
    parts: list[str] = []
    for item in pieces:
        if isinstance(item, pikepdf.String):
            parts.append(text.font.decode(bytes(item))[0])
        elif isinstance(item, (int, float, Decimal)) and float(item) < -250:
            parts.append(" ")      # a wide negative kern is a word space
    string = "".join(parts)
    mcid = next((m for m, _ in reversed(text.marks) if m is not None), None)
    artifact = any(a for _, a in text.marks)
    m = pdfread.mul(text.tm, gs.ctm)
    size = abs(text.tf_size) * math.hypot(m[2], m[3])
    visible = sum(1 for ch in string if not ch.isspace())
    if visible:
        runs.append(_Run(index, mcid, artifact, size, visible))
    if mcid is not None and not artifact:
        out.text.setdefault(mcid, []).append(string)


# --------------------------------------------------------------------------------------------
# PDF: structure tree
# --------------------------------------------------------------------------------------------

Marked = tuple[int, int]                        # (page index, MCID)


@dataclass(eq=False)
class _Node:
    kind: str                                   # standard type, after the RoleMap
    obj: pikepdf.Dictionary
    page: int | None                            # page of /Pg, inherited from the parent if absent
    parent: _Node | None
    kids: list[_Node | Marked] = field(default_factory=list)    # in /K order
    objr: list[pikepdf.Object] = field(default_factory=list)    # annotations (OBJR kids)

    @property
    def children(self) -> list[_Node]:
        return [k for k in self.kids if isinstance(k, _Node)]

    @property
    def content(self) -> list[Marked]:
        return [k for k in self.kids if not isinstance(k, _Node)]

    def ancestors(self) -> Iterator[_Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def walk(self) -> Iterator[_Node]:
        """This node and its descendants, depth first, in document order."""
        stack: list[_Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def marked(self) -> Iterator[Marked]:
        """Marked-content references of the subtree, in reading order."""
        stack: list[Iterator[_Node | Marked]] = [iter(self.kids)]
        while stack:
            for kid in stack[-1]:
                if isinstance(kid, _Node):
                    stack.append(iter(kid.kids))
                    break
                yield kid
            else:
                stack.pop()


def _build_tree(pdf: pikepdf.Pdf, page_index: dict[tuple[int, int], int]) -> _Node | None:
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, pikepdf.Dictionary):
        return None
    role_map: dict[str, str] = {}
    rm = root.get("/RoleMap")
    if isinstance(rm, pikepdf.Dictionary):
        role_map = {str(k): str(v) for k, v in rm.items()}

    def page_of(obj: pikepdf.Dictionary) -> int | None:
        pg = obj.get("/Pg")
        if isinstance(pg, pikepdf.Dictionary) and pg.is_indirect:
            return page_index.get(pg.objgen)
        return None

    top = _Node("StructTreeRoot", root, None, None)
    seen: set[tuple[int, int]] = set()
    todo: list[tuple[Any, _Node]] = []          # (kid object, parent node), popped in document order

    def push_kids(kids: Any, node: _Node) -> None:
        items = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        todo.extend((item, node) for item in reversed(items))

    push_kids(root.get("/K"), top)
    while todo:
        kid, parent = todo.pop()
        if isinstance(kid, int):
            if parent.page is not None:
                parent.kids.append((parent.page, kid))
            continue
        if not isinstance(kid, pikepdf.Dictionary):
            continue
        ktype = str(kid.get("/Type", ""))
        if ktype == "/MCR":
            mpage = page_of(kid)
            mpage = parent.page if mpage is None else mpage
            if mpage is not None and "/MCID" in kid:
                parent.kids.append((mpage, int(kid.MCID)))
            continue
        if ktype == "/OBJR":
            if "/Obj" in kid:
                parent.objr.append(kid.Obj)
            continue
        if "/S" not in kid:
            continue
        if kid.is_indirect:
            if kid.objgen in seen:
                continue
            seen.add(kid.objgen)
        kind = str(kid.S)
        for _ in range(10):                     # RoleMap chains, guarded against loops
            if kind not in role_map:
                break
            kind = role_map[kind]
        own_page = page_of(kid)
        node = _Node(kind.lstrip("/"), kid, parent.page if own_page is None else own_page, parent)
        parent.kids.append(node)
        push_kids(kid.get("/K"), node)
    return top


# --------------------------------------------------------------------------------------------
# PDF: outline
# --------------------------------------------------------------------------------------------


def _outline(pdf: pikepdf.Pdf, page_index: dict[tuple[int, int], int]) -> list[tuple[str, int | None, int]]:
    """(title, page index, level) for every outline item, in order."""
    outlines = pdf.Root.get("/Outlines")
    items: list[tuple[str, int | None, int]] = []
    if not isinstance(outlines, pikepdf.Dictionary):
        return items
    names: dict[str, Any] = {}

    def named(name: str) -> Any:
        if not names:
            tree = pdf.Root.get("/Names")
            dests = tree.get("/Dests") if isinstance(tree, pikepdf.Dictionary) else None
            names.update((str(k), v) for k, v in _tree_items(dests, "/Names"))
            old = pdf.Root.get("/Dests")
            if isinstance(old, pikepdf.Dictionary):
                for k, v in old.items():
                    names.setdefault(k.lstrip("/"), v)
        return names.get(name)

    def page_of(item: pikepdf.Dictionary) -> int | None:
        dest = item.get("/Dest")
        if dest is None:
            action = item.get("/A")
            dest = action.get("/D") if isinstance(action, pikepdf.Dictionary) else None
        if isinstance(dest, (pikepdf.String, pikepdf.Name)):
            dest = named(str(dest).lstrip("/"))
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D")
        if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
            return page_index.get(dest[0].objgen)
        return None

    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(outlines.get("/First"), 1)]
    while stack:
        item, level = stack.pop()
        while isinstance(item, pikepdf.Dictionary) and item.objgen not in seen:
            seen.add(item.objgen)
            items.append((str(item.get("/Title", "")), page_of(item), level))
            if isinstance(item.get("/First"), pikepdf.Dictionary):
                stack.append((item.get("/Next"), level))
                item, level = item.get("/First"), level + 1
                continue
            item = item.get("/Next")
    return items


# --------------------------------------------------------------------------------------------
# PDF: the model the checks read
# --------------------------------------------------------------------------------------------


_NOTE_CALL = re.compile(r"^[\d*†‡§¶]+[.)]?$")
_BLOCKS = {"P", "LBody", "LI", "Caption", "TD", "TH", "Div", "Sect", "Art", "Part", "Document", "NonStruct",
           "BlockQuote", "H1", "H2", "H3", "H4", "H5", "H6", "Figure", "Table"}
_PROSE = {"P", "LBody", "LI", "Caption", "TD", "TH", "BlockQuote", "H1", "H2", "H3", "H4", "H5", "H6"}


@dataclass
class _PdfModel:
    nodes: list[_Node]                          # every structure element, in document order
    texts: dict[Marked, str]
    runs: list[_Run]
    outline: list[tuple[str, int | None, int]]
    has_tree: bool

    @classmethod
    def read(cls, pdf: pikepdf.Pdf) -> _PdfModel:
        page_index = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        fonts: dict[tuple[int, int], pdfread.Font] = {}
        runs: list[_Run] = []
        texts: dict[Marked, str] = {}
        for i, page in enumerate(pdf.pages):
            scan = _scan_page(page, i, fonts, runs)
            for mcid, pieces in scan.text.items():
                texts[(i, mcid)] = " ".join(pieces)
        tree = _build_tree(pdf, page_index)
        nodes = list(tree.walk())[1:] if tree is not None else []
        return cls(nodes, texts, runs, _outline(pdf, page_index), tree is not None)

    def text(self, node: _Node) -> str:
        return _norm(" ".join(self.texts.get(k, "") for k in node.marked()))

    def where(self, node: _Node) -> str:
        first = next(node.marked(), None)
        page = first[0] if first is not None else node.page
        return "page ?" if page is None else f"page {page + 1}"

    def in_note(self, node: _Node) -> bool:
        """In WeasyPrint's footnote area (a NonStruct straight under Document holding only Spans),
        or a note call (::footnote-call: a NonStruct holding one Span whose text is a number)."""
        chain = [node, *node.ancestors()]
        for anc in chain:
            parent = anc.parent
            if anc.kind == "NonStruct" and parent is not None and parent.kind == "Document" \
                    and anc.children and all(c.kind == "Span" for c in anc.children):
                return True
        for anc in chain[:3]:
            parent = anc.parent
            if anc.kind in ("Span", "NonStruct") and parent is not None and parent.kind == "NonStruct" \
                    and len(parent.kids) == 1 and parent.parent is not None and parent.parent.kind != "Document" \
                    and _NOTE_CALL.match(self.text(anc)):
                return True
        return False

    def category(self, node: _Node) -> str:
        kinds = {node.kind, *(a.kind for a in node.ancestors())}
        if "Figure" in kinds:
            return "figure"
        if "Caption" in kinds:
            return "caption"
        if self.in_note(node):
            return "note"
        return "body"

    def sizes(self) -> SizeReport:
        category: dict[Marked, tuple[str, str]] = {}          # -> (kind of text, structure path)
        for node in self.nodes:
            direct = node.content
            if direct:
                cat = self.category(node)
                path = "/".join([*[a.kind for a in reversed(list(node.ancestors()))][2:], node.kind])
                for key in direct:
                    category[key] = (cat, path)
        report = SizeReport(Counter(), Counter(), Counter(), Counter(), Counter())
        buckets = {"body": report.body, "note": report.notes, "caption": report.captions,
                   "figure": report.figures, "untagged": report.untagged}
        for run in self.runs:
            # Artifacts (running heads, page numbers, decorative repeats) count with the untagged text.
            ref = (run.page, run.mcid) if run.mcid is not None and not run.artifact else None
            cat, path = category.get(ref, ("untagged", "")) if ref is not None else ("untagged", "")
            size = round(run.size * 2) / 2
            buckets[cat][size] += run.chars
            # One example per structure path (so a long list does not hide a one-line label).
            per_path = report.examples.setdefault((cat, size), {})
            chars, example = per_path.get(path, (0, ""))
            if not example:
                text = _norm(self.texts.get(ref, "")) if ref is not None else ""
                example = f"page {run.page + 1} '{text[:40]}{'…' if len(text) > 40 else ''}'" if text else ""
            per_path[path] = (chars + run.chars, example)
        return report


@dataclass(frozen=True)
class SizeReport:
    """Text sizes in points (rounded to 0.5 pt), weighted by visible characters, per kind of text."""
    body: Counter[float]          # tagged text that is not a note, caption or figure
    notes: Counter[float]         # the footnote area and note calls
    captions: Counter[float]
    figures: Counter[float]       # text drawn inside figures (charts)
    untagged: Counter[float]      # running heads and page numbers (margin boxes: artifacts, or outside the tree)
    # (kind, size) -> structure path -> (characters, first example "page N 'text'")
    examples: dict[tuple[str, float], dict[str, tuple[int, str]]] = field(default_factory=dict)

    def where(self, kind: str, below: float, n: int = 4) -> str:
        """The places with the most text of this kind below ``below`` pt, biggest first."""
        found = sorted(((chars, size, example) for (k, size), paths in self.examples.items() if k == kind and size < below
                        for chars, example in paths.values() if example), key=lambda t: (-t[0], t[1], t[2]))
        return "; ".join(f"{example} at {size:g} pt" for _, size, example in found[:n])

    @staticmethod
    def describe(counter: Counter[float], top: int = 6) -> str:
        total = sum(counter.values())
        if not total:
            return "no text"
        common = counter.most_common(top)
        parts = [f"{size:g} pt {100 * n / total:.0f}%" for size, n in common]
        rest = total - sum(n for _, n in common)
        if rest:
            parts.append(f"other {100 * rest / total:.0f}%")
        return ", ".join(parts) + f" of {total} characters"

    def summary(self) -> str:
        return "; ".join(f"{name}: {self.describe(c)}" for name, c in (
            ("body", self.body), ("notes", self.notes), ("captions", self.captions),
            ("figures", self.figures), ("running heads and page numbers", self.untagged)))


def text_sizes(path: Path) -> SizeReport:
    """The text-size distribution of a finished PDF (for reports)."""
    with pikepdf.open(path) as pdf:
        return _PdfModel.read(pdf).sizes()


# --------------------------------------------------------------------------------------------
# PDF: the audit
# --------------------------------------------------------------------------------------------


def audit_pdf(path: Path, *, large_print: bool = False, language: str = "en-GB") -> list[Finding]:
    """Check a finished, tagged PDF: catalogue, metadata, outline, structure tree, links and,
    for the large-print edition, the text sizes measured from the content streams."""
    shown = path.as_posix()
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError) as exc:
        return [_finding("A100", shown, f"cannot open the PDF: {exc}")]
    with pdf:
        findings = _check_catalogue(shown, pdf, language)
        model = _PdfModel.read(pdf)
        if not model.has_tree:
            findings.append(_finding("A102", shown, "the catalogue has no /StructTreeRoot"))
        findings += _check_headings(shown, model)
        findings += _check_figures_tables_lists(shown, model)
        findings += _check_links(shown, pdf, model)
        findings += _check_structure(shown, pdf, model)
        if large_print:
            findings += _check_sizes(shown, model.sizes())
    return findings


def _check_catalogue(shown: str, pdf: pikepdf.Pdf, language: str) -> list[Finding]:
    out: list[Finding] = []
    root = pdf.Root
    mark_info = root.get("/MarkInfo")
    if not (isinstance(mark_info, pikepdf.Dictionary) and bool(mark_info.get("/Marked", False))):
        out.append(_finding("A101", shown, "the catalogue has no /MarkInfo << /Marked true >>"))
    lang = str(root.get("/Lang", "")).strip()
    if not lang:
        out.append(_finding("A103", shown, "the document language (/Lang) is not set"))
    elif lang != language:
        out.append(_finding("A103", shown, f"the document language is '{lang}', expected '{language}'"))
    prefs = root.get("/ViewerPreferences")
    if not (isinstance(prefs, pikepdf.Dictionary) and bool(prefs.get("/DisplayDocTitle", False))):
        out.append(_finding("A105", shown, "ViewerPreferences /DisplayDocTitle is not true"))
    title, part = _xmp(pdf)
    if not title:
        out.append(_finding("A104", shown, "the XMP metadata has no dc:title"))
    if part != "1":
        out.append(_finding("A106", shown, "the XMP metadata has no pdfuaid:part=1" + (f" (part={part})" if part else "")))
    return out


def _xmp(pdf: pikepdf.Pdf) -> tuple[str, str]:
    """(dc:title, pdfuaid:part) from the XMP metadata; empty strings when absent."""
    if "/Metadata" not in pdf.Root:
        return "", ""
    try:
        meta = pdf.open_metadata()
        title = meta.get("dc:title", "")
        part = meta.get("pdfuaid:part", "")
    except (pikepdf.PdfError, ValueError, OSError, KeyError):
        return "", ""
    return str(title or "").strip(), str(part or "").strip()


_HEADING_KIND = re.compile(r"^H([1-6])$")


def _check_headings(shown: str, model: _PdfModel) -> list[Finding]:
    out: list[Finding] = []
    previous, previous_text = 0, ""
    h1s: list[_Node] = []
    for node in model.nodes:
        m = _HEADING_KIND.match(node.kind)
        if not m:
            continue
        level = int(m.group(1))
        text = model.text(node)
        if level == 1:
            h1s.append(node)
        if level > previous + 1:
            after = f"after H{previous} '{previous_text}'" if previous else "as the first heading"
            out.append(_finding("A108", shown, f"H{level} '{text}' on {model.where(node)} comes {after}"))
        previous, previous_text = level, text
    if not model.outline:
        out.append(_finding("A107", shown, "the PDF has no bookmarks (outline)"))
        return out
    titles = {_squash(t) for t, _, _ in model.outline}
    h1_texts = {_squash(model.text(node)) for node in h1s}
    # Top-level entries under another label (CSS bookmark-label), for H1s whose text has no entry.
    relabelled = Counter(p for t, p, level in model.outline if level == 1 and p is not None and _squash(t) not in h1_texts)
    for node in h1s:
        text = model.text(node)
        if _squash(text) in titles:
            continue
        first = next(node.marked(), None)
        page = first[0] if first is not None else node.page
        if page is not None and relabelled[page] > 0:
            relabelled[page] -= 1
            continue
        out.append(_finding("A107", shown, f"H1 '{text}' on {model.where(node)} has no bookmark"))
    return out


def _check_figures_tables_lists(shown: str, model: _PdfModel) -> list[Finding]:
    out: list[Finding] = []
    for node in model.nodes:
        where = model.where(node)
        if node.kind == "Figure":
            alt = node.obj.get("/Alt")
            if alt is None or not str(alt).strip():
                out.append(_finding("A109", shown, f"Figure on {where} has no /Alt"))
        elif node.kind == "Table":
            if not any(n.kind == "TH" for n in node.walk()):
                out.append(_finding("A110", shown, f"Table on {where} has no TH cells"))
        elif node.kind == "L":
            wrong = sorted({c.kind for c in node.children} - {"LI", "L", "Caption"})
            if wrong:
                out.append(_finding("A111", shown, f"L on {where} contains {', '.join(wrong)}, not only LI"))
        elif node.kind == "LI":
            kinds = {c.kind for c in node.children}
            if node.parent is None or node.parent.kind != "L":
                out.append(_finding("A111", shown, f"LI on {where} is not inside an L"))
            elif "LBody" not in kinds:
                out.append(_finding("A111", shown, f"LI on {where} has no LBody"))
            elif kinds - {"Lbl", "LBody"}:
                out.append(_finding("A111", shown, f"LI on {where} contains {', '.join(sorted(kinds - {'Lbl', 'LBody'}))}"))
        elif node.kind in ("LBody", "Lbl") and (node.parent is None or node.parent.kind != "LI"):
            out.append(_finding("A111", shown, f"{node.kind} on {where} is not inside an LI"))
    return out


def _tree_items(root: object, key: str) -> list[tuple[Any, Any]]:
    """The (key, value) pairs of a PDF name tree (key /Names) or number tree (key /Nums)."""
    out: list[tuple[Any, Any]] = []
    stack = [root] if isinstance(root, pikepdf.Dictionary) else []
    while stack:
        node = stack.pop()
        pairs = node.get(key)
        if isinstance(pairs, pikepdf.Array):
            out += [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs) - 1, 2)]
        stack.extend(k for k in node.get("/Kids", []) if isinstance(k, pikepdf.Dictionary))
    return out


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, Any]:
    st = pdf.Root.get("/StructTreeRoot")
    pt = st.get("/ParentTree") if isinstance(st, pikepdf.Dictionary) else None
    return {int(k): v for k, v in _tree_items(pt, "/Nums")}


def _check_links(shown: str, pdf: pikepdf.Pdf, model: _PdfModel) -> list[Finding]:
    out: list[Finding] = []
    tagged = {o.objgen for n in model.nodes if n.kind == "Link" for o in n.objr if o.is_indirect}
    parents = _parent_tree(pdf)
    untagged: list[int] = []
    for i, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if not isinstance(annot, pikepdf.Dictionary) or str(annot.get("/Subtype", "")) != "/Link":
                continue
            if str(annot.get("/Contents", "")).strip() or (annot.is_indirect and annot.objgen in tagged):
                continue
            sp = annot.get("/StructParent")
            elem = parents.get(int(sp)) if sp is not None else None
            if isinstance(elem, pikepdf.Dictionary) and str(elem.get("/S", "")) == "/Link":
                continue
            untagged.append(i + 1)
    if untagged:
        out.append(_finding("A112", shown, f"{len(untagged)} link annotation(s) have neither /Contents nor a Link "
                            f"structure element (pages {', '.join(map(str, sorted(set(untagged))[:10]))})"))
    for group in _links(model):
        node = group[0]
        text = _norm(" ".join(model.text(n) for n in group))
        label = text.strip(" .,;:()[]'\"‘’“”").casefold()
        if label in _VAGUE_LINK:
            out.append(_finding("A113", shown, f"link text '{text}' on {model.where(node)} does not say where it goes"))
        elif _BARE_URL.match(label) and not model.in_note(node):
            block = next((a.kind for a in node.ancestors() if a.kind in _BLOCKS), "")
            if block in _PROSE:        # reference-list entries (Div) and notes give the context
                out.append(_finding("A114", shown, f"link text '{text}' on {model.where(node)} is a bare web address"))
    return out


def _annotations(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Dictionary]]:
    for i, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if isinstance(annot, pikepdf.Dictionary) and str(annot.get("/Subtype", "")) == "/Link":
                yield i, annot


def _pages(numbers: Iterable[int]) -> str:
    found = sorted(set(numbers))
    return ", ".join(map(str, found[:10])) + (" …" if len(found) > 10 else "")


def _check_structure(shown: str, pdf: pikepdf.Pdf, model: _PdfModel) -> list[Finding]:
    """What WeasyPrint gets wrong and folio.pdftags repairs: links in Link elements with text and a
    readable description, text either in the tree or an artifact, no detached elements, figure
    boxes inside the page."""
    out: list[Finding] = []
    if not model.has_tree:
        return out
    reachable = {n.obj.objgen for n in model.nodes if n.obj.is_indirect}
    by_obj = {n.obj.objgen: n for n in model.nodes if n.obj.is_indirect}
    parents = _parent_tree(pdf)
    # A119 / A121: every link annotation in a reachable Link element through an OBJR, described.
    loose: list[int] = []
    ids: list[tuple[int, str]] = []
    for i, annot in _annotations(pdf):
        sp = annot.get("/StructParent")
        elem = parents.get(int(sp)) if sp is not None else None
        node = by_obj.get(elem.objgen) if isinstance(elem, pikepdf.Dictionary) and elem.is_indirect else None
        if node is None or node.kind != "Link" or not any(o.is_indirect and o.objgen == annot.objgen for o in node.objr):
            loose.append(i + 1)
        contents = _norm(str(annot.get("/Contents", "")))
        action = annot.get("/A")
        dest = str(annot.get("/Dest", "")) or (str(action.get("/D", "")) if isinstance(action, pikepdf.Dictionary) else "")
        if not contents or (dest and contents == dest.lstrip("#/")):
            ids.append((i + 1, contents))
    if loose:
        out.append(_finding("A119", shown, f"{len(loose)} link annotation(s) are not attached to a Link element by an "
                            f"/OBJR (pages {_pages(loose)})"))
    if ids:
        examples = ", ".join(f"'{c}'" for _, c in ids[:3])
        out.append(_finding("A121", shown, f"{len(ids)} link annotation(s) have a /Contents that is empty or an anchor id, "
                            f"for example {examples} (pages {_pages(p for p, _ in ids)})"))
    # A120: Link elements with neither text nor /Alt.
    empty = [n for n in model.nodes if n.kind == "Link" and not model.text(n) and not str(n.obj.get("/Alt", "")).strip()]
    if empty:
        out.append(_finding("A120", shown, f"{len(empty)} Link element(s) have no text and no /Alt "
                            f"({', '.join(model.where(n) for n in empty[:5])})"))
    # A122: text in marked content the tree does not reach, or outside any marked content.
    in_tree = {key for n in model.nodes for key in n.content}
    stray = [r for r in model.runs if not r.artifact and (r.mcid is None or (r.page, r.mcid) not in in_tree)]
    if stray:
        chars = sum(r.chars for r in stray)
        examples = "; ".join(dict.fromkeys(
            f"page {r.page + 1} '{_norm(model.texts.get((r.page, r.mcid), ''))[:30]}'" if r.mcid is not None else f"page {r.page + 1}"
            for r in stray))
        out.append(_finding("A122", shown, f"{chars} character(s) of text on {len({r.page for r in stray})} page(s) are "
                            f"neither in the structure tree nor artifacts, for example {examples[:200]}"))
    # A123: elements that the ParentTree names (as owners of content or annotations) but the root cannot reach.
    detached: set[tuple[int, int]] = set()
    for value in parents.values():
        items = list(value) if isinstance(value, pikepdf.Array) else [value]
        for elem in items:
            if isinstance(elem, pikepdf.Dictionary) and elem.is_indirect and "/S" in elem and elem.objgen not in reachable:
                detached.add(elem.objgen)
    if detached:
        kinds = Counter(str(pdf.get_object(og).get("/S", "?")).lstrip("/") for og in sorted(detached))
        out.append(_finding("A123", shown, f"{len(detached)} structure element(s) own content but are not reachable from the "
                            f"root ({', '.join(f'{k} {n}' for k, n in kinds.most_common())})"))
    # A124: figure boxes inside the page (0.5 pt tolerance).
    for node in model.nodes:
        if node.kind != "Figure" or node.page is None:
            continue
        page = pdf.pages[node.page].obj
        media = [float(v) for v in page.get("/CropBox", page.get("/MediaBox", [0, 0, 0, 0]))]
        attrs = node.obj.get("/A")
        for attr in (list(attrs) if isinstance(attrs, pikepdf.Array) else [attrs]):
            if not isinstance(attr, pikepdf.Dictionary) or "/BBox" not in attr:
                continue
            x0, y0, x1, y1 = (float(v) for v in attr.BBox)
            if min(x0, x1) < media[0] - 0.5 or min(y0, y1) < media[1] - 0.5 or max(x0, x1) > media[2] + 0.5 \
                    or max(y0, y1) > media[3] + 0.5:
                out.append(_finding("A124", shown, f"Figure on {model.where(node)} has /BBox [{x0:g} {y0:g} {x1:g} {y1:g}], "
                                    f"outside the page [{' '.join(f'{v:g}' for v in media)}]"))
    return out


def _target(node: _Node) -> str:
    """Where a Link element's annotation goes: its URI or destination, "" when unknown."""
    for annot in node.objr:
        action = annot.get("/A")
        if isinstance(action, pikepdf.Dictionary):
            for key in ("/URI", "/D"):
                if key in action:
                    return str(action[key])
        if "/Dest" in annot:
            return str(annot.Dest)
    return ""


def _links(model: _PdfModel) -> list[list[_Node]]:
    """Link elements grouped into links. WeasyPrint writes one Link per line box of an <a>, so
    consecutive Link elements with the same target in the same block (or continuing a block of the
    same kind on the next page) are one link."""
    groups: list[list[_Node]] = []
    previous: tuple[str, _Node | None, int | None] = ("", None, None)
    for node in model.nodes:
        if node.kind != "Link":
            continue
        target = _target(node)
        block = next((a for a in node.ancestors() if a.kind in _BLOCKS), None)
        first = next(node.marked(), None)
        page = first[0] if first is not None else node.page
        prev_target, prev_block, prev_page = previous
        same_link = bool(target) and target == prev_target and block is not None and prev_block is not None and (
            block is prev_block or (page is not None and prev_page is not None and page == prev_page + 1
                                    and block.kind == prev_block.kind))
        if groups and same_link:
            groups[-1].append(node)
        else:
            groups.append([node])
        last = list(node.marked())
        previous = (target, block, last[-1][0] if last else page)
    return groups


def _check_sizes(shown: str, report: SizeReport) -> list[Finding]:
    if not report.body:
        return [_finding("A115", shown, "no tagged body text was found to measure")]
    out: list[Finding] = []
    distribution = SizeReport.describe(report.body)
    mode = report.body.most_common(1)[0][0]
    if mode < 16:
        out.append(_finding("A115", shown, f"the most common body text size is {mode:g} pt (body: {distribution})"))
    small = Counter({s: n for s, n in report.body.items() if s < 14})
    if small:
        out.append(_finding("A116", shown, f"{sum(small.values())} characters of body text are below 14 pt "
                            f"({SizeReport.describe(small)}), for example {report.where('body', 14)}; "
                            f"body: {distribution}"))
    tiny: Counter[float] = Counter()
    for counter in (report.notes, report.captions, report.untagged):
        tiny.update({s: n for s, n in counter.items() if s < 12})
    if tiny:
        places = "; ".join(p for p in (report.where(k, 12, 2) for k in ("note", "caption", "untagged")) if p)
        out.append(_finding("A117", shown, f"{sum(tiny.values())} characters of notes, note calls, captions, running "
                            f"heads or page numbers are below 12 pt ({SizeReport.describe(tiny)})"
                            + (f", for example {places}" if places else "")))
    in_figures = Counter({s: n for s, n in report.figures.items() if s < 12})
    if in_figures:
        out.append(_finding("A118", shown, f"{sum(in_figures.values())} characters of text inside figures are below "
                            f"12 pt ({SizeReport.describe(in_figures)})"))
    return out


# --------------------------------------------------------------------------------------------
# EPUB
# --------------------------------------------------------------------------------------------

_NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "svg": "http://www.w3.org/2000/svg",
    "epub": "http://www.idpf.org/2007/ops",
    "xlink": "http://www.w3.org/1999/xlink",
    "container": "urn:oasis:names:tc:opendocument:xmlns:container",
}
_X = "{" + _NS["xhtml"] + "}"
_SVG = "{" + _NS["svg"] + "}"
_DC = "{" + _NS["dc"] + "}"
_OPF_META = "{" + _NS["opf"] + "}meta"
_EPUB_TYPE = "{" + _NS["epub"] + "}type"
_XLINK_HREF = "{" + _NS["xlink"] + "}href"
CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
_REQUIRED_A11Y = ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                  "schema:accessibilityHazard", "schema:accessibilitySummary")


@dataclass
class _Image:
    doc: str               # content document, path inside the EPUB
    src: str               # resolved path of the picture, or "inline svg"
    alternative: str       # text alternative ("" when missing)
    decorative: bool


@dataclass
class _Epub:
    opf_path: str
    meta: dict[str, list[str]]
    manifest: dict[str, tuple[str, str, set[str]]]        # id -> (path, media type, properties)
    spine: list[str]                                      # paths, in reading order
    docs: dict[str, ET.Element]                           # path -> parsed XHTML
    problems: list[str]


def _resolve(base: str, href: str) -> str:
    """The zip path that ``href`` in the file ``base`` points to."""
    target = unquote(urldefrag(href)[0])
    if not target:
        return base
    parts: list[str] = []
    for part in (PurePosixPath(base).parent / target).parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _read_epub(zf: zipfile.ZipFile) -> _Epub:
    container = ET.fromstring(zf.read("META-INF/container.xml"))
    rootfile = container.find(".//container:rootfile", _NS)
    if rootfile is None or not rootfile.get("full-path"):
        raise KeyError("META-INF/container.xml names no rootfile")
    opf_path = str(rootfile.get("full-path"))
    opf = ET.fromstring(zf.read(opf_path))
    meta: dict[str, list[str]] = {}
    metadata = opf.find("opf:metadata", _NS)
    if metadata is not None:
        for el in metadata:
            text = (el.text or "").strip()
            if el.tag.startswith(_DC):
                meta.setdefault("dc:" + el.tag.split("}", 1)[1], []).append(text)
            elif el.tag == _OPF_META:
                if el.get("property") and not el.get("refines"):
                    meta.setdefault(str(el.get("property")), []).append(text)
                elif el.get("name") and el.get("content") is not None:      # EPUB 2 style
                    meta.setdefault(str(el.get("name")), []).append(str(el.get("content")).strip())
    manifest: dict[str, tuple[str, str, set[str]]] = {}
    for item in opf.findall("opf:manifest/opf:item", _NS):
        manifest[str(item.get("id"))] = (_resolve(opf_path, str(item.get("href", ""))), str(item.get("media-type", "")),
                                         set(str(item.get("properties", "")).split()))
    spine = [manifest[str(ref.get("idref"))][0] for ref in opf.findall("opf:spine/opf:itemref", _NS)
             if str(ref.get("idref")) in manifest]
    docs: dict[str, ET.Element] = {}
    problems: list[str] = []
    for path, media_type, _ in manifest.values():
        if media_type != "application/xhtml+xml":
            continue
        try:
            docs[path] = ET.fromstring(zf.read(path))
        except KeyError:
            problems.append(f"{path} is in the manifest but not in the zip")
        except ET.ParseError as exc:
            problems.append(f"{path} is not well-formed XML: {exc}")
    return _Epub(opf_path, meta, manifest, spine, docs, problems)


def _text(el: ET.Element) -> str:
    return _norm("".join(el.itertext()))


def _svg_alternative(svg: ET.Element, ids: dict[str, ET.Element]) -> str:
    label = (svg.get("aria-label") or "").strip()
    if label:
        return label
    labelled = " ".join(_text(ids[i]) for i in (svg.get("aria-labelledby") or "").split() if i in ids).strip()
    if labelled:
        return labelled
    title = svg.find(_SVG + "title")
    return _text(title) if title is not None else ""


def _images(epub: _Epub) -> list[_Image]:
    found: list[_Image] = []
    for path, root in epub.docs.items():
        ids = {str(el.get("id")): el for el in root.iter() if el.get("id")}
        for el in root.iter():
            role = (el.get("role") or "").strip()
            hidden = (el.get("aria-hidden") or "").strip() == "true" or role in ("presentation", "none")
            if el.tag == _X + "img":
                alt = (el.get("alt") or "").strip()
                found.append(_Image(path, _resolve(path, el.get("src") or ""), alt, hidden))
            elif el.tag == _SVG + "svg":
                pictures = [i for i in el.iter(_SVG + "image")]
                if role != "img" and not pictures:
                    continue                                     # a drawing, not a picture
                src = _resolve(path, pictures[0].get(_XLINK_HREF) or pictures[0].get("href") or "") \
                    if pictures else "inline svg"
                found.append(_Image(path, src, _svg_alternative(el, ids), hidden))
    return found


def _navs(epub: _Epub) -> dict[str, ET.Element]:
    """epub:type of each <nav> in the navigation document -> the nav element."""
    navs: dict[str, ET.Element] = {}
    for path, _media_type, props in epub.manifest.values():
        if "nav" in props and path in epub.docs:
            for nav in epub.docs[path].iter(_X + "nav"):
                for kind in (nav.get(_EPUB_TYPE) or "").split():
                    navs.setdefault(kind, nav)
    return navs


def _heading_problems(epub: _Epub) -> tuple[int, list[str]]:
    """(number of headings, problems) over the spine documents, each checked on its own."""
    count = 0
    problems: list[str] = []
    for path in epub.spine:
        root = epub.docs.get(path)
        if root is None:
            continue
        previous, previous_text = 0, ""
        for el in root.iter():
            tag = el.tag[len(_X):] if el.tag.startswith(_X) else ""
            if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
                level = int(tag[1])
                count += 1
                text = _text(el)
                if level > previous + 1:
                    after = f"after h{previous} '{previous_text}'" if previous else "as the first heading"
                    problems.append(f"{path}: h{level} '{text}' comes {after}")
                previous, previous_text = level, text
    return count, problems


def _values(meta: dict[str, list[str]], key: str) -> set[str]:
    """The values of a property. accessModeSufficient keeps each set whole ("textual,visual");
    the others may also be written comma-separated in one element."""
    values = [v.strip() for v in meta.get(key, []) if v.strip()]
    if key == "schema:accessModeSufficient":
        return {v.replace(" ", "") for v in values}
    return {part.strip() for v in values for part in v.split(",") if part.strip()}


def _few(items: list[str], n: int = 3) -> str:
    return "; ".join(items[:n]) + (f"; and {len(items) - n} more" if len(items) > n else "")


def audit_epub(path: Path) -> list[Finding]:
    """Check a finished EPUB's accessibility metadata, and that the content backs every claim."""
    shown = path.as_posix()
    try:
        with zipfile.ZipFile(path) as zf:
            epub = _read_epub(zf)
    except (OSError, zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        return [_finding("A200", shown, f"cannot read the EPUB: {exc}")]
    out = [_finding("A200", shown, problem) for problem in epub.problems]
    meta = epub.meta
    opf = epub.opf_path
    if not any(v for v in meta.get("dc:language", [])):
        out.append(_finding("A201", shown, f"{opf} has no dc:language"))
    for prop in _REQUIRED_A11Y:
        if not any(v for v in meta.get(prop, [])):
            out.append(_finding("A202", shown, f"{opf} has no {prop}"))
    conforms = [v for v in meta.get("dcterms:conformsTo", []) if v]
    if CONFORMS_TO not in conforms:
        found = f" (found: {', '.join(repr(c) for c in conforms)})" if conforms else ""
        out.append(_finding("A203", shown, f"{opf} has no dcterms:conformsTo '{CONFORMS_TO}'{found}"))
    if not any(v for v in meta.get("a11y:certifiedBy", [])):
        out.append(_finding("A204", shown, f"{opf} has no a11y:certifiedBy"))

    features = _values(meta, "schema:accessibilityFeature")
    modes = _values(meta, "schema:accessMode")
    sufficient = _values(meta, "schema:accessModeSufficient")
    images = _images(epub)
    content = [i for i in images if not i.decorative]
    missing = [f"{i.doc} ({PurePosixPath(i.src).name or i.src})" for i in content if not i.alternative]
    if "alternativeText" in features and missing:
        out.append(_finding("A205", shown, f"alternativeText is claimed, but {len(missing)} image(s) have no text "
                            f"alternative: {_few(missing)}"))
    if "textual" in sufficient and missing:
        out.append(_finding("A211", shown, f"accessModeSufficient 'textual' is claimed, but {len(missing)} image(s) "
                            f"have no text alternative: {_few(missing)}"))
    if content and "visual" not in modes:
        out.append(_finding("A212", shown, f"accessMode is {', '.join(sorted(modes)) or 'missing'}, but the "
                            f"publication has {len(content)} image(s)"))

    navs = _navs(epub)
    toc = navs.get("toc")
    if "tableOfContents" in features and (toc is None or toc.find(f".//{_X}a[@href]") is None):
        out.append(_finding("A206", shown, "tableOfContents is claimed, but the navigation document has no toc nav "
                            "with links"))
    if "structuralNavigation" in features:
        count, problems = _heading_problems(epub)
        if not count:
            out.append(_finding("A207", shown, "structuralNavigation is claimed, but no content document has headings"))
        for problem in problems:
            out.append(_finding("A207", shown, f"structuralNavigation is claimed, but {problem}"))
    landmarks = navs.get("landmarks")
    if landmarks is None or landmarks.find(f".//{_X}a[@href]") is None:
        out.append(_finding("A208", shown, "the navigation document has no landmarks nav with entries"))
    if "pageList" in features and "page-list" not in navs:
        out.append(_finding("A210", shown, "pageList is claimed, but the navigation document has no page-list nav"))
    if "pageBreakMarkers" in features and not any(
            "pagebreak" in (el.get(_EPUB_TYPE) or "").split() or el.get("role") == "doc-pagebreak"
            for root in epub.docs.values() for el in root.iter()):
        out.append(_finding("A210", shown, "pageBreakMarkers is claimed, but no content document has page-break markers"))

    cover = next((p for p, _, props in epub.manifest.values() if "cover-image" in props), None)
    if cover is not None:
        uses = [i for i in images if i.src == cover]
        for use in uses:
            if not use.alternative and not use.decorative:
                out.append(_finding("A209", shown, f"{use.doc} shows the cover image {cover} without a text alternative"))
    return out


# --------------------------------------------------------------------------------------------
# DAISY Ace
# --------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


def ace_command(root: Path = ROOT) -> Path | None:
    """The Ace executable installed by ``npm ci`` (the @daisy/ace-cli package links it as ace-cli)."""
    for name in ("ace", "ace-cli"):
        candidate = root / "node_modules" / ".bin" / name
        if candidate.exists():
            return candidate
    return None


def ace_missing(root: Path = ROOT) -> str:
    """What is missing to run Ace, with the exact command that installs it; "" when ready."""
    chromium = os.environ.get("PUPPETEER_EXECUTABLE_PATH") or CHROMIUM
    missing: list[str] = []
    if shutil.which("node") is None:
        missing.append("Node.js 20 is not installed; run: sudo apt-get install -y nodejs npm")
    if ace_command(root) is None:
        missing.append(f"DAISY Ace is not installed in {root / 'node_modules'}; run: "
                       f"cd {root} && PUPPETEER_SKIP_DOWNLOAD=1 npm ci")
    if not Path(chromium).exists():
        missing.append(f"chromium is not installed at {chromium}; run: sudo apt-get install -y chromium")
    return "; ".join(missing)


def _ace_violations(report: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(content document, test, result) for every failed assertion in an Ace report."""
    for doc in report.get("assertions", []):
        url = str(doc.get("earl:testSubject", {}).get("url", ""))
        for assertion in doc.get("assertions", []):
            result = assertion.get("earl:result", {})
            if result.get("earl:outcome") == "fail":
                yield url, assertion.get("earl:test", {}), result


def run_ace(path: Path, out_dir: Path, timeout: int = 120, *, root: Path = ROOT) -> tuple[list[Finding], dict[str, Any]]:
    """Run DAISY Ace on an EPUB; its violations as findings (A301/A302), and the parsed report.json.

    A303 when Ace cannot run; the finding says what to install, with the exact command."""
    shown = path.as_posix()
    missing = ace_missing(root)
    ace = ace_command(root)
    if missing or ace is None:
        return [_finding("A303", shown, missing or "DAISY Ace is not installed")], {}
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1",
           "PUPPETEER_EXECUTABLE_PATH": os.environ.get("PUPPETEER_EXECUTABLE_PATH") or CHROMIUM}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").unlink(missing_ok=True)            # never read a stale report
    command = [str(ace), "--force", "--silent", "--outdir", str(out_dir.resolve()), str(path.resolve())]
    try:
        proc = subprocess.run(command, capture_output=True, env=env, timeout=timeout, check=False, cwd=root)
    except subprocess.TimeoutExpired:
        return [_finding("A303", shown, f"DAISY Ace did not finish within {timeout} s")], {}
    report_path = out_dir / "report.json"
    if proc.returncode != 0 or not report_path.exists():
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        return [_finding("A303", shown, f"DAISY Ace failed with exit status {proc.returncode}"
                         + (f": {' | '.join(tail)}" if tail else ""))], {}
    try:
        report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [_finding("A303", shown, f"cannot read Ace's report.json: {exc}")], {}
    return ace_findings(report, shown), report


def ace_findings(report: dict[str, Any], shown: str) -> list[Finding]:
    """Ace's failed assertions as findings: A301 for critical and serious impact, A302 otherwise."""
    findings: list[Finding] = []
    for url, test, result in _ace_violations(report):
        impact = str(test.get("earl:impact", "")).lower()
        code = "A301" if impact in ("critical", "serious") else "A302"
        detail = str(result.get("dct:description") or test.get("dct:description") or "").strip().splitlines()
        message = f"{url.lstrip('/')}: [{impact or 'unknown impact'}] {test.get('dct:title', '')}"
        if detail:
            message += f": {detail[0]}"
        help_url = test.get("help", {}).get("url", "") if isinstance(test.get("help"), dict) else ""
        findings.append(_finding(code, shown, message, hint=str(help_url) or None))
    return findings
