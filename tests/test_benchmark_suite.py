"""benchmarks/suite.py runs end to end on a tiny generated corpus and reports every figure.

No timing is asserted: the figures only have to be there, as numbers, or say why they are not.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "benchmarks" / "suite.py"
CORPUS = ROOT / "benchmarks" / "corpus.py"

CORPUS_FIGURES = ("floor", "cold", "jobs", "fill", "warm", "flake8", "flake8_plugin", "fixit")
FIXIT_INSTALLED = importlib.util.find_spec("fixit") is not None


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("suite") / "report.json"
    command = [sys.executable, str(SUITE), "--generate", "20", "--fixit-files", "5"]
    command += ["--sizes", "40,80", "--repeat", "1", "--timeout", "120", "--json", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "libcst parse only (floor)" in done.stdout
    return json.loads(out.read_text(encoding="utf-8"))


def measured_with_numbers(figure: dict) -> None:
    assert figure["measured"], figure["reason"]
    assert figure["reason"] is None
    for key in ("seconds_min", "seconds_median", "cpu_seconds", "peak_mb", "ratio"):
        assert isinstance(figure[key], float) and figure[key] > 0, key
    assert len(figure["seconds"]) == 1


def test_machine_facts_are_reported(report: dict) -> None:
    machine = report["machine"]
    assert machine["cpu_count"] >= 1
    assert len(machine["load_average_start"]) == len(machine["load_average_end"]) == 3
    assert machine["versions"]["libcst"] and machine["versions"]["flake8"]
    assert machine["repeat"] == 1


def test_every_corpus_figure_is_measured_or_says_why_not(report: dict) -> None:
    (corpus,) = report["corpora"]
    figures = corpus["figures"]
    assert set(CORPUS_FIGURES) <= set(figures)
    options = report["machine"]["keras_lint_options"]
    expected_reason = {
        "jobs": None if "--jobs" in options else "n/a (keras-lint has no --jobs)",
        "fill": None if "--cache-dir" in options else "n/a (keras-lint has no --cache-dir)",
        "warm": None if "--cache-dir" in options else "n/a (keras-lint has no --cache-dir)",
    }
    for key, figure in figures.items():
        if key in ("fixit", "sample_floor", "sample_lint") and not FIXIT_INSTALLED:
            assert figure["reason"].startswith("n/a (fixit is not installed"), figure["reason"]
        elif expected_reason.get(key) is not None:
            assert figure["reason"] == expected_reason[key]
            assert figure["seconds_min"] is None
        else:
            measured_with_numbers(figure)
    assert figures["floor"]["ratio"] == 1.0
    assert figures["floor"]["files"] == corpus["files"] == 20


def test_targets_are_judged_without_failing_the_run(report: dict) -> None:
    figures = report["corpora"][0]["figures"]
    texts = {target["text"] for target in figures["cold"]["targets"]}
    assert texts == {"<= 0.50x floor", "peak <= 300 MB"}
    (flake8_target,) = figures["flake8_plugin"]["targets"]
    assert isinstance(flake8_target["value"], float) and flake8_target["met"] in (True, False)


def test_keras_lint_findings_are_counted_on_every_side(report: dict) -> None:
    corpus = report["corpora"][0]
    cold = corpus["figures"]["cold"]
    assert isinstance(cold["libcst_parses"], int)
    assert sum(cold["findings"].values()) >= 1  # the generated corpus has planted bugs
    assert corpus["figures"]["flake8_plugin"]["keras_lint_reports"] == cold["findings"]
    assert corpus["figures"]["flake8"]["keras_lint_reports"] == {}


@pytest.mark.skipif(
    not FIXIT_INSTALLED, reason='fixit is not installed (pip install -e ".[bench]")'
)
def test_fixit_peer_is_measured_on_a_sample(report: dict) -> None:
    corpus = report["corpora"][0]
    assert corpus["fixit_sample"]["files"] == 5
    fixit = corpus["figures"]["fixit"]
    assert fixit["ratio_to"] == "sample_floor"
    assert isinstance(fixit["reports"], int) and fixit["files_not_linted"] == 0
    (speedup,) = fixit["targets"]
    assert speedup["value"] > 0


def test_growth_reports_the_cost_per_line_of_both_tools(report: dict) -> None:
    growth = report["growth"]
    assert growth["failure"] is None
    assert [size["target_lines"] for size in growth["sizes"]] == [40, 80]
    for size in growth["sizes"]:
        assert size["lines"] >= size["target_lines"]
        for tool in ("libcst", "keras_lint"):
            assert size[tool]["us_per_line"] > 0 and size[tool]["peak_mb"] > 0
    assert set(growth["factors"]) == {"libcst", "keras-lint"}
    assert growth["target"]["met"] in (True, False)


def test_the_generated_corpus_depends_only_on_the_seed(tmp_path: Path) -> None:
    def digest(folder: Path, seed: int) -> str:
        command = [sys.executable, str(CORPUS), str(folder), "--files", "40", "--seed", str(seed)]
        subprocess.run(command, check=True, capture_output=True)
        files = sorted(path for path in folder.rglob("*") if path.is_file())
        content = b"".join(
            p.relative_to(folder).as_posix().encode() + p.read_bytes() for p in files
        )
        return hashlib.sha256(content).hexdigest()

    first = digest(tmp_path / "a", 1)
    assert digest(tmp_path / "b", 1) == first
    assert digest(tmp_path / "c", 2) != first


@pytest.fixture
def suite(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(ROOT))
    return importlib.import_module("benchmarks.suite")


def context_for(suite: ModuleType, help_text: str, scratch: Path) -> Any:
    environment = suite.Environment("3", "cpython", {}, [], [], None)
    return suite.Context("python", help_text, 2, [], True, None, scratch, environment, 0)


BEFORE = "usage: keras-lint [-h] [--format {json,text}] [--select CODES] [PATH ...]"
AFTER = BEFORE + " [--jobs N] [--no-cache] [--cache-dir DIR]"


def test_without_the_options_the_runs_are_plain_and_the_figures_say_why(
    suite: ModuleType, tmp_path: Path
) -> None:
    context = context_for(suite, BEFORE + " [--jobs-file F]", tmp_path)
    assert context.lint_arguments(2) == ["--format", "json"]
    figures = suite.corpus_figures(context, set(suite.FIGURES), sampled=False)
    assert figures["jobs"].reason == "n/a (keras-lint has no --jobs)"
    assert figures["warm"].reason == figures["fill"].reason == "n/a (keras-lint has no --cache-dir)"
    assert figures["cold"].label == "keras-lint cold (one process)"


def test_once_help_lists_jobs_and_the_cache_the_runs_use_them(
    suite: ModuleType, tmp_path: Path
) -> None:
    context = context_for(suite, AFTER, tmp_path)
    assert context.lint_arguments(1) == ["--format", "json", "--jobs", "1", "--no-cache"]
    assert context.lint_arguments(2, Path("c")) == [
        "--format", "json", "--jobs", "2", "--cache-dir", "c",
    ]  # fmt: skip
    figures = suite.corpus_figures(context, set(suite.FIGURES), sampled=False)
    assert figures["jobs"].reason is None and figures["warm"].reason is None
    assert figures["jobs"].label == "keras-lint cold --jobs 2"
