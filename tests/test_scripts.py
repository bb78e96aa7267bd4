"""The fuzz and robustness scripts run, and say what they found (short runs of each)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import write_tree

ROOT = Path(__file__).resolve().parent.parent


def script(name: str, *arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_fuzz_lists_its_families(tmp_path: Path) -> None:
    done = script("fuzz.py", "--list", cwd=tmp_path)
    assert done.returncode == 0
    names = [line.split()[0] for line in done.stdout.splitlines()]
    assert names == [
        "python-grammar", "python-node", "python-text", "keras", "notebook", "dockerfile",
        "compose", "kubernetes",
    ]  # fmt: skip


def test_a_short_fuzz_run_finds_nothing_wrong(tmp_path: Path) -> None:
    done = script(
        "fuzz.py", "--examples", "60", "--round", "20", "--families", "keras,dockerfile",
        "--seed", "3", "--out", "out", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fuzzing keras, dockerfile (seed 3)" in done.stdout
    assert "failures: 0 (failures 0, crashes 0, hangs 0)" in done.stdout
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("  ")]
    counts = dict(row for row in rows if len(row) == 2)
    assert int(counts["keras"]) + int(counts["dockerfile"]) >= 60
    assert not list((tmp_path / "out").glob("*-*"))  # no failing input saved


def test_a_fuzz_argument_error_is_one_line(tmp_path: Path) -> None:
    done = script("fuzz.py", "--families", "nope", "--examples", "1", cwd=tmp_path)
    assert done.returncode != 0
    assert "unknown family 'nope'" in done.stdout + done.stderr


def test_robustness_over_a_small_tree(tmp_path: Path) -> None:
    write_tree(
        tmp_path / "tree",
        {
            "train.py": "import keras\nm = keras.Sequential()\nm.fit(x, y)\n",
            "broken.py": "def f(:\n",
            "Dockerfile": "FROM python:latest\n",
            "nb.ipynb": "not json",
        },
    )
    done = script("robustness.py", "tree", "--slowest", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split()[1]: line.split()[2:] for line in done.stdout.splitlines()
            if line.startswith("prefilter ") and len(line.split()) == 10}  # fmt: skip
    assert set(rows) == {"on", "off"}
    for files, _, _, findings, ker001, errors, exceptions, crashes in rows.values():
        assert (files, errors, exceptions, crashes) == ("4", "0", "0", "0")
        assert (findings, ker001) == ("5", "2")  # KER101, KER301, KER401 and two KER001
    assert "files whose findings the prefilter changes: 0" in done.stdout
    assert "the command (keras-lint --isolated --no-cache, all cores): exit 1, 5 findings" in (
        done.stdout
    )


def test_robustness_refuses_a_missing_folder(tmp_path: Path) -> None:
    done = script("robustness.py", "nowhere", cwd=tmp_path)
    assert done.returncode == 2 and "not a folder: nowhere" in done.stderr
