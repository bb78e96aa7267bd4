"""Shared helpers: lint a snippet or a tree and look at what was reported."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from keras_lint.engine import lint_paths, lint_source
from keras_lint.finding import Finding


def lint_snippet(
    src: str, *, select: list[str] | None = None, path: str = "train.py"
) -> list[Finding]:
    """Lint a dedented Python snippet as the file ``path``."""
    return lint_source(textwrap.dedent(src), path, select=select)


def lines_of(src: str, code: str) -> list[int]:
    """Sorted lines at which ``code`` is reported in the snippet (only that rule selected)."""
    return sorted(f.line for f in lint_snippet(src, select=[code]) if f.code == code)


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: dedented text}`` under ``root`` and return ``root``."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def tree_findings(root: Path, code: str) -> list[tuple[str, int]]:
    """``(path relative to root, line)`` of every ``code`` finding when linting the tree."""
    result = lint_paths([root], select=[code])
    return sorted(
        (Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.line)
        for f in result.findings
        if f.code == code
    )


@pytest.fixture
def tree(tmp_path: Path):
    """Factory: ``tree({...})`` writes files under a temporary folder and returns it."""

    def make(files: dict[str, str]) -> Path:
        return write_tree(tmp_path, files)

    return make
