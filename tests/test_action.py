"""The GitHub Action (action.yml): its metadata, and its steps' scripts run as the runner runs
them, with the inputs in ``INPUT_*`` variables and outputs appended to ``$GITHUB_OUTPUT``.

The lint step runs against the fixtures with this checkout's keras-lint. The install step
pip-installs the checkout with its dependencies from the package index: an ``integration`` test.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import keras_lint

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
BAD = ROOT / "fixtures/loss-activation-mismatch/bad.py"
GOOD = ROOT / "fixtures/loss-activation-mismatch/good.py"


def test_a_composite_action_whose_steps_are_the_tested_scripts() -> None:
    assert ACTION["runs"]["using"] == "composite"
    runs = [step["run"] for step in ACTION["runs"]["steps"]]
    assert runs == [f'"$GITHUB_ACTION_PATH/action/{name}.sh"' for name in ("install", "run")]
    for script in ("install.sh", "run.sh"):
        assert (ROOT / "action" / script).stat().st_mode & stat.S_IXUSR
    assert all(step["shell"] == "bash" for step in ACTION["runs"]["steps"])
    lint_env = ACTION["runs"]["steps"][1]["env"]
    for name in ACTION["inputs"]:
        if name != "python":
            variable = f"INPUT_{name.upper().replace('-', '_')}"
            assert lint_env[variable] == f"${{{{ inputs.{name} }}}}"
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file"}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout, a runner temp folder with keras-lint where the install step puts it."""
    (tmp_path / "repo").mkdir()
    shutil.copy(BAD, tmp_path / "repo" / "train.py")
    shutil.copy(GOOD, tmp_path / "repo" / "clean.py")
    bin_folder = tmp_path / "runner-temp" / "keras-lint" / "bin"
    bin_folder.mkdir(parents=True)
    wrapper = bin_folder / "keras-lint"  # this checkout's keras-lint, as install.sh leaves it
    wrapper.write_text(
        f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m keras_lint "$@"\n'
    )
    wrapper.chmod(0o755)
    return tmp_path


def lint_step(workspace: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    output_file = workspace / "github-output"
    output_file.write_text("")
    env = {key: value for key, value in os.environ.items() if not key.startswith("INPUT_")}
    env.update(
        RUNNER_TEMP=str(workspace / "runner-temp"),
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_OUTPUT=str(output_file),
        NO_COLOR="1",
    )
    env.update({f"INPUT_{name.upper().replace('-', '_')}": value for name, value in inputs.items()})
    done = subprocess.run(
        ["bash", str(ROOT / "action/run.sh")], cwd=workspace / "repo", env=env,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
    return done.returncode, outputs, done.stdout + done.stderr


def test_findings_fail_the_step_by_default(workspace: Path) -> None:
    status, outputs, log = lint_step(workspace, args=".")
    assert status == 1
    assert outputs == {"exit-code": "1", "sarif-file": ""}
    line = (workspace / "repo/train.py").read_text().splitlines().index("    model.compile(") + 1
    assert f"train.py:{line}:5: KER201" in log


def test_a_clean_path_passes(workspace: Path) -> None:
    status, outputs, log = lint_step(workspace, args="clean.py")
    assert (status, outputs["exit-code"]) == (0, "0")
    assert "All checks passed" in log


def test_sarif_for_upload_with_findings_not_failing_and_a_cache(workspace: Path) -> None:
    status, outputs, _ = lint_step(
        workspace, args="train.py clean.py --select KER2", **{
            "sarif-file": "out/keras-lint.sarif", "cache-dir": "ci-cache",
            "fail-on-findings": "false",
        }
    )  # fmt: skip
    assert status == 0
    assert outputs == {"exit-code": "1", "sarif-file": "out/keras-lint.sarif"}
    log = json.loads((workspace / "repo/out/keras-lint.sarif").read_text())
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["KER201"]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "train.py"
    assert (workspace / "repo/ci-cache/CACHEDIR.TAG").is_file()


def test_a_usage_error_fails_the_step_even_without_fail_on_findings(workspace: Path) -> None:
    status, outputs, log = lint_step(
        workspace, args="missing.py", **{"fail-on-findings": "false"}
    )
    assert (status, outputs["exit-code"]) == (2, "2")
    assert "missing.py" in log


@pytest.mark.integration
def test_the_install_step_installs_the_checkout(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INPUT_")}
    env.update(RUNNER_TEMP=str(tmp_path), GITHUB_ACTION_PATH=str(ROOT))
    env["INPUT_PYTHON"] = sys.executable
    done = subprocess.run(
        ["bash", str(ROOT / "action/install.sh")], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith(f"keras-lint {keras_lint.__version__}")
    assert (tmp_path / "keras-lint/bin/keras-lint").is_file()


def test_the_readme_workflows_use_only_inputs_the_action_has() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    steps = []
    for block in readme.split("```yaml\n")[1:]:
        document = yaml.safe_load(textwrap.dedent(block.split("```", 1)[0]))
        if isinstance(document, dict) and "jobs" in document:
            steps += [step for job in document["jobs"].values() for step in job["steps"]]
        elif isinstance(document, list):
            steps += [step for step in document if isinstance(step, dict)]
    ours = [step for step in steps if str(step.get("uses")).startswith("keras-lint/keras-lint@")]
    assert len(ours) == 2
    for step in ours:
        assert set(step["with"]) <= set(ACTION["inputs"]), step["with"]
