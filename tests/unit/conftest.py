"""The unit level's one rule: no WeasyPrint, no pandoc, no other tool process (docs/architecture.md,
"Test levels"). A unit test that renders, converts or starts a tool fails here, naming what it did,
and belongs in tests/render (tiny inputs) or tests/integration (builds of tests/sample_book).

The guard is an audit hook (``sys.addaudithook``), so it also sees what a forked render worker
does: importing weasyprint (the ``import`` event), or starting pandoc, java (EPUBCheck), node,
Chromium, Pagefind or another Python (the ``subprocess.Popen`` event). When a test run has already
imported weasyprint (the whole suite in one process), its entry points are wrapped instead, for the
length of each unit test. What a test did is written to a file too, so a refusal that the code
under test catches and turns into a finding still fails the test.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

FORBIDDEN_MODULES = ("weasyprint",)
# Programs a unit test may not start, by the file name of the executable (lower case, without
# version suffixes): the pandoc bundled with pypandoc, EPUBCheck's JVM, node (axe, pdf.js),
# the browsers, Pagefind, WeasyPrint's command line, and Python itself (a child interpreter
# escapes this hook, and is how the slow tests run a whole build).
FORBIDDEN_PROGRAMS = ("pandoc", "java", "node", "npx", "chromium", "chrome", "pagefind", "weasyprint", "python", "epubcheck")
_ENV = "FOLIO_UNIT_GUARD_LOG"
UNIT = Path(__file__).resolve().parent     # pytest calls some of the hooks below for every test
_state: dict[str, bool] = {"active": False}


def _program(executable: Any, args: Any) -> str:
    first = executable
    if first is None and isinstance(args, (list, tuple)) and args:
        first = args[0]
    elif first is None:
        first = str(args).split()[0] if str(args).split() else ""
    return Path(os.fsdecode(first)).name.lower()


def _refuse(what: str) -> None:
    log = os.environ.get(_ENV)
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(what + "\n")
    raise RuntimeError(f"unit tests must not {what} (move the test to tests/render or tests/integration)")


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _state["active"]:
        return
    if event == "import" and args and str(args[0]).split(".")[0] in FORBIDDEN_MODULES:
        _refuse(f"import {args[0]}")
    elif event == "subprocess.Popen":
        name = _program(args[0], args[1])
        if any(name.startswith(p) for p in FORBIDDEN_PROGRAMS):
            _refuse(f"start {name} ({' '.join(map(str, args[1]))[:120]})")


sys.addaudithook(_hook)


class _Weasyprint:
    """weasyprint is already imported (an earlier level ran in this process): refuse its use."""

    def __init__(self) -> None:
        self.saved: list[tuple[type, object]] = []

    def wrap(self) -> None:
        weasyprint = sys.modules.get("weasyprint")
        if weasyprint is None:
            return

        def refused(*_args: object, **_kwargs: object) -> None:
            _refuse("render with WeasyPrint")

        for name in ("HTML", "CSS", "Document"):
            cls = getattr(weasyprint, name, None)
            if isinstance(cls, type):
                self.saved.append((cls, cls.__dict__["__init__"]))
                cls.__init__ = refused  # type: ignore[assignment,method-assign,misc]

    def restore(self) -> None:
        for cls, init in self.saved:
            cls.__init__ = init  # type: ignore[misc]
        self.saved.clear()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    """Guard setup (module and session fixtures too, when this test is the first to need them),
    the test and teardown; each phase's report fails if anything forbidden was refused in it."""
    if not item.path.is_relative_to(UNIT):
        return (yield)
    log = Path(tempfile.gettempdir()) / f"folio-unit-guard-{os.getpid()}.txt"
    log.unlink(missing_ok=True)
    previous = os.environ.get(_ENV)
    os.environ[_ENV] = str(log)
    weasyprint = _Weasyprint()
    weasyprint.wrap()
    _state["active"] = True
    try:
        return (yield)
    finally:
        _state["active"] = False
        weasyprint.restore()
        if previous is None:
            os.environ.pop(_ENV, None)
        else:
            os.environ[_ENV] = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if not item.path.is_relative_to(UNIT):
        return report
    log = os.environ.get(_ENV)
    if log and Path(log).exists() and report.outcome != "failed" and call.when == "call":
        report.outcome = "failed"
        report.longrepr = ("unit test did what the unit level forbids (move it to tests/render or tests/integration):\n  "
                           + "\n  ".join(Path(log).read_text("utf-8").splitlines()))
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Importing a unit test module is guarded too (``from folio.sandbox import ...`` imports
    weasyprint): the module fails to collect, naming what it imported."""
    if not isinstance(collector, pytest.Module) or not collector.path.is_relative_to(UNIT):
        return (yield)
    _state["active"] = True
    try:
        return (yield)
    finally:
        _state["active"] = False
