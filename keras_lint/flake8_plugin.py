"""The flake8 plugin: flake8 hands over one Python file, the engine lints it, flake8 reports.

flake8 owns everything around the findings: which files are checked, ``--select``/``--ignore``,
``--per-file-ignores``, ``# noqa`` (with its own rules for multi-line strings and
``--disable-noqa``) and the exit status. So the plugin runs every rule, keeps the findings a
``# noqa`` comment would silence, and leaves syntax errors to flake8 (E999; no plugin runs on
such a file).

A file's findings can depend on other files of its project (helpers imported from sibling
modules, a Dockerfile's ``ENV``). The project is the nearest folder above the file holding a
project marker (``pyproject.toml``, ``setup.cfg``, ``setup.py``, ``.git``, ``tox.ini``,
``.flake8``), and its facts are the ones ``keras-lint ROOT`` builds, made once per root in each
flake8 process. A rule that crashes does not stop flake8: the error is logged as a warning.

flake8 imports this module to list its plugins (``flake8 --version`` too), so the engine, and
libcst with it, is imported only when a file is checked.
"""

from __future__ import annotations

import ast
import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from keras_lint import __version__

if TYPE_CHECKING:
    from keras_lint.analysis import ProjectIndex
    from keras_lint.engine import LintResult

__all__ = ["KerasLintPlugin", "clear_project_cache"]

LOG = logging.getLogger(__name__)

#: the names flake8 gives a file read from standard input (without --stdin-display-name)
_STDIN_NAMES = frozenset({"stdin", "-"})

#: project facts by project root, built once per root in this process
_PROJECTS: dict[Path, ProjectIndex | None] = {}


def clear_project_cache() -> None:
    """Forget the project facts built so far (files on disk may have changed)."""
    _PROJECTS.clear()


def _project_for(path: str) -> ProjectIndex | None:
    from keras_lint.discovery import project_root
    from keras_lint.engine import project_index

    root = project_root(path)
    if root not in _PROJECTS:
        try:
            _PROJECTS[root] = project_index(root)
        except Exception as error:  # noqa: BLE001 - lint the file alone rather than not at all
            LOG.warning(
                "keras-lint: cannot index the project %s (%s: %s); its files are linted "
                "without their neighbours",
                root,
                type(error).__name__,
                error,
            )
            _PROJECTS[root] = None
    return _PROJECTS[root]


class KerasLintPlugin:
    """flake8 ``tree`` plugin for the ``KER`` codes."""

    name = "keras-lint"
    version = __version__

    def __init__(self, tree: ast.AST, lines: Sequence[str], filename: str = "stdin") -> None:
        # flake8 runs a tree plugin only after its own parse succeeded: ``tree`` is CPython's
        # tree of ``lines``, so the engine need not check the syntax again. It only measures
        # the tree's depth before libcst parses the text; nothing reads the tree otherwise.
        self._tree = tree if isinstance(tree, ast.Module) else None
        self._lines = lines
        self._filename = filename

    def _path(self) -> str:
        """The absolute path the engine sees: standard input is a file in the current folder."""
        name = "stdin" if self._filename in _STDIN_NAMES else self._filename
        return os.path.abspath(name)

    def _lint(self) -> LintResult:
        from keras_lint.engine import lint_text

        path = self._path()
        return lint_text(
            "".join(self._lines),  # decoded by flake8, BOM stripped: never reopen the file
            path,
            kind="python",  # whatever the name says, flake8 checks it as Python
            project=lambda: _project_for(path),  # only files some rule runs on need it
            apply_noqa=False,  # flake8 applies noqa itself
            syntax_tree=self._tree,
        )

    def run(self) -> Iterator[tuple[int, int, str, type[KerasLintPlugin]]]:
        """``(line, 0-based column, "KERnnn message", type)`` for every finding."""
        try:
            result = self._lint()
        except Exception as error:  # noqa: BLE001 - a crash here would abort the flake8 run
            LOG.warning(
                "keras-lint: internal error: %s: %s: %s",
                self._filename,
                type(error).__name__,
                " ".join(str(error).split()),
            )
            return
        from keras_lint.parse_error import PARSE_ERROR_CODE

        for message in result.errors:
            LOG.warning("keras-lint: internal error: %s", message)
        for finding in result.findings:
            if finding.code == PARSE_ERROR_CODE:
                # flake8 reports syntax errors itself (E999) and then runs no plugin; a file
                # that flake8 parses but libcst cannot is not analysed, which is worth a warning
                LOG.warning("keras-lint: %s not analysed: %s", self._filename, finding.message)
                continue
            yield finding.line, finding.column - 1, f"{finding.code} {finding.message}", type(self)
