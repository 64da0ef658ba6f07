"""Documentation generated from the code, so it cannot drift: the check-code reference."""

from __future__ import annotations

from .catalogue import CATALOGUE

HEADER = """# Check codes

Every problem the build reports has a stable code. This page is generated from
`folio/catalogue.py` by `python make_book.py docs`; a test fails when it is out of date.

Each message has the form `path:line:col: CODE severity: message`, followed by a hint where one
helps. Errors stop the build; warnings are counted, and `--strict` turns them into errors.

| code | severity | what it means | how to fix it |
|---|---|---|---|
"""

PREFIXES = {
    "F": "Files", "Y": "YAML", "M": "Front matter", "B": "book.yaml", "S": "Structure", "C": "Citations",
    "L": "Links", "I": "Images", "H": "Raw HTML", "T": "Tools", "E": "EPUB", "P": "PDF", "X": "Press", "A": "Accessibility",
}


def check_codes_markdown() -> str:
    rows = []
    for code in sorted(CATALOGUE.values(), key=lambda c: (c.code[0], c.code)):
        hint = code.hint.replace("|", "\\|") or "-"
        summary = code.summary.replace("|", "\\|")
        rows.append(f"| `{code.code}` | {code.severity} | {summary} | {hint} |")
    groups = ", ".join(f"`{k}` {v}" for k, v in PREFIXES.items())
    return HEADER + "\n".join(rows) + f"\n\nCode letters: {groups}.\n"
