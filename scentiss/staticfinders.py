"""Serve plotly.min.js from the plotly Python package, so no CDN and no copy in the repo."""

from pathlib import Path
from typing import Any

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.files.storage import FileSystemStorage

PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"
PLOTLY_FILE = "plotly.min.js"
PREFIX = "plotly"


class PlotlyFinder(BaseFinder):
    """Exposes only static/plotly/plotly.min.js (the package also holds data sets we don't want)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(PLOTLY_DIR))
        self.storage.prefix = PREFIX  # type: ignore[attr-defined]  # as the finders read it

    def check(self, **kwargs: Any) -> list:
        return []

    def find(  # type: ignore[override]  # Django 5.2 still accepts the old `all`
        self, path: str, find_all: bool = False, **kwargs: Any
    ) -> str | list[str]:
        if path == f"{PREFIX}/{PLOTLY_FILE}":
            match = str(PLOTLY_DIR / PLOTLY_FILE)
            return [match] if find_all else match
        return [] if find_all else ""

    def list(self, ignore_patterns: Any):
        if not matches_patterns(PLOTLY_FILE, ignore_patterns or ()):  # collectstatic --ignore
            yield PLOTLY_FILE, self.storage
