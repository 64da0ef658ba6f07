"""YAML loading that keeps line numbers, refuses duplicate keys and tags, and never raises.

PyYAML silently keeps the last of two equal keys and, with the full loader, builds arbitrary
objects from tags. We compose the node tree ourselves, check it, and only then construct plain
Python values with the safe constructor.

Cost is bounded before anything is built: the text is read as a stream of events first (PyYAML's
parser keeps its own stack, so this cannot recurse), and anchors and aliases (``&a``/``*a``,
the "billion laughs"), nesting deeper than ``safety.MAX_YAML_DEPTH`` and more than
``safety.MAX_YAML_NODES`` values are refused there, with their line.
"""

from __future__ import annotations

from typing import Any

import yaml

from . import safety
from .catalogue import finding
from .errors import Finding

Lines = dict[tuple[str, ...], int]

_SAFE_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq", "tag:yaml.org,2002:timestamp",
}


def load(text: str, path: str, line_offset: int = 0) -> tuple[Any, Lines, list[Finding]]:
    """Parse ``text``; return (data, line of each key path, findings).

    ``line_offset`` is added to every line so that front matter reports file lines.
    """
    findings: list[Finding] = []
    lines: Lines = {}
    if "\t" in text:
        for number, raw in enumerate(text.splitlines(), start=1):
            stripped = raw.lstrip(" ")
            if stripped.startswith("\t"):
                findings.append(finding("Y001", path, number + line_offset,
                                        "a tab is used for indentation; YAML needs spaces",
                                        col=len(raw) - len(stripped) + 1))
        if findings:
            return None, lines, findings
    if len(text) > safety.MAX_DATA_BYTES:
        return None, lines, [finding("F003", path, line_offset + 1,
                                     f"{len(text):,} characters of YAML; the limit is {safety.MAX_DATA_BYTES:,}")]
    try:
        limits = _limits(text, path, line_offset)
        if limits:
            return None, lines, limits
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else line_offset + 1
        col = mark.column + 1 if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        findings.append(finding("Y001", path, line, f"YAML: {problem}", col=col))
        return None, lines, findings
    except yaml.YAMLError as exc:
        findings.append(finding("Y001", path, line_offset + 1, f"YAML: {exc}"))
        return None, lines, findings
    except RecursionError:   # not reachable within the limits; kept so no input can raise
        findings.append(finding("F006", path, line_offset + 1, "the YAML is nested too deeply"))
        return None, lines, findings
    if node is None:
        return None, lines, findings
    _walk(node, (), path, line_offset, lines, findings)
    if findings:
        return None, lines, findings
    loader = yaml.SafeLoader("")
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        findings.append(finding("Y001", path, node.start_mark.line + 1 + line_offset, f"YAML: {exc}"))
        return None, lines, findings
    finally:
        loader.dispose()
    return data, lines, findings


def _limits(text: str, path: str, offset: int) -> list[Finding]:
    """Anchors, aliases, depth and size, from the event stream (raises YAMLError on bad syntax)."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        mark = event.start_mark
        where = {"line": mark.line + 1 + offset, "col": mark.column + 1} if mark else {"line": offset + 1, "col": 0}
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            sign = "an alias ('*" if isinstance(event, yaml.AliasEvent) else "an anchor ('&"
            return [finding("Y004", path, where["line"], f"{sign}{anchor}') is not allowed; write the value out",
                            col=where["col"])]
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > safety.MAX_YAML_DEPTH:
                return [finding("F006", path, where["line"], f"the YAML is nested more than {safety.MAX_YAML_DEPTH} levels deep",
                                col=where["col"])]
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > safety.MAX_YAML_NODES:
                return [finding("F003", path, where["line"], f"more than {safety.MAX_YAML_NODES:,} values in one file")]
    return []


def _walk(node: yaml.Node, key_path: tuple[str, ...], path: str, offset: int,
          lines: Lines, findings: list[Finding]) -> None:
    line = node.start_mark.line + 1 + offset
    if node.tag not in _SAFE_TAGS:
        findings.append(finding("Y003", path, line, f"YAML tag {node.tag!r} is not allowed",
                                col=node.start_mark.column + 1))
        return
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_line = key_node.start_mark.line + 1 + offset
            if key in seen:
                findings.append(finding("Y002", path, key_line,
                                        f"duplicate key '{key}' (first at line {seen[key]})",
                                        col=key_node.start_mark.column + 1))
                continue
            seen[key] = key_line
            lines[(*key_path, key)] = key_line
            _walk(value_node, (*key_path, key), path, offset, lines, findings)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*key_path, str(index))] = item.start_mark.line + 1 + offset
            _walk(item, (*key_path, str(index)), path, offset, lines, findings)
