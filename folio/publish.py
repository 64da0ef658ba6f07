"""Publishing: finished files move into output/ only when the whole build succeeded.

Each output was written to a temporary name first; here it is renamed into place (an atomic
rename on the same file system), and output/SHA256SUMS lists the published files.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: to a temporary name beside it, then one rename."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary name beside ``path`` to write to (a zip, a copy); renamed to ``path`` when the
    block ends, removed if it raises. The one way folio writes a file in place: ``atomic_write``
    for bytes, this for a writer that wants a path."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield temp
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def swap_into_place(new: Path, target: Path) -> None:
    """Replace ``target`` (a folder, if any) with the folder ``new`` by renames, then remove the old one."""
    old: Path | None = None
    if target.exists() or target.is_symlink():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
        os.replace(target, old / "site")
    try:
        os.replace(new, target)
    except OSError:
        if old is not None:
            os.replace(old / "site", target)
            shutil.rmtree(old, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def temp_path(target: Path) -> Path:
    """Where an output is written before it is complete: hidden, unique to this process, and with
    the real suffix kept (EPUBCheck refuses a file that does not end in .epub)."""
    return target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")


@dataclass(frozen=True)
class Staged:
    name: str
    temp: Path               # a file, or a folder (a site) that replaces the folder ``target``
    target: Path
    pages: int | None
    seconds: float
    entry: str = ""          # for a folder: the file to show as the output (index.html)


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
        if item.temp.is_dir():
            swap_into_place(item.temp, item.target)
        else:
            os.replace(item.temp, item.target)
        published.append(Published(item.name, item.target / item.entry if item.entry else item.target,
                                   item.pages, item.seconds))
    write_sums(out_dir)
    return published


def write_sums(out_dir: Path) -> None:
    """SHA256SUMS for every published file in output/ (not the build/ working folder)."""
    lines = []
    for path in sorted(out_dir.iterdir()):
        if path.is_file() and not path.name.startswith(".") and path.name != "SHA256SUMS":
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n")
    atomic_write(out_dir / "SHA256SUMS", "".join(lines).encode("utf-8"))


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
    for stale in [*out_dir.glob(".*.tmp*"), *(out_dir / "build").glob(".*.tmp"), *(out_dir / "build").glob("*-staged"),
                  *out_dir.glob(".*.old")]:
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
