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
import os
from pathlib import Path

# The locks are inputs too: the accessibility statement names the tool versions they pin.
INPUTS = ("book.yaml", "chapters", "layouts", "assets", "folio",
          "requirements.lock", "requirements-test.lock", "package-lock.json")
# Inputs a target does not read, so changing them does not rebuild it.
UNUSED: dict[str, tuple[str, ...]] = {
    "epub": ("layouts/css/book.css.j2", "layouts/cover-motif.svg.j2", "layouts/book.html.j2", "layouts/web", "assets/icc"),
    "pdf": ("layouts/css/epub.css.j2", "layouts/cover.svg.j2", "layouts/web", "assets/icc"),
    "large-print": ("layouts/css/epub.css.j2", "layouts/cover.svg.j2", "layouts/web", "assets/icc"),
    "press": ("layouts/css/epub.css.j2", "layouts/cover.svg.j2", "layouts/web"),
    "web": ("layouts/css", "layouts/cover.svg.j2", "layouts/cover-motif.svg.j2", "layouts/book.html.j2", "assets/icc"),
}


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


def target_key(digests: dict[str, str], target: str) -> str:
    unused = UNUSED.get(target, ())
    h = hashlib.sha256(f"{target}\n".encode())
    for rel, digest in digests.items():
        if not any(rel == u or rel.startswith(u + "/") for u in unused):
            h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


def target_keys(root: Path, targets: tuple[str, ...]) -> dict[str, str]:
    digests = file_digests(root) if targets else {}
    keys = {t: target_key(digests, t) for t in targets if t != "web"}
    if "web" in targets:   # the site also offers the published editions for download, with their sizes
        downloads = dict(digests)
        for path in sorted((root / "output").glob("*.pdf")) + sorted((root / "output").glob("*.epub")):
            downloads[f"output/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
        keys["web"] = target_key(downloads, "web")
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
    state = load_state(root)
    state[target] = {
        "key": key, "warnings": warnings, "pages": pages,
        "files": {_rel(root, p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files},
        "sizes": {_rel(root, p): p.stat().st_size for p in files},
    }
    path = _state_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".state.{os.getpid()}.tmp")
    temp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temp, path)


def recorded_pages(root: Path, target: str) -> int | None:
    entry = load_state(root).get(target, {})
    pages = entry.get("pages") if isinstance(entry, dict) else None
    return pages if isinstance(pages, int) else None


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
    temp = folder / f".pandoc.{os.getpid()}.tmp"
    temp.write_text(json.dumps(bodies), encoding="utf-8")
    os.replace(temp, folder / f"pandoc-{key}.json")
