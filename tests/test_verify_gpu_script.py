"""``scripts/verify_gpu.sh`` on the CPU (``VERIFY_DEVICE=cpu``): the carried wheels, a missing
dependency named in one line, and a real verify run per backend with its reports."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "verify_gpu.sh"


def run_script(
    out: Path, *arguments: str, python: str = sys.executable, **settings: str
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("OUT", "PYTHONPATH")}
    env.update({"PYTHON": python, "VERIFY_DEVICE": "cpu", "TMPDIR": str(out.parent)}, **settings)
    return subprocess.run(
        ["bash", str(SCRIPT), str(out), *arguments],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )  # fmt: skip


def make_wheel(folder: Path, name: str) -> Path:
    """A small pure-Python wheel, as pip downloads them."""
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-1.0-py3-none-any.whl"
    info = f"{name}-1.0.dist-info"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(f"{name}/__init__.py", "CARRIED = True\n")
        archive.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        archive.writestr(
            f"{info}/WHEEL",
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        archive.writestr(
            f"{info}/RECORD",
            f"{name}/__init__.py,,\n{info}/METADATA,,\n{info}/WHEEL,,\n{info}/RECORD,,\n",
        )
    return wheel


def test_carried_wheels_the_image_lacks_are_installed_and_the_rest_left_alone(
    tmp_path: Path,
) -> None:
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "carried_demo")
    make_wheel(wheels, "pytest")  # this interpreter has its own: not installed over it
    out = tmp_path / "out"
    done = run_script(out, WHEELS=str(wheels), VERIFY_BACKENDS="")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "installed 1 wheels from" in done.stdout
    site = tmp_path / "keras-lint-gpu-site"
    assert (site / "carried_demo" / "__init__.py").is_file()
    assert not (site / "pytest").exists()
    assert "installed 1 wheels" in (out / "summary.txt").read_text()


def test_a_missing_dependency_is_one_line_and_every_rule_an_error(tmp_path: Path) -> None:
    # A Python with nothing installed, and no wheels to install.
    env_dir = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    out = tmp_path / "out"
    done = run_script(
        out, python=str(env_dir / "bin" / "python"), WHEELS=str(tmp_path / "none"),
        VERIFY_BACKENDS="jax torch",
    )  # fmt: skip
    assert done.returncode == 1
    lines = [line for line in done.stdout.splitlines() if "error" in line]
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith("verify_gpu.sh: error: missing from the image and from ")
    assert "libcst, yaml, pathspec, dockerfile_parse, keras" in lines[0]
    for backend in ("jax", "torch"):
        report = json.loads((out / f"verify-{backend}.json").read_text())
        assert report["backend"] == backend and report["passed"] is False
        verdicts = {rule["code"]: rule["verdict"] for rule in report["rules"]}
        assert verdicts and set(verdicts.values()) == {"error"}
        assert {"KER101", "KER301", "KER601"} <= set(verdicts)


@pytest.mark.harness
@pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason='needs JAX: pip install -e ".[verify,jax]"'
)
def test_each_backend_writes_its_report_and_a_missing_one_is_an_error(tmp_path: Path) -> None:
    out = tmp_path / "out"
    backends = "jax torch" if importlib.util.find_spec("torch") is None else "jax"
    done = run_script(
        out, "--rule", "KER101,KER301", "--seeds", "1",
        WHEELS=str(tmp_path / "none"), VERIFY_BACKENDS=backends,
    )  # fmt: skip
    jax = json.loads((out / "verify-jax.json").read_text())
    assert jax["backend"] == "jax"
    assert [rule["verdict"] for rule in jax["rules"]] == ["verified", "skipped"]
    assert (out / "plots-jax").is_dir() and "jax: verified in" in done.stdout
    if backends == "jax":
        assert done.returncode == 0, done.stdout + done.stderr
        return
    assert done.returncode == 1
    torch = json.loads((out / "verify-torch.json").read_text())
    assert [rule["verdict"] for rule in torch["rules"]] == ["error", "skipped"]
    assert "No module named 'torch'" in torch["rules"][0]["reason"]
    assert "torch: not verified (exit status 1)" in (out / "summary.txt").read_text()
