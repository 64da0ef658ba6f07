"""Shared fixtures: a throwaway copy of the project (so tests never touch the real output/),
the sample book for golden tests, and one real build per session for the end-to-end tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from folio.build import BuildReport, build

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = Path(__file__).resolve().parent / "sample_book"


def copy_project(dest: Path, book_source: Path = ROOT) -> Path:
    """Layouts, assets and lock files from the project; book.yaml, chapters and bibliography from
    ``book_source``, and its own assets/ (a palette, icons) over the project's."""
    shutil.copytree(ROOT / "layouts", dest / "layouts")
    shutil.copytree(ROOT / "assets", dest / "assets")
    if (book_source / "assets").is_dir():
        for own in ("data/figures", "icons"):     # folders a book brings replace the project's
            if (book_source / "assets" / own).is_dir():
                shutil.rmtree(dest / "assets" / own)
        shutil.copytree(book_source / "assets", dest / "assets", dirs_exist_ok=True)
    shutil.copytree(book_source / "chapters", dest / "chapters")
    shutil.copy(book_source / "book.yaml", dest / "book.yaml")
    if (book_source / "bibliography.yaml").exists():
        shutil.copy(book_source / "bibliography.yaml", dest / "assets" / "bibliography.yaml")
    for lock in ("requirements.lock", "requirements-test.lock", "package-lock.json"):   # the statement names their pins
        shutil.copy(ROOT / lock, dest / lock)
    (dest / "output").mkdir()
    return dest


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "sample", SAMPLE)


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, BuildReport]]:
    root = copy_project(tmp_path_factory.mktemp("book") / "project")
    # Not strict, so that the source checks' warnings (folio.sources.REWRITE_WARNINGS) do not stop
    # the build while the bibliography is rewritten; test_all_outputs_built_without_warnings still
    # fails on any other warning.
    report = build(root, strict=False)
    yield root, report
