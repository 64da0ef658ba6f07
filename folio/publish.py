"""Publishing: finished files move into output/ only when the whole build succeeded.

Each output was written to a temporary name first; here it is renamed into place (an atomic
rename on the same file system), and output/SHA256SUMS lists the published files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Staged:
    name: str
    temp: Path
    target: Path
    pages: int | None
    seconds: float


@dataclass(frozen=True)
class Published:
    name: str
    path: Path
    pages: int | None
    seconds: float


def discard(staged: list[Staged]) -> None:
    for item in staged:
        if item.temp.parent == item.target.parent:
            item.temp.unlink(missing_ok=True)


def commit(staged: list[Staged], out_dir: Path) -> list[Published]:
    published = []
    for item in staged:
        os.replace(item.temp, item.target)
        published.append(Published(item.name, item.target, item.pages, item.seconds))
    write_sums(out_dir)
    return published


def write_sums(out_dir: Path) -> None:
    """SHA256SUMS for every published file in output/ (not the build/ working folder)."""
    lines = []
    for path in sorted(out_dir.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.name != "SHA256SUMS":
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n")
    temp = out_dir / ".SHA256SUMS.tmp"
    temp.write_text("".join(lines), encoding="utf-8")
    os.replace(temp, out_dir / "SHA256SUMS")
