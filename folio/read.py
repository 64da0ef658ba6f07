"""The read stage: book.yaml, every chapter, the bibliography and the figure data, all checked.

Nothing here writes a file; ``build()`` stops before writing anything if an error is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import chapters as chapters_mod
from . import checks, config, datafiles, figures
from .errors import Finding


@dataclass(frozen=True)
class Sources:
    book: config.Book
    chapters: list[chapters_mod.Chapter]
    bibliography: list[dict[str, object]]
    figure_specs: list[figures.FigureSpec]


def read_sources(root: Path) -> tuple[Sources, list[Finding]]:
    """Read book.yaml, every chapter, the bibliography and the figure data; check them all."""
    book = config.load_book(root)
    problems = datafiles.check_symlinks(root) + datafiles.check_palette(root)
    chapters, found = chapters_mod.read_chapters(book)
    bibliography, bib_problems = checks.load_bibliography(book.bibliography, root)
    specs, figure_problems = datafiles.load_figures(root)
    problems += found + bib_problems + figure_problems
    if not problems:
        problems += checks.run_all(chapters, root, bibliography, book.bibliography, {s.id for s in specs},
                                   book.content.blocks or None)
    return Sources(book, chapters, bibliography, specs), sorted(problems)
