"""GPU memory seen from outside the training process (a stand-in nvidia-smi), and GPU plots."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from keras_lint.verify.criteria import load_criterion
from keras_lint.verify.device import GpuMemorySampler, gpu_memory_mib
from keras_lint.verify.harness import RuleReport
from keras_lint.verify.runs import RunRequest, RunResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in nvidia-smi on PATH that prints the used MiB written in a file, of 80000."""
    used = tmp_path / "used"
    used.write_text("1000")
    script = tmp_path / "bin" / "nvidia-smi"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\necho "$(cat {used}), 80000"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    return used


def test_gpu_memory_is_read_from_nvidia_smi(nvidia_smi: Path) -> None:
    assert gpu_memory_mib() == (1000.0, 80000.0)


def test_without_nvidia_smi_there_is_no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert gpu_memory_mib() is None
    sampler = GpuMemorySampler()
    sampler.start()
    assert sampler.stop() == {
        "harness_gpu_peak_mib": None,
        "harness_gpu_total_mib": None,
        "harness_gpu_peak_fraction": None,
    }


def test_the_sampler_reports_the_peak_growth_while_the_program_ran(nvidia_smi: Path) -> None:
    sampler = GpuMemorySampler(interval=0.05)
    sampler.start()
    nvidia_smi.write_text("77000")  # the program reserves nearly everything...
    time.sleep(0.6)
    nvidia_smi.write_text("1200")  # ...and lets go when it ends
    time.sleep(0.3)
    measured = sampler.stop()
    assert measured["harness_gpu_peak_mib"] == 76000.0
    assert measured["harness_gpu_total_mib"] == 80000.0
    assert measured["harness_gpu_peak_fraction"] == pytest.approx(0.95)


def test_the_gpu_rule_plots_bars_of_gpu_shaped_runs(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from keras_lint.verify.plots import draw_rule

    criterion = load_criterion(FIXTURES / "missing-gpu-memory-growth")
    rule = RuleReport("KER301", "missing-gpu-memory-growth", "verified", criterion=criterion)
    rule.margin = 0.96
    shapes = {
        "bad": {"gpu_memory_used_fraction": 0.97, "harness_gpu_peak_fraction": 0.96},
        "good": {"gpu_memory_used_fraction": 0.01, "harness_gpu_peak_fraction": 0.26},
    }
    for side, metrics in shapes.items():
        request = RunRequest("KER301", FIXTURES / criterion.path.parent / f"{side}.py", 0, True)
        run = RunResult(request, "ok", 0, 9.0, {"rule": "KER301", "fixture": side, "seed": 0})
        run.measured = {"harness_gpu_peak_fraction": metrics.pop("harness_gpu_peak_fraction")}
        assert run.metrics is not None
        run.metrics.update(metrics)
        (rule.bad if side == "bad" else rule.good).runs.append(run)
    path = draw_rule(rule, tmp_path, [0])
    assert path is not None and path.read_bytes()[:4] == b"\x89PNG"
