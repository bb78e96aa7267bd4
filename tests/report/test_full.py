"""``--format full``: the source excerpt with a caret under each finding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sample_notebook import ONE_LINE_CALL, TRAINING_CELL_INDEX, write_notebook

from keras_lint.cli import main
from keras_lint.finding import Finding
from keras_lint.report import render_full
from keras_lint.report.style import Style


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def finding(span: tuple[int, int, int, int], path: str = "train.py") -> Finding:
    return Finding(path, *span, "KER201", "loss-activation-mismatch", "bad loss")


SOURCE = "import keras\n\nmodel = make()\nmodel.compile(loss='binary_crossentropy')\nmodel.fit(x)\n"


def test_the_excerpt_shows_context_and_a_caret_under_the_span(cwd: Path) -> None:
    (cwd / "train.py").write_text(SOURCE)
    output = render_full([finding((4, 1, 4, 14))], 1)
    assert output == (
        "train.py:4:1: KER201 bad loss\n"
        "  |\n"
        "2 |\n"
        "3 | model = make()\n"
        "4 | model.compile(loss='binary_crossentropy')\n"
        "  | ^^^^^^^^^^^^^ error: loss-activation-mismatch\n"
        "5 | model.fit(x)\n"
        "  |\n"
        "\n"
        "Found 1 finding in 1 file (checked 1 file).\n"
    )


def test_a_warning_is_named_and_coloured_as_one(cwd: Path) -> None:
    (cwd / "train.py").write_text(SOURCE)
    warning = Finding("train.py", 5, 1, 5, 10, "KER301", "missing-gpu-memory-growth", "m",
                      severity="warning")  # fmt: skip
    plain = render_full([warning], 1, quiet=True)
    assert "  | ^^^^^^^^^ warning: missing-gpu-memory-growth\n" in plain
    assert "Found" not in plain
    coloured = render_full([warning], 1, style=Style(True))
    assert "\033[1;33m^^^^^^^^^ warning: missing-gpu-memory-growth\033[0m" in coloured


def test_tabs_and_a_span_over_lines_keep_the_caret_aligned(cwd: Path) -> None:
    (cwd / "train.py").write_text("if x:\n\tmodel.compile(\n\t\tloss='mse',\n\t)\n")
    output = render_full([finding((2, 2, 4, 3))], 1, quiet=True)
    assert output.splitlines()[3:8] == [
        "2 |     model.compile(",
        "  |     ^^^^^^^^^^^^^^ error: loss-activation-mismatch",
        "3 |         loss='mse',",
        "4 |     )",
        "  |",
    ]


def test_a_long_span_elides_its_middle(cwd: Path) -> None:
    (cwd / "train.py").write_text("".join(f"line{n}\n" for n in range(1, 31)))
    lines = render_full([finding((5, 1, 20, 2))], 1, quiet=True).splitlines()
    numbers = [line.split("|")[0].strip() for line in lines[1:] if "|" in line]
    assert numbers == ["", "3", "4", "5", "", "6", "7", "8", "20", "21", "22", ""]
    assert "..." in lines


def test_a_missing_file_shows_the_finding_line_alone(cwd: Path) -> None:
    assert render_full([finding((4, 1, 4, 14), "gone.py")], 1, quiet=True) == (
        "gone.py:4:1: KER201 bad loss\n"
    )


def test_a_notebook_finding_shows_its_cell_lines(
    cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_notebook(cwd / "nb.ipynb")
    assert main(["--no-cache", "--format", "full", "--select", "KER601", "nb.ipynb"]) == 1
    output = capsys.readouterr().out
    assert f"nb.ipynb:cell {TRAINING_CELL_INDEX}:5:8: KER601 " in output
    assert (
        '5 | stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5)\n'
        "  |        " + "^" * len(ONE_LINE_CALL[1]) +
        " error: early-stopping-without-restore\n"
    ) in output
    assert output.endswith("Found 2 findings in 1 file (checked 1 file).\n")


def test_standard_input_shows_its_own_text(
    cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (cwd / "train.py").write_text("# the saved file differs from the buffer\n")
    source = (Path(__file__).parents[2] / "fixtures/loss-activation-mismatch/bad.py").read_bytes()
    read, write = os.pipe()
    os.write(write, source)
    os.close(write)
    monkeypatch.setattr("sys.stdin", open(read, encoding="utf-8"))
    assert main(["--format", "full", "--stdin-filename", "train.py"]) == 1
    line = source.decode().splitlines().index("    model.compile(") + 1
    assert f"{line} |     model.compile(\n" in capsys.readouterr().out
