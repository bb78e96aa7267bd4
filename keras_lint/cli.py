"""The ``keras-lint`` command: arguments -> engine -> report, and the exit status.

Exit status: 0 no findings, 1 findings, 2 usage error, missing path, bad option or internal error;
130 interrupted (Ctrl-C); 141 the reader of the output went away (``keras-lint rules | head -3``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from keras_lint import __version__
from keras_lint.cache import CACHE_DIR_NAME
from keras_lint.config import (
    ConfigError,
    Settings,
    find_settings,
    load_config_file,
    with_overrides,
)
from keras_lint.engine import LintResult, lint_content, lint_paths
from keras_lint.parse_error import (
    PARSE_ERROR_CODE,
    PARSE_ERROR_DOCUMENTATION,
    PARSE_ERROR_NAME,
    PARSE_ERROR_SUMMARY,
)
from keras_lint.patterns import PathPatterns
from keras_lint.report import FORMATS, STATISTICS_FORMATS, render_statistics
from keras_lint.rules import ALL_RULES, rule_by_code
from keras_lint.selection import UsageError, select_rules

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: the shell's status for a run stopped by Ctrl-C (128 + SIGINT)
EXIT_INTERRUPTED = 130
#: the shell's status for a program that SIGPIPE stopped (128 + SIGPIPE), as ``cat | head`` gives
EXIT_BROKEN_PIPE = 141
PROG = "keras-lint"
#: the name standard input is linted under when ``--stdin-filename`` gives none
STDIN_NAME = "stdin.py"

EPILOG = """\
commands:
  keras-lint rules          list every rule: code, name, summary
  keras-lint rule KER201    print one rule's documentation
  keras-lint verify         train the fixtures and show each rule's failure (extra: verify)
  keras-lint server         a Language Server on stdin/stdout for editors (extra: server)

To lint a folder named "rules", "rule", "verify" or "server", write ./rules (and so on).
Settings are read from [tool.keras-lint] in the nearest pyproject.toml (see --config).
Exit status: 0 no findings, 1 findings, 2 usage, configuration or internal error
(141 when the reader of the output went away, as in keras-lint rules | head -3).
"""


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one short line on stderr instead of usage text."""

    def error(self, message: str) -> NoReturn:
        raise _ArgumentError(message)


def _comma_list(value: str) -> list[str]:
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list")
    return items


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more): {value!r}")
    return jobs


def _lint_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Find the silent bugs of Keras training code.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", default=["."],
        help="files and folders to lint (default: .); - reads one file from standard input"
        f" (named {STDIN_NAME} unless --stdin-filename names it)",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=sorted(FORMATS), default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--select", type=_comma_list, action="extend", metavar="CODES",
        help="only these codes or prefixes, comma-separated (e.g. KER2,KER101)",
    )  # fmt: skip
    parser.add_argument(
        "--ignore", type=_comma_list, action="extend", metavar="CODES",
        help="skip these codes or prefixes, comma-separated (added to the configured ones)",
    )  # fmt: skip
    parser.add_argument(
        "--config", metavar="PATH",
        help="read settings from this file (a pyproject.toml, or a TOML file of the keys)",
    )  # fmt: skip
    parser.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    parser.add_argument(
        "--exclude", type=_comma_list, action="extend", metavar="PATTERNS",
        help="folders and files to skip (.gitignore syntax), replacing the configured list",
    )  # fmt: skip
    parser.add_argument(
        "--extend-exclude", type=_comma_list, action="extend", metavar="PATTERNS",
        help="more folders and files to skip, added to the excluded ones",
    )  # fmt: skip
    parser.add_argument(
        "--force-exclude", action="store_true",
        help="apply the excludes and .gitignore to paths named on the command line too"
        " (for pre-commit)",
    )  # fmt: skip
    parser.add_argument(
        "--stdin-filename", metavar="PATH",
        help="the path of the file given on standard input (for editors)",
    )  # fmt: skip
    parser.add_argument(
        "--statistics", action="store_true",
        help="print the number of findings per code instead of the findings"
        f" (with --format {', '.join(STATISTICS_FORMATS)})",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=_jobs, metavar="N",
        help="lint in N processes (default: one per available CPU; 1: in this process only)",
    )  # fmt: skip
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache"
    )
    parser.add_argument(
        "--cache-dir", metavar="PATH",
        help=f"keep the result cache in PATH (default: {CACHE_DIR_NAME} in the folder of the"
        " configuration file, else in the current folder)",
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
        out.write(f"{PARSE_ERROR_CODE} {PARSE_ERROR_NAME}\n\n{PARSE_ERROR_DOCUMENTATION}")
        return EXIT_CLEAN
    rule = rule_by_code(code)
    if rule is None:
        raise UsageError(f"unknown rule code {arguments[0]!r} (see: keras-lint rules)")
    out.write(f"{rule.code} {rule.name}\n\n{rule.documentation()}\n")
    return EXIT_CLEAN


def _checked(settings: Settings) -> Settings:
    """``settings`` once their codes are known to exist; a ConfigError names the file if not."""
    if settings.source is None:
        return settings
    tables = [("select", settings.select), ("ignore", settings.ignore)]
    tables += [(f"per-file-ignores.{k}", v) for k, v in settings.per_file_ignores.items()]
    for key, codes in tables:
        try:
            select_rules(ALL_RULES, None, codes)
        except UsageError as error:
            reason = error.message.split(": ", 1)[-1]
            raise ConfigError(f"{settings.source}: key {key!r}: {reason}") from error
    return settings


def _settings(options: argparse.Namespace, err: TextIO) -> Settings:
    if options.config is not None:
        found = load_config_file(Path(options.config))
    elif options.isolated:
        found = Settings(root=Path.cwd())
    else:
        if _reads_stdin(options):  # unnamed standard input is a file of the current folder
            start = [options.stdin_filename] if options.stdin_filename else []
        else:
            start = options.paths
        discovery = find_settings(start)
        for warning in discovery.warnings:
            err.write(f"{PROG}: warning: {warning}\n")
        found = discovery.settings
    return with_overrides(
        _checked(found),
        select=options.select,
        ignore=options.ignore,
        exclude=options.exclude,
        extend_exclude=options.extend_exclude,
    )


def _reads_stdin(options: argparse.Namespace) -> bool:
    if "-" not in options.paths:
        return False
    if len(options.paths) > 1:
        raise UsageError("'-' (standard input) cannot be combined with other paths")
    return True


def _lint_stdin(options: argparse.Namespace, settings: Settings) -> LintResult:
    path = options.stdin_filename or STDIN_NAME
    if options.force_exclude and options.stdin_filename:
        if PathPatterns(settings.root, settings.exclude_patterns).matches(Path(path)):
            return LintResult(findings=[], files_checked=0)
    data = sys.stdin.buffer.read()
    return lint_content(
        data, path, select=settings.select, ignore=settings.ignore, settings=settings
    )


def _cache_dir(options: argparse.Namespace, settings: Settings) -> Path | None:
    if options.no_cache:
        return None
    if options.cache_dir is not None:
        return Path(options.cache_dir)
    return settings.root / CACHE_DIR_NAME


def _lint(argv: list[str], out: TextIO, err: TextIO) -> int:
    try:
        options = _lint_parser().parse_args(argv)
    except SystemExit as done:  # --help and --version print, then exit 0
        return done.code if isinstance(done.code, int) else EXIT_CLEAN
    if options.statistics and options.format not in STATISTICS_FORMATS:
        formats = ", ".join(STATISTICS_FORMATS)
        raise UsageError(f"--statistics works with --format {formats}, not {options.format}")
    if options.stdin_filename and options.paths == ["."] and "." not in argv:
        options.paths = ["-"]  # --stdin-filename alone means the text comes on stdin
    settings = _settings(options, err)
    if _reads_stdin(options):
        result = _lint_stdin(options, settings)
    else:
        result = lint_paths(
            options.paths,
            select=settings.select,
            ignore=settings.ignore,
            settings=settings,
            force_exclude=options.force_exclude,
            jobs=options.jobs,
            cache_dir=_cache_dir(options, settings),
        )
    if options.statistics:
        out.write(render_statistics(options.format, result.findings, result.files_checked))
    else:
        out.write(FORMATS[options.format](result.findings, result.files_checked, result.errors))
    for warning in result.warnings:
        err.write(f"{PROG}: warning: {warning}\n")
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
        status = _run(arguments, out, err)
        out.flush()  # a reader that went away is noticed here, not at interpreter exit
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return status


def _silence_stdout() -> None:
    """Point standard output at devnull, so that the interpreter's final flush of what is still
    buffered does not fail again (the recipe of the Python documentation on SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):  # a stream with no file behind it
        pass


def _serve(arguments: list[str]) -> int:
    unknown = [given for given in arguments if given not in ("-v", "--verbose", "--stdio")]
    if unknown:
        raise UsageError(f"usage: keras-lint server [--stdio] [--verbose] (not {unknown[0]!r})")
    try:
        from keras_lint.server import language_server
    except ImportError as error:
        raise UsageError(
            f"the server needs the server extra ({error.name} is missing): "
            'pip install "keras-lint[server]"'
        ) from error
    return language_server.serve(arguments)


def _run(arguments: list[str], out: TextIO, err: TextIO) -> int:
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
        if arguments[:1] == ["server"]:
            return _serve(arguments[1:])
        return _lint(arguments, out, err)
    except (UsageError, _ArgumentError) as error:
        err.write(f"{PROG}: error: {' '.join(str(error).split())}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        err.write(f"{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
