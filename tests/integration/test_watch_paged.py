"""watch: the member PDF and its page-quality report re-rendered in the background after each save.

No test here waits on a clock: the renderer's worker is handed to the test (``start``), which runs
it in its own thread of control, so the order of events is the test's.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from folio import watch


def test_render_member_pdf_for_real_on_the_sample_book(sample_project: Path) -> None:
    from folio.build import build

    build(sample_project, targets=())            # the preview build first, as watch does
    out: list[watch.RenderResult] = []
    errors: list[BaseException] = []

    def body() -> None:                          # in a thread other than the main one, as watch runs it
        try:
            out.append(watch.render_member_pdf(sample_project))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    assert errors == [] and len(out) == 1
    files, findings = out[0]
    preview = sample_project / "output" / "build" / "preview"
    assert (preview / "sample-trends.pdf").read_bytes().startswith(b"%PDF-")
    report = json.loads((preview / "sample-trends-page-quality.json").read_text())
    assert findings == report["summary"]["findings"] and report["file"] == "sample-trends.pdf"
    assert files["report"] == "/preview/sample-trends-page-quality.html"
