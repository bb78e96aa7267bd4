"""The release: one version source, the licence, the changelog, and a wheel that works alone.

The wheel test builds the sdist and the wheel with ``python -m build`` (which fetches the build
backend from the package index), installs the wheel in a fresh virtualenv (with its dependencies,
from the index) and runs it away from this checkout: it is an ``integration`` test.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import keras_lint

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_version_is_written_once() -> None:
    assert re.search(r'^dynamic = \["version"\]$', PYPROJECT, re.M)
    assert not re.search(r"^version = \"", PYPROJECT, re.M)
    assert 'version = { attr = "keras_lint.__version__" }' in PYPROJECT
    assert re.fullmatch(r"\d+\.\d+\.\d+", keras_lint.__version__)


def test_licence_and_changelog() -> None:
    assert 'license = "MIT"' in PYPROJECT and 'license-files = ["LICENSE"]' in PYPROJECT
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {keras_lint.__version__}" in changelog or "## Unreleased" in changelog


def run(command: list[str], cwd: Path, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.integration
def test_the_wheel_alone_lints_and_finds_its_fixtures(tmp_path: Path) -> None:
    pytest.importorskip("build")
    dist = tmp_path / "dist"
    built = run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], ROOT)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "keras_lint/fixtures/loss-activation-mismatch/criterion.toml" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)
    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    installed = run([str(venv / "bin/pip"), "install", "-q", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]
    elsewhere = tmp_path / "elsewhere"  # no checkout, no fixtures/ here
    elsewhere.mkdir()
    fixture = ROOT / "fixtures/loss-activation-mismatch/bad.py"
    linted = run([str(venv / "bin/keras-lint"), "--no-cache", str(fixture)], elsewhere)
    assert linted.returncode == 1, linted.stderr
    assert "KER201" in linted.stdout
    listed = run([str(venv / "bin/keras-lint"), "verify", "--list"], elsewhere)
    assert listed.returncode == 0, listed.stderr
    site_fixtures = next(venv.glob("lib/python*/site-packages/keras_lint/fixtures"))
    assert listed.stdout.splitlines()[0] == f"fixtures: {site_fixtures}"
    assert f"KER201  loss-activation-mismatch  {site_fixtures}" in listed.stdout
    version = run([str(venv / "bin/keras-lint"), "--version"], elsewhere)
    assert version.stdout.strip() == f"keras-lint {keras_lint.__version__}"
