"""Every output sample in the README is the real output of its command.

A sample is a fenced block whose first line is a command, ``$ keras-lint ...``, and whose other
lines are what it prints. The command runs on the real files: the project's fixtures, and a
notebook built from the README's own cell sources (the nearest ``python`` block above the
sample that marks its cells with ``# cell N``; the cells it leaves out are markdown cells).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>\w*)\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S
)
CELL_HEADER = re.compile(r"^# cell (\d+)$")
#: options with which a command changes the files it names
WRITING_OPTIONS = frozenset({"--fix", "--add-noqa"})


@dataclass(frozen=True)
class Sample:
    line: int
    command: str
    output: str
    #: the cells of the notebook the command names, by number (None: it names none)
    cells: dict[int, str] | None


def _cells(body: str) -> dict[int, str]:
    cells: dict[int, list[str]] = {}
    current = None
    for line in body.splitlines():
        header = CELL_HEADER.match(line)
        if header:
            current = int(header[1])
            cells[current] = []
        elif current is not None:
            cells[current].append(line)
    return {number: "\n".join(lines) for number, lines in cells.items()}


def readme_samples() -> list[Sample]:
    samples = []
    cell_block: dict[int, str] | None = None
    for fence in FENCE.finditer(README):
        body = textwrap.dedent(fence["body"])
        if fence["info"] == "python" and any(map(CELL_HEADER.match, body.splitlines())):
            cell_block = _cells(body)
            continue
        first, _, rest = body.partition("\n")
        if first.startswith("$ keras-lint"):
            command = first[2:]
            names_notebook = any(word.endswith(".ipynb") for word in shlex.split(command))
            samples.append(
                Sample(
                    line=README.count("\n", 0, fence.start()) + 1,
                    command=command,
                    output=rest,
                    cells=cell_block if names_notebook else None,
                )
            )
    return samples


SAMPLES = readme_samples()


def test_the_readme_has_the_output_samples_this_test_runs() -> None:
    commands = [sample.command for sample in SAMPLES]
    assert "keras-lint fixtures/loss-activation-mismatch/bad.py" in commands
    assert "keras-lint analysis.ipynb" in commands
    for option in ("--fix", "--diff", "--show-fixes"):
        assert any(option in command.split() for command in commands), option
    notebook = next(sample for sample in SAMPLES if sample.cells is not None)
    assert sorted(notebook.cells or {}) == [2, 3, 4]


def notebook_json(cells: dict[int, str]) -> str:
    """Code cells at the numbers given, a markdown title at every number left out."""
    entries = []
    for number in range(1, max(cells) + 1):
        if number in cells:
            entries.append({"cell_type": "code", "source": cells[number], "metadata": {},
                            "outputs": [], "execution_count": None})  # fmt: skip
        else:
            entries.append({"cell_type": "markdown", "source": "# Training", "metadata": {}})
    return json.dumps({"cells": entries, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda sample: f"README line {sample.line}")
def test_a_readme_sample_is_the_real_output(sample: Sample, tmp_path: Path) -> None:
    arguments = shlex.split(sample.command)[1:]
    # the fixtures under their own relative paths, in a folder of no project; a copy when the
    # command writes files
    if WRITING_OPTIONS.intersection(arguments):
        shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    else:
        (tmp_path / "fixtures").symlink_to(ROOT / "fixtures", target_is_directory=True)
    if sample.cells is not None:
        notebook = next(word for word in arguments if word.endswith(".ipynb"))
        (tmp_path / notebook).write_text(notebook_json(sample.cells), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "keras_lint", "--no-cache", *arguments],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={**os.environ, "NO_COLOR": "1"},  # the samples are plain text
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    assert done.stdout == sample.output
