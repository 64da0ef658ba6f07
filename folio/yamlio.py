"""YAML loading that keeps line numbers, refuses duplicate keys and tags, and never raises.

PyYAML silently keeps the last of two equal keys and, with the full loader, builds arbitrary
objects from tags. We compose the node tree ourselves, check it, and only then construct plain
Python values with the safe constructor.
"""

from __future__ import annotations

from typing import Any

import yaml

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
    try:
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
