"""Bad, hostile and interrupted input: the build refuses cleanly and never loses a good output."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from folio import publish
from folio.build import build
from tests.conftest import ROOT, copy_project

# --- the project-only URL fetcher -------------------------------------------------------------


def test_a_refused_resource_fails_the_build(sample_project: Path) -> None:
    """A layout that pulls in a file from outside the project is an error, not a silent blank."""
    css = sample_project / "layouts" / "css" / "book.css.j2"
    css.write_text(css.read_text() + "\n.cover { background-image: url(file:///etc/hostname); }\n")
    from folio.errors import BuildError

    with pytest.raises(BuildError) as caught:
        build(sample_project, targets=("pdf",))
    assert any(f.code == "T003" and "hostname" in f.message for f in caught.value.findings)
    assert not (sample_project / "output" / "sample-trends.pdf").exists()


# --- hostile content ----------------------------------------------------------------------------


def test_front_matter_values_reach_the_page_escaped(sample_project: Path) -> None:
    chapter = sample_project / "chapters" / "01-welcome.md"
    chapter.write_text(chapter.read_text().replace("title: Welcome", 'title: "<script>alert(1)</script>"'))
    build(sample_project, targets=())
    html = (sample_project / "output" / "build" / "sample-trends.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- property-based: any input gives a result or a clean finding, never an exception -----------


# --- atomic outputs, the lock, and interruption -------------------------------------------------


def digest_tree(path: Path) -> dict[str, str]:
    return {p.relative_to(path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and "output" not in p.relative_to(path).parts}


def test_a_build_never_modifies_sources(sample_project: Path) -> None:
    before = digest_tree(sample_project)
    build(sample_project, targets=("pdf",))
    assert digest_tree(sample_project) == before


def test_second_build_waits_for_the_lock(sample_project: Path) -> None:
    said: list[str] = []
    (sample_project / "output").mkdir(exist_ok=True)
    with publish.exclusive(sample_project / "output", lambda m: None):
        worker = threading.Thread(target=lambda: build(sample_project, targets=(), progress=said.append))
        worker.start()
        time.sleep(1.5)
        assert worker.is_alive()
        assert "Waiting for another build of this project to finish" in said
    worker.join(timeout=60)
    assert not worker.is_alive()


def test_kill_minus_9_mid_render_keeps_the_previous_outputs(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "book")
    earlier = project / "output" / "digital-trends-2026.pdf"
    previous = b"%PDF-1.7 the previous good build\n"
    earlier.write_bytes(previous)
    env = {**os.environ, "FOLIO_NO_BOOTSTRAP": "1"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "make_book.py"), "pdf", "--plain", "--project", str(project)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    html = project / "output" / "build" / "digital-trends-2026.html"
    deadline = time.monotonic() + 60
    while not html.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1.0)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert earlier.read_bytes() == previous
    # the next build clears any litter and succeeds
    build(project, targets=("pdf",))
    assert not list((project / "output").glob(".*.tmp*"))
    rebuilt = earlier.read_bytes()
    assert rebuilt != previous and rebuilt.startswith(b"%PDF-") and rebuilt.rstrip().endswith(b"%%EOF")
    assert len(rebuilt) > 100_000


