"""The command line's fixing options, after the run: write the fixed files (``--fix``), print
their diff (``--diff``), list what was fixed (``--show-fixes``), add ``# noqa`` comments
(``--add-noqa``). The engine computed the new bytes; only this module writes files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from keras_lint.engine.fixing import encode_like
from keras_lint.engine.noqa_adding import add_noqa
from keras_lint.engine.reading import decode_file, kind_of
from keras_lint.engine.results import FixedFile
from keras_lint.engine.writing import FileChanged, write_fixed
from keras_lint.finding import Finding
from keras_lint.parse_error import PARSE_ERROR_CODE
from keras_lint.report import FORMATS, render_text
from keras_lint.report.diff import unified_diff
from keras_lint.report.paths import display_path
from keras_lint.rules import rule_by_code
from keras_lint.sources import SourceDecodeError
from keras_lint.sources.regular_file import read_regular_file

if TYPE_CHECKING:
    import argparse

    from keras_lint.engine import LintResult


#: the output formats a person reads: the list of fixes goes to standard output beside them
TEXT_FORMATS = frozenset({"text", "concise", "full"})
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROG = "keras-lint"


def finish(
    options: argparse.Namespace,
    result: LintResult,
    stdin_data: bytes | None,
    out: TextIO,
    err: TextIO,
) -> int:
    """The end of a run with ``--add-noqa``, ``--diff``, or ``--fix`` of standard input: what
    it prints and its exit status."""
    for warning in result.warnings:
        err.write(f"{PROG}: warning: {warning}\n")
    if options.add_noqa:
        added, warnings = add_noqa_comments(result.findings)
        for warning in warnings:
            err.write(f"{PROG}: warning: {warning}\n")
        err.write(f"Added {_plural(added, 'noqa comment')}.\n")
        status = EXIT_FINDINGS if warnings else EXIT_CLEAN
    elif options.diff:
        out.flush()
        printed = print_diffs(result.fixed, _binary(out))
        if options.show_fixes:
            err.write(render_show_fixes(result.fixed, would=True))
        else:
            err.write(f"Would fix {_plural(fixed_count(result.fixed), 'finding')}.\n")
        status = EXIT_FINDINGS if printed else EXIT_CLEAN
    else:  # --fix of standard input: the text on standard output, the findings on stderr
        assert stdin_data is not None
        fixed = result.fixed[0].fixed if result.fixed else stdin_data
        out.flush()
        stream = _binary(out)
        stream.write(fixed)
        stream.flush()
        if options.show_fixes:
            err.write(render_show_fixes(result.fixed))
        if options.format == "text":
            err.write(
                render_text(
                    result.findings, result.files_checked, unsafe_fixes=options.unsafe_fixes
                )
            )
        else:
            err.write(FORMATS[options.format](result.findings, result.files_checked, result.errors))
        status = EXIT_FINDINGS if result.findings else EXIT_CLEAN
    for error in result.errors:
        err.write(f"{PROG}: internal error: {error}\n")
    return EXIT_ERROR if result.errors else status


def _binary(out: TextIO) -> BinaryIO:
    """The byte stream under a text stream: diffs and fixed text are written byte for byte."""
    return out.buffer if hasattr(out, "buffer") else _TextBytes(out)  # type: ignore[return-value]


class _TextBytes:
    """A text stream without bytes under it (a test's StringIO): bytes written as UTF-8."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, data: bytes) -> int:
        self._out.write(data.decode("utf-8", "surrogateescape"))
        return len(data)

    def flush(self) -> None:
        self._out.flush()


def report_fixed(written: Sequence[FixedFile], show: bool, out: TextIO) -> None:
    """After ``--fix``: how many findings were fixed, or with ``show`` the list of them."""
    if show:
        out.write(render_show_fixes(written))
    elif written:
        out.write(f"Fixed {_plural(fixed_count(written), 'finding')}.\n")


def write_fixes(fixed: Sequence[FixedFile]) -> tuple[list[FixedFile], list[str]]:
    """Write each fixed file; the files written, and a warning for each one left alone."""
    written, warnings = [], []
    for item in fixed:
        try:
            write_fixed(item)
        except FileChanged as error:
            warnings.append(str(error))
        except OSError as error:
            warnings.append(f"{item.path}: cannot write the fixes: {error.strerror or error}")
        else:
            written.append(item)
    return written, warnings


def print_diffs(fixed: Sequence[FixedFile], out: BinaryIO) -> bool:
    """Write the diff of each fixed file; whether there was any."""
    printed = False
    for item in fixed:
        diff = unified_diff(item.path, item.original, item.fixed)
        if diff:
            out.write(diff)
            printed = True
    out.flush()
    return printed


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def fixed_count(fixed: Sequence[FixedFile]) -> int:
    return sum(sum(item.applied.values()) for item in fixed)


def render_show_fixes(fixed: Sequence[FixedFile], *, would: bool = False) -> str:
    """What was fixed, per file and code (``--show-fixes``)."""
    if not fixed:
        return "No findings were fixed.\n" if not would else "No findings would be fixed.\n"
    verb = "Would fix" if would else "Fixed"
    lines = [f"{verb} {_plural(fixed_count(fixed), 'finding')}:"]
    for item in sorted(fixed, key=lambda item: item.path):
        lines.append(f"- {display_path(item.path)}:")
        for code, count in sorted(item.applied.items()):
            rule = rule_by_code(code)
            name = f" ({rule.name})" if rule is not None else ""
            lines.append(f"    {count} × {code}{name}")
    return "\n".join(lines) + "\n"


def add_noqa_comments(findings: Sequence[Finding]) -> tuple[int, list[str]]:
    """Add a suppression comment for each finding to its file; the number of comments added
    and the warnings (notebooks skipped, files that could not be written)."""
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code != PARSE_ERROR_CODE:
            by_path.setdefault(finding.path, []).append(finding)
    added, warnings = 0, []
    for path, found in sorted(by_path.items()):
        kind = kind_of(path)
        if kind == "notebook":
            warnings.append(f"{path}: --add-noqa skips notebooks; add the comments by hand")
            continue
        try:
            data = read_regular_file(Path(path))
            text = decode_file(data, kind)
            new, count = add_noqa(text, kind, found)
            if count:
                encoded = FixedFile(path, data, encode_like(new, data, kind), {})
                write_fixed(encoded)
        except (OSError, SourceDecodeError, UnicodeError, FileChanged) as error:
            warnings.append(f"{path}: cannot add noqa comments: {error}")
            continue
        added += count
    return added, warnings
