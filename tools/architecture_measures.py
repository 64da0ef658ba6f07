#!/usr/bin/env python3
"""Two measures of issue 13, read from folio/'s source with ast (nothing is imported or run).

Usage: python3 tools/architecture_measures.py [project folder] [modules,to,list]

- comparisons with an edition-name literal (pdf, press, large-print, member, epub, web), each with
  the expression compared, so a format or figure-style comparison can be told from an edition one;
- the longest functions (lines from ``def`` to the last line), longest first.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

NAMES = {"pdf", "press", "large-print", "member", "epub", "web"}


def comparisons(root: Path) -> list[str]:
    out = []
    for path in sorted((root / "folio").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Compare):
                literals = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in NAMES]
                if literals:
                    out.append(f"{path.relative_to(root)}:{node.lineno}: {ast.get_source_segment(source, node)}")
    return out


def longest(root: Path, only: set[str] | None, count: int = 10) -> list[str]:
    rows = []
    for path in sorted((root / "folio").glob("*.py")):
        if only and path.stem not in only:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                rows.append((node.end_lineno - node.lineno + 1, f"{path.stem}.{node.name}", f"{path.name}:{node.lineno}"))
    return [f"{n:4d}  {name:40s} {where}" for n, name, where in sorted(rows, reverse=True)[:count]]


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    only = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else None
    found = comparisons(root)
    print(f"comparisons with an edition-name literal: {len(found)}", *found, sep="\n")
    print("\nlongest functions:", *longest(root, only), sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
