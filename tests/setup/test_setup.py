"""Set-up level: the promise "Python 3.11 or newer" and what a new user sees when set-up fails.

These tests need the package registry (as CI and every first run do). They resolve the lock for
each promised Python without installing it, and run the real bootstrap against a dead index.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from folio import bootstrap

ROOT = Path(__file__).resolve().parent.parent.parent
# The oldest Python the README promises is Debian 12's own; the others are the newest minors we support.
PROMISED = ("3.11.2", "3.12", "3.13")
DEAD_INDEX = {"PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "",
              "PIP_EXTRA_INDEX_URL": "", "PIP_RETRIES": "0", "PIP_DEFAULT_TIMEOUT": "2", "PIP_NO_CACHE_DIR": "1"}


def resolve(lock: Path, version: str, target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet", "--no-input",
         "--disable-pip-version-check", "--python-version", version, "--only-binary=:all:", "--target", str(target),
         "-r", str(lock)], capture_output=True, text=True, timeout=900, check=False)


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-test.lock"])
def test_lock_resolves_for_every_promised_python(lock: str, tmp_path: Path) -> None:
    with ThreadPoolExecutor(len(PROMISED)) as pool:
        results = dict(zip(PROMISED, pool.map(lambda v: resolve(ROOT / lock, v, tmp_path / v), PROMISED), strict=True))
    failed = {v: (r.stdout + r.stderr)[-1500:] for v, r in results.items() if r.returncode != 0}
    assert not failed, f"{lock} does not install on {sorted(failed)}: {failed}"
    # A yanked release installs with only a warning; soupsieve 3.0.1 was yanked because Python
    # before 3.11.5 breaks it, which is exactly Debian 12's Python.
    yanked = {v: [line for line in r.stderr.splitlines() if "yanked" in line] for v, r in results.items()}
    assert not any(yanked.values()), f"{lock} pins yanked releases: {yanked}"


def test_a_pin_that_drops_python_3_11_2_is_caught(tmp_path: Path) -> None:
    # soupsieve 4.1.3 needs Python 3.11.5: the pin that once broke every fresh Debian 12.
    lock = tmp_path / "requirements.lock"
    lock.write_text("soupsieve==4.1.3\n")
    done = resolve(lock, "3.11.2", tmp_path / "t")
    assert done.returncode != 0
    assert "Requires-Python" in done.stdout + done.stderr or "requires a different python" in (done.stdout + done.stderr).lower()


def test_the_promise_is_stated_once() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    major, minor = bootstrap.MIN_PYTHON
    assert project["requires-python"] == f">={major}.{minor}"
    assert f"Python {major}.{minor} or newer" in (ROOT / "README.md").read_text()


def _clone(tmp_path: Path) -> Path:
    root = tmp_path / "clone"
    root.mkdir()
    shutil.copy(ROOT / "make_book.py", root)
    shutil.copytree(ROOT / "folio", root / "folio", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _make_book(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "FOLIO_"))}
    return subprocess.run([sys._base_executable, "make_book.py", *args], cwd=root, env={**base, **env},  # type: ignore[attr-defined]
                          capture_output=True, text=True, timeout=600, check=False)


def test_unreachable_index_gives_one_clear_paragraph_and_the_next_run_repairs(tmp_path: Path) -> None:
    root = _clone(tmp_path)
    # A small lock keeps the test quick; the bootstrap does not know the difference.
    (root / "requirements.lock").write_text("iniconfig==2.3.1\n")
    done = _make_book(root, DEAD_INDEX, "--version")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "Traceback" not in out
    assert "set-up failed: installing the pinned packages failed: the package index could not be reached" in out
    assert "run the same command again" in out
    assert not (root / ".venv" / bootstrap.STAMP).exists()
    # The registry is back: the same command finishes the half-made .venv without any clean-up
    # (it then fails later only because this clone has no rich; the stamp is what matters here).
    again = _make_book(root, {}, "--version")
    assert (root / ".venv" / bootstrap.STAMP).exists(), again.stdout + again.stderr
    assert "updating .venv" in again.stderr and ".venv is ready" in again.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    root = _clone(tmp_path)
    (root / "requirements.lock").write_text("iniconfig==2.3.1\n")
    done = _make_book(root, DEAD_INDEX, "--version", "--debug")
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "SetupError" in done.stderr


def test_an_interrupted_venv_is_recreated(tmp_path: Path) -> None:
    root = _clone(tmp_path)
    (root / "requirements.lock").write_text("iniconfig==2.3.1\n")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").symlink_to("/nonexistent/python3")   # what a killed `venv` can leave
    done = _make_book(root, {}, "--version")
    assert (root / ".venv" / bootstrap.STAMP).exists(), done.stdout + done.stderr
    assert "creating the environment" in done.stderr


@pytest.mark.parametrize(("output", "expected"), [
    ("ERROR: Could not find a version that satisfies the requirement x (from versions: none)", "could not be reached"),
    ("OSError: [Errno 28] No space left on device", "disk is full"),
    ("ERROR: Package 'x' requires a different Python: 3.11.2 not in '>=3.11.5'", "does not support this Python"),
    ("ERROR: Could not install packages due to an OSError: [Errno 13] Permission denied", "not writable"),
    ("something else entirely", "pip reported an error"),
])
def test_diagnose_names_the_cause(output: str, expected: str) -> None:
    assert expected in bootstrap.diagnose(output)


def test_old_python_is_refused_with_the_fix() -> None:
    with pytest.raises(bootstrap.SetupError) as exc:
        bootstrap.check_python((3, 10, 12))
    assert "3.11 or newer" in exc.value.what and "3.10.12" in exc.value.what


def _no_pango(monkeypatch: pytest.MonkeyPatch, root_user: bool, apt_code: int) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if "pango" in name else f"lib{name}.so")
    monkeypatch.setattr(os, "geteuid", lambda: 0 if root_user else 1000)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")

    def apt(*args: str) -> int:
        calls.append(args)
        return apt_code
    monkeypatch.setattr(bootstrap, "_apt", apt)
    return calls


def test_missing_pango_as_a_user_names_the_apt_command(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _no_pango(monkeypatch, root_user=False, apt_code=0)
    with pytest.raises(bootstrap.SetupError) as exc:
        bootstrap.ensure_system_libraries(needs_java=False)
    assert "Pango library is missing" in exc.value.what
    assert exc.value.fix == "To fix: sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0"
    assert calls == []          # never tries apt without root


def test_apt_refusing_as_root_still_names_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _no_pango(monkeypatch, root_user=True, apt_code=100)
    with pytest.raises(bootstrap.SetupError) as exc:
        bootstrap.ensure_system_libraries(needs_java=False)
    assert "apt-get install -y libpango-1.0-0" in exc.value.fix
    assert [c[0] for c in calls] == ["install", "update", "install"]   # one retry after refreshing the lists


def test_missing_java_is_installed_as_root_or_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: f"lib{name}.so")
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "java" else f"/usr/bin/{name}")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(bootstrap.SetupError) as exc:
        bootstrap.ensure_system_libraries(needs_java=True)
    assert exc.value.fix == "To fix: sudo apt-get install -y default-jre-headless"
    bootstrap.ensure_system_libraries(needs_java=False)     # `check` does not need Java


def test_setup_error_exits_1_with_one_line_and_no_traceback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _no_pango(monkeypatch, root_user=False, apt_code=0)
    monkeypatch.delenv("FOLIO_NO_BOOTSTRAP", raising=False)
    with pytest.raises(SystemExit) as exc:
        bootstrap.ensure_environment(tmp_path, ["make_book.py", "all"])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("make_book: set-up failed: the Pango library is missing") and err.count("\n") == 1


# Debian 12's own Node.js is 18; every npm tool the tests use must run on it. DAISY Ace 1.4 declares
# Node 20 but runs on 18 (the fresh-Debian run passes its test); no Ace release declares 18.
DEBIAN_NODE = (18, 19, 0)
RUNS_ON_18_DESPITE_ENGINES = ("node_modules/@daisy/",)


def _admits(spec: str, version: tuple[int, ...]) -> bool:
    """Enough of npm's semver ranges for engines fields: '>=a.b', '^a.b', 'a || b', '*'."""
    def one(part: str) -> bool:
        part = part.strip()
        if part in ("", "*", "x"):
            return True
        for op in (">=", "^", ">", "~", "="):
            if part.startswith(op):
                wanted = tuple(int(x) for x in part[len(op):].strip().lstrip("v").split(".") if x.isdigit())
                have = version[:len(wanted)]
                return {">=": have >= wanted, ">": have > wanted, "=": have == wanted,
                        "^": have[:1] == wanted[:1] and have >= wanted,
                        "~": have[:2] == wanted[:2] and have >= wanted}[op]
        return True   # a bare version or a range form not used by engines: do not guess
    return any(all(one(p) for p in alt.replace(">= ", ">=").split()) for alt in spec.split("||"))


def test_npm_tools_run_on_debian_12_node() -> None:
    import json

    lock = json.loads((ROOT / "package-lock.json").read_text())
    refused = {name: meta["engines"]["node"] for name, meta in lock["packages"].items()
               if isinstance(meta.get("engines"), dict) and "node" in meta["engines"]
               and not name.startswith(RUNS_ON_18_DESPITE_ENGINES) and not _admits(meta["engines"]["node"], DEBIAN_NODE)}
    assert not refused, f"these npm packages need a newer Node than Debian 12's 18: {refused}"


def test_engines_parser() -> None:
    assert _admits(">=18", DEBIAN_NODE) and not _admits(">=20", DEBIAN_NODE)
    assert _admits("^14.17.0 || >=16.0.0", DEBIAN_NODE) and not _admits("^20.1.0", DEBIAN_NODE)
    assert _admits(">= 8", DEBIAN_NODE) and _admits("*", DEBIAN_NODE)
