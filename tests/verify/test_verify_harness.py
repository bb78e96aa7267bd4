"""The real harness on the real fixtures, with TensorFlow (marker ``harness``; slow).

Skipped where TensorFlow is not installed (``pip install -e ".[verify]"`` installs it). CI runs
the whole harness once on its own; these pin the parts that only real training shows: the
metrics-file protocol of the real programs, a rule verified end to end, and determinism.
"""

from __future__ import annotations

import importlib.util
import io
import json
import sys
from pathlib import Path

import pytest

from keras_lint.verify import command
from keras_lint.verify.runs import RunRequest, RunSettings, run_all, run_fixture

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

pytestmark = [
    pytest.mark.harness,
    pytest.mark.skipif(
        importlib.util.find_spec("tensorflow") is None,
        reason='needs TensorFlow: pip install -e ".[verify]"',
    ),
]


def test_compile_before_fit_is_verified_on_the_cpu(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    out, err = io.StringIO(), io.StringIO()
    argv = ["--device", "cpu", "--rule", "KER101", "--seeds", "1", "--json", str(report)]
    assert command.main(argv, out, err) == 0, out.getvalue() + err.getvalue()
    document = json.loads(report.read_text())
    assert document["device"]["kind"] == "cpu"
    assert document["versions"]["tensorflow"] and document["versions"]["keras"].startswith("3.")
    (rule,) = document["rules"]
    assert rule["verdict"] == "verified", rule["reason"]
    (bad,) = rule["bad"]["runs"]
    assert bad["exit_code"] == 1
    assert bad["metrics"]["data_loaded"] is True
    assert bad["metrics"]["error_type"] == "ValueError"
    (good,) = rule["good"]["runs"]
    assert good["metrics"]["epochs_completed"] == 5 and rule["margin"] > 0.3


def test_a_real_program_writes_the_metrics_file_and_repeats_itself(tmp_path: Path) -> None:
    settings = RunSettings(python=sys.executable, timeout=300, device="cpu", threads=1)
    program = FIXTURES / "early-stopping-without-restore" / "bad.py"
    first = run_fixture(RunRequest("KER601", program, 1), settings, tmp_path / "a")
    second = run_fixture(RunRequest("KER601", program, 1), settings, tmp_path / "b")
    assert first.ok and second.ok, (first.problem, first.stderr_tail)
    assert (tmp_path / "a" / "KER601-bad-1" / "metrics.json").is_file()
    assert first.metrics == second.metrics  # fixed seed, deterministic ops, one thread


@pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason='needs JAX: pip install -e ".[verify,jax]"'
)
def test_on_jax_a_rule_is_verified_and_a_forked_run_repeats_a_fresh_one(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    out, err = io.StringIO(), io.StringIO()
    argv = ["--backend", "jax", "--device", "cpu", "--rule", "KER101,KER301", "--seeds", "1"]
    assert command.main([*argv, "--json", str(report)], out, err) == 0, out.getvalue()
    document = json.loads(report.read_text())
    assert document["backend"] == "jax" and document["versions"]["jax"]
    assert out.getvalue().startswith("keras-lint verify: CPU (")
    assert "; backend JAX " in out.getvalue().splitlines()[0]
    ker101, ker301 = document["rules"]
    assert ker101["verdict"] == "verified", ker101["reason"]
    assert ker101["bad"]["runs"][0]["metrics"]["error_type"] == "ValueError"
    assert ker301["verdict"] == "skipped"
    assert ker301["reason"].startswith("skipped: needs the TensorFlow backend")

    settings = RunSettings(python=sys.executable, timeout=300, device="cpu", backend="jax")
    program = FIXTURES / "early-stopping-without-restore" / "bad.py"
    fresh = run_fixture(RunRequest("KER601", program, 1), settings, tmp_path / "a")
    preloaded = RunSettings(
        python=sys.executable, timeout=300, device="cpu", backend="jax", preload=True
    )
    forked = run_all([RunRequest("KER601", program, 1)], preloaded)
    (run,) = forked.values()
    assert fresh.ok and run.ok, (fresh.stderr_tail, run.stderr_tail)
    assert fresh.metrics == run.metrics
