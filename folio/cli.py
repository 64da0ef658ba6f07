"""Command line: parse arguments, run a command, print findings and a summary, return the exit code.

Exit status: 0 success, 1 content or build error, 2 usage error.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from . import __version__

if TYPE_CHECKING:
    from .config import Book
from .docs import check_codes_markdown
from .errors import Finding

_SOURCE = Path(__file__).resolve().parent.parent
# The project folder: the checkout folio runs from (make_book.py), or, for an installed folio, the current one.
ROOT = _SOURCE if (_SOURCE / "book.yaml").is_file() else Path.cwd()
COMMANDS = {
    "all": "build every edition book.yaml declares",
    "check": "check the sources without rendering anything",
    "clean": "remove everything the build made under output/",
    "test": "run ruff, mypy and the test suite (extra arguments go to pytest)",
    "watch": "rebuild on every change and serve a live preview on 127.0.0.1",
    "new-chapter": 'create a chapter: new-chapter "Title" [--kind theme|front|back] [--theme KEY]',
    "docs": "regenerate docs/check-codes.md from the check catalogue",
}
TOOLS = ("test", "watch", "new-chapter", "docs")     # commands that do not build or check the book


def _declared(root: Path) -> Book | None:
    """book.yaml, or None when it cannot be read (any name is then accepted and the build reports
    its problems)."""
    from .config import load_book
    from .errors import BuildError

    try:
        return load_book(root)
    except BuildError:
        return None


def edition_commands(root: Path, book: Book | None = None) -> dict[str, str] | None:
    """One command per edition book.yaml declares (name -> help), in its order; None when
    book.yaml cannot be read."""
    book = book or _declared(root)
    if book is None:
        return None
    return {name: f"build {e.description or 'the ' + name + ' edition'}" for name, e in book.editions.items()}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"make_book.py: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def parser(root: Path = ROOT) -> argparse.ArgumentParser:
    book = _declared(root)
    declared = edition_commands(root, book)
    kinds = list(book.content.kinds) if book is not None else []
    commands = {**{"all": COMMANDS["all"]}, **(declared or {}), **COMMANDS}
    p = _Parser(prog="make_book.py", description="Build the book in this folder from its Markdown chapters.",
                formatter_class=argparse.RawDescriptionHelpFormatter,
                epilog="commands:\n" + "\n".join(f"  {k:<12} {v}" for k, v in commands.items())
                + "\n\nexit status: 0 success, 1 content or build error, 2 usage error")
    p.add_argument("command", choices=list(commands) if declared is not None else None, metavar="command",
                   help="one of: " + ", ".join(commands))
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--debug", action="store_true", help="show Python tracebacks")
    p.add_argument("--plain", action="store_true", help="no colour or progress display (also when NO_COLOR is set)")
    p.add_argument("--project", type=Path, default=ROOT, metavar="DIR", help="the project folder (default: this one)")
    p.add_argument("--version", action="version", version=f"folio {__version__}")
    p.add_argument("--kind", choices=kinds or None, default="", help="new-chapter: the kind of chapter, one of book.yaml's "
                   "content.kinds" + (f" ({', '.join(kinds)}; default {book.content.default_kind})" if book and kinds else ""))
    p.add_argument("--theme", default="", help="new-chapter: the colour key (default the palette's first theme)")
    p.add_argument("--port", type=int, default=8000, help="watch: the preview port on 127.0.0.1")
    p.add_argument("args", nargs="*", help="test: arguments for pytest; new-chapter: the title")
    return p


def main(argv: list[str] | None = None) -> int:
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--project", type=Path, default=ROOT)
    known, _ = first.parse_known_args(argv)
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after 'test' goes to pytest as written ('make_book.py test -k golden').
    valued = {"--project", "--kind", "--theme", "--port"}      # options followed by their value
    at = next((i for i, a in enumerate(argv) if not a.startswith("-") and (i == 0 or argv[i - 1] not in valued)), None)
    passed = argv[at + 1:] if at is not None and argv[at] == "test" else []
    own = [a for a in passed if a == "--plain"]      # folio's own flag, which pytest does not have ('.ci/run')
    args = parser(known.project).parse_args(argv[:len(argv) - len(passed)] + own)
    args.args = args.args + [a for a in passed if a not in own]
    import signal

    from .safety import on_signal

    previous = None
    if threading_main() and args.command not in TOOLS:
        previous = signal.signal(signal.SIGINT, on_signal), signal.signal(signal.SIGTERM, on_signal)
    try:
        return _run(args)
    finally:
        if previous is not None:   # leave the caller's handlers as they were (tests call main in-process)
            signal.signal(signal.SIGINT, previous[0])
            signal.signal(signal.SIGTERM, previous[1])


def _run(args: argparse.Namespace) -> int:
    import os

    from .safety import EXHAUSTION, Terminated

    plain = args.plain or bool(os.environ.get("NO_COLOR")) or not sys.stderr.isatty()
    console = Console(stderr=True, no_color=plain, highlight=False, soft_wrap=True)
    editions = edition_commands(args.project) or {}
    several = args.command in editions and all(a in editions for a in args.args)    # 'make_book.py pdf epub'
    if args.args and args.command not in ("test", "new-chapter") and not several:
        console.print(f"make_book.py: error: unexpected arguments {' '.join(args.args)}")
        return 2
    try:
        if args.command == "test":
            return run_tests(args.args)
        if args.command == "new-chapter":
            return run_new_chapter(console, args.project, args.args, args.kind, args.theme)
        if args.command == "docs":
            (args.project / "docs" / "check-codes.md").write_text(check_codes_markdown(), encoding="utf-8")
            console.print("Wrote docs/check-codes.md")
            return 0
        if args.command == "watch":
            return run_watch(console, args.project, args.port)
        if args.command == "clean":
            from .build import clean

            removed = clean(args.project)
            console.print(f"Removed {len(removed)} item(s) from output/.")
            return 0
        if args.command == "check":
            return run_check(console, args.project, args.strict)
        return run_build(console, args.project, None if args.command == "all" else (args.command, *args.args),
                         args.strict, plain)
    except KeyboardInterrupt as exc:
        console.print(("Stopped (SIGTERM)" if isinstance(exc, Terminated) else "Interrupted")
                      + "; temporary files removed, the previous outputs are unchanged.")
        return 143 if isinstance(exc, Terminated) else 130
    except OSError as exc:
        if exc.errno not in EXHAUSTION or args.debug:
            raise
        where = os.path.relpath(exc.filename, args.project) if isinstance(exc.filename, str) else "output"
        console.print(f"{where}: O001 error: cannot write: {EXHAUSTION[exc.errno]} ({exc.strerror}); "
                      "temporary files removed, the previous outputs are unchanged.", markup=False)
        return 1
    except Exception as exc:
        if args.debug:
            raise
        console.print(f"make_book.py: internal error: {type(exc).__name__}: {exc}")
        console.print("Run again with --debug to see the traceback, and report it.")
        return 1


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _print_findings(console: Console, findings: Sequence[Finding]) -> None:
    for f in findings:
        console.print(f.format(), markup=False)


def _summary_line(errors: int, warnings: int) -> str:
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


def run_check(console: Console, root: Path, strict: bool) -> int:
    from .build import read_sources
    from .errors import BuildError

    try:
        _, findings = read_sources(root)
    except BuildError as exc:
        findings = exc.findings
    _print_findings(console, findings)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    console.print(f"check: {_summary_line(errors, warnings)}")
    return 1 if errors or (strict and warnings) else 0


def run_build(console: Console, root: Path, targets: tuple[str, ...] | None, strict: bool, plain: bool) -> int:
    from .build import build
    from .errors import BuildError

    started = time.monotonic()
    status = console.status("Starting", spinner="dots") if not plain else None
    if status:
        status.start()

    def progress(message: str) -> None:
        if status:
            status.update(message)
        else:
            console.print(f"... {message}")
    try:
        report = build(root, targets, strict=strict, progress=progress)
    except BuildError as exc:
        if status:
            status.stop()
        _print_findings(console, exc.findings)
        errors = sum(1 for f in exc.findings if f.severity == "error")
        console.print(f"build failed: {_summary_line(errors, len(exc.findings) - errors)}"
                      + (" (strict mode: warnings count as errors)" if strict and not errors else "")
                      + "; the previous outputs are unchanged.")
        return 1
    if status:
        status.stop()
    _print_findings(console, report.findings)
    table = Table(title=None, show_edge=False)
    for col in ("output", "pages", "size", "time"):
        table.add_column(col, justify="left" if col == "output" else "right")
    for out in report.outputs:
        table.add_row(out.path.relative_to(root).as_posix(), str(out.pages or "-"),
                      f"{out.path.stat().st_size / 1024:,.0f} KB", f"{out.seconds:.1f} s")
    if report.outputs:
        console.print(table)
    for line in report.checks:
        console.print(f"checked {line}", markup=False)
    if report.up_to_date:
        console.print(f"up to date (inputs unchanged since the last build): {', '.join(report.up_to_date)}")
    console.print(f"built in {time.monotonic() - started:.1f} s: "
                  f"{_summary_line(len(report.errors), len(report.warnings))}")
    return 0


def run_new_chapter(console: Console, root: Path, words: list[str], kind: str, theme: str) -> int:
    from .errors import BuildError
    from .scaffold import new_chapter

    if len(words) != 1 or not words[0].strip():
        console.print('make_book.py: error: new-chapter takes one title in quotes, for example: new-chapter "Open data"')
        return 2
    try:
        path = new_chapter(root, words[0].strip(), kind, theme)
    except BuildError as exc:
        _print_findings(console, exc.findings)
        return 1
    console.print(f"Created {path.relative_to(root).as_posix()} and added it to the end of the chapters list in book.yaml.")
    console.print("Move it to the right place in book.yaml, then run: python make_book.py check")
    return 0


def run_watch(console: Console, root: Path, port: int) -> int:
    from . import watch
    from .build import build

    state = watch.State()
    server = watch.serve(root / "output" / "build", f"{_slug(root)}.html", state, port,
                         bar=watch.preview_bar(root / "layouts" / "reports"))
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    console.print(f"Watching chapters/, layouts/, assets/ and book.yaml. Preview: {url}  (Ctrl+C to stop)")

    def rebuild() -> object:
        return build(root, targets=())
    say = lambda m: console.print(m, markup=False)  # noqa: E731
    # After each preview build, the member PDF and its page-quality report in the background.
    paged = watch.PagedRenderer(lambda _version: watch.render_member_pdf(root), state, say)
    watch.rebuild(rebuild, state, say, paged)
    try:
        watch.loop(root, rebuild, state, say, paged=paged)
    finally:
        server.shutdown()
    return 0


def _slug(root: Path) -> str:
    from .config import load_book

    return load_book(root).slug


NO_TESTS_COLLECTED = 5    # pytest's exit status when ``-k`` selects nothing in a level


def run_tests(pytest_args: list[str]) -> int:
    from .bootstrap import ensure_test_tools

    ensure_test_tools(ROOT)
    steps: list[tuple[str, list[str]]] = [
        ("ruff", [sys.executable, "-m", "ruff", "check", "."]),
        ("mypy", [sys.executable, "-m", "mypy"]),
    ]
    # Each test level (pytest's testpaths in pyproject.toml, fastest first) in its own process,
    # so the unit level's guard sees every import (tests/unit/conftest.py) and each level's time
    # is shown. Arguments that name a test path run just those, in one process.
    import tomllib

    levels = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]["testpaths"]
    if any(a.startswith("tests") or (ROOT / a.split("::")[0]).exists() for a in pytest_args if not a.startswith("-")):
        steps.append(("pytest", [sys.executable, "-m", "pytest", *pytest_args]))
    else:
        steps += [(f"pytest {level}", [sys.executable, "-m", "pytest", level, *pytest_args]) for level in levels]
    failed = []
    for name, command in steps:
        print(f"make_book: running {name}", file=sys.stderr, flush=True)
        started = time.monotonic()
        code = subprocess.run(command, cwd=ROOT, check=False).returncode
        print(f"make_book: {name} took {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        selected_nothing = code == NO_TESTS_COLLECTED and name != "pytest" and bool(pytest_args)
        if code != 0 and not selected_nothing:
            failed.append(name)
    if failed:
        print(f"make_book: failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
