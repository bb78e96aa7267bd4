"""``keras-lint verify``: options, the run, the report and the exit status.

Exit status: 0 every rule that could run here was verified (skipped rules do not count against
it), 1 a rule failed or could not be judged (verdict ``failed`` or ``error``: also when the
backend does not import, every rule that would train, or nvidia-smi cannot read the GPU, the
rules that measure GPU memory), 2 a usage error: an unknown option, rule or backend, no fixtures
folder, ``--device gpu`` without a GPU, 130 interrupted (Ctrl-C): every run in flight is stopped
at once and the table shows what had finished.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from keras_lint.rules import ALL_RULES, rule_by_code
from keras_lint.rules.base import Rule
from keras_lint.verify.backends import (
    BACKENDS,
    BackendError,
    choose_backend,
    preloaded_modules,
)
from keras_lint.verify.device import DEVICE_CHOICES, DeviceError, probe_device
from keras_lint.verify.harness import Verification, execute, plan
from keras_lint.verify.report import (
    REPORT_WIDTH,
    ProgressPrinter,
    header,
    render_text,
    to_json,
)
from keras_lint.verify.runs import RunSettings

EXIT_VERIFIED, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PROG = "keras-lint verify"
DEFAULT_SEEDS = 3
DEFAULT_TIMEOUT = 300.0


class UsageProblem(Exception):
    """A mistake in how ``keras-lint verify`` was called; exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageProblem(message)


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {number}")
    return number


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected more than 0 seconds, got {value}")
    return number


def _codes(value: str) -> list[str]:
    codes = [code.strip().upper() for code in value.split(",") if code.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("expected rule codes, e.g. KER201 or KER201,KER601")
    return codes


def build_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Lint each rule's fixture pair, train both programs on this machine (one process per "
            "program and seed) and show that the rule's failure happens, by a margin that holds "
            "in every seed."
        ),
        epilog=(
            "Exit status: 0 every rule that could run here was verified (skipped rules do not "
            "count), 1 a rule failed or a fixture run errored (also: the backend is not "
            "installed), 2 usage error (also: no GPU with --device gpu), 130 interrupted "
            "(Ctrl-C stops every run and prints what had finished)."
        ),
    )
    parser.add_argument(
        "--device", choices=DEVICE_CHOICES, default="auto",
        help="where the fixtures train: the GPU when the backend sees one (auto, the default), "
        "the CPU with GPUs hidden (cpu), or a GPU or an error (gpu)",
    )  # fmt: skip
    parser.add_argument(
        "--backend", choices=BACKENDS,
        help="the Keras 3 backend the fixtures train on (default: KERAS_BACKEND, else "
        "tensorflow); a rule whose bug belongs to another backend is skipped and says so",
    )  # fmt: skip
    parser.add_argument(
        "--seeds", type=_positive_int, default=DEFAULT_SEEDS, metavar="N",
        help=f"run every program with seeds 0..N-1 (default {DEFAULT_SEEDS})",
    )  # fmt: skip
    parser.add_argument(
        "--rule", type=_codes, action="extend", metavar="CODES", dest="rules",
        help="only these rules (repeatable or comma-separated, e.g. --rule KER201,KER601)",
    )  # fmt: skip
    parser.add_argument(
        "--timeout", type=_positive_float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
        help=f"per fixture run; a run past it is killed (default {DEFAULT_TIMEOUT:g})",
    )  # fmt: skip
    parser.add_argument(
        "--jobs", type=_positive_int, metavar="N",
        help="fixture processes at a time (default: 2 on a 2-core machine, half the cores above)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the JSON report here")
    parser.add_argument(
        "--plots", type=Path, metavar="DIR", help="write one training-curve PNG per rule here"
    )
    parser.add_argument(
        "--list", action="store_true",
        help="list the rules and where their fixtures are, and train nothing",
    )  # fmt: skip
    parser.add_argument(
        "--fixtures", type=Path, metavar="DIR",
        help="the fixtures folder (default: the project's fixtures/, else ./fixtures)",
    )  # fmt: skip
    parser.add_argument(
        "--python", default=sys.executable, metavar="PATH",
        help="the Python that runs the fixture programs (default: this one)",
    )  # fmt: skip
    parser.add_argument(
        "--spawn", action="store_true",
        help="start every fixture run in a fresh interpreter (the default on a GPU); on the CPU "
        "runs are forked from one interpreter that imported the backend once",
    )  # fmt: skip
    parser.add_argument(
        "--no-determinism", action="store_true",
        help="do not ask the backend for deterministic ops (TF_DETERMINISTIC_OPS=1 on "
        "TensorFlow; on a GPU, XLA's deterministic ops on JAX, deterministic cuBLAS on PyTorch)",
    )  # fmt: skip
    return parser


def default_jobs(cores: int | None = None) -> tuple[int, int]:
    """(processes at a time, TensorFlow threads each) for a machine with ``cores`` cores."""
    cores = cores or os.cpu_count() or 1
    if cores == 1:
        return 1, 1
    jobs = 2 if cores <= 3 else min(8, cores // 2)
    return jobs, max(1, cores // jobs)


def find_fixtures(explicit: Path | None) -> Path:
    if explicit is not None:
        if not explicit.is_dir():
            raise UsageProblem(f"--fixtures {explicit}: no such folder")
        return explicit
    project = Path(__file__).resolve().parent.parent.parent / "fixtures"
    packaged = Path(__file__).resolve().parent.parent / "fixtures"  # in a wheel (setup.py)
    for candidate in (project, packaged, Path.cwd() / "fixtures"):
        if candidate.is_dir():
            return candidate
    raise UsageProblem(
        f"cannot find the fixtures folder (looked in {project} and ./fixtures); "
        "pass --fixtures DIR or run from a checkout of keras-lint"
    )


def select_rules(codes: Sequence[str] | None) -> list[type[Rule]]:
    if not codes:
        return list(ALL_RULES)
    selected: list[type[Rule]] = []
    for code in codes:
        rule = rule_by_code(code)
        if rule is None:
            known = ", ".join(r.code for r in ALL_RULES)
            raise UsageProblem(f"--rule {code}: unknown rule (known: {known})")
        if rule not in selected:
            selected.append(rule)
    return selected


def run(argv: Sequence[str], out: TextIO, err: TextIO) -> int:
    try:
        options = build_parser().parse_args(list(argv))
    except SystemExit as done:  # --help
        return done.code if isinstance(done.code, int) else EXIT_VERIFIED
    rules = select_rules(options.rules)
    fixtures = find_fixtures(options.fixtures)
    if options.list:
        out.write(f"fixtures: {fixtures}\n")
        for rule in rules:
            folder = fixtures / rule.name
            where = folder / "criterion.toml" if folder.is_dir() else "no fixtures"
            out.write(f"{rule.code}  {rule.name}  {where}\n")
        return EXIT_VERIFIED
    try:
        backend = choose_backend(options.backend, os.environ)
    except BackendError as error:
        raise UsageProblem(str(error)) from error
    jobs, threads = default_jobs()
    if options.jobs is not None:
        jobs = options.jobs
        threads = max(1, (os.cpu_count() or 1) // jobs)
    settings = RunSettings(
        python=options.python,
        timeout=options.timeout,
        device="cpu" if options.device == "cpu" else "gpu",
        deterministic=not options.no_determinism,
        jobs=jobs,
        threads=threads,
        backend=backend,
    )
    try:
        device = probe_device(
            options.python, options.device, settings.environment(), options.timeout, backend
        )
    except DeviceError as error:
        raise UsageProblem(str(error)) from error
    settings = dataclasses.replace(
        settings,
        device=device.kind,
        preload=device.kind == "cpu" and not options.spawn,
        preload_modules=preloaded_modules(backend),
    )
    for problem in (device.problem, device.gpu_memory_problem):
        if problem:
            err.write(f"{PROG}: {problem}\n")
            err.flush()
    seeds = list(range(options.seeds))
    out.write(header(device, seeds, settings) + "\n")
    out.flush()
    plans = plan(rules, fixtures, device, seeds)
    total_runs = sum(len(planned.requests) + len(planned.fixed_requests) for planned in plans)
    with ProgressPrinter(total_runs, err) as progress:
        verification = execute(plans, device, seeds, settings, progress, progress.note)
    width = min(REPORT_WIDTH, shutil.get_terminal_size().columns) if out.isatty() else None
    out.write(render_text(verification, width or REPORT_WIDTH))
    if options.json is not None:
        _write_json(options.json, verification, out)
    if verification.interrupted is not None:
        finished, planned = verification.interrupted
        err.write(f"{PROG}: interrupted after {finished} of {planned} fixture runs\n")
        return EXIT_INTERRUPTED
    if options.plots is not None:
        from keras_lint.verify.plots import draw_all

        paths = draw_all(verification, options.plots)
        out.write(f"plots: {len(paths)} PNG files in {options.plots}\n")
    return EXIT_VERIFIED if verification.passed else EXIT_FAILED


def _write_json(path: Path, verification: Verification, out: TextIO) -> None:
    document = to_json(verification)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise UsageProblem(f"--json {path}: cannot write: {error.strerror or error}") from error
    out.write(f"JSON report: {path}\n")


def main(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        return run(argv, out, err)
    except UsageProblem as problem:
        err.write(f"{PROG}: error: {' '.join(str(problem).split())}\n")
        return EXIT_USAGE
