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


def relative_to_cwd(path: str, cwd: str | None = None) -> str | None:
    """The path relative to the current folder with forward slashes and without ``./`` or
    ``..`` segments, or None when it lies outside that folder. Symbolic links are kept, not
    resolved: the path stays the one the user's files are known by."""
    base = cwd or os.getcwd()
    absolute = Path(os.path.normpath(os.path.join(base, path)))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return None
