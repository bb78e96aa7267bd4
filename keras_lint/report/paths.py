"""How a path is shown: relative to the current folder when it lies under it, else as given."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: str, cwd: str | None = None) -> str:
    candidate = Path(path)
    if not candidate.is_absolute():
        return path
    try:
        return candidate.relative_to(cwd or os.getcwd()).as_posix()
    except ValueError:
        return path
