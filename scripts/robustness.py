"""Lint a whole folder with every rule, the prefilter on and off, and count what goes wrong.

By default the folder is this interpreter's site-packages: thousands of real files that no
test was written for. Every Python file, notebook, Dockerfile, Compose file and manifest under
the folders is linted in-process with ``lint_text`` and one project index for them all (as
``keras-lint FOLDER`` does, but with nothing excluded and YAML files linted as if named), once
with the prefilter and once without. The report gives, per mode, the files, the seconds, the
findings by code and the internal errors; then the files on which the two modes disagree and
the slowest files.

Each mode runs in a child process, so a crash of native code or a hang is reported with the
file it happened on. Exit status: 0 when there is no internal error, exception, crash, hang
or disagreement between the modes; 1 otherwise; 2 for bad arguments.

    .venv/bin/python scripts/robustness.py
    .venv/bin/python scripts/robustness.py /path/to/site-packages --prefilter off
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import queue
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

#: KER001 messages of what only analysis meets: without the prefilter every file is analysed,
#: so these may appear only then (see tests/fuzzing.py)
_ANALYSIS_ONLY = ("cannot parse: tokenizer error", "cannot parse: parser error",
                  "too deeply nested to analyse", "too large to analyse")  # fmt: skip


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Lint whole folders in-process, prefilter on and off, and count failures."
    )
    parser.add_argument(
        "folders", nargs="*", type=Path,
        help="folders to lint (default: this interpreter's site-packages)",
    )  # fmt: skip
    parser.add_argument("--prefilter", choices=["on", "off", "both"], default="both")
    parser.add_argument(
        "--command", choices=["on", "off"], default="on",
        help="also run the keras-lint command over the folders (default: on)",
    )  # fmt: skip
    parser.add_argument("--slowest", type=int, default=5, help="list this many slowest files")
    parser.add_argument(
        "--hang-seconds", type=float, default=300.0, help="a file taking longer is a hang"
    )
    parser.add_argument("--worker", choices=["on", "off"], help=argparse.SUPPRESS)
    parser.add_argument("--current", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if not options.folders:
        options.folders = [Path(sysconfig.get_paths()["purelib"])]
    missing = [str(folder) for folder in options.folders if not folder.is_dir()]
    if missing:
        parser.error(f"not a folder: {', '.join(missing)}")
    return options


# -- the child: lints every file in one mode, one JSON line per file -------------------------


def _files(folders: list[Path]) -> list[Path]:
    from keras_lint.discovery import discover
    from keras_lint.patterns import PathPatterns

    nothing = PathPatterns(Path.cwd(), [])
    return discover(folders, exclude=nothing, respect_gitignore=False).files


def _text(path: Path, kind: str) -> str:
    from keras_lint.sources import decode_python
    from keras_lint.sources.regular_file import read_regular_file

    data = read_regular_file(path)
    return decode_python(data) if kind == "python" else data.decode("utf-8-sig")


def _worker(options: argparse.Namespace) -> int:
    from keras_lint.engine import lint_text, scan_project
    from keras_lint.sources import SourceDecodeError, source_kind

    files = _files(options.folders)
    index = scan_project(files).index
    prefilter = options.worker == "on"
    for path in files:
        kind = source_kind(path) or "python"
        options.current.write_text(str(path))
        record: dict[str, Any] = {"path": str(path), "kind": kind, "codes": [], "errors": []}
        started = time.perf_counter()
        try:
            text = _text(path, kind)
        except (OSError, UnicodeDecodeError, SourceDecodeError):
            record["codes"] = ["KER001"]  # what the engine reports for a file it cannot read
        else:
            try:
                result = lint_text(text, str(path), kind=kind, project=index, prefilter=prefilter)
                record["codes"] = [finding.code for finding in result.findings]
                record["analysis_only"] = [
                    finding.message.startswith(_ANALYSIS_ONLY) for finding in result.findings
                ]
                record["errors"] = result.errors
            except Exception:
                record["exception"] = traceback.format_exc()
        record["seconds"] = time.perf_counter() - started
        print(json.dumps(record), flush=True)
    return 0


# -- the parent: one child per mode, watched ---------------------------------------------------


@dataclass
class _Mode:
    name: str
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    #: the file a child died or hung on, with what happened
    failures: list[str] = field(default_factory=list)


def _lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _run_mode(name: str, options: argparse.Namespace, current: Path) -> _Mode:
    mode = _Mode(name)
    command = [sys.executable, __file__, *map(str, options.folders), "--worker", name,
               "--current", str(current)]  # fmt: skip
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str | None] = queue.Queue()
    assert child.stdout is not None
    threading.Thread(target=_lines, args=(child.stdout, lines), daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            if current.exists() and time.time() - current.stat().st_mtime > options.hang_seconds:
                child.kill()
                mode.failures.append(
                    f"hang (over {options.hang_seconds:g} s): {current.read_text()}"
                )
                break
            continue
        if line is None:
            break
        record = json.loads(line)
        mode.records[record["path"]] = record
    child.wait()
    if child.returncode not in (0, -9) or (child.returncode == -9 and not mode.failures):
        where = current.read_text() if current.exists() else "?"
        mode.failures.append(f"the process died with status {child.returncode} on {where}")
    mode.seconds = time.perf_counter() - started
    return mode


def _report(options: argparse.Namespace, modes: list[_Mode]) -> int:
    kinds = collections.Counter(r["kind"] for r in modes[0].records.values())
    for folder in options.folders:
        print(f"folder: {folder}")
    print("files: " + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())))
    print()
    print(f"{'':14} {'files':>7} {'seconds':>8} {'files/s':>8} {'findings':>9} {'KER001':>7}"
          f" {'internal errors':>16} {'exceptions':>11} {'crashes/hangs':>14}")  # fmt: skip
    bad = 0
    for mode in modes:
        records = mode.records.values()
        codes = collections.Counter(code for r in records for code in r["codes"])
        errors = sum(len(r["errors"]) for r in records)
        exceptions = sum(1 for r in records if "exception" in r)
        bad += errors + exceptions + len(mode.failures)
        rate = len(mode.records) / mode.seconds if mode.seconds else 0.0
        print(f"prefilter {mode.name:4} {len(mode.records):7} {mode.seconds:8.1f} {rate:8.1f}"
              f" {sum(codes.values()):9} {codes['KER001']:7} {errors:16} {exceptions:11}"
              f" {len(mode.failures):14}")  # fmt: skip
    print()
    print("findings by code: " + " ".join(f"prefilter {m.name}" for m in modes))
    all_codes = sorted({code for m in modes for r in m.records.values() for code in r["codes"]})
    for code in all_codes:
        counts = [sum(r["codes"].count(code) for r in m.records.values()) for m in modes]
        print(f"  {code}  " + " ".join(f"{count:13}" for count in counts))
    for mode in modes:
        for failure in mode.failures:
            print(f"prefilter {mode.name}: {failure}")
        for record in mode.records.values():
            for error in record["errors"]:
                print(f"prefilter {mode.name}: internal error: {error}")
            if "exception" in record:
                last = record["exception"].strip().splitlines()[-1]
                print(f"prefilter {mode.name}: exception on {record['path']}: {last}")
    if len(modes) == 2:
        bad += _disagreements(*modes)
    slowest = sorted(
        ((r["seconds"], m.name, path) for m in modes for path, r in m.records.items()),
        reverse=True,
    )[: options.slowest]
    if slowest:
        print("slowest files:")
        for seconds, name, path in slowest:
            print(f"  {seconds:7.2f} s  prefilter {name:3}  {path}")
    return 1 if bad else 0


def _disagreements(on: _Mode, off: _Mode) -> int:
    """Files whose findings differ between the modes (KER001 of analysis-only problems aside)."""
    differ = []
    for path, with_prefilter in on.records.items():
        without = off.records.get(path)
        if without is None:
            continue
        expected = [
            code
            for code, analysis_only in zip(
                without["codes"],
                without.get("analysis_only", [False] * len(without["codes"])),
                strict=True,
            )
            if not analysis_only or code in with_prefilter["codes"]
        ]
        if sorted(with_prefilter["codes"]) != sorted(expected):
            differ.append((path, with_prefilter["codes"], without["codes"]))
    print(f"files whose findings the prefilter changes: {len(differ)}")
    for path, codes_on, codes_off in differ[:10]:
        print(f"  {path}: {codes_on} with it, {codes_off} without")
    return len(differ)


def _run_command(options: argparse.Namespace) -> int:
    """The command as users run it (discovery, worker processes, the output), nothing cached:
    it must exit 0 or 1 and say nothing on stderr but warnings. Returns the problems found."""
    command = [sys.executable, "-m", "keras_lint", "--isolated", "--no-cache", "--format",
               "json", *map(str, options.folders)]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    try:
        findings = len(json.loads(done.stdout))
    except ValueError:
        findings = -1
    complaints = [
        line for line in done.stderr.splitlines() if not line.startswith("keras-lint: warning:")
    ]
    print(f"\nthe command (keras-lint --isolated --no-cache, all cores): exit {done.returncode},"
          f" {findings} findings, {seconds:.1f} s, {len(complaints)} lines on stderr")  # fmt: skip
    for line in complaints[:20]:
        print(f"  {line}")
    return int(done.returncode not in (0, 1) or findings < 0) + len(complaints)


def main(argv: list[str] | None = None) -> int:
    options = _arguments(list(sys.argv[1:] if argv is None else argv))
    if options.worker:
        return _worker(options)
    names = ["on", "off"] if options.prefilter == "both" else [options.prefilter]
    current = Path(tempfile.gettempdir()) / f"keras-lint-robustness-{os.getpid()}"
    try:
        modes = [_run_mode(name, options, current) for name in names]
    finally:
        current.unlink(missing_ok=True)
    status = _report(options, modes)
    if options.command == "on" and _run_command(options):
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
