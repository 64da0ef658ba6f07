"""Integration level, on tests/sample_book: what build() publishes when only some editions are rebuilt."""

from __future__ import annotations

from pathlib import Path

from folio.build import build
from folio.config import load_book


def test_a_site_built_alone_still_offers_the_published_editions(sample_project: Path) -> None:
    # Architecture review 2.4: `make_book.py web` (or `all` with the PDFs up to date) published a
    # site with no downloads, because the site looked for them in output/build/.
    slug = load_book(sample_project).slug
    build(sample_project, ("pdf", "epub"))
    published = {p.name for p in (sample_project / "output").iterdir()}
    assert {f"{slug}.pdf", f"{slug}.epub"} <= published
    build(sample_project, ("web",))
    site = sample_project / "output" / "web"
    home = (site / "index.html").read_text(encoding="utf-8")
    for name in (f"{slug}.pdf", f"{slug}.epub"):
        assert f'href="downloads/{name}"' in home, name
        assert (site / "downloads" / name).read_bytes() == (sample_project / "output" / name).read_bytes()
