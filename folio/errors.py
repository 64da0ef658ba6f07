"""One finding type and one line format for every problem the build reports.

Format: ``path:line:col: CODE severity: message`` followed, where it helps, by an indented hint.
The codes are stable (see ``folio.catalogue``); the text is part of the interface and tests
assert on it word for word.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    severity: Severity
    message: str
    hint: str = field(default="", compare=False)

    def format(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        text = f"{where}: {self.code} {self.severity}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class BuildError(Exception):
    """Stops the build. Carries every finding that caused it."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(f.format() for f in findings))
        self.findings = findings


def relpath(path: Path, root: Path) -> str:
    """Path as shown to editors: relative to the project root where possible, as it was written
    (a symlink that leads elsewhere is still named by its place in the project)."""
    for written, base in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        try:
            return written.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()
