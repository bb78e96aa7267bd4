"""Path patterns in ``.gitignore`` syntax (pathspec), anchored at a folder.

Used for ``exclude``/``extend-exclude``, ``per-file-ignores`` and the ``.gitignore`` files met while
walking. A pattern without a slash matches a name at any depth (``build``, ``*.ipynb``); one with a
slash is anchored at the folder (``src/legacy/``, ``tests/**/test_*.py``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pathspec

from keras_lint.finding import Finding


def _relative(path: Path, base: Path) -> str | None:
    """``path`` relative to ``base`` in POSIX form, or None when it lies outside ``base``."""
    absolute = os.path.abspath(path)
    base_text = str(base)
    if os.sep == "/" and absolute.startswith(base_text) and absolute[len(base_text) :][:1] == "/":
        return absolute[len(base_text) + 1 :]  # the common case, asked for every file walked
    try:
        relative = os.path.relpath(absolute, base)
    except ValueError:  # another drive on Windows
        return None
    if relative == ".." or relative.startswith(".." + os.sep):
        return None
    return Path(relative).as_posix()


class PathPatterns:
    """Patterns anchored at ``base``; paths outside it are matched by their own parts, so
    slash-free patterns (names) still apply to them."""

    def __init__(self, base: Path, patterns: Sequence[str]) -> None:
        self.base = base.absolute()
        self.patterns = list(patterns)
        self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def key(self, path: Path, *, is_dir: bool = False) -> str:
        relative = _relative(path, self.base)
        if relative is None:
            relative = Path(os.path.abspath(path)).as_posix().lstrip("/")
        return relative + "/" if is_dir and relative != "." else relative

    def check(self, path: Path, *, is_dir: bool = False) -> bool | None:
        """True when a pattern excludes ``path``, False when a ``!`` pattern re-includes it,
        None when no pattern speaks of it."""
        if not self.patterns:
            return None
        return self._spec.check_file(self.key(path, is_dir=is_dir)).include

    def matches(self, path: Path, *, is_dir: bool = False) -> bool:
        return self.check(path, is_dir=is_dir) is True


def read_gitignore(folder: Path) -> PathPatterns | None:
    """The patterns of ``folder/.gitignore``; None when there is none or it cannot be read."""
    try:
        text = (folder / ".gitignore").read_text("utf-8", errors="replace")
    except OSError:
        return None
    lines = text.splitlines()
    return PathPatterns(folder, lines) if any(line.strip() for line in lines) else None


class PerFileIgnores:
    """``per-file-ignores``: codes (or prefixes) not reported in the files a pattern matches."""

    def __init__(self, base: Path, table: dict[str, list[str]]) -> None:
        self.entries = [
            (PathPatterns(base, [pattern]), tuple(code.upper() for code in codes))
            for pattern, codes in table.items()
        ]

    def ignored_codes(self, path: str | Path) -> tuple[str, ...]:
        return tuple(
            code
            for patterns, codes in self.entries
            if patterns.matches(Path(path))
            for code in codes
        )

    def keep(self, findings: list[Finding]) -> list[Finding]:
        if not self.entries:
            return findings
        ignored = {path: self.ignored_codes(path) for path in {f.path for f in findings}}
        return [f for f in findings if not (ignored[f.path] and f.code.startswith(ignored[f.path]))]
