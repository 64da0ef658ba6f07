"""Bad, hostile and interrupted input: the build refuses cleanly and never loses a good output."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio.sandbox import MAX_DATA_URL, ProjectFetcher

# --- the project-only URL fetcher -------------------------------------------------------------


@pytest.fixture
def fetcher(tmp_path: Path) -> ProjectFetcher:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "ok.txt").write_text("fine")
    (tmp_path / "assets" / "escape").symlink_to("/etc/hostname")
    return ProjectFetcher(tmp_path)


def test_fetcher_allows_project_files(fetcher: ProjectFetcher) -> None:
    response = fetcher.fetch(f"file://{fetcher.root}/assets/ok.txt")
    assert response.read() == b"fine"
    assert fetcher.refused == []


@pytest.mark.parametrize("url", [
    "file:///etc/hostname",
    "file://{root}/assets/../../../etc/hostname",
    "file://{root}/assets/escape",
    "https://example.org/tracker.png",
    "http://127.0.0.1/x.css",
    "ftp://example.org/x",
])
def test_fetcher_refuses_everything_else(fetcher: ProjectFetcher, url: str) -> None:
    from weasyprint.urls import URLFetchingError

    with pytest.raises(URLFetchingError):
        fetcher.fetch(url.format(root=fetcher.root))
    assert fetcher.refused


def test_fetcher_refuses_huge_data_url(fetcher: ProjectFetcher) -> None:
    from weasyprint.urls import URLFetchingError

    with pytest.raises(URLFetchingError):
        fetcher.fetch("data:text/plain;base64," + "A" * (MAX_DATA_URL + 1))


# --- hostile content ----------------------------------------------------------------------------


# --- property-based: any input gives a result or a clean finding, never an exception -----------


# --- atomic outputs, the lock, and interruption -------------------------------------------------


