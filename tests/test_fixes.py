"""Fixes: --fix writes what --diff shows (checked with real git apply), keeps encodings, line
endings and notebook formatting, writes atomically, and --add-noqa silences every finding."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from keras_lint.engine import lint_paths
from keras_lint.engine.writing import FileChanged, write_atomically, write_fixed

GIT = shutil.which("git")
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}

CALL = 'stop = keras.callbacks.EarlyStopping(\n    monitor="val_loss",\n    patience=3,\n)\n'
PROGRAM = "import keras\n\n" + CALL + "keras.Sequential().fit(1, callbacks=[stop])\n"


def cli(folder: Path, *arguments: str, data: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "keras_lint", "--no-cache", "--select", "KER601", *arguments],
        cwd=folder, env=ENV, input=data, capture_output=True, timeout=120,
    )  # fmt: skip


def notebook(indent: int | None, ensure_ascii: bool) -> bytes:
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Données ü\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": PROGRAM.splitlines(keepends=True)},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": "print('é')"},
    ]  # fmt: skip
    document = {"metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4,
                "nbformat_minor": 5, "cells": cells}  # fmt: skip
    return (json.dumps(document, indent=indent, ensure_ascii=ensure_ascii) + "\n").encode()


CASES = {
    "lf.py": PROGRAM.encode(),
    "crlf_no_final_newline.py": PROGRAM.rstrip("\n").replace("\n", "\r\n").encode(),
    "bom.py": b"\xef\xbb\xbf" + PROGRAM.encode(),
    "latin1.py": ("# -*- coding: latin-1 -*-\n# é\n" + PROGRAM).encode("latin-1"),
    "pretty.ipynb": notebook(1, False),
    "ascii.ipynb": notebook(4, True),
    "minified.ipynb": notebook(None, True)[:-1],
}


@pytest.mark.skipif(GIT is None, reason="needs git")
@pytest.mark.parametrize("name", sorted(CASES))
def test_diff_applied_by_git_gives_the_bytes_fix_writes(tmp_path: Path, name: str) -> None:
    run = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "core.autocrlf=false"]
    subprocess.run([*run[:1], "init", "-q", str(tmp_path)], check=True)
    (tmp_path / name).write_bytes(CASES[name])
    diff = cli(tmp_path, "--diff", "--unsafe-fixes", name)
    assert diff.returncode == 1, diff.stderr
    assert (tmp_path / name).read_bytes() == CASES[name]  # --diff writes nothing
    fixed = cli(tmp_path, "--fix", "--unsafe-fixes", name)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after_fix = (tmp_path / name).read_bytes()
    assert b"restore_best_weights=True" in after_fix
    (tmp_path / name).write_bytes(CASES[name])
    subprocess.run([*run, "apply", "-"], cwd=tmp_path, input=diff.stdout, check=True)
    assert (tmp_path / name).read_bytes() == after_fix
    # the second run changes nothing
    assert cli(tmp_path, "--diff", "--unsafe-fixes", name).stdout == b""
    assert cli(tmp_path, "--fix", "--unsafe-fixes", name).returncode == 0
    assert (tmp_path / name).read_bytes() == after_fix


def test_fix_keeps_line_endings_and_encoding(tmp_path: Path) -> None:
    for name in ("crlf_no_final_newline.py", "bom.py", "latin1.py"):
        (tmp_path / name).write_bytes(CASES[name])
    assert cli(tmp_path, "--fix", "--unsafe-fixes", ".").returncode == 0
    crlf = (tmp_path / "crlf_no_final_newline.py").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n") and not crlf.endswith(b"\n")
    assert b"    restore_best_weights=True,\r\n)" in crlf
    assert (tmp_path / "bom.py").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "# é" in (tmp_path / "latin1.py").read_bytes().decode("latin-1")


def test_notebook_keeps_its_formatting_and_other_cells(tmp_path: Path) -> None:
    original = CASES["pretty.ipynb"]
    (tmp_path / "n.ipynb").write_bytes(original)
    assert cli(tmp_path, "--fix", "--unsafe-fixes", "n.ipynb").returncode == 0
    fixed = (tmp_path / "n.ipynb").read_bytes()
    before, after = json.loads(original), json.loads(fixed)
    assert [c for i, c in enumerate(before["cells"]) if i != 1] == [
        c for i, c in enumerate(after["cells"]) if i != 1
    ]
    assert "restore_best_weights=True" in "".join(after["cells"][1]["source"])
    changes = [
        line[0]
        for line in difflib.ndiff(original.decode().splitlines(), fixed.decode().splitlines())
        if line[0] in "+-"
    ]
    assert changes == ["+"]  # one source line added to one cell, nothing else


def test_safe_only_fix_leaves_unsafe_fixes_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(CASES["lf.py"])
    result = cli(tmp_path, "--fix", "a.py")
    assert result.returncode == 1
    assert (tmp_path / "a.py").read_bytes() == CASES["lf.py"]
    hint = cli(tmp_path, "a.py").stdout.decode()
    assert "1 with `--fix --unsafe-fixes`" in hint and "[*]" not in hint.splitlines()[0]
    marked = cli(tmp_path, "--unsafe-fixes", "a.py").stdout.decode()
    assert "KER601 [*] " in marked
    assert (
        "[*]" not in cli(tmp_path, "--unsafe-fixes", "--format", "concise", "a.py").stdout.decode()
    )


def test_standard_input_fix_prints_the_fixed_text(tmp_path: Path) -> None:
    result = cli(tmp_path, "--fix", "--unsafe-fixes", "-", data=CASES["lf.py"])
    assert result.returncode == 0
    assert b"restore_best_weights=True" in result.stdout
    assert b"All checks passed" in result.stderr


def test_fix_with_workers_writes_in_the_parent(tmp_path: Path) -> None:
    for number in range(12):
        (tmp_path / f"m{number}.py").write_bytes(CASES["lf.py"])
    result = cli(tmp_path, "--fix", "--unsafe-fixes", "--jobs", "2", ".")
    assert result.returncode == 0, result.stderr
    assert all(b"restore_best_weights=True" in p.read_bytes() for p in tmp_path.glob("*.py"))


def test_file_changed_after_reading_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(CASES["lf.py"])
    result = lint_paths([path], select=["KER601"], fix=True, unsafe_fixes=True)
    (fixed,) = result.fixed
    path.write_bytes(CASES["lf.py"] + b"# edited meanwhile\n")
    with pytest.raises(FileChanged):
        write_fixed(fixed)
    assert path.read_bytes().endswith(b"# edited meanwhile\n")


def test_a_failed_write_leaves_the_original_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_bytes(b"x = 1\n")
    os.chmod(path, 0o751)

    # text where bytes belong: the write fails after the temporary file was created
    with pytest.raises(TypeError):
        write_atomically(path, "y = 2\n")  # type: ignore[arg-type]
    assert path.read_bytes() == b"x = 1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]
    write_atomically(path, b"y = 2\n")
    assert path.read_bytes() == b"y = 2\n" and os.stat(path).st_mode & 0o777 == 0o751
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]


def test_a_fix_that_breaks_the_syntax_is_dropped_with_an_internal_error(tmp_path: Path) -> None:
    from keras_lint.engine.fixing import fix_file
    from keras_lint.engine.linter import Linter
    from keras_lint.engine.results import FileTask
    from keras_lint.finding import SuggestedFix, TextEdit

    path = tmp_path / "a.py"
    path.write_bytes(CASES["lf.py"])
    linter = Linter(None, ["KER601"], None)

    def breaking(task, project, data):  # a rule whose fix deletes a parenthesis
        outcome = linter.lint_file(task, project, data)
        bad = SuggestedFix("break", "safe", (TextEdit(3, 37, 3, 38, ""),))
        outcome.findings = [f.__class__(**{**f.__dict__, "fix": bad}) for f in outcome.findings]
        return outcome

    outcome = fix_file(breaking, FileTask(path, "python"), None, unsafe=True)
    assert outcome.fixed is None and "unparsable" in outcome.errors[0]
    assert path.read_bytes() == CASES["lf.py"]


def test_add_noqa_then_no_findings_and_one_comment_per_line(tmp_path: Path) -> None:
    source = (
        "import keras\n"
        "a = keras.callbacks.EarlyStopping(patience=1); b = keras.callbacks.EarlyStopping()\n"
        "c = keras.callbacks.EarlyStopping(patience=2)  # noqa: KER101\n"
        'd = keras.callbacks.EarlyStopping(patience=len("""x\n'
        'y"""))\n'
        "keras.Sequential().fit(1, callbacks=[a, b, c, d])\n"
    )
    (tmp_path / "a.py").write_text(source)
    (tmp_path / "Dockerfile").write_text("FROM python:latest\nRUN true\n")
    result = subprocess.run(
        [sys.executable, "-m", "keras_lint", "--no-cache", "--select", "KER601,KER401",
         "--add-noqa", "."], cwd=tmp_path, env=ENV, capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "a.py").read_text().splitlines()
    assert lines[1].endswith("  # noqa: KER601") and lines[1].count("noqa") == 1
    assert lines[2].endswith("# noqa: KER101, KER601")
    assert lines[4].endswith('"""))  # noqa: KER601')
    assert (tmp_path / "Dockerfile").read_text().startswith("# keras-lint: ignore=KER401\nFROM")
    again = subprocess.run(
        [sys.executable, "-m", "keras_lint", "--no-cache", "--select", "KER601,KER401", "."],
        cwd=tmp_path, env=ENV, capture_output=True, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout
