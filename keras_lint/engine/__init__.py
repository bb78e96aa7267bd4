"""Lint sources with the selected rules: the one entry point every front end calls.

A run's data goes through these stages, one module each, in this order:

- ``project_scan``: what the linted tree tells about each file (modules by name, Dockerfile ENV);
- ``reading``: each file's bytes, decoded as its kind wants;
- ``syntax_checks``: NUL bytes, size, CPython's parser, nesting, libcst's parse;
- ``linter``: one file's shared facts, its rules, their findings with positions and noqa applied;
- ``runs``: many files, serially or in worker processes, with the result cache.

The engine prints nothing: internal errors are returned, one line each, in ``LintResult.errors``.
"""

from keras_lint.engine.project_scan import ProjectScan, project_index, scan_project
from keras_lint.engine.results import LintResult
from keras_lint.engine.runs import lint_content, lint_paths, lint_source, lint_text
from keras_lint.selection import UsageError

__all__ = [
    "LintResult",
    "ProjectScan",
    "UsageError",
    "lint_content",
    "lint_paths",
    "lint_source",
    "lint_text",
    "project_index",
    "scan_project",
]
