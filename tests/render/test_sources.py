"""Unit tests with inline sources: YAML, front matter, the schema and the content checks.

Each fixture in tests/fixtures is named after what it breaks; the expected message is asserted
word for word, with its file and line, because the message is part of the interface.
"""

from __future__ import annotations

from pathlib import Path


def _render_notes(root: Path, csl: Path) -> str:
    """Every legislation and blog entry of the book's bibliography, cited twice, as pandoc renders it."""
    import pypandoc
    import yaml

    entries = yaml.safe_load((root / "assets" / "bibliography.yaml").read_text(encoding="utf-8"))
    keys = [e["id"] for e in entries if e.get("type") in ("legislation", "bill", "post-weblog")]
    text = "".join(f"Claim [@{k}]. Again [@{k}].\n\n" for k in keys) + "# Sources\n"
    return str(pypandoc.convert_text(text, "plain", format="markdown", extra_args=[
        "--citeproc", "--wrap=none", f"--bibliography={root / 'assets' / 'bibliography.yaml'}",
        f"--csl={csl}", "--metadata=lang:en-GB"]))


def test_uk_legislation_and_blogs_render_as_uk_readers_expect() -> None:
    """The Act reads 'Data (Use and Access) Act 2025, c. 18', as legislation.gov.uk gives it: no US
    'Pub. L. No.' label, no quotation marks, no bracketed year; and no blog name gets '(blog)' added."""
    root = Path(__file__).resolve().parents[2]
    out = _render_notes(root, root / "assets" / "csl" / "chicago-fullnote-bibliography.csl")
    assert "Data (Use and Access) Act 2025, c. 18, https://www.legislation.gov.uk/ukpga/2025/18/contents" in out
    assert "The Flexible Working (Amendment) Regulations 2023, SI 2023/1328," in out
    assert "Pub. L. No." not in out
    assert "(blog)" not in out
    assert "‘Data (Use and Access) Act" not in out
    # A later note names the site and the year, so it can be told apart in any chapter.
    assert "‘GDS Local goes live’, Government Digital Service blog, 2025." in out


def test_sources_list_reads_in_alphabetical_order() -> None:
    """Each Sources entry sorts by what it prints first (author, else the site for web pages and
    news, else the title), so the list a reader sees is in alphabetical order."""
    import itertools
    import re

    import pypandoc

    root = Path(__file__).resolve().parents[2]
    out = str(pypandoc.convert_text("---\nnocite: '@*'\n---\n\n# Sources\n", "plain", format="markdown", extra_args=[
        "--citeproc", "--wrap=none", f"--bibliography={root / 'assets' / 'bibliography.yaml'}",
        f"--csl={root / 'assets' / 'csl' / 'chicago-fullnote-bibliography.csl'}",
        "--metadata=lang:en-GB"]))
    firsts = [re.sub(r"[^a-z0-9]", "", line.lower())[:6]
              for line in out.splitlines()[1:] if line.strip() and not line.startswith("———")]
    assert len(firsts) > 80
    out_of_order = [(a, b) for a, b in itertools.pairwise(firsts) if a[:1] > b[:1]]
    assert out_of_order == []
