"""The ``keras-lint`` command: arguments -> engine -> report, and the exit status.

Exit status: 0 no findings, 1 findings, 2 usage error, missing path, bad option or internal error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from keras_lint import __version__
from keras_lint.engine import lint_paths
from keras_lint.parse_error import (
    PARSE_ERROR_CODE,
    PARSE_ERROR_DOCUMENTATION,
    PARSE_ERROR_NAME,
    PARSE_ERROR_SUMMARY,
)
from keras_lint.report import FORMATS
from keras_lint.rules import ALL_RULES, rule_by_code
from keras_lint.selection import UsageError

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROG = "keras-lint"

EPILOG = """\
commands:
  keras-lint rules          list every rule: code, name, summary
  keras-lint rule KER201    print one rule's documentation
  keras-lint verify         train the fixtures and show each rule's failure (extra: verify)

A folder literally named "rules", "rule" or "verify" is linted as ./rules (and so on).
Exit status: 0 no findings, 1 findings, 2 usage error or internal error.
"""


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one short line on stderr instead of usage text."""

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(message)


def _code_list(value: str) -> list[str]:
    codes = [code.strip() for code in value.split(",") if code.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("expected comma-separated rule codes")
    return codes


def _lint_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Find the silent bugs of Keras training code.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", default=["."],
        help="files and folders to lint (default: .)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=sorted(FORMATS), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--select", type=_code_list, action="extend", metavar="CODES",
        help="only these codes or prefixes, comma-separated (e.g. KER2,KER101)",
    )  # fmt: skip
    parser.add_argument(
        "--ignore", type=_code_list, action="extend", metavar="CODES",
        help="skip these codes or prefixes, comma-separated",
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _print_rules(out: TextIO) -> int:
    rows = [(PARSE_ERROR_CODE, PARSE_ERROR_NAME, PARSE_ERROR_SUMMARY)]
    rows += [(rule.code, rule.name, rule.summary) for rule in ALL_RULES]
    width = max(len(name) for _, name, _ in rows)
    for code, name, summary in sorted(rows):
        out.write(f"{code}  {name:<{width}}  {summary}\n")
    return EXIT_CLEAN


def _print_rule(arguments: list[str], out: TextIO) -> int:
    if len(arguments) != 1:
        raise UsageError("usage: keras-lint rule CODE (e.g. keras-lint rule KER201)")
    code = arguments[0].upper()
    if code == PARSE_ERROR_CODE:
        out.write(PARSE_ERROR_DOCUMENTATION)
        return EXIT_CLEAN
    rule = rule_by_code(code)
    if rule is None:
        raise UsageError(f"unknown rule code {arguments[0]!r} (see: keras-lint rules)")
    out.write(f"{rule.code} {rule.name}\n\n{rule.documentation()}\n")
    return EXIT_CLEAN


def _lint(argv: list[str], out: TextIO, err: TextIO) -> int:
    try:
        options = _lint_parser().parse_args(argv)
    except SystemExit as done:  # --help and --version print, then exit 0
        return done.code if isinstance(done.code, int) else EXIT_CLEAN
    result = lint_paths(options.paths, select=options.select, ignore=options.ignore)
    out.write(FORMATS[options.format](result.findings, result.files_checked))
    for error in result.errors:
        err.write(f"{PROG}: internal error: {error}\n")
    if result.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (the console script exits with it)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    out, err = sys.stdout, sys.stderr
    try:
        if arguments[:1] == ["rules"]:
            if len(arguments) > 1:
                raise UsageError("usage: keras-lint rules")
            return _print_rules(out)
        if arguments[:1] == ["rule"]:
            return _print_rule(arguments[1:], out)
        if arguments[:1] == ["verify"]:
            from keras_lint.verify.command import main as verify_main

            return verify_main(arguments[1:], out, err)
        return _lint(arguments, out, err)
    except (UsageError, _ArgumentError) as error:
        err.write(f"{PROG}: error: {' '.join(str(error).split())}\n")
        return EXIT_ERROR
