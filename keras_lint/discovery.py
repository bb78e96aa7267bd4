"""Which files to lint: Python, notebooks, Dockerfiles, Compose files, Kubernetes manifests.

Folders are walked in sorted order so output is stable. A walk skips what the ``exclude`` patterns
name (tool, build and ``site-packages`` folders by default), Python environments (a folder that
holds ``pyvenv.cfg`` or ``conda-meta/``) and what ``.gitignore`` files ignore: those of the walked
folders and of their parents up to the top of the git work tree. A path named on the command line
is always linted, wherever it lies, even a folder that those skip (inside it they apply again),
unless ``force_exclude`` applies the exclude patterns and the enclosing ``.gitignore`` files to it
too (for callers such as pre-commit that name every file).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from keras_lint.config import DEFAULT_EXCLUDE
from keras_lint.patterns import PathPatterns, read_gitignore
from keras_lint.selection import UsageError
from keras_lint.sources import source_kind
from keras_lint.sources.kinds import looks_like_manifest
from keras_lint.sources.regular_file import check_regular_file


@dataclass
class Discovered:
    files: list[Path] = field(default_factory=list)
    #: folders that could not be listed, with the reason
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def _identity(path: Path | os.DirEntry[str]) -> tuple[int, int] | str:
    """What tells files (or folders) apart, links followed: the device and inode, one ``stat``
    (cached in a ``DirEntry``) where resolving the path would ``lstat`` every component."""
    try:
        found = path.stat()
    except OSError:  # a symlink loop or a dangling link: only its own path names it
        return os.path.abspath(path)
    return found.st_dev, found.st_ino


def _git_top(folder: Path) -> Path | None:
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _enclosing_gitignores(folder: Path) -> list[PathPatterns]:
    """The .gitignore files that apply inside ``folder`` from above it, outermost first."""
    folder = folder.absolute()
    top = _git_top(folder)
    if top is None or top == folder:
        return []
    chain = [parent for parent in reversed(folder.parents) if top in (parent, *parent.parents)]
    return [spec for spec in map(read_gitignore, chain) if spec is not None]


def _ignored(gitignores: Sequence[PathPatterns], path: Path, is_dir: bool) -> bool:
    verdict = None
    for spec in gitignores:  # a deeper file's verdict overrides an outer one, as in git
        found = spec.check(path, is_dir=is_dir)
        if found is not None:
            verdict = found
    return verdict is True


#: what marks a folder as a Python environment: a virtualenv's file, a conda environment's folder
ENVIRONMENT_MARKERS = frozenset({"pyvenv.cfg", "conda-meta"})


class _Walker:
    def __init__(self, exclude: PathPatterns, respect_gitignore: bool) -> None:
        self.exclude = exclude
        self.respect_gitignore = respect_gitignore
        self.result = Discovered()
        self.seen_files: set[tuple[int, int] | str] = set()
        self.seen_dirs: set[tuple[int, int] | str] = set()

    def add_file(self, path: Path, entry: os.DirEntry[str] | None = None) -> None:
        identity = _identity(entry or path)
        if identity not in self.seen_files:
            self.seen_files.add(identity)
            self.result.files.append(path)

    def walk_named(self, folder: Path, force_exclude: bool = False) -> None:
        """Walk a folder named by the user. Inside a folder they named although the patterns
        exclude it (``keras-lint build/``), the patterns are read from that folder down; one
        that the ``.gitignore`` files above it ignore (``keras-lint venv311``) is walked with
        only its own ignore files, unless ``force_exclude``."""
        exclude = self.exclude
        if exclude.matches(folder, is_dir=True):
            exclude = PathPatterns(folder, exclude.patterns)
        above = _enclosing_gitignores(folder) if self.respect_gitignore else []
        if not force_exclude and _ignored(above, folder, is_dir=True):
            above = []
        self.walk(folder, above, exclude, named=True)

    def walk(
        self,
        folder: Path,
        gitignores: list[PathPatterns],
        exclude: PathPatterns,
        named: bool = False,
    ) -> None:
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
        if not named and any(entry.name in ENVIRONMENT_MARKERS for entry in entries):
            return  # a virtualenv or conda environment met on the way: installed code
        if self.respect_gitignore:
            here = read_gitignore(folder)
            if here is not None:
                gitignores = [*gitignores, here]
        for entry in entries:
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if exclude.matches(path, is_dir=is_dir) or _ignored(gitignores, path, is_dir):
                continue
            if is_dir:
                self.walk(path, gitignores, exclude)
            elif _linted_in_walk(path, entry.name):
                self.add_file(path, entry)


def _linted_in_walk(path: Path, name: str) -> bool:
    """Whether a file met in a folder walk is linted: its name says it is a source, and a YAML
    file other than a Compose file has a text that looks like a Kubernetes manifest."""
    kind = source_kind(name)
    if kind != "kubernetes":
        return kind is not None
    try:
        return path.is_file() and looks_like_manifest(path.read_bytes())
    except OSError:  # unreadable, so nothing says it is a manifest
        return False


def _has_python_shebang(path: Path) -> bool:
    """A script such as ``train.v2`` that starts with ``#!/usr/bin/env python3``."""
    try:
        check_regular_file(path)  # a named pipe would block the read
        with path.open("rb") as handle:
            first = handle.readline(256)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


#: suffixes of explicitly named files read as Python ("" for scripts without one)
_PYTHON_SUFFIXES = frozenset({"", ".py", ".pyw", ".pyi"})


def discover(
    paths: Sequence[str | Path] = (".",),
    *,
    exclude: PathPatterns | None = None,
    respect_gitignore: bool = True,
    force_exclude: bool = False,
) -> Discovered:
    """The files to lint under ``paths`` (a missing path is a UsageError).

    ``exclude`` defaults to the usual tool and build folders. A file named explicitly is linted
    even where a folder walk would skip it (unless ``force_exclude``); a name that is not a
    notebook, Dockerfile or YAML file is read as Python when it has no suffix, a Python suffix or
    a Python shebang; anything else (``notes.md``, ``setup.cfg``) is skipped. A YAML file named
    explicitly is read as a Compose file when its name says so and as Kubernetes manifests
    otherwise.
    """
    missing = [str(path) for path in paths if not os.path.lexists(path)]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    if exclude is None:
        exclude = PathPatterns(Path.cwd(), DEFAULT_EXCLUDE)
    walker = _Walker(exclude, respect_gitignore)
    for given in paths:
        path = Path(given)
        is_dir = path.is_dir()
        if force_exclude and exclude.matches(path, is_dir=is_dir):
            continue
        if is_dir:
            walker.walk_named(path, force_exclude)
        elif (
            source_kind(path.name) is not None
            or path.suffix in _PYTHON_SUFFIXES
            or _has_python_shebang(path)
        ):
            walker.add_file(path)
    return walker.result


#: files and folders that mark the top of a project (where a linter is normally run from)
PROJECT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", ".git", "tox.ini", ".flake8")


def project_root(path: str | Path) -> Path:
    """The nearest folder at or above ``path``'s folder that holds a project marker.

    ``path`` names a file (it need not exist); the result is absolute and, like ``path``, not
    resolved through symlinks. Without a marker anywhere above, it is the outermost package
    the file is in (the last folder up a chain of ``__init__.py`` folders), so that a file of
    an unpacked package is judged with its whole package; outside any package, its own folder.
    """
    folder = Path(os.path.abspath(path)).parent
    for candidate in (folder, *folder.parents):
        if any(os.path.exists(candidate / marker) for marker in PROJECT_MARKERS):
            return candidate
    package = folder
    while (package / "__init__.py").exists() and (package.parent / "__init__.py").exists():
        package = package.parent
    return package
