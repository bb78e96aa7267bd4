"""``keras-lint verify`` end to end on small stand-in fixtures (plain Python, no TensorFlow).

The stand-ins have the shape the linter checks (guarded so it never runs) and report made-up
metrics, so the harness's whole path runs in seconds: options, the static half, the runs, the
judging, the table, the JSON report and the exit status.
"""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
import stat
import sys
import textwrap
from pathlib import Path

import pytest

from keras_lint.cli import main as cli_main
from keras_lint.verify import command
from keras_lint.verify.device import (
    Device,
    DeviceError,
    gpu_memory_mib,
    gpu_memory_reading,
    probe_device,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
VERSIONS = {"python": "3.x", "tensorflow": "2.x-test", "keras": "3.x-test", "keras_backend": "tf"}

STAND_IN = '''\
"""A stand-in training program: the shape the linter checks, plain Python when it runs."""

import json
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"

if os.environ.get("KERAS_LINT_NEVER_SET"):  # read by the linter, never run
    import keras
    from keras.callbacks import EarlyStopping

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(loss="mse")
    model.fit([[0.0]], [0.0], callbacks=[EarlyStopping(monitor="loss"{restore})])

SEED = int(os.environ["KERAS_LINT_SEED"])
#: whether the program passes the option (``--fix`` adds it to the bad one's copy)
with open(__file__, encoding="utf-8") as source:
    RESTORES = ("restore_best_weights" + "=True") in source.read()
{body}
'''

REPORT = """\
metrics = {{"rule": "KER601", "fixture": "{stem}", "seed": SEED, "val_loss_excess": {excess},
           "best_epoch": 3, "test_loss": 0.7,
           "history": {{"loss": [0.9, 0.6, 0.5], "val_loss": [0.8, 0.7, 0.9]}},
           "final_val_loss": 0.9}}
print("KERAS_LINT_METRICS " + json.dumps(metrics))
"""

CRITERION = """\
rule = "KER601"
needs = "cpu"
claim = "The bad one ends worse than its best epoch."

[[pair]]
bad = "bad.py"
good = "good.py"
bad_expect = [{ metric = "val_loss_excess", at_least = 0.1 }]
good_expect = [{ metric = "val_loss_excess", at_most = 0.001 }]
bad_show = [{ metric = "val_loss_excess", label = "excess" }]
good_show = [{ metric = "val_loss_excess", label = "excess" }]
[pair.margin]
label = "excess validation loss, bad - good"
short = "Δval_loss"
of = "bad.val_loss_excess"
minus = "good.val_loss_excess"
at_least = 0.1

[plot]
kind = "curves"
title = "validation loss"
series = ["val_loss"]
mark_best = true
final_metric = "final_val_loss"
"""


def stand_in_fixtures(
    root: Path,
    bad_body: str | None = None,
    good_body: str | None = None,
    good_restores: bool = True,
) -> Path:
    folder = root / "fixtures" / "early-stopping-without-restore"
    folder.mkdir(parents=True)
    bad = bad_body or REPORT.format(stem="bad", excess="0.0 if RESTORES else 0.3 + 0.1 * SEED")
    good = good_body or REPORT.format(stem="good", excess="0.0")
    restore = ", restore_best_weights=True" if good_restores else ""
    (folder / "bad.py").write_text(STAND_IN.format(restore="", body=bad))
    (folder / "good.py").write_text(STAND_IN.format(restore=restore, body=good))
    (folder / "criterion.toml").write_text(CRITERION)
    return root / "fixtures"


@pytest.fixture
def fake_device(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """No TensorFlow probe: a CPU with made-up versions; records the requested device."""
    requested: list[str] = []

    def probe(
        python: str, device: str, environment: object, timeout: float, backend: str
    ) -> Device:
        requested.append(device)
        if device == "gpu":
            raise DeviceError("--device gpu: TensorFlow sees no GPU on this machine")
        return Device("cpu", "Test CPU, 2 cores", device, VERSIONS, backend)

    monkeypatch.setattr(command, "probe_device", probe)
    # The stand-ins are plain Python: the preloaded interpreter need not import a backend.
    monkeypatch.setattr(command, "preloaded_modules", lambda backend: ("json",))
    return requested


def table_lines(out: str) -> list[str]:
    """The report's table: from its title line to the blank line after it."""
    lines = out.splitlines()
    first = next(index for index, line in enumerate(lines) if line.startswith("rule  "))
    return lines[first : lines.index("", first)]


def verify(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = command.main(list(argv), out, err)
    return status, out.getvalue(), err.getvalue()


# -- options -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--seeds", "0"], "expected at least 1"),
        (["--seeds", "three"], "expected a whole number"),
        (["--device", "tpu"], "invalid choice: 'tpu'"),
        (["--rule", "KER999"], "--rule KER999: unknown rule"),
        (["--rule", ","], "expected rule codes"),
        (["--timeout", "0"], "expected more than 0 seconds"),
        (["--jobs", "-1"], "expected at least 1"),
        (["--fixtures", "/no/such/folder"], "--fixtures /no/such/folder: no such folder"),
        (["--colour"], "unrecognized arguments: --colour"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    fake_device: list[str], argv: list[str], message: str
) -> None:
    status, out, err = verify(*argv)
    assert status == 2 and out == ""
    assert err.startswith("keras-lint verify: error: ") and message in err
    assert err.count("\n") == 1


def test_gpu_requested_without_a_gpu_is_a_usage_error(fake_device: list[str]) -> None:
    status, _, err = verify("--device", "gpu", "--rule", "KER401")
    assert status == 2
    assert "TensorFlow sees no GPU" in err
    assert fake_device == ["gpu"]


def test_rules_accept_repeats_and_comma_lists() -> None:
    options = command.build_parser().parse_args(["--rule", "ker201,KER601", "--rule", "KER101"])
    assert options.rules == ["KER201", "KER601", "KER101"]
    rules = command.select_rules(["KER201", "KER601", "KER201"])
    assert [rule.code for rule in rules] == ["KER201", "KER601"]


def test_option_defaults() -> None:
    options = command.build_parser().parse_args([])
    assert options.device == "auto" and options.seeds == 3 and options.rules is None
    assert options.timeout == 300 and options.json is None and options.plots is None


@pytest.mark.parametrize(("cores", "expected"), [(1, (1, 1)), (2, (2, 1)), (16, (8, 2))])
def test_default_parallelism(cores: int, expected: tuple[int, int]) -> None:
    assert command.default_jobs(cores) == expected


def test_the_default_fixtures_are_the_projects() -> None:
    assert command.find_fixtures(None) == FIXTURES


def test_no_fixtures_folder_anywhere_is_a_clear_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(command, "__file__", str(tmp_path / "a" / "b" / "command.py"))
    with pytest.raises(command.UsageProblem, match="cannot find the fixtures folder"):
        command.find_fixtures(None)
    (tmp_path / "fixtures").mkdir()
    assert command.find_fixtures(None) == tmp_path / "fixtures"


def test_the_keras_lint_command_dispatches_verify(
    fake_device: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["verify", "--seeds", "0"]) == 2
    assert "keras-lint verify: error:" in capsys.readouterr().err


# -- the device probe ----------------------------------------------------------------------


def fake_python(tmp_path: Path, line: str) -> str:
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\necho 'noise on stdout'\necho '{line}'\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_the_probe_picks_the_gpu_when_tensorflow_sees_one(tmp_path: Path) -> None:
    info = {
        "python": "3.11",
        "backend_version": "2.21.0",
        "keras": "3.15.1",
        "gpus": ["NVIDIA H100"],
    }
    python = fake_python(tmp_path, "KERAS_LINT_PROBE " + json.dumps(info))
    device = probe_device(python, "auto", {}, 10)
    assert (device.kind, device.name, device.versions["tensorflow"]) == (
        "gpu",
        "NVIDIA H100",
        "2.21.0",
    )
    assert probe_device(python, "cpu", {}, 10).kind == "cpu"


def test_the_probe_falls_back_to_the_cpu_and_refuses_a_missing_gpu(tmp_path: Path) -> None:
    info = {"python": "3.11", "backend_version": "2.21.0", "keras": "3.15.1", "gpus": []}
    python = fake_python(tmp_path, "KERAS_LINT_PROBE " + json.dumps(info))
    device = probe_device(python, "auto", {}, 10)
    assert device.kind == "cpu" and "cores" in device.name
    with pytest.raises(DeviceError, match="sees no GPU"):
        probe_device(python, "gpu", {}, 10)


def test_the_probe_says_how_to_install_the_backend(tmp_path: Path) -> None:
    info = {"python": "3.11", "error": "ModuleNotFoundError: No module named 'tensorflow'"}
    python = fake_python(tmp_path, "KERAS_LINT_PROBE " + json.dumps(info))
    device = probe_device(python, "auto", {}, 10)
    assert device.problem is not None and 'pip install -e ".[verify]"' in device.problem
    assert "No module named" in device.problem
    device = probe_device(python, "auto", {}, 10, "jax")
    assert device.problem is not None and 'pip install -e ".[verify,jax]"' in device.problem


def test_a_probe_that_prints_nothing_is_an_error(tmp_path: Path) -> None:
    device = probe_device(fake_python(tmp_path, "hello"), "auto", {}, 10)
    assert device.problem is not None and "the device probe failed" in device.problem


# -- end to end ----------------------------------------------------------------------------


def test_a_verified_rule_exits_0_with_table_and_json(
    fake_device: list[str], tmp_path: Path
) -> None:
    fixtures = stand_in_fixtures(tmp_path)
    report = tmp_path / "out" / "report.json"
    status, out, err = verify(
        "--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "2", "--json", str(report)
    )
    assert status == 0, out + err
    assert out.startswith(
        "keras-lint verify: CPU (Test CPU, 2 cores); backend TensorFlow 2.x-test, Keras 3.x-test"
    )
    table = table_lines(out)[:3]
    assert table[0].split() == [
        "rule", "bad", "outcome", "good", "outcome", "fix", "margin", "(worst", "seed)",
        "verdict", "s",
    ]  # fmt: skip
    assert table[1].startswith("KER601  excess 0.30..0.40")
    assert table[1].split()[5] == "ok"
    assert "Δval_loss +0.300 (≥ 0.1)" in table[1] and "verified" in table[1]
    assert "total" in out and f"JSON report: {report}" in out
    assert "6 fixture runs" in out
    assert err.count("\n") == 6  # one progress line per run when stderr is not a terminal
    assert "[1/6] KER601 bad.py seed" in err and "KER601 bad.fixed.py seed 1: ok" in err

    document = json.loads(report.read_text())
    assert set(document) == {
        "schema_version", "backend", "device", "versions", "seeds", "settings", "seconds",
        "passed", "rules",
    }  # fmt: skip
    assert document["device"] == {
        "kind": "cpu", "name": "Test CPU, 2 cores", "requested": "auto", "problem": None,
        "gpu_memory_problem": None,
    }  # fmt: skip
    assert document["versions"]["tensorflow"] == "2.x-test"
    assert document["backend"] == "tensorflow"
    assert document["seeds"] == [0, 1] and document["passed"] is True
    (rule,) = document["rules"]
    assert set(rule) == {
        "code", "name", "verdict", "reason", "seconds", "seeds", "bad", "good", "fixed",
        "margin", "criterion", "pairs",
    }  # fmt: skip
    assert rule["seeds"] == [0, 1]
    assert rule["code"] == "KER601" and rule["verdict"] == "verified"
    assert rule["margin"] == pytest.approx(0.3)
    assert rule["reason"].startswith("The bad one ends worse than its best epoch. Worst case")
    assert set(rule["bad"]) == {"programs", "lint", "outcome", "runs"}
    assert rule["bad"]["lint"] == {"bad.py": ["KER601"]}
    assert rule["good"]["lint"] == {"good.py": []}
    assert [run["seed"] for run in rule["bad"]["runs"]] == [0, 1]
    first = rule["bad"]["runs"][0]
    assert first["status"] == "ok" and first["exit_code"] == 0
    assert isinstance(first["cpu_seconds"], float) and first["cpu_seconds"] >= 0
    assert first["metrics"]["val_loss_excess"] == pytest.approx(0.3)
    assert rule["fixed"]["programs"] == ["bad.fixed.py"] and rule["fixed"]["failures"] == []
    assert [run["metrics"]["val_loss_excess"] for run in rule["fixed"]["runs"]] == [0.0, 0.0]
    assert rule["reason"].endswith(
        "After --fix --unsafe-fixes, bad.fixed.py meets the good criterion (excess 0)."
    )
    assert (fixtures / "early-stopping-without-restore" / "bad.py").read_text().count(
        "restore_best_weights=True"
    ) == 0  # the fixed copy was made elsewhere
    assert rule["pairs"][0]["margins_by_seed"] == [
        {"seed": 0, "margin": pytest.approx(0.3)},
        {"seed": 1, "margin": pytest.approx(0.4)},
    ]


def test_a_fixed_program_that_misses_the_good_criterion_fails_the_rule(
    fake_device: list[str], tmp_path: Path
) -> None:
    fixtures = stand_in_fixtures(
        tmp_path, bad_body=REPORT.format(stem="bad", excess="0.3 + 0.1 * SEED")
    )
    status, out, err = verify("--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "1")
    assert status == 1, out + err
    (row, *_) = table_lines(out)[1:]
    assert row.split()[5] == "miss" and "failed" in row
    assert "the fixed program misses the good criterion; bad.fixed.py seed 0" in out


def test_a_bad_program_that_does_not_fail_is_failed_exit_1(
    fake_device: list[str], tmp_path: Path
) -> None:
    fixtures = stand_in_fixtures(tmp_path, bad_body=REPORT.format(stem="bad", excess="0.02"))
    status, out, _ = verify("--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "1")
    assert status == 1
    assert "KER601 early-stopping-without-restore: failed" in out
    assert "bad.py seed 0: val_loss_excess ≥ 0.1: got 0.02" in out


def test_a_crashing_program_is_an_error_with_its_stderr_not_a_failure(
    fake_device: list[str], tmp_path: Path
) -> None:
    crash = "import numpy_that_does_not_exist\n"
    fixtures = stand_in_fixtures(tmp_path, good_body=crash)
    report = tmp_path / "report.json"
    status, out, _ = verify(
        "--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "1", "--json", str(report)
    )
    assert status == 1
    rule = json.loads(report.read_text())["rules"][0]
    assert rule["verdict"] == "error" and rule["margin"] is None
    assert rule["reason"].startswith(
        "good.py seed 0: the program reported no metrics (exit status 1)"
    )
    assert "ModuleNotFoundError: No module named 'numpy_that_does_not_exist'" in rule["reason"]
    assert rule["good"]["runs"][0]["stderr_tail"].endswith(
        "ModuleNotFoundError: No module named 'numpy_that_does_not_exist'"
    )
    assert "error" in next(line for line in table_lines(out) if line.startswith("KER601"))


def test_a_hanging_program_is_an_error_at_the_timeout(
    fake_device: list[str], tmp_path: Path
) -> None:
    fixtures = stand_in_fixtures(tmp_path, bad_body="import time\ntime.sleep(60)\n")
    report = tmp_path / "report.json"
    status, _, _ = verify(
        "--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "1", "--timeout", "2",
        "--json", str(report),
    )  # fmt: skip
    assert status == 1
    rule = json.loads(report.read_text())["rules"][0]
    assert rule["verdict"] == "error"
    assert rule["reason"].startswith("bad.py seed 0: timed out after 2 s")


def test_a_program_without_metrics_is_an_error(fake_device: list[str], tmp_path: Path) -> None:
    fixtures = stand_in_fixtures(tmp_path, bad_body="print('trained, all good')\n")
    report = tmp_path / "report.json"
    status, _, _ = verify(
        "--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "1", "--json", str(report)
    )
    assert status == 1
    rule = json.loads(report.read_text())["rules"][0]
    assert rule["verdict"] == "error"
    assert "the program reported no metrics (exit status 0)" in rule["reason"]


def test_a_fixture_the_linter_misses_fails_and_is_not_trained(
    fake_device: list[str], tmp_path: Path
) -> None:
    fixtures = stand_in_fixtures(tmp_path, good_restores=False)
    report = tmp_path / "report.json"
    status, _, err = verify("--fixtures", str(fixtures), "--rule", "KER601", "--json", str(report))
    assert status == 1 and err == ""  # nothing ran
    rule = json.loads(report.read_text())["rules"][0]
    assert rule["verdict"] == "failed"
    assert rule["reason"] == (
        "static half failed, nothing trained: the linter reports KER601 in good.py, "
        "expected nothing"
    )
    assert rule["bad"]["runs"] == [] and rule["good"]["runs"] == []


def test_a_rule_without_fixtures_or_criterion_is_an_error(
    fake_device: list[str], tmp_path: Path
) -> None:
    fixtures = stand_in_fixtures(tmp_path)
    (fixtures / "early-stopping-without-restore" / "criterion.toml").unlink()
    status, out, _ = verify("--fixtures", str(fixtures), "--rule", "KER601,KER501")
    assert status == 1
    assert "bad criterion:" in out and "cannot read" in out
    words = " ".join(out.split())  # the reason wraps to the report's width
    assert f"no fixture folder {fixtures / 'preprocessing-fit-on-full-data'}" in words


def test_gpu_and_static_rules_are_skipped_on_a_cpu_with_their_reasons(
    fake_device: list[str], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    status, out, err = verify("--rule", "KER301,KER401", "--json", str(report))
    assert status == 0, out
    assert err == ""  # nothing trained
    rules = {rule["code"]: rule for rule in json.loads(report.read_text())["rules"]}
    assert rules["KER301"]["verdict"] == "skipped"
    assert rules["KER301"]["reason"].startswith(
        "skipped: needs a GPU (TensorFlow sees no GPU here); static half passed"
    )
    assert rules["KER301"]["margin"] is None and rules["KER301"]["bad"]["runs"] == []
    assert rules["KER401"]["verdict"] == "skipped"
    assert rules["KER401"]["reason"].startswith("verified statically only: the failure is")
    assert rules["KER401"]["bad"]["lint"] == {"bad.Dockerfile": ["KER401"]}
    assert rules["KER401"]["good"]["lint"] == {"good.Dockerfile": []}


def test_cpu_requested_says_so_for_the_gpu_rule(fake_device: list[str]) -> None:
    status, out, _ = verify("--device", "cpu", "--rule", "KER301")
    assert status == 0
    assert "skipped: needs a GPU (--device cpu)" in out


def test_the_jax_gpu_rule_is_skipped_on_tensorflow_and_on_a_cpu(
    probed: list[tuple[str, str]], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    status, out, err = verify("--backend", "tensorflow", "--rule", "KER303", "--json", str(report))
    assert status == 0 and err == "", out  # nothing trained
    (rule,) = json.loads(report.read_text())["rules"]
    assert rule["reason"].startswith(
        "skipped: needs the JAX backend (this run: --backend tensorflow); static half passed"
    )
    assert rule["bad"]["lint"] == {"bad.py": ["KER303"]}
    assert rule["good"]["lint"] == {"good.py": []}
    status, out, err = verify("--backend", "jax", "--device", "cpu", "--rule", "KER303")
    assert status == 0 and err == "", out
    assert "skipped: needs a GPU (--device cpu)" in out


def test_plots_are_written_for_trained_rules(fake_device: list[str], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    fixtures = stand_in_fixtures(tmp_path)
    plots = tmp_path / "plots"
    status, out, _ = verify(
        "--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "1", "--plots", str(plots)
    )
    assert status == 0
    (png,) = plots.iterdir()
    assert png.name == "KER601-early-stopping-without-restore.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plots: 1 PNG files in {plots}" in out


def test_the_fixtures_python_is_configurable(fake_device: list[str], tmp_path: Path) -> None:
    fixtures = stand_in_fixtures(tmp_path)
    status, _, _ = verify(
        "--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "1", "--python",
        sys.executable, "--jobs", "1", "--no-determinism",
    )  # fmt: skip
    assert status == 0


def test_stand_in_text_is_valid_python() -> None:
    compile(textwrap.dedent(STAND_IN.format(restore="", body="pass")), "stand_in.py", "exec")


def test_a_criterion_may_limit_its_seeds(fake_device: list[str], tmp_path: Path) -> None:
    fixtures = stand_in_fixtures(tmp_path)
    criterion = fixtures / "early-stopping-without-restore" / "criterion.toml"
    criterion.write_text(
        criterion.read_text().replace('needs = "cpu"', 'needs = "cpu"\nmax_seeds = 1')
    )
    report = tmp_path / "report.json"
    status, _, err = verify(
        "--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "3", "--json", str(report)
    )
    assert status == 0 and err.count("\n") == 3  # bad, good, and the bad one fixed
    assert json.loads(report.read_text())["rules"][0]["seeds"] == [0]


def test_every_line_of_the_report_and_the_progress_fits_100_columns(
    fake_device: list[str], tmp_path: Path
) -> None:
    long_problem = "raise SystemExit('a very long complaint, ' * 20)\n"
    fixtures = stand_in_fixtures(tmp_path, good_body=long_problem)
    status, out, err = verify("--fixtures", str(fixtures), "--rule", "KER601")
    assert status == 1
    long = [line for line in (out + err).splitlines() if len(line) > 100]
    assert long == []
    assert "a very long complaint" in out  # the reason wraps
    assert "good.py seed 2: no-metrics: the program reported no metrics (exit s…" in err


def test_the_real_report_of_every_fixture_rule_fits_100_columns() -> None:
    """The widest cells the real criteria produce: three pairs, long program names."""
    from keras_lint.verify.criteria import load_criterion
    from keras_lint.verify.harness import RuleReport, Verification
    from keras_lint.verify.report import render_text
    from keras_lint.verify.runs import RunSettings

    rules = []
    for folder in sorted(path for path in FIXTURES.iterdir() if path.is_dir()):
        criterion = load_criterion(folder)
        rule = RuleReport(criterion.rule, folder.name, "verified", "x " * 200, 123.4)
        rule.criterion = criterion
        for pair in criterion.pairs:
            for side, program in (("bad", pair.bad), ("good", pair.good)):
                shown = ", ".join(f"{s.label} 0.123..0.456" for s in pair.show[side])
                getattr(rule, side).outcomes[program] = shown
        rules.append(rule)
    device = Device("cpu", "Some CPU model with a long name, 2 cores", "cpu", VERSIONS)
    text = render_text(Verification(device, [0, 1, 2], RunSettings(), rules, 999.9))
    assert [line for line in text.splitlines() if len(line) > 100] == []
    # A program's name stays whole on a line of its own.
    assert any(line.split()[:1] == ["bad_softmax_from_logits.py:"] for line in text.splitlines())


def test_list_names_the_fixtures_of_each_rule_and_trains_nothing(tmp_path: Path) -> None:
    from keras_lint.verify.command import main as verify_main

    out, err = io.StringIO(), io.StringIO()
    assert verify_main(["--list", "--rule", "KER201,KER401"], out, err) == 0
    lines = out.getvalue().splitlines()
    fixtures = Path(__file__).resolve().parents[2] / "fixtures"
    assert lines == [
        f"fixtures: {fixtures}",
        f"KER201  loss-activation-mismatch  {fixtures / 'loss-activation-mismatch/criterion.toml'}",
        f"KER401  docker-latest-tag  {fixtures / 'docker-latest-tag/criterion.toml'}",
    ]
    assert err.getvalue() == ""


# -- backends ------------------------------------------------------------------------------


@pytest.fixture
def probed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """A CPU that any backend runs on; records (device requested, backend) of every probe."""
    calls: list[tuple[str, str]] = []

    def probe(
        python: str, device: str, environment: dict[str, str], timeout: float, backend: str
    ) -> Device:
        calls.append((device, backend))
        assert environment["KERAS_BACKEND"] == backend  # the probe imports Keras on it
        versions = {"python": "3.x", backend: "9.9-test", "keras": "3.x-test"}
        return Device("cpu", "Test CPU, 2 cores", device, versions, backend)

    monkeypatch.setattr(command, "probe_device", probe)
    monkeypatch.setattr(command, "preloaded_modules", lambda backend: ("json",))
    return calls


def test_the_backend_comes_from_the_option_then_keras_backend_then_tensorflow(
    probed: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fixtures = stand_in_fixtures(tmp_path)
    report = tmp_path / "report.json"
    base = ["--fixtures", str(fixtures), "--rule", "KER601", "--seeds", "1", "--json", str(report)]
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    status, out, _ = verify(*base)
    assert status == 0 and probed[-1] == ("auto", "tensorflow")
    assert json.loads(report.read_text())["backend"] == "tensorflow"
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    status, out, _ = verify(*base)
    assert status == 0 and probed[-1] == ("auto", "jax")
    assert out.startswith("keras-lint verify: CPU (Test CPU, 2 cores); backend JAX 9.9-test")
    assert "forked from one interpreter that imported JAX once" in " ".join(out.split())
    document = json.loads(report.read_text())
    assert document["backend"] == "jax" and document["versions"]["jax"] == "9.9-test"
    status, out, _ = verify(*base, "--backend", "torch")
    assert status == 0 and probed[-1] == ("auto", "torch")
    assert "backend PyTorch 9.9-test" in out


def test_an_unknown_backend_is_a_usage_error(
    probed: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, _, err = verify("--backend", "theano")
    assert status == 2 and "invalid choice: 'theano'" in err
    monkeypatch.setenv("KERAS_BACKEND", "numpy")
    status, _, err = verify("--rule", "KER601")
    assert status == 2 and err.count("\n") == 1
    assert "KERAS_BACKEND=numpy: the fixtures train on tensorflow, jax, torch" in err
    assert probed == []


def test_a_rule_of_another_backend_is_skipped_with_its_reason(
    probed: list[tuple[str, str]], tmp_path: Path
) -> None:
    report = tmp_path / "report.json"
    status, out, err = verify("--backend", "jax", "--rule", "KER301", "--json", str(report))
    assert status == 0, out  # skipped rules do not fail the run
    assert err == ""  # nothing trained
    (rule,) = json.loads(report.read_text())["rules"]
    assert rule["verdict"] == "skipped" and rule["margin"] is None
    assert rule["reason"].startswith(
        "skipped: needs the TensorFlow backend (this run: --backend jax); static half passed"
    )
    assert rule["bad"]["outcome"] == "skipped: needs the TensorFlow backend"
    assert rule["criterion"]["backend"] == "tensorflow"
    assert "verified" not in out


def test_a_backend_that_is_not_installed_is_an_error_for_every_rule_that_trains(
    tmp_path: Path,
) -> None:
    if importlib.util.find_spec("torch") is not None:
        pytest.skip("PyTorch is installed here")
    fixtures = stand_in_fixtures(tmp_path)
    shutil.copytree(FIXTURES / "docker-latest-tag", fixtures / "docker-latest-tag")
    report = tmp_path / "report.json"
    status, out, err = verify(
        "--backend", "torch", "--device", "cpu", "--fixtures", str(fixtures),
        "--rule", "KER601,KER401", "--json", str(report),
    )  # fmt: skip
    assert status == 1
    (line,) = err.splitlines()  # one line names what is missing, no traceback
    assert line.startswith("keras-lint verify: the PyTorch backend cannot run here:")
    assert "No module named 'torch'" in line and 'pip install -e ".[verify,torch]"' in line
    rules = {rule["code"]: rule for rule in json.loads(report.read_text())["rules"]}
    assert rules["KER601"]["verdict"] == "error"
    assert rules["KER601"]["reason"].startswith("the PyTorch backend cannot run here")
    assert rules["KER601"]["bad"]["runs"] == []
    assert rules["KER401"]["verdict"] == "skipped"  # nothing to train: not affected


def test_a_gpu_that_nvidia_smi_cannot_read_is_an_error_for_the_gpu_rules(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    problem = "nvidia-smi cannot read the GPU's memory: nvidia-smi is not installed"

    def probe(
        python: str, device: str, environment: object, timeout: float, backend: str
    ) -> Device:
        return Device("gpu", "NVIDIA H100", device, VERSIONS, backend, None, problem)

    monkeypatch.setattr(command, "probe_device", probe)
    report = tmp_path / "report.json"
    status, out, err = verify("--rule", "KER301", "--json", str(report))
    assert status == 1
    assert err == f"keras-lint verify: {problem}\n"
    (rule,) = json.loads(report.read_text())["rules"]
    assert rule["verdict"] == "error" and rule["reason"].startswith(problem)
    assert rule["bad"]["runs"] == [] and rule["margin"] is None


def test_nvidia_smi_missing_or_failing_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi on it
    assert gpu_memory_reading() == (
        "nvidia-smi cannot read the GPU's memory: nvidia-smi is not installed"
    )
    assert gpu_memory_mib() is None
