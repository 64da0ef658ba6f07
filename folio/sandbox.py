"""The project-only URL fetcher: WeasyPrint may read files inside the project and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetchingError

MAX_DATA_URL = 2_000_000
ALLOWED_DIRS = ("layouts", "assets", "chapters", "output")


class ProjectFetcher(URLFetcher):  # type: ignore[misc]
    """Refuses every URL that is not a file under one of the project's allowed folders."""

    def __init__(self, root: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.root = root.resolve()
        self.allowed = [self.root / d for d in ALLOWED_DIRS]
        self.refused: list[str] = []

    def fetch(self, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "data":
            if len(url) > MAX_DATA_URL:
                return self._refuse(url, f"data: URL larger than {MAX_DATA_URL:,} bytes")
            return super().fetch(url, *args, **kwargs)
        if parts.scheme != "file":
            return self._refuse(url, f"{parts.scheme or 'relative'} URLs are not allowed")
        path = Path(unquote(parts.path)).resolve()
        if not any(path.is_relative_to(d) for d in self.allowed):
            return self._refuse(url, "outside the project's layouts/, assets/, chapters/ and output/")
        return super().fetch(url, *args, **kwargs)

    def _refuse(self, url: str, why: str) -> Any:
        self.refused.append(f"{url[:120]}: {why}")
        raise URLFetchingError(f"refused {url[:120]}: {why}")
