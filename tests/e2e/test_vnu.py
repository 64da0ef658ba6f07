"""The Nu Html Checker (npm ``vnu-jar``, pinned in package-lock.json; it runs on Java) reads the
web edition and the EPUB's XHTML.

The web edition must give no error and no warning. In the EPUB the checker does not know the
``epub:type`` attribute (it checks HTML, not EPUB), so exactly that message is filtered, by its
text; any other error fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from folio.build import BuildReport

pytestmark = pytest.mark.e2e
Built = tuple[Path, BuildReport]
ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
EPUB_TYPE = "Attribute “type” not allowed on element"


def vnu(target: Path) -> list[dict[str, Any]]:
    if shutil.which("java") is None or not VNU.is_file():
        pytest.fail(f"the Nu Html Checker cannot run: needs java and {VNU.relative_to(ROOT)} (run: npm ci)")
    done = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--skip-non-html", str(target)],
                          capture_output=True, text=True, timeout=900, check=False)
    messages: list[dict[str, Any]] = json.loads(done.stderr)["messages"]
    return messages


def _show(messages: list[dict[str, Any]]) -> list[str]:
    return [f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['type']}: {m['message']}" for m in messages]


def test_web_edition_has_no_vnu_errors_or_warnings(real_build: Built) -> None:
    root, _ = real_build
    messages = vnu(root / "output" / "web-members")
    assert not _show(messages)


def test_epub_xhtml_has_no_vnu_errors_but_epub_type(real_build: Built, tmp_path: Path) -> None:
    root, _ = real_build
    with zipfile.ZipFile(root / "output" / "digital-trends-2026.epub") as zf:
        zf.extractall(tmp_path)
    messages = vnu(tmp_path)
    errors = [m for m in messages if m["type"] == "error"]
    assert errors, "the checker found nothing at all: it did not read the EPUB's XHTML"
    counted = Counter(m["message"].startswith(EPUB_TYPE) and "epub:type" in (m.get("extract") or "") for m in errors)
    assert counted[True] > 0
    assert not _show([m for m in errors if not (m["message"].startswith(EPUB_TYPE) and "epub:type" in (m.get("extract") or ""))])
