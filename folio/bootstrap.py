"""First-run set-up, standard library only: a project virtual environment with pinned packages.

Like Firefox's ``mach`` or Rust's ``x.py``: ``python make_book.py ...`` creates ``.venv/`` from
``requirements.lock`` the first time (and again when the lock file or the Python changes), then
re-runs itself with the venv's Python. Debian packages the build needs are installed with apt when
running as root; otherwise set-up stops with the exact command to run.

Every failure here ends in one paragraph that says what failed and how to fix or retry it, exit
status 1, and no traceback unless ``--debug``. Set-up is safe to interrupt: the stamp that marks
``.venv`` as complete is written last, so the next run repairs a half-made environment by itself.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from .publish import atomic_write

LOCK = "requirements.lock"
STAMP = ".folio-lock.sha256"
LOG = "folio-setup.log"
MIN_PYTHON = (3, 11)
NO_TOOLS = {"--help", "-h", "--version", "docs", "clean", "new-chapter"}


class SetupError(Exception):
    """A set-up step failed: ``what`` happened, ``fix`` is the command or action that repairs it."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what} {fix}")
        self.what = what
        self.fix = fix


def _say(message: str) -> None:
    print(f"make_book: {message}", file=sys.stderr, flush=True)


def ensure_environment(root: Path, argv: Sequence[str]) -> None:
    """Make sure .venv is complete and the system libraries exist, then re-run in the venv."""
    if os.environ.get("FOLIO_NO_BOOTSTRAP") == "1" or _in_venv(root):
        return
    debug = "--debug" in argv
    try:
        check_python(sys.version_info[:3])
        if not NO_TOOLS.intersection(argv[1:]):
            ensure_system_libraries(needs_java=_needs_java(argv[1:]))
        python = ensure_venv(root)
        ensure_harfbuzz_subset()
    except SetupError as exc:
        if debug:
            raise
        _say(f"set-up failed: {exc.what} {exc.fix}")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        _say("set-up interrupted; run the same command again to finish it (a half-made .venv is repaired).")
        raise SystemExit(130) from None
    os.execv(str(python), [str(python), *argv])


def _in_venv(root: Path) -> bool:
    return Path(sys.prefix).resolve() == (root / ".venv").resolve()


def _needs_java(args: Sequence[str]) -> bool:
    return bool({"all", "epub", "test"}.intersection(args))


# --- Python and the virtual environment -----------------------------------------------------------


def check_python(version: tuple[int, ...]) -> None:
    if tuple(version[:2]) < MIN_PYTHON:
        found = ".".join(str(v) for v in version)
        raise SetupError(f"folio needs Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer, and this is Python {found}.",
                         "Run it with a newer Python, for example: python3.11 make_book.py all "
                         "(on Debian 12: apt-get install python3).")


def lock_digest(root: Path) -> str:
    """What .venv was made from: the lock file and the Python that made it."""
    data = (root / LOCK).read_bytes() + f"\npython {_version()}\n".encode()
    return hashlib.sha256(data).hexdigest()


def ensure_venv(root: Path) -> Path:
    env_dir = root / ".venv"
    python = env_dir / "bin" / "python"
    stamp = env_dir / STAMP
    try:
        digest = lock_digest(root)
    except OSError as exc:
        raise SetupError(f"cannot read {LOCK}: {exc.strerror}.", "Restore it with: git checkout -- requirements.lock") from exc
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python
    started = time.monotonic()
    fresh = not python.exists() or venv_version(env_dir) != _version() or not _runs(python, "-m", "pip", "--version")
    if fresh:
        _say("setting up .venv (first run): step 1 of 2, creating the environment")
        create_venv(env_dir)
    else:
        _say("updating .venv: requirements.lock or the Python has changed (or the last set-up was interrupted)")
    install_lock(python, root / LOCK, env_dir / LOG, step="step 2 of 2, " if fresh else "")
    atomic_write(stamp, (digest + "\n").encode())
    _say(f".venv is ready ({time.monotonic() - started:.0f} s)")
    return python


def _version() -> str:
    return ".".join(str(v) for v in sys.version_info[:3])


def venv_version(env_dir: Path) -> str | None:
    """The Python version that made .venv, from its pyvenv.cfg (None when unreadable)."""
    try:
        for line in (env_dir / "pyvenv.cfg").read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version", "version_info"):
                return ".".join(value.strip().split(".")[:3])
    except OSError:
        return None
    return None


def _runs(python: Path, *args: str) -> bool:
    try:
        return subprocess.run([str(python), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              check=False, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def create_venv(env_dir: Path) -> None:
    done = _run([sys.executable, "-m", "venv", "--clear", str(env_dir)], timeout=300)
    if done.returncode == 0:
        return
    output = done.stdout or ""
    shutil.rmtree(env_dir, ignore_errors=True)
    if "ensurepip" in output or ("venv" in output and "apt" in output):
        package = f"python{sys.version_info[0]}.{sys.version_info[1]}-venv"
        if _apt_install([package], why="Python's venv module"):
            done = _run([sys.executable, "-m", "venv", "--clear", str(env_dir)], timeout=300)
            if done.returncode == 0:
                return
            output = done.stdout or ""
        else:
            raise SetupError("Python's venv module is missing, so .venv cannot be created.",
                             f"To fix: sudo apt-get install -y {package}, then run the same command again.")
    raise SetupError(f"creating .venv failed: {diagnose(output)}", f"Fix that, then run the same command again. {_last_line(output)}")


def install_lock(python: Path, lock: Path, log: Path, step: str = "") -> None:
    pins = [line for line in lock.read_text().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input",
               "--progress-bar", "off", "-r", str(lock)]
    _say(f"{step}installing {len(pins)} pinned packages (about a minute; pip's log: {_rel(log, lock.parent)})")
    progress = Progress(len(pins), sys.stderr.isatty())
    code, output = _stream(command, log, progress.line)
    progress.close()
    if code != 0:
        raise SetupError(f"installing the pinned packages failed: {diagnose(output)}",
                         f"Then run the same command again; the half-made .venv is repaired by itself "
                         f"(pip's full log: {_rel(log, lock.parent)}). {_last_line(output)}")


class Progress:
    """'installing packages 12/47' as pip collects them: one updating line on a terminal, a few lines otherwise."""

    def __init__(self, total: int, tty: bool) -> None:
        self.total, self.tty, self.seen, self.next_report = max(total, 1), tty, 0, 0.25

    def line(self, text: str) -> None:
        if not text.startswith(("Collecting ", "Processing ", "Requirement already satisfied")):
            return
        self.seen = min(self.seen + 1, self.total)
        if self.tty:
            print(f"\rmake_book: installing packages {self.seen}/{self.total}", end="", file=sys.stderr, flush=True)
        elif self.seen / self.total >= self.next_report:
            _say(f"installing packages {self.seen}/{self.total}")
            self.next_report += 0.25

    def close(self) -> None:
        if self.tty and self.seen:
            print(file=sys.stderr, flush=True)


def _stream(command: list[str], log: Path, on_line: Callable[[str], None]) -> tuple[int, str]:
    """Run a command, its output to ``log`` (not the screen), passing each line to ``on_line``."""
    lines: list[str] = []
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w", encoding="utf-8") as sink, subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace") as proc:
            assert proc.stdout is not None
            for text in proc.stdout:
                sink.write(text)
                lines.append(text)
                on_line(text)
            code = proc.wait()
    except OSError as exc:
        return 1, f"{exc.strerror or exc}\n"
    return code, "".join(lines)


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
                              timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 1, f"timed out after {timeout:.0f} s\n")
    except OSError as exc:
        return subprocess.CompletedProcess(command, 1, f"{exc.strerror or exc}\n")


NETWORK_SIGNS = ("NewConnectionError", "Failed to establish a new connection", "Max retries exceeded",
                 "Temporary failure in name resolution", "Name or service not known", "ProxyError",
                 "Connection refused", "Network is unreachable", "timed out", "SSLError", "from versions: none")


def diagnose(output: str) -> str:
    """One sentence on why pip or venv failed, from what they printed."""
    if "No space left on device" in output or "Errno 28" in output:
        return "the disk is full (No space left on device). Free some space (df -h shows where)."
    if "requires a different Python" in output or "Requires-Python" in output:
        return (f"a pinned package does not support this Python ({_version()}). "
                "Use the Python the README names, or update requirements.lock.")
    if any(sign in output for sign in NETWORK_SIGNS):
        index = os.environ.get("PIP_INDEX_URL", "the Python package index")
        return (f"the package index could not be reached ({index}). Check the network connection, proxy "
                "or PIP_INDEX_URL.")
    if "Permission denied" in output or "Read-only file system" in output:
        return "the project folder is not writable. Run it as a user who can write to this folder."
    return "pip reported an error (its last line is below)."


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    last = (errors or lines or [""])[-1]
    return f"Its last message: {last[:300]}" if last else ""


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --- Debian packages --------------------------------------------------------------------------------


def _libraries(names: Iterable[str]) -> list[str]:
    return [name for name in names if ctypes.util.find_library(name) is None]


def ensure_system_libraries(needs_java: bool) -> None:
    """Pango (WeasyPrint draws text with it) and Java (EPUBCheck, the Nu Html Checker) are required."""
    if _libraries(["pango-1.0", "pangoft2-1.0"]):
        packages = ["libpango-1.0-0", "libpangoft2-1.0-0"]
        if not (_apt_install(packages, why="Pango, which WeasyPrint draws text with") and not _libraries(["pango-1.0", "pangoft2-1.0"])):
            raise SetupError("the Pango library is missing (WeasyPrint needs it to draw text).",
                             f"To fix: sudo apt-get install -y {' '.join(packages)}")
    if needs_java and shutil.which("java") is None:
        if not (_apt_install(["default-jre-headless"], why="Java, for EPUBCheck") and shutil.which("java")):
            raise SetupError("Java is missing (EPUBCheck and the Nu Html Checker need it).",
                             "To fix: sudo apt-get install -y default-jre-headless")


def harfbuzz_subset_available() -> bool:
    return ctypes.util.find_library("harfbuzz-subset") is not None


def ensure_harfbuzz_subset() -> None:
    """libharfbuzz-subset0 makes WeasyPrint subset fonts about 2x faster and deterministically (optional)."""
    if harfbuzz_subset_available():
        return
    if not (_apt_install(["libharfbuzz-subset0"], why="faster font subsetting") and harfbuzz_subset_available()):
        _say("libharfbuzz-subset0 is missing, so font subsetting is slower. To fix: sudo apt-get install -y libharfbuzz-subset0")


_APT_UPDATED = False


def _apt_install(packages: list[str], why: str) -> bool:
    """Install Debian packages when running as root with apt; False when that is not possible or fails."""
    global _APT_UPDATED
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    _say(f"installing {' '.join(packages)} ({why}) with apt-get")
    if _apt("install", "-y", "-qq", "--no-install-recommends", *packages) == 0:
        return True
    if not _APT_UPDATED:
        _APT_UPDATED = True
        _apt("update", "-qq")
    return _apt("install", "-y", "-qq", "--no-install-recommends", *packages) == 0


def _apt(*args: str) -> int:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        return subprocess.run(["apt-get", *args], env=env, check=False, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=900).returncode
    except (OSError, subprocess.SubprocessError):
        return 1


TEST_LOCK = "requirements-test.lock"
TEST_STAMP = ".folio-test-lock.sha256"


def ensure_test_requirements(root: Path) -> list[str]:
    """Test-only Python tools (the outloud PDF/UA checker) into .venv/, from requirements-test.lock.
    They are never imported by folio/: outloud pulls in PyMuPDF, which is AGPL-3.0."""
    lock = root / TEST_LOCK
    stamp = root / ".venv" / TEST_STAMP
    if not lock.exists():
        return []
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text().strip() == digest:
        return []
    _say(f"installing the test-only Python tools from {TEST_LOCK} (outloud)")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(lock)],
                          check=False, timeout=900)
    if done.returncode != 0:
        return [f"pip could not install {TEST_LOCK}. To retry: .venv/bin/python -m pip install -r {TEST_LOCK}"]
    if _in_venv(root):
        atomic_write(stamp, (digest + "\n").encode())
    return []


def ensure_debian_tool(command: str, package: str, why: str) -> bool:
    """Install a Debian package with apt when ``command`` is missing and we run as root; True if it is there."""
    if shutil.which(command) is None and not (_apt_install([package], why=why) and shutil.which(command)):
        _say(f"{command} is missing, so {why} cannot run. To fix: sudo apt-get install -y {package}")
        return False
    return True


def ensure_test_tools(root: Path) -> list[str]:
    """What the browser-based and third-party tests need: npm packages (DAISY Ace, axe-core, pdf.js),
    chromium, poppler, and the test-only Python tools (outloud). Returns problems."""
    problems: list[str] = ensure_test_requirements(root)
    wanted = {"npm": ["nodejs", "npm"], "chromium": ["chromium"], "pdfinfo": ["poppler-utils"]}
    for command, packages in wanted.items():
        if shutil.which(command) is None and not (_apt_install(packages, why="the test suite") and shutil.which(command)):
            problems.append(f"{command} is missing. To fix: sudo apt-get install -y {' '.join(packages)}")
    lock = root / "package-lock.json"
    stamp = root / "node_modules" / ".folio-lock.sha256"
    if lock.exists() and shutil.which("npm"):
        digest = hashlib.sha256(lock.read_bytes()).hexdigest()
        if not (stamp.exists() and stamp.read_text().strip() == digest):
            _say("installing the npm test tools from package-lock.json (npm ci)")
            env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
            # --omit=optional: pdf.js's optional canvas package would fetch a native binary from outside
            # the registry; reading text and structure needs no canvas.
            done = subprocess.run(["npm", "ci", "--omit=optional", "--no-audit", "--no-fund", "--loglevel=error"], cwd=root, env=env,
                                  check=False, timeout=900)
            if done.returncode == 0:
                atomic_write(stamp, (digest + "\n").encode())
            else:
                problems.append("npm ci failed (see its message above). To retry: npm ci")
    for problem in problems:
        _say(problem)
    return problems
