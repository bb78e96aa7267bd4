"""Which files to lint: Python files, notebooks and Dockerfiles under the given paths.

Folders are walked in sorted order so output is stable; tool and build folders are skipped, but a
path named on the command line is always linted, wherever it lies.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from keras_lint.selection import UsageError
from keras_lint.sources import source_kind

#: folder names never walked into (site-packages is linted on purpose by some, so it is not here)
EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".mypy_cache", ".ruff_cache",
        ".pytest_cache", "__pycache__", "__pypackages__", "node_modules", "build", "dist",
        ".eggs", ".ipynb_checkpoints",
    }
)  # fmt: skip


@dataclass
class Discovered:
    files: list[Path] = field(default_factory=list)
    #: folders that could not be listed, with the reason
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop resolves to an error, not a path
        return path.absolute()


class _Walker:
    def __init__(self) -> None:
        self.result = Discovered()
        self.seen_files: set[Path] = set()
        self.seen_dirs: set[Path] = set()

    def add_file(self, path: Path) -> None:
        identity = _identity(path)
        if identity not in self.seen_files:
            self.seen_files.add(identity)
            self.result.files.append(path)

    def walk(self, folder: Path) -> None:
        identity = _identity(folder)
        if identity in self.seen_dirs:  # a symlink back up the tree, or a folder given twice
            return
        self.seen_dirs.add(identity)
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            self.result.unreadable.append((folder, error.strerror or str(error)))
            return
        for entry in entries:
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in EXCLUDED_DIRS:
                    self.walk(path)
            elif source_kind(entry.name) is not None:
                self.add_file(path)


#: suffixes of explicitly named files read as Python ("" for scripts without one)
_PYTHON_SUFFIXES = frozenset({"", ".py", ".pyw", ".pyi"})


def discover(paths: Sequence[str | Path] = (".",)) -> Discovered:
    """The files to lint under ``paths`` (a missing path is a UsageError).

    A file named explicitly is linted even where a folder walk would skip it; a name that is
    not a notebook or Dockerfile is read as Python unless its suffix says it is something else
    (``compose.yaml``, ``notes.md``), which is skipped.
    """
    missing = [str(path) for path in paths if not os.path.exists(path)]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    walker = _Walker()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            walker.walk(path)
        elif source_kind(path.name) is not None or path.suffix in _PYTHON_SUFFIXES:
            walker.add_file(path)
    return walker.result


#: files and folders that mark the top of a project (where a linter is normally run from)
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git", "tox.ini", ".flake8")


def project_root(path: str | Path) -> Path:
    """The nearest folder at or above ``path``'s folder that holds a project marker.

    ``path`` names a file (it need not exist); the result is absolute and, like ``path``, not
    resolved through symlinks. Without a marker anywhere above, it is the file's own folder.
    """
    folder = Path(os.path.abspath(path)).parent
    for candidate in (folder, *folder.parents):
        if any(os.path.exists(candidate / marker) for marker in PROJECT_MARKERS):
            return candidate
    return folder
