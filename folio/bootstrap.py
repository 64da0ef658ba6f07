"""First-run set-up, standard library only: a project virtual environment with pinned packages.

Like Firefox's ``mach`` or Rust's ``x.py``: ``python make_book.py ...`` creates ``.venv/`` from
``requirements.lock`` the first time (and again when the lock file changes), then re-runs itself
with the venv's Python. Debian packages that make the build faster are installed when running as
root with apt; otherwise the exact command is printed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

LOCK = "requirements.lock"
STAMP = ".folio-lock.sha256"


def _in_venv(root: Path) -> bool:
    return Path(sys.prefix).resolve() == (root / ".venv").resolve()


def _say(message: str) -> None:
    print(f"make_book: {message}", file=sys.stderr, flush=True)


def ensure_environment(root: Path, argv: list[str]) -> None:
    if os.environ.get("FOLIO_NO_BOOTSTRAP") == "1":
        return
    lock = root / LOCK
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    env_dir = root / ".venv"
    python = env_dir / "bin" / "python"
    stamp = env_dir / STAMP
    if not (python.exists() and stamp.exists() and stamp.read_text().strip() == digest):
        _say("setting up .venv with the pinned dependencies (first run; takes a minute)")
        if not python.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(lock)], check=True)
        stamp.write_text(digest + "\n")
        _say(".venv is ready")
    ensure_system_packages()
    if not _in_venv(root):
        os.execv(str(python), [str(python), *argv])


def harfbuzz_subset_available() -> bool:
    import ctypes.util

    return ctypes.util.find_library("harfbuzz-subset") is not None


def ensure_system_packages() -> None:
    """libharfbuzz-subset0 makes WeasyPrint subset fonts about 2x faster and deterministically."""
    if harfbuzz_subset_available():
        return
    command = "apt-get install -y libharfbuzz-subset0"
    if os.geteuid() == 0 and shutil.which("apt-get"):
        _say(f"installing libharfbuzz-subset0 for faster font subsetting ({command})")
        if _apt("install", "-y", "-qq", "libharfbuzz-subset0"):
            _apt("update", "-qq")
            _apt("install", "-y", "-qq", "libharfbuzz-subset0")
        if not harfbuzz_subset_available():
            _say(f"could not install libharfbuzz-subset0; continuing with the slower fontTools fallback. Run: sudo {command}")
    else:
        _say(f"libharfbuzz-subset0 is missing, so font subsetting is slower. To fix: sudo {command}")


def _apt(*args: str) -> int:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(["apt-get", *args], env=env, check=False, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=600).returncode


TEST_LOCK = "requirements-test.lock"
TEST_STAMP = ".folio-test-lock.sha256"


def ensure_test_requirements(root: Path) -> None:
    """Test-only Python tools (the outloud PDF/UA checker) into .venv/, from requirements-test.lock.
    They are never imported by folio/: outloud pulls in PyMuPDF, which is AGPL-3.0."""
    lock = root / TEST_LOCK
    stamp = root / ".venv" / TEST_STAMP
    if not lock.exists():
        return
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text().strip() == digest:
        return
    _say(f"installing the test-only Python tools from {TEST_LOCK} (outloud)")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(lock)],
                          check=False, timeout=900)
    if done.returncode == 0 and _in_venv(root):
        stamp.write_text(digest + "\n")
    elif done.returncode != 0:
        _say(f"pip could not install {TEST_LOCK}; the outloud test will say what is missing")


def ensure_debian_tool(command: str, package: str, why: str) -> bool:
    """Install a Debian package with apt when ``command`` is missing and we run as root; True if it is there."""
    if shutil.which(command) is not None:
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        _say(f"installing Debian's {package} for {why} (apt-get install -y {package})")
        if _apt("install", "-y", "-qq", package):
            _apt("update", "-qq")
            _apt("install", "-y", "-qq", package)
    if shutil.which(command) is None:
        _say(f"{command} is missing, so {why} cannot run. To fix: sudo apt-get install -y {package}")
        return False
    return True


def ensure_test_tools(root: Path) -> None:
    """What the third-party checks in the tests need: npm packages (DAISY Ace, axe-core, pdf.js),
    Debian's chromium and poppler-utils, and the test-only Python tools."""
    ensure_test_requirements(root)
    if shutil.which("npm") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        _say("installing Node.js and npm for the browser tests (apt-get install -y nodejs npm)")
        if _apt("install", "-y", "-qq", "nodejs", "npm"):
            _apt("update", "-qq")
            _apt("install", "-y", "-qq", "nodejs", "npm")
    lock = root / "package-lock.json"
    modules = root / "node_modules"
    stamp = modules / ".folio-lock.sha256"
    if lock.exists() and shutil.which("npm"):
        digest = hashlib.sha256(lock.read_bytes()).hexdigest()
        if not (stamp.exists() and stamp.read_text().strip() == digest):
            _say("installing the npm test tools (DAISY Ace, axe-core, playwright-core, pdf.js) with npm ci")
            env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
            # --omit=optional: pdf.js's optional canvas package would fetch a native binary from outside
            # the registry; reading text and structure needs no canvas.
            done = subprocess.run(["npm", "ci", "--omit=optional", "--no-audit", "--no-fund", "--loglevel=error"], cwd=root, env=env,
                                  check=False, timeout=900)
            if done.returncode == 0:
                stamp.write_text(digest + "\n")
            else:
                _say("npm ci failed; the browser tests will say what is missing")
    elif not shutil.which("npm"):
        _say("npm is missing, so the browser tests cannot run. To fix: sudo apt-get install -y nodejs npm")
    ensure_debian_tool("chromium", "chromium", "the browser tests")
    ensure_debian_tool("pdfinfo", "poppler-utils", "the poppler structure test")
