"""The tools keras-lint is measured against: flake8 with and without its plugin, and Fixit.

flake8 without keras-lint runs in a virtual environment that holds every package of the
measured interpreter except keras-lint (linked, not copied), so flake8, its plugins and their
versions are the same on both sides and the only difference is the ``KER`` entry point. Fixit
runs ``benchmarks/fixit_rules.py``, a rule equivalent to KER601, through its own command line.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.measure import (
    REPO_ROOT,
    BenchmarkError,
    Corpus,
    Run,
    checked,
    collect_corpus,
    run_measured,
)

#: the Fixit rule equivalent to KER601, importable with the repository root on the path
FIXIT_RULE = "benchmarks.fixit_rules"
FIXIT_RULE_NAME = "EarlyStoppingWithoutRestore"
#: exit statuses of ``fixit lint``: 1 reports, 2 files it could not lint, 3 both
FIXIT_SUCCESS = (0, 1, 2, 3)

# Facts about the interpreter the figures run on, printed as one JSON line.
ENVIRONMENT_SCRIPT = """\
import importlib.metadata, importlib.util, json, sys, sysconfig

def version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None

def top_level(name):
    try:
        files = importlib.metadata.distribution(name).files or []
    except importlib.metadata.PackageNotFoundError:
        return []
    return sorted({str(f).split("/")[0] for f in files if not str(f).startswith("..")})

spec = importlib.util.find_spec("keras_lint")
paths = sysconfig.get_paths()
print(json.dumps({
    "python": sys.version.split()[0],
    "implementation": sys.implementation.name,
    "versions": {name: version(name) for name in (
        "keras-lint", "libcst", "flake8", "pycodestyle", "pyflakes", "fixit")},
    "site_packages": sorted({paths["purelib"], paths["platlib"]}),
    "keras_lint_files": top_level("keras-lint"),
    "keras_lint_location": list(spec.submodule_search_locations)[0] if spec else None,
}))
"""


@dataclass
class Environment:
    """The interpreter the figures run on, and what is installed there."""

    python: str
    implementation: str
    versions: dict[str, str | None]
    site_packages: list[str]
    keras_lint_files: list[str]  # top-level entries of keras-lint's installed files
    keras_lint_location: str | None  # the keras_lint package flake8 loads


def without_pythonpath() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}


def inspect_environment(python: str, workdir: Path) -> Environment:
    """What ``python`` has installed, seen from ``workdir`` (not the repository root, whose
    build metadata, such as a ``keras_lint.egg-info``, would look like an installation)."""
    run = run_measured([python, "-c", ENVIRONMENT_SCRIPT], workdir, without_pythonpath())
    return Environment(**json.loads(checked("the interpreter", run, (0,)).stdout))


# --- flake8 ---------------------------------------------------------------------------------


@dataclass
class Flake8Setup:
    """The two interpreters flake8 runs under, or why the flake8 figures are not measured."""

    alone: Path | None = None  # a Python without keras-lint
    plugged: str | None = None  # the measured Python, with keras-lint's entry point
    reason: str | None = None
    versions: tuple[str, str] | None = None  # ``flake8 --version`` of each


def flake8_setup(python: str, environment: Environment, scratch: Path) -> Flake8Setup:
    """Make the environment without keras-lint and check what flake8 finds on either side."""
    if environment.versions.get("flake8") is None:
        return Flake8Setup(reason="n/a (flake8 is not installed)")
    if environment.versions.get("keras-lint") is None:
        return Flake8Setup(reason="n/a (keras-lint is not installed: pip install -e .)")
    target = scratch / "flake8-without-keras-lint"
    alone = target / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    try:
        subprocess.run([python, "-m", "venv", "--without-pip", str(target)], check=True)
        found = subprocess.run([alone, "-c", purelib], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        return Flake8Setup(reason=f"failed: cannot make an environment without keras-lint: {error}")
    new_site = Path(found.stdout.strip())
    own = set(environment.keras_lint_files) - {"__pycache__"}
    for site in map(Path, environment.site_packages):
        for entry in sorted(site.iterdir()):
            if entry.name not in own and not (new_site / entry.name).exists():
                (new_site / entry.name).symlink_to(entry)
    env = without_pythonpath()
    without = run_measured([str(alone), "-m", "flake8", "--version"], target, env)
    with_plugin = run_measured([python, "-m", "flake8", "--version"], target, env)
    if without.returncode != 0 or "keras-lint" in without.stdout:
        reason = f"failed: flake8 without keras-lint: {without.stdout.strip()}{without.stderr}"
        return Flake8Setup(reason=reason)
    if "keras-lint" not in with_plugin.stdout:
        return Flake8Setup(reason="n/a (flake8 does not find keras-lint's plugin)")
    versions = (without.stdout.strip(), with_plugin.stdout.strip())
    return Flake8Setup(alone=alone, plugged=python, versions=versions)


def run_flake8(
    python: str, corpus: Corpus, scratch: Path, timeout: float | None
) -> tuple[Run, Counter[str]]:
    """``flake8 -j1 --isolated`` over the corpus; the run and its reports by code.

    ``--isolated``: no configuration file of the tree or the user changes what is checked.
    """
    command = [python, "-m", "flake8", "-j1", "--isolated", "--format=%(code)s", str(corpus.root)]
    with tempfile.TemporaryDirectory(prefix="flake8-", dir=scratch) as workdir:
        run = run_measured(command, Path(workdir), without_pythonpath(), timeout)
    checked("flake8", run)
    return run, Counter(line.strip() for line in run.stdout.splitlines() if line.strip())


FLAKE8_COMMAND = "flake8 -j1 --isolated CORPUS"


# --- Fixit ----------------------------------------------------------------------------------


def fixit_processes() -> int:
    """The size of Fixit's process pool: a ProcessPoolExecutor with its default size."""
    counter = getattr(os, "process_cpu_count", os.cpu_count)
    return counter() or 1


FIXIT_COMMAND = f"fixit --rules {FIXIT_RULE} lint CORPUS"


def run_fixit(
    python: str, corpus: Corpus, scratch: Path, timeout: float | None
) -> tuple[Run, list[tuple[str, int]], int]:
    """``fixit lint`` with the KER601 rule: the run, the reported places, files not linted.

    The rule is loaded as an importable module (the repository root on PYTHONPATH), as an
    installed rule package would be, and not in Fixit's ``.local`` form, which imports the
    module again for every file.
    """
    command = [python, "-m", "fixit", "--rules", FIXIT_RULE, "-o", "vscode", "lint"]
    env = without_pythonpath()
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])
    )
    with tempfile.TemporaryDirectory(prefix="fixit-", dir=scratch) as workdir:
        run = run_measured([*command, str(corpus.root)], Path(workdir), env, timeout)
        checked("fixit lint", run, FIXIT_SUCCESS)
        pattern = re.compile(rf"^(.*):(\d+):\d+ {FIXIT_RULE_NAME}\b")
        places = sorted(
            (os.path.realpath(os.path.join(workdir, match[1])), int(match[2]))
            for match in map(pattern.match, run.stdout.splitlines())
            if match
        )
    return run, places, run.stdout.count(": EXCEPTION: ")


def sample_corpus(corpus: Corpus, files: int, scratch: Path) -> Corpus | None:
    """Every k-th file of ``corpus``, ``files`` in all, copied under ``scratch`` with their
    relative paths; None when the corpus is not larger than that."""
    if files <= 0 or len(corpus.files) <= files:
        return None
    step = len(corpus.files) / files
    root = scratch / "sample"
    for index in range(files):
        source = corpus.files[int(index * step)]
        target = root / source.relative_to(corpus.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    if not root.is_dir():
        raise BenchmarkError("the sample is empty")
    return collect_corpus(root, f"every {step:.1f}th file of {corpus.name}")
