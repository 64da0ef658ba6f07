"""folio's imports point down the layers of docs/architecture.md, and there is no import cycle.

Every ``from . import x`` and ``from .x import y`` counts, including the ones inside functions and
under ``TYPE_CHECKING``: an upward arrow is an upward arrow even when Python does not follow it at
start-up. On 7792d8f this test failed: ``a11y`` imported ``Sources`` from ``build`` (a stage
pointing up at the orchestrator), and ``sources`` and ``checks`` import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

FOLIO = Path(__file__).resolve().parents[2] / "folio"

# Top to bottom; a module may import its own layer and the layers below. Keep in step with
# docs/architecture.md (test_the_document_lists_the_same_layers).
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("command line", ("cli",)),
    ("commands", ("watch", "scaffold", "docs", "bootstrap")),
    ("pipeline", ("build",)),
    ("formats", ("editions",)),
    ("stages and judges", ("web", "epub", "pdf", "render", "images", "cover", "marks", "mirror", "largeprint", "a11y",
                           "audit", "preflight", "pagequality", "pdftags", "chartdata", "leaks")),
    ("reading and checking", ("read", "chapters", "checks", "sources", "pullquotes", "datafiles", "figures", "colour",
                              "pandoc", "blocks", "parts", "syntax")),
    ("tools and configuration", ("config", "cache", "publish", "sandbox", "safety", "yamlio", "search", "pdfread")),
    ("findings", ("catalogue", "errors")),
)
# Known exceptions, each with its reason. The test also fails when one is no longer true, so
# this list cannot outlive the problem.
KNOWN_CYCLES: dict[frozenset[str], str] = {}


def imports(folder: Path = FOLIO) -> dict[str, set[str]]:
    """Module -> the folio modules it imports (package-relative imports only)."""
    graph: dict[str, set[str]] = {}
    modules = {p.stem for p in folder.glob("*.py")}
    for path in sorted(folder.glob("*.py")):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [a.name for a in node.names]
                found.update(n for n in names if n in modules and n != "__init__")
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("folio."):
                found.add(node.module.split(".")[1])
        graph[path.stem] = found - {path.stem}
    return graph


def layer_of() -> dict[str, int]:
    return {m: i for i, (_, members) in enumerate(LAYERS) for m in members}


def upward(graph: dict[str, set[str]]) -> list[str]:
    level = layer_of()
    return sorted(f"{m} ({LAYERS[level[m]][0]}) imports {d} ({LAYERS[level[d]][0]})"
                  for m, deps in graph.items() if m in level for d in deps if d in level and level[d] < level[m])


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: set[frozenset[str]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                out.add(frozenset(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_every_module_has_a_layer() -> None:
    missing = sorted(set(imports()) - set(layer_of()) - {"__init__"})
    assert missing == [], f"add these modules to LAYERS and docs/architecture.md: {missing}"


def test_imports_point_down() -> None:
    assert upward(imports()) == []


def test_no_import_cycles_but_the_known_ones() -> None:
    found = cycles(imports())
    assert found - set(KNOWN_CYCLES) == set(), "new import cycle"
    assert set(KNOWN_CYCLES) - found == set(), "a known cycle is gone: remove it from KNOWN_CYCLES"


def test_the_checks_can_fail() -> None:
    graph = {"errors": {"build"}, "build": {"errors"}}
    assert upward(graph) == ["errors (findings) imports build (pipeline)"]
    assert cycles(graph) == {frozenset({"build", "errors"})}


def test_the_document_lists_the_same_layers() -> None:
    text = (FOLIO.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name, members in LAYERS:
        line = next((ln for ln in text.splitlines() if ln.startswith(f"| {name} |")), None)
        assert line is not None, name
        assert sorted(m.strip("` ") for m in line.split("|")[2].split(",")) == sorted(members), name
