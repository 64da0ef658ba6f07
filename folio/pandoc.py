"""Calls to pandoc (the binary bundled with pypandoc-binary), with timeouts and captured warnings.

Chapters go to pandoc as one document, so one process start serves the whole book and
citeproc numbers the notes and builds one Sources list. Raw HTML markers separate the chapters
so the HTML can be split again afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .catalogue import finding
from .chapters import Chapter
from .errors import BuildError, Finding

LUA_FILTER = Path(__file__).parent / "lua" / "book.lua"
READER = "markdown-raw_html-raw_tex-auto_identifiers-tex_math_dollars+raw_attribute"
TIMEOUT_S = 120
_MARK = "<!--folio:begin:{}-->"
_SPLIT = re.compile(r"<!--folio:begin:([\w-]+)-->")


def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


@dataclass(frozen=True)
class Result:
    output: bytes
    warnings: list[Finding]


def run(args: Sequence[str], stdin: str, cwd: Path, env_extra: dict[str, str] | None = None) -> Result:
    env = {**os.environ, **(env_extra or {})}
    try:
        proc = subprocess.run([pandoc_path(), *args], input=stdin.encode("utf-8"), capture_output=True,
                              cwd=cwd, timeout=TIMEOUT_S, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise BuildError([finding("T004", "pandoc", 0, f"pandoc did not finish within {TIMEOUT_S} s")]) from None
    warnings = [_stderr_finding(line.strip()) for line in proc.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    if proc.returncode != 0:
        raise BuildError([finding("T004", "pandoc", 0, f"pandoc failed with exit status {proc.returncode}"), *warnings])
    return Result(proc.stdout, warnings)


def markdown_text(text: str) -> str:
    """Front matter text as literal Markdown: every ASCII punctuation mark backslash-escaped, so
    braces, brackets, asterisks and quotes in a title stay text (and cannot open a link)."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", " ".join(text.split()))


def _stderr_finding(line: str) -> Finding:
    """A pandoc warning, or (from folio/lua/book.lua) an error for something it made inert."""
    parts = line.split("\t")
    if parts[0] == "folio-refused" and len(parts) == 3:
        return finding("L006", "pandoc", 0, f"chapter '{parts[1]}': {parts[2]} was made inert (not allowed)")
    return finding("T001", "pandoc", 0, line)


def combined_markdown(chapters: Sequence[Chapter], with_titles: bool = False,
                      inserts: dict[str, str] | None = None, openers: Mapping[str, str] | None = None) -> str:
    """All chapter bodies as one pandoc document, each preceded by its marker.

    ``with_titles`` adds each chapter's level-1 heading (for the EPUB, where pandoc makes the
    chapter files), followed by its opener from ``openers`` (chapter id -> Markdown). ``inserts``
    maps a generated block class to the Markdown that fills it.
    """
    parts: list[str] = []
    for chapter in chapters:
        # With titles (EPUB), the heading comes first: pandoc's EPUB writer adds a title-only
        # chapter before a document that does not start with a level-1 heading.
        if with_titles:
            # The chapter's colour class (theme-<key>) lets the EPUB stylesheet colour the opener (design review D28).
            theme = f" .theme-{chapter.theme}" if chapter.theme else ""
            parts.append(f"# {markdown_text(chapter.title)} {{#{chapter.id} .{chapter.kind}{theme}}}\n")
            if chapter.id in (openers or {}):
                parts.append((openers or {})[chapter.id])
        parts.append(f"```{{=html}}\n{_MARK.format(chapter.id)}\n```\n")
        body = chapter.body
        for name, markdown in (inserts or {}).items():
            pattern = re.compile(rf"(?m)^:{{3,}}\s*\{{?\.?{re.escape(name)}\}}?\s*\n:{{3,}}\s*$")
            body = pattern.sub(markdown.strip("\n").replace("\\", "\\\\"), body)
        parts.append(body.rstrip("\n") + "\n")
    return "\n".join(parts)


def split_html(html: str) -> dict[str, str]:
    """Chapter id -> its HTML, from output written with the markers."""
    pieces = _SPLIT.split(html)
    return {pieces[i]: pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}


def common_args(bibliography: Path, csl: Path, language: str) -> list[str]:
    return ["--citeproc", f"--bibliography={bibliography}", f"--csl={csl}",
            f"--metadata=lang:{language}", "--metadata=link-citations:true",
            "--wrap=none", "--columns=10000"]


def cache_key(chapters: Sequence[Chapter], bibliography: Path, csl: Path, language: str, inserts: dict[str, str]) -> str:
    """Everything the HTML conversion reads, hashed: the Markdown, bibliography, style and filter."""
    import hashlib

    h = hashlib.sha256()
    for part in (combined_markdown(chapters, inserts=inserts).encode(), bibliography.read_bytes(), csl.read_bytes(),
                 LUA_FILTER.read_bytes(), language.encode(), READER.encode(), pandoc_path().encode()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def to_html(chapters: Sequence[Chapter], bibliography: Path, csl: Path, language: str, root: Path,
            inserts: dict[str, str]) -> tuple[dict[str, str], list[Finding]]:
    """Chapter id -> HTML body for the paged editions (notes inline, for float: footnote)."""
    args = ["-f", READER, "-t", "html5", *common_args(bibliography, csl, language),
            "--metadata=folio-notes:inline", f"--lua-filter={LUA_FILTER}"]
    result = run(args, combined_markdown(chapters, inserts=inserts), root)
    return split_html(result.output.decode("utf-8")), result.warnings
