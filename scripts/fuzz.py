"""Fuzz keras-lint for a given time: the never-crash properties of the test suite, at length.

Runs the properties of ``tests/fuzzing.py`` (Python from Python's grammar, Keras training
programs, notebooks, Dockerfiles, Compose files, Kubernetes manifests) in rounds of generated
examples until the time or the number of examples is reached, and prints how many examples ran,
the findings by code, and every failure. A failure is an internal error, an exception, a
malformed finding, a prefilter that changes the findings, a process that dies (a crash of
native code) or an example that runs longer than ``--hang-seconds``. Each failing input is saved
under ``--out`` (Hypothesis's shrunk example, or the input the process died or hung on).

The examples run in a child process, so a crash or a hang is reported with its input and the
run goes on. Exit status: 0 without failures, 1 with any, 2 for bad arguments.

    .venv/bin/python scripts/fuzz.py --minutes 10
    .venv/bin/python scripts/fuzz.py --examples 2000 --families keras,notebook
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY / "tests"))  # the strategies and the property

#: where each kind's failing inputs are saved, and under which name
_SUFFIXES = {
    "python": ".py",
    "notebook": ".ipynb",
    "dockerfile": ".Dockerfile",
    "compose": ".compose.yaml",
    "kubernetes": ".yaml",
}


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Fuzz keras-lint for a given time.")
    parser.add_argument("--minutes", type=float, default=None, help="stop after this time")
    parser.add_argument("--examples", type=int, default=None, help="stop after this many examples")
    parser.add_argument(
        "--families", default="", help="comma-separated families (default: all; see --list)"
    )
    parser.add_argument("--list", action="store_true", help="list the families and exit")
    parser.add_argument("--round", type=int, default=100, help="examples per Hypothesis run")
    parser.add_argument("--seed", type=int, default=None, help="seed of the first round")
    parser.add_argument(
        "--hang-seconds", type=float, default=120.0, help="an example running longer is a hang"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("fuzz-failures"), help="folder for failing inputs"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.minutes is None and options.examples is None:
        options.minutes = 1.0
    return options


# -- the child: runs rounds, one JSON line per round on stdout ------------------------------


def _worker(options: argparse.Namespace) -> int:
    from fuzzing import FAMILIES

    families = _chosen(FAMILIES, options.families)
    current = options.out / f".current-{os.getpid()}"
    rng = random.Random(options.seed)
    for round_number in range(sys.maxsize):
        family = families[round_number % len(families)]
        _round(family, options.round, rng.getrandbits(64), current)
    return 0


def _round(family: Any, examples: int, seed_value: int, current: Path) -> None:
    """One Hypothesis run; prints one JSON line per example, and one for a failure."""
    from hypothesis import HealthCheck, given, seed, settings

    from fuzzing import lint_both_ways

    failing: dict[str, Any] = {}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @seed(seed_value)
    @given(family.strategy())
    def check(text: str) -> None:
        current.write_text(json.dumps({"family": family.name, "text": text}))
        try:
            outcome = lint_both_ways(text, family.path, family.kind)
        except Exception:
            failing.update(text=text, problems=[traceback.format_exc()])
            raise
        codes = [finding.code for finding in outcome.findings]
        print(json.dumps({"family": family.name, "codes": codes}), flush=True)
        if outcome.problems:
            failing.update(text=text, problems=outcome.problems)
            raise AssertionError(outcome.problems[0])

    try:
        check()
    except Exception:  # the shrunk example ran last: ``failing`` holds it
        failure = dict(failing) or {"text": "", "problems": [traceback.format_exc()]}
        print(json.dumps({"family": family.name, "failure": failure}), flush=True)


def _chosen(families: list[Any], names: str) -> list[Any]:
    if not names:
        return families
    by_name = {family.name: family for family in families}
    unknown = [name for name in names.split(",") if name not in by_name]
    if unknown:
        raise SystemExit(f"fuzz.py: unknown family {unknown[0]!r} (see --list)")
    return [by_name[name] for name in names.split(",")]


# -- the parent: keeps a child running, watches it, saves what fails ------------------------


class _Summary:
    def __init__(self) -> None:
        self.examples: collections.Counter[str] = collections.Counter()
        self.codes: collections.Counter[str] = collections.Counter()
        self.failures: list[tuple[str, str, Path]] = []

    def save(self, out: Path, kind: str, family: str, text: str, problems: list[str]) -> None:
        from fuzzing import FAMILIES

        source_kind = next(f.kind for f in FAMILIES if f.name == family)
        number = len(self.failures) + 1
        path = out / f"{kind}-{number:03d}-{family}{_SUFFIXES[source_kind]}"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        path.with_name(path.name + ".txt").write_text("\n".join(problems) + "\n")
        self.failures.append((kind, family, path))
        print(f"{kind}: {family}: {problems[0].splitlines()[0][:160]}\n  saved to {path}")


def _child(argv: list[str], seed: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-W", "ignore::SyntaxWarning", __file__, "--worker", *argv]
    return subprocess.Popen([*command, "--seed", str(seed)], stdout=subprocess.PIPE, text=True)


def _lines(stream: IO[str], into: queue.Queue[str | None]) -> None:
    for line in stream:
        into.put(line)
    into.put(None)


def _without_seed(argv: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for argument in argv:
        if skip:
            skip = False
        elif argument == "--seed":
            skip = True
        elif not argument.startswith("--seed="):
            kept.append(argument)
    return kept


def _run(options: argparse.Namespace, argv: list[str]) -> int:
    from fuzzing import FAMILIES

    names = [family.name for family in _chosen(FAMILIES, options.families)]
    options.out.mkdir(parents=True, exist_ok=True)
    summary = _Summary()
    started = time.monotonic()
    deadline = started + options.minutes * 60 if options.minutes is not None else None
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    print(f"fuzzing {', '.join(names)} (seed {seed}); failing inputs go to {options.out}/")

    def done() -> bool:
        if deadline is not None and time.monotonic() >= deadline:
            return True
        return options.examples is not None and sum(summary.examples.values()) >= options.examples

    restarts = 0
    while not done():
        child = _child(_without_seed(argv), seed + restarts)
        restarts += 1
        current = options.out / f".current-{child.pid}"
        lines: queue.Queue[str | None] = queue.Queue()
        assert child.stdout is not None
        threading.Thread(target=_lines, args=(child.stdout, lines), daemon=True).start()
        while not done():
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                line = ""
            if line:
                record = json.loads(line)
                if "failure" in record:
                    failure = record["failure"]
                    summary.save(options.out, "failure", record["family"], failure["text"],
                                 failure["problems"])  # fmt: skip
                else:
                    summary.examples[record["family"]] += 1
                    summary.codes.update(record["codes"])
                continue
            if line is None or child.poll() is not None:
                child.wait()
                last = _last_example(current)
                summary.save(options.out, "crash", last["family"], last["text"],
                             [f"the process died with status {child.returncode}"])  # fmt: skip
                break
            if current.exists() and time.time() - current.stat().st_mtime > options.hang_seconds:
                last = _last_example(current)
                child.kill()
                child.wait()
                hang = f"one example ran longer than {options.hang_seconds:g} s"
                summary.save(options.out, "hang", last["family"], last["text"], [hang])
                break
        if child.poll() is None:
            child.kill()
            child.wait()
        current.unlink(missing_ok=True)
    _report(summary, time.monotonic() - started)
    return 1 if summary.failures else 0


def _last_example(current: Path) -> dict[str, str]:
    try:
        return dict(json.loads(current.read_text()))
    except (OSError, ValueError):
        return {"family": "python-grammar", "text": ""}


def _report(summary: _Summary, seconds: float) -> None:
    total = sum(summary.examples.values())
    print(
        f"\n{total} examples in {seconds / 60:.1f} minutes (each linted with and without prefilter)"
    )
    for family, count in sorted(summary.examples.items()):
        print(f"  {family:16} {count:7}")
    findings = ", ".join(f"{code} {count}" for code, count in sorted(summary.codes.items()))
    print(f"findings: {sum(summary.codes.values())} ({findings or 'none'})")
    kinds = collections.Counter(kind for kind, _, _ in summary.failures)
    print(
        f"failures: {len(summary.failures)} (failures {kinds['failure']},"
        f" crashes {kinds['crash']}, hangs {kinds['hang']})"
    )
    for kind, family, path in summary.failures:
        print(f"  {kind:8} {family:16} {path}")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    options = _arguments(argv)
    if options.list:
        from fuzzing import FAMILIES

        for family in FAMILIES:
            print(f"{family.name:16} linted as {family.path} ({family.kind})")
        return 0
    if options.worker:
        return _worker(options)
    return _run(options, argv)


if __name__ == "__main__":
    sys.exit(main())
