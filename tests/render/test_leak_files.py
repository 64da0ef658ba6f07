"""The public guard reads the files a site offers too: a members' sentence in a PDF's text layer (even
hyphenated across a line end by the layout) or in an EPUB's XHTML is a leak."""

from __future__ import annotations

import zipfile
from pathlib import Path

from folio import leaks
from folio.chapters import Chapter

SENTENCE = "Councils reported that the unpublished benchmarking figures doubled within eighteen months."


def members() -> list[Chapter]:
    return [Chapter(Path("chapters/one.md"), "chapters/one.md", {"id": "one", "title": "One", "kind": "theme",
                                                                 "audience": "members"}, SENTENCE + "\n", 5)]


def test_a_members_sentence_in_a_pdf_or_epub_is_found(tmp_path: Path) -> None:
    from weasyprint import HTML

    site = tmp_path / "site"
    (site / "downloads").mkdir(parents=True)
    narrow = "<style>p { width: 38mm; hyphens: auto; font-size: 11pt; }</style>"
    HTML(string=f"<html lang='en-GB'>{narrow}<p>{SENTENCE}</p></html>").write_pdf(site / "downloads" / "a.pdf")
    HTML(string="<html lang='en-GB'><p>Nothing from the members here, only a public line.</p></html>").write_pdf(
        site / "downloads" / "clean.pdf")
    with zipfile.ZipFile(site / "downloads" / "b.epub", "w") as book:
        book.writestr("EPUB/one.xhtml", f"<html><body><p>{SENTENCE.replace('the ', 'the&#160;', 1)}</p></body></html>")
    joined, kept = leaks.pdf_texts(site / "downloads" / "a.pdf")     # the layout hyphenated 'unpublished'
    assert "unpub-lished" in kept and "unpublished" in joined
    found = sorted(path.name for path, _, _ in leaks.leaks(site, members()))
    assert found == ["a.pdf", "b.epub"]
