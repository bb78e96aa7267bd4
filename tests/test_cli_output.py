"""The command's output comforts: --output-file, --quiet, --silent, colour, suggestions."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_tree
from keras_lint.cli import main

ROOT = Path(__file__).resolve().parents[1]
MISMATCH = (ROOT / "fixtures/loss-activation-mismatch/bad.py").read_text()  # KER201: error
NO_GROWTH = (ROOT / "fixtures/missing-gpu-memory-growth/bad.py").read_text()  # KER301: warning
RED, YELLOW = "\033[1;31m", "\033[1;33m"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(tmp_path, {"train.py": MISMATCH, "gpu.py": NO_GROWTH})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def test_output_file_receives_the_report_and_stdout_stays_empty(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--no-cache", "--format", "json", "--output-file", "out/report.json"]) == 1
    assert capsys.readouterr().out == ""
    records = json.loads((project / "out/report.json").read_text())
    assert {record["code"] for record in records} == {"KER201", "KER301"}
    assert main(["--no-cache", "-o", "out/clean.txt", "--select", "KER6"]) == 0
    assert (project / "out/clean.txt").read_text() == "All checks passed (checked 2 files).\n"


def test_output_file_that_cannot_be_written_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "blocker").write_text("a file, not a folder\n")
    assert main(["--no-cache", "--output-file", "blocker/report.txt"]) == 2
    assert "--output-file: cannot write blocker/report.txt" in capsys.readouterr().err


def test_quiet_prints_the_findings_without_summary_or_warnings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text("[tool.keras_lint]\nselect = []\n")
    assert main(["--no-cache", "-q"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split(" ")[1] for line in lines] == ["KER301", "KER201"]
    assert captured.err == ""
    assert main(["--no-cache", "--quiet", "--statistics"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "1\tKER201\tloss-activation-mismatch",
        "1\tKER301\tmissing-gpu-memory-growth",
    ]


def test_silent_prints_nothing_and_keeps_the_exit_status(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--no-cache", "-s"]) == 1
    assert capsys.readouterr() == ("", "")
    assert main(["--no-cache", "--silent", "--select", "KER6"]) == 0
    assert main(["--no-cache", "--silent", "missing.py"]) == 2  # errors still explain a 2
    assert "missing.py" in capsys.readouterr().err
    assert main(["--no-cache", "-q", "-s"]) == 2


def lint_on_a_terminal(cwd: Path, environ: dict[str, str], *arguments: str) -> str:
    """What the command prints when its standard output is a real pseudo-terminal."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(environ, PYTHONPATH=str(ROOT))
    with subprocess.Popen(
        [sys.executable, "-m", "keras_lint", "--no-cache", *arguments],
        cwd=cwd, stdout=follower, stderr=subprocess.DEVNULL, env=env,
    ) as process:  # fmt: skip
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait()
    os.close(leader)
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_by_severity_unless_no_color(project: Path) -> None:
    coloured = lint_on_a_terminal(project, {"TERM": "xterm"})
    assert f"{RED}KER201" in coloured and f"{YELLOW}KER301" in coloured
    assert "\033[" not in lint_on_a_terminal(project, {"TERM": "xterm", "NO_COLOR": "1"})
    assert "\033[" not in lint_on_a_terminal(project, {"TERM": "dumb"})
    assert "\033[" not in lint_on_a_terminal(project, {"TERM": "xterm"}, "-o", "report.txt")
    assert "\033[" not in (project / "report.txt").read_text()


def test_no_colour_in_a_pipe_unless_forced(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["--no-cache", "train.py"]) == 1
    assert "\033[" not in capsys.readouterr().out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert main(["--no-cache", "train.py"]) == 1
    assert f"{RED}KER201" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["--no-cache", "train.py"]) == 1
    assert "\033[" not in capsys.readouterr().out
    monkeypatch.delenv("NO_COLOR")
    assert main(["--no-cache", "--format", "json", "train.py"]) == 1
    assert "\033[" not in capsys.readouterr().out  # machine formats never have colour


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["--selct", "KER1"], "unrecognized arguments: --selct; did you mean '--select'?"),
        (["--ignroe=KER1"], "did you mean '--ignore'?"),
        (["--format", "jsno"], "invalid choice: 'jsno'"),
        (["--format", "jsno"], "did you mean 'json'?"),
        (["--exit-zeor"], "did you mean '--exit-zero'?"),
    ],
)
def test_a_mistyped_option_or_choice_gets_a_suggestion(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], suggestion: str
) -> None:
    assert main(argv) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert suggestion in line


def test_nothing_is_suggested_when_nothing_is_close(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--zzzzzz"]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_a_mistyped_configuration_key_gets_a_suggestion(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.keras-lint]\nextend-selct = ["KER1"]\n')
    assert main(["--no-cache"]) == 2
    assert "unknown key 'extend-selct'; did you mean 'extend-select'?" in capsys.readouterr().err


def test_extend_select_adds_to_select_and_beats_a_broader_ignore(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def codes() -> list[str]:
        return sorted({record["code"] for record in json.loads(capsys.readouterr().out)})

    pyproject = project / "pyproject.toml"
    pyproject.write_text('[tool.keras-lint]\nselect = ["KER2"]\nextend-select = ["KER301"]\n')
    assert main(["--no-cache", "--format", "json"]) == 1
    assert codes() == ["KER201", "KER301"]
    assert main(["--no-cache", "--format", "json", "--select", "KER2"]) == 1
    assert codes() == ["KER201"]  # --select replaces the configured selection, as in ruff
    pyproject.write_text('[tool.keras-lint]\nignore = ["KER3"]\nextend-select = ["KER301"]\n')
    assert main(["--no-cache", "--format", "json"]) == 1
    assert codes() == ["KER201", "KER301"]
    pyproject.write_text('[tool.keras-lint]\nselect = ["KER6"]\n')
    assert main(["--no-cache", "--format", "json", "--extend-select", "KER3"]) == 1
    assert codes() == ["KER301"]
    pyproject.write_text('[tool.keras-lint]\nextend-select = ["KER999"]\n')
    assert main(["--no-cache"]) == 2
    assert "key 'extend-select': unknown rule code or prefix 'KER999'" in capsys.readouterr().err


def test_an_underscore_table_is_not_read_and_a_warning_says_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.keras_lint]\nselect = ["KER6"]\n')
    assert main(["--no-cache"]) == 1
    captured = capsys.readouterr()
    assert "KER201" in captured.out  # the table was not applied
    assert captured.err == (
        f"keras-lint: warning: {project / 'pyproject.toml'}: [tool.keras_lint] is not read;"
        " the table is [tool.keras-lint]\n"
    )
    assert main(["--no-cache", "--config", "pyproject.toml"]) == 2
    assert "[tool.keras_lint] is not read: write [tool.keras-lint]" in capsys.readouterr().err
