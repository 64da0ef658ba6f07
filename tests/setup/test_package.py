"""folio is an installable package: its wheel holds the Lua filter pandoc runs, the default theme
(the templates a book's layouts/ may lack) and the 'folio' command."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_wheel_holds_the_lua_filter_and_the_default_theme(tmp_path: Path) -> None:
    source = tmp_path / "source"     # a copy, so the build leaves no build/ or egg-info in the project
    shutil.copytree(ROOT / "folio", source / "folio", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", source / "pyproject.toml")
    # With build isolation pip fetches the backend (setuptools) from the package index, as every
    # test of this level needs it; the wheel's own dependencies are not fetched (--no-deps).
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps",
                           "--disable-pip-version-check", "-q", "-w", str(tmp_path / "dist")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheel = next((tmp_path / "dist").glob("folio-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    theme = {p.relative_to(ROOT).as_posix() for p in (ROOT / "folio" / "theme").rglob("*") if p.is_file()}
    assert {"folio/lua/book.lua", "folio/theme/book.html.j2", "folio/theme/css/book.css.j2",
            "folio/theme/partials/opener.md.j2"} <= names
    assert theme <= names, f"not in the wheel: {sorted(theme - names)}"
    assert "folio = folio.cli:main" in entry_points
    assert not any(n.startswith(("tests/", "benchmarks/", "layouts/")) for n in names)
