"""Publishing: finished files move into output/ only when the whole build succeeded.

Each output was written to a temporary name first; here it is renamed into place (an atomic
rename on the same file system), and output/SHA256SUMS lists the published files.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def temp_path(target: Path) -> Path:
    """Where an output is written before it is complete: hidden, unique to this process, and with
    the real suffix kept (EPUBCheck refuses a file that does not end in .epub)."""
    return target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")


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


@contextmanager
def exclusive(out_dir: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold output/.lock for the whole build; a second build waits for the first.

    Temporary files are named by ``temp_path``; once we hold the lock, any left by a build
    that was killed (kill -9 cannot be caught) are removed, so they never pile up.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("Waiting for another build of this project to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            remove_temporary(out_dir)
            yield
        except BaseException:
            remove_temporary(out_dir)    # interrupted, or the disk is full: leave no litter
            raise
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_temporary(out_dir: Path) -> None:
    """Every temporary file and folder a build writes: ``.name.PID.tmp.ext`` beside the outputs,
    and the staged site under build/. Called only while holding the lock."""
    import shutil

    for stale in [*out_dir.glob(".*.tmp*"), *(out_dir / "build").glob(".*.tmp"), out_dir / "build" / "web-staged",
                  *out_dir.glob(".*.old")]:
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
