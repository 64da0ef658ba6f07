"""The files an edition makes: the edition itself, or (``each: <kind>``) one file per chapter of that
kind, each named with its chapter's id. Read by the job runner (one job per file) and by the site
(one download per file)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .chapters import Chapter
from .config import Edition


def parts(edition: Edition, chapters: Sequence[Chapter]) -> list[Edition]:
    """``edition``, or one copy per chapter of its ``each`` kind with ``part`` and ``output`` filled in."""
    if not edition.each:
        return [edition]
    return [dataclasses.replace(edition, output=edition.output.replace("{id}", c.id), part=c.id, each="")
            for c in chapters if c.kind == edition.each]


def held(edition: Edition, chapters: Sequence[Chapter]) -> list[Chapter]:
    """The chapters one file of the edition holds, in the book's order."""
    if edition.part:
        return [c for c in chapters if c.id == edition.part]
    public_file = edition.audience == "public" and edition.format != "site"   # a site shows them as notices
    return [c for c in chapters if edition.holds(c.kind) and not (public_file and c.meta.get("audience") == "members")]
