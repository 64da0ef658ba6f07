"""The build cache, under output/.cache/ (safe to delete at any time).

Two levels:
- Outputs: each target's inputs (sources, layouts, assets and folio's own code) are hashed; a
  target whose inputs and published file are unchanged since a successful build is not built
  again, so a rebuild with nothing changed does no work at all.
- pandoc: the whole-book conversion is stored by the hash of everything it reads. Citations are
  numbered across the book, so the book is one pandoc call (one process start) and one entry.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .config import Book, Edition
from .publish import atomic_write

# The locks are inputs too: the accessibility statement names the tool versions they pin.
INPUTS = ("book.yaml", "chapters", "layouts", "assets", "folio",
          "requirements.lock", "requirements-test.lock", "package-lock.json")
# Inputs an edition of each format does not read, so changing them does not rebuild it; ICC
# profiles are read only by CMYK editions.
UNUSED: dict[str, tuple[str, ...]] = {
    "pdf": ("layouts/css/epub.css.j2", "layouts/cover.svg.j2", "layouts/web"),
    "epub": ("layouts/css/book.css.j2", "layouts/cover-motif.svg.j2", "layouts/book.html.j2", "layouts/web"),
    "site": ("layouts/css", "layouts/cover.svg.j2", "layouts/book.html.j2"),
}


def unused(edition: Edition) -> tuple[str, ...]:
    return UNUSED[edition.format] + (() if edition.colour == "cmyk" else ("assets/icc",))


def _files(root: Path) -> list[Path]:
    files: list[Path] = []
    for name in INPUTS:
        path = root / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files)


def file_digests(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every input file (a few MB in all; milliseconds)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in _files(root)}


def target_key(digests: dict[str, str], target: str, skip: tuple[str, ...] = ()) -> str:
    h = hashlib.sha256(f"{target}\n".encode())
    for rel, digest in digests.items():
        if not any(rel == u or rel.startswith(u + "/") for u in skip):
            h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


def edition_keys(root: Path, book: Book, editions: list[Edition]) -> dict[str, str]:
    """Edition name -> the hash of every input it reads. An edition that offers others for
    download (a site) also reads their published files, with their sizes."""
    digests = file_digests(root) if editions else {}
    keys = {}
    for edition in editions:
        inputs = dict(digests)
        for name in edition.offers:      # an 'each' edition's files are found by their pattern
            for path in sorted((root / "output").glob(book.editions[name].output.replace("{id}", "*"))):
                if path.is_file():
                    inputs[f"output/{path.relative_to(root / 'output').as_posix()}"] = hashlib.sha256(path.read_bytes()).hexdigest()
        keys[edition.name] = target_key(inputs, edition.name, unused(edition))
    return keys


def _state_path(root: Path) -> Path:
    return root / "output" / ".cache" / "state.json"


def load_state(root: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(_state_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def up_to_date(root: Path, target: str, key: str, strict: bool) -> bool:
    """True when the target was built from exactly these inputs and its files are untouched."""
    entry = load_state(root).get(target)
    if not isinstance(entry, dict) or entry.get("key") != key:
        return False
    if strict and entry.get("warnings"):
        return False
    files, sizes = entry.get("files"), entry.get("sizes")
    if not isinstance(files, dict) or not files or not isinstance(sizes, dict):
        return False
    for name, digest in files.items():
        path = root / "output" / str(name)
        if not path.is_file() or path.stat().st_size != sizes.get(name):
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return False
    return True


def _rel(root: Path, path: Path) -> str:
    return path.resolve().relative_to((root / "output").resolve()).as_posix()


def record(root: Path, target: str, key: str, files: list[Path], warnings: int, pages: int | None) -> None:
    """Remember the target's key and its published files (every file inside a published folder)."""
    files = [f for p in files for f in (sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])]
    state = load_state(root)
    state[target] = {
        "key": key, "warnings": warnings, "pages": pages,
        "files": {_rel(root, p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
        "sizes": {_rel(root, p): p.stat().st_size for p in files},
    }
    path = _state_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(state, indent=1, sort_keys=True).encode("utf-8"))


def pandoc_lookup(root: Path, key: str) -> dict[str, str] | None:
    path = root / "output" / ".cache" / f"pandoc-{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def pandoc_store(root: Path, key: str, bodies: dict[str, str]) -> None:
    folder = root / "output" / ".cache"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("pandoc-*.json"):
        old.unlink(missing_ok=True)
    atomic_write(folder / f"pandoc-{key}.json", json.dumps(bodies).encode("utf-8"))
