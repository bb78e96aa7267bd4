"""The command line with configuration files, excludes and standard input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree
from keras_lint.cli import main

VENV_BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]
MISMATCH = (ROOT / "fixtures/loss-activation-mismatch/bad.py").read_text()
NO_RESTORE = (ROOT / "fixtures/early-stopping-without-restore/bad.py").read_text()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(
        tmp_path,
        {
            "train.py": MISMATCH,
            "tests/test_train.py": NO_RESTORE,
            "build/generated.py": MISMATCH,
            "legacy/old.py": NO_RESTORE,
        },
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def reported(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str]]:
    return sorted((f["path"], f["code"]) for f in json.loads(capsys.readouterr().out))


def test_pyproject_settings_select_exclude_and_ignore_per_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.keras-lint]\nextend-exclude = ["legacy/"]\n'
        '[tool.keras-lint.per-file-ignores]\n"tests/**" = ["KER601"]\n'
    )
    assert main(["--format", "json"]) == 1
    assert reported(capsys) == [("train.py", "KER201")]
    (project / "pyproject.toml").write_text('[tool.keras-lint]\nselect = ["KER6"]\n')
    assert main(["--format", "json"]) == 1
    assert reported(capsys) == [("legacy/old.py", "KER601"), ("tests/test_train.py", "KER601")]


def test_options_override_the_configuration(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.keras-lint]\nselect = ["KER6"]\n')
    assert main(["--format", "json", "--select", "KER2", "--exclude", "legacy,tests"]) == 1
    assert reported(capsys) == [("build/generated.py", "KER201"), ("train.py", "KER201")]
    assert main(["--format", "json", "--isolated", "--ignore", "KER2"]) == 1
    assert reported(capsys) == [("legacy/old.py", "KER601"), ("tests/test_train.py", "KER601")]


def test_config_option_names_the_file(
    project: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.keras-lint]\nselect = ["KER6"]\n')
    other = tmp_path_factory.mktemp("conf") / "keras-lint.toml"
    other.write_text('ignore = ["KER6"]\nextend-exclude = ["build"]\n')
    assert main(["--format", "json", "--config", str(other)]) == 1
    assert reported(capsys) == [("train.py", "KER201")]


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ('[tool.keras-lint]\nignore = ["KER999"]\n', "key 'ignore': unknown rule code"),
        ('[tool.keras-lint]\nignores = ["KER601"]\n', "unknown key 'ignores'"),
        ('[tool.keras-lint.per-file-ignores]\n"a.py" = ["X1"]\n', "per-file-ignores.a.py"),
        ("[tool.keras-lint]\nselect = [\n", "not valid TOML"),
    ],
)
def test_a_configuration_mistake_exits_2_naming_it(
    project: Path, capsys: pytest.CaptureFixture[str], pyproject: str, message: str
) -> None:
    (project / "pyproject.toml").write_text(pyproject)
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("keras-lint: error: ") and "pyproject.toml" in line and message in line


def test_a_broken_pyproject_of_another_tool_warns_and_the_run_goes_on(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text("[tool.black\n")
    assert main(["train.py"]) == 1
    captured = capsys.readouterr()
    assert "KER201" in captured.out
    assert captured.err.startswith("keras-lint: warning: ignoring ")
    assert "not valid TOML" in captured.err


def test_a_path_given_twice_is_linted_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--format", "json", "train.py", "./train.py", str(project / "train.py")]) == 1
    assert reported(capsys) == [("train.py", "KER201")]


def test_force_exclude_skips_named_files_in_excluded_folders(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--format", "json", "build/generated.py", "train.py"]) == 1
    assert reported(capsys) == [("build/generated.py", "KER201"), ("train.py", "KER201")]
    assert main(["--format", "json", "--force-exclude", "build/generated.py", "train.py"]) == 1
    assert reported(capsys) == [("train.py", "KER201")]


def run_stdin(args: list[str], text: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    data = text.encode() if isinstance(text, str) else text
    command = [str(VENV_BIN / "keras-lint"), *args]
    return subprocess.run(command, input=data, capture_output=True, cwd=cwd, timeout=120)


def test_stdin_is_linted_as_the_named_file_with_exact_positions(project: Path) -> None:
    on_disk = main(["--format", "json", "--isolated", "train.py"])
    assert on_disk == 1
    edited = "# a line the editor added\n" + MISMATCH
    done = run_stdin(["-", "--stdin-filename", "src/train.py", "--format", "json"], edited, project)
    assert done.returncode == 1, done.stderr
    (finding,) = json.loads(done.stdout)
    expected_line = (
        MISMATCH.splitlines().index(
            next(line for line in MISMATCH.splitlines() if "compile(" in line)
        )
        + 2
    )
    assert finding["path"] == "src/train.py" and finding["code"] == "KER201"
    assert finding["line"] == expected_line


def test_stdin_filename_alone_reads_stdin_and_per_file_ignores_apply(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.keras-lint.per-file-ignores]\n"tests/*" = ["KER2"]\n'
    )
    clean = run_stdin(["--stdin-filename", "tests/test_x.py"], MISMATCH, project)
    assert (clean.returncode, clean.stderr) == (0, b"")
    assert b"All checks passed" in clean.stdout
    found = run_stdin(["--stdin-filename", "x.py"], MISMATCH, project)
    assert found.returncode == 1 and b"x.py:" in found.stdout


def test_unnamed_stdin_is_stdin_py_in_the_current_folders_configuration(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.keras-lint]\nselect = ["KER2"]\n'
        '[tool.keras-lint.per-file-ignores]\n"other.py" = ["KER2"]\n'
    )
    found = run_stdin(["-"], MISMATCH + NO_RESTORE, project)
    assert (found.returncode, found.stderr) == (1, b"")
    lines = found.stdout.decode().splitlines()
    reported = [line for line in lines if line.startswith("stdin.py:")]  # not the summary lines
    assert [line.split(": ")[1].split()[0] for line in reported] == ["KER201"]  # KER6 off
    assert lines[0].startswith("stdin.py:")
    (project / "pyproject.toml").write_text(
        '[tool.keras-lint.per-file-ignores]\n"stdin.py" = ["KER2"]\n'
    )
    clean = run_stdin(["-"], MISMATCH, project)
    assert (clean.returncode, clean.stderr) == (0, b"")


def test_stdin_notebooks_dockerfiles_and_undecodable_bytes(project: Path) -> None:
    docker = run_stdin(["-", "--stdin-filename", "Dockerfile"], "FROM python:latest\n", project)
    assert docker.returncode == 1 and b"Dockerfile:1:1: KER401" in docker.stdout
    notebook = json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "source": MISMATCH,
                       "outputs": [], "execution_count": None}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )  # fmt: skip
    found = run_stdin(["-", "--stdin-filename", "nb.ipynb"], notebook, project)
    assert found.returncode == 1 and b"nb.ipynb:cell 1:" in found.stdout
    broken = run_stdin(["-", "--stdin-filename", "x.py"], b"x = '\xff\xfe'\n", project)
    assert broken.returncode == 1 and b"KER001" in broken.stdout and broken.stderr == b""


def test_stdin_with_other_paths_is_a_usage_error(project: Path) -> None:
    done = run_stdin(["-", "train.py"], "", project)
    assert done.returncode == 2
    assert b"cannot be combined" in done.stderr


def test_an_unknown_code_in_a_noqa_is_a_warning_and_the_run_goes_on(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = MISMATCH.splitlines()
    at = next(i for i, line in enumerate(lines) if "compile(" in line)
    lines[at] += "  # noqa: KER999, E501"
    lines.insert(0, "import os  # noqa: KER2,KER6 (known prefixes)")
    (project / "train.py").write_text("\n".join(lines) + "\n")
    assert main(["--isolated", "train.py"]) == 1
    captured = capsys.readouterr()
    assert "KER201" in captured.out  # KER999 silences nothing
    assert captured.err == (
        f"keras-lint: warning: train.py:{at + 2}: unknown code KER999 in '# noqa'\n"
    )


def test_stdin_and_a_named_file_see_their_projects_helpers_and_dockerfile_env(
    tmp_path: Path,
) -> None:
    write_tree(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "p"\n',
            "Dockerfile": "FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=true\n",
            "src/models.py": (
                "from tensorflow import keras\n\n"
                "def build():\n"
                "    model = keras.Sequential([keras.layers.Dense(1)])\n"
                "    model.compile(loss='mse')\n"
                "    return model\n"
            ),
            "src/train.py": (
                "from models import build\n\nmodel = build()\nmodel.fit([[1.0]], [1.0])\n"
            ),
        },
    )
    text = (tmp_path / "src/train.py").read_text()
    # the whole project, one named file, and the same text on stdin agree: nothing to report
    for args, stdin in (([str(tmp_path)], ""), ([str(tmp_path / "src/train.py")], "")):
        done = run_stdin(["--format", "json", *args], stdin, tmp_path)
        assert (done.returncode, json.loads(done.stdout)) == (0, []), done.stderr
    done = run_stdin(["--format", "json", "--stdin-filename", "src/train.py"], text, tmp_path)
    assert (done.returncode, json.loads(done.stdout)) == (0, []), done.stderr
    # without the Dockerfile's ENV, KER301 is reported: the test above could fail
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\n")
    done = run_stdin(["--format", "json", "--stdin-filename", "src/train.py"], text, tmp_path)
    assert [f["code"] for f in json.loads(done.stdout)] == ["KER301"]
    # the helper is read too: once it stops compiling, the named file's fit is reported
    models = (tmp_path / "src/models.py").read_text().replace("    model.compile(loss='mse')\n", "")
    (tmp_path / "src/models.py").write_text(models)
    done = run_stdin(["--format", "json", str(tmp_path / "src/train.py")], "", tmp_path)
    assert sorted(f["code"] for f in json.loads(done.stdout)) == ["KER101", "KER301"]


def test_a_named_folder_that_gitignore_lists_is_linted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(project, {".git/HEAD": "", ".gitignore": "venv311/\n", "venv311/t.py": MISMATCH})
    assert main(["--format", "json", "--no-cache"]) == 1
    assert ("venv311/t.py", "KER201") not in reported(capsys)
    assert main(["--format", "json", "--no-cache", "venv311"]) == 1
    assert reported(capsys) == [("venv311/t.py", "KER201")]
    assert main(["--format", "json", "--no-cache", "--force-exclude", "venv311"]) == 0
    assert reported(capsys) == []
