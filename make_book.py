#!/usr/bin/env python3
"""Build Digital Trends 2026: python make_book.py all|pdf|press|large-print|epub|check|clean|test.

A thin entry point. On first run it sets up .venv/ with the pinned dependencies
(requirements.lock) and re-runs itself there; see folio/bootstrap.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    from folio import bootstrap

    bootstrap.ensure_environment(ROOT, sys.argv if argv is None else [sys.argv[0], *argv])
    from folio import cli

    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
