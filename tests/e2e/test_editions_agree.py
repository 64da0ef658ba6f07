"""End-to-end: what every edition says about the same thing agrees (design review 2026-12-02c).

D8: a figure has one number in every edition, the book's: the member, press and large-print
PDFs' HTML (output/build/), each chapter PDF, the summary, the web pages of both sites and the
EPUB's XHTML. The EPUB's captions carry the label and the source line as the PDF's do.
D9: the EPUB's title page and package metadata come from book.yaml as the PDF's title page does.

Each check is a function of an ``output/`` folder, so it can be run on a published build:
``python -c "from pathlib import Path; from tests.e2e.test_editions_agree import *; print(figure_number_problems(Path('.'), Path('output')))"``.
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from folio import config, figures
from folio.build import BuildReport
from folio.chapters import read_chapters

pytestmark = pytest.mark.e2e
Built = tuple[Path, BuildReport]

_FIGURE = re.compile(r"<figure(?P<attrs>[^>]*)>(?P<inner>.*?)</figure>", re.S)
_LABEL = re.compile(r'<span class="figure-label">Figure (\d+)\.</span>')
_IMG = re.compile(r'<img src="figures/([\w-]+)\.svg"')
HOME_FIGURE = "timeline"


def _figures_of(html: str, drawings: dict[str, str]) -> list[tuple[str, str | None, bool]]:
    """(drawing name, its "Figure N" number or None, whether it has a source line) per captioned figure."""
    out = []
    for m in _FIGURE.finditer(html):
        if "<figcaption" not in m.group("inner"):
            continue
        fid = re.search(r'\bid="([^"]+)"', m.group("attrs"))
        img = _IMG.search(m.group("inner"))
        name = img.group(1) if img else drawings.get(fid.group(1) if fid else "", "")
        if not name and "figure-wide" in m.group("attrs"):     # the web home page's figure
            name = HOME_FIGURE
        label = _LABEL.search(m.group("inner"))
        out.append((name, label.group(1) if label else None, 'class="figure-source"' in m.group("inner")))
    return out


def edition_documents(output: Path) -> dict[str, str]:
    """Every HTML document an edition is made from: output/build/*.html, the sites' pages, the EPUB's XHTML."""
    docs = {str(p.relative_to(output)): p.read_text(encoding="utf-8") for p in sorted((output / "build").glob("*.html"))}
    for site in ("web-members", "web-public"):
        docs |= {str(p.relative_to(output)): p.read_text(encoding="utf-8") for p in sorted((output / site).glob("*.html"))}
    with zipfile.ZipFile(next(output.glob("*.epub"))) as zf:
        docs |= {f"epub:{n}": zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xhtml")}
    return docs


def figure_number_problems(root: Path, output: Path) -> list[str]:
    """Where a figure's number differs from the book's, or an EPUB caption lacks its label or source."""
    book = config.load_book(root)
    chapters, _ = read_chapters(book)
    book_numbers = {k: str(v) for k, v in figures.book_figure_numbers(book, chapters).items()}
    drawings = figures.figure_drawings([c.body for c in chapters])
    seen: dict[str, set[str | None]] = defaultdict(set)
    problems = []
    for name, html in edition_documents(output).items():
        for drawing, number, sourced in _figures_of(html, drawings):
            seen[drawing].add(number)
            if number != book_numbers.get(drawing):
                problems.append(f"{name}: figure '{drawing}' is Figure {number}, the book's is {book_numbers.get(drawing)}")
            if name.startswith("epub:") and not sourced:
                problems.append(f"{name}: figure '{drawing}' has no source line")
    missing = {d for d in book_numbers if not d.startswith("#")} - set(seen)
    return problems + [f"no edition shows figure '{d}'" for d in sorted(missing)]


def test_figure_numbers_agree_across_editions(real_build: Built) -> None:
    root, _ = real_build
    assert figure_number_problems(root, root / "output") == []


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#169;", "©").replace("&copy;", "©").split())


def _imprint(html: str) -> list[str]:
    block = re.search(r'<div class="imprint">(.*?)</div>', html, re.S)
    return [_text(p) for p in re.findall(r"<p>(.*?)</p>", block.group(1), re.S)] if block else []


def epub_front_problems(output: Path) -> list[str]:
    """D9: the OPF's identifier and title, and the EPUB's title page against the member PDF's."""
    with zipfile.ZipFile(next(output.glob("*.epub"))) as zf:
        opf = zf.read("EPUB/content.opf").decode("utf-8")
        page = zf.read("EPUB/text/title_page.xhtml").decode("utf-8")
    pdf = (output / "build" / "digital-trends-2026.html").read_text(encoding="utf-8")
    problems = []
    if opf.count("<dc:identifier") != 1:
        problems.append(f"the OPF has {opf.count('<dc:identifier')} dc:identifier elements")
    subtitle = re.search(r'<dc:title id="([^"]+)">A look back, a leap forward</dc:title>', opf)
    if not subtitle or f'<meta refines="#{subtitle.group(1)}" property="title-type">subtitle</meta>' not in opf:
        problems.append("the OPF has no subtitle refinement")
    edition = re.search(r'<p class="tp-edition">(.*?)</p>', pdf)
    if edition is None or f'<p class="edition">{edition.group(1)}</p>' not in page:
        problems.append("the EPUB title page has no edition line")
    if "Date 2 December 2026" not in _text(page):
        problems.append("the EPUB title page does not give the date as '2 December 2026'")
    if _imprint(page) != _imprint(pdf):
        problems.append(f"the EPUB imprint {_imprint(page)} is not the PDF's {_imprint(pdf)}")
    return problems


def test_epub_title_page_and_package_metadata_are_the_pdfs(real_build: Built) -> None:
    root, _ = real_build
    assert epub_front_problems(root / "output") == []
