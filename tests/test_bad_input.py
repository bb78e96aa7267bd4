"""Bad input through the command: always a finding or a one-line message, and the run goes on.

One tree holds every kind of bad input next to a file with a real bug; linting it reports each
bad file (or lints it correctly), still finds the real bug, prints nothing on stderr and exits 1.
Inputs tested in depth elsewhere (decoding in ``sources/test_python_source.py``, nesting in
``analysis/test_limits.py``, named pipes in ``sources/test_regular_file.py``) appear here once,
end to end.
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import notebook_json
from keras_lint.analysis import ModuleFacts
from keras_lint.cli import main
from keras_lint.rules import ALL_RULES
from keras_lint.rules.base import PythonRule, Report

TRAINING = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.fit(x, y)\n"
UNCOMPILED = "KER101"


def nested_defs(depth: int) -> str:
    return (
        "".join(" " * level + f"def f{level}():\n" for level in range(depth))
        + " " * depth
        + "pass\n"
    )


#: file -> bytes; each is either reported as below or linted as if nothing were odd about it
BAD_FILES: dict[str, bytes] = {
    "syntax_error.py": b"def f(:\n    pass\n",
    "null_bytes.py": b"x = 1\nab\x00c\n",
    "undecodable.py": b"x = 1\ns = '\xff\xfe'\n",
    "binary.py": bytes(range(256)) * 4,
    "empty.py": b"",
    "bom.py": b"\xef\xbb\xbf" + TRAINING.encode(),
    "crlf.py": TRAINING.replace("\n", "\r\n").encode(),
    "cr_only.py": TRAINING.replace("\n", "\r").encode(),
    "tabs.py": b"if True:\n\timport keras\n\tmodel = keras.Sequential()\n\tmodel.fit(x, y)\n",
    "ten_megabytes.py": b"x = 1\n" * (10 * 1024 * 1024 // 6),
    "long_line.py": b"x = [" + b"1, " * 33_333 + b"]\n" + TRAINING.encode(),
    "nested_parens.py": b"x = " + b"(" * 10_000 + b")" * 10_000 + b"\n",
    "nested_lists.py": b"x = " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
    "long_sum.py": b"x = " + b"a + " * 100_000 + b"a\n" + TRAINING.encode(),
    "long_and.py": b"x = " + b"a and " * 10_000 + b"a\n" + TRAINING.encode(),
    "nested_defs.py": nested_defs(150).encode(),
    "string_source.ipynb": notebook_json(TRAINING).encode(),
    "comments.Dockerfile": b"# only\n# comments\n",
    "self_arg.Dockerfile": b"ARG A=${A}\nFROM python:${A}\n",
    "x.py/inner.py": TRAINING.encode(),
}

#: (file, code, line, message pattern) of every finding the tree gives
EXPECTED = [
    ("binary.py", "KER001", 1, r"source contains NUL bytes"),
    ("bom.py", UNCOMPILED, 3, r"`fit` is called on a model that has not been compiled"),
    ("cr_only.py", UNCOMPILED, 3, r"`fit`"),
    ("crlf.py", UNCOMPILED, 3, r"`fit`"),
    ("long_and.py", "KER001", 1, r"too deeply nested to analyse: 10004 levels"),
    ("long_line.py", UNCOMPILED, 4, r"`fit`"),
    ("long_sum.py", "KER001", 1, r"cannot parse: too deeply nested"),
    ("loop.py", "KER001", 1, r"cannot read: Too many levels of symbolic links"),
    ("nested_defs.py", "KER001", 101, r"cannot parse: too many levels of indentation"),
    ("nested_lists.py", "KER001", 1, r"cannot parse: too many nested parentheses"),
    ("nested_parens.py", "KER001", 1, r"cannot parse: too many nested parentheses"),
    ("null_bytes.py", "KER001", 2, r"source contains NUL bytes"),
    ("pipe.py", "KER001", 1, r"cannot read: not a regular file \(a named pipe\)"),
    ("socket.py", "KER001", 1, r"cannot read: not a regular file \(a socket\)"),
    ("string_source.ipynb", UNCOMPILED, 3, r"`fit`"),
    ("syntax_error.py", "KER001", 1, r"cannot parse: invalid syntax"),
    ("tabs.py", UNCOMPILED, 4, r"`fit`"),
    ("ten_megabytes.py", "KER001", 1, r"too large to analyse: 10\.5 million characters"),
    ("undecodable.py", "KER001", 2, r"cannot decode as utf-8"),
    ("inner.py", UNCOMPILED, 3, r"`fit`"),  # in the folder x.py
]


@pytest.fixture
def bad_tree(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "bad"
    for name, data in BAD_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    (root / "loop.py").symlink_to("loop.py")  # a symlink to itself
    (root / "up").symlink_to(root, target_is_directory=True)  # a folder loop
    os.mkfifo(root / "pipe.py")  # no writer: reading it would block forever
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(root / "socket.py"))
    yield root
    server.close()


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(socket, "AF_UNIX"), reason="POSIX")
def test_every_bad_input_is_a_finding_and_the_run_goes_on(
    bad_tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(bad_tree)
    assert main(["--format", "json", "--select", "KER001,KER101"]) == 1
    captured = capsys.readouterr()
    assert captured.err == ""
    findings = [
        (Path(f["path"]).name, f["code"], f["line"], f["message"]) for f in json.loads(captured.out)
    ]
    assert [(name, code, line) for name, code, line, _ in findings] == [
        (name, code, line) for name, code, line, _ in EXPECTED
    ]
    for (name, _, _, message), (_, _, _, pattern) in zip(findings, EXPECTED, strict=True):
        assert re.match(pattern, message), (name, message)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_unreadable_file_is_ker001(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "locked.py").write_text(TRAINING)
    (tmp_path / "locked.py").chmod(0)
    monkeypatch.chdir(tmp_path)
    status = main(["--select", "KER001,KER101"])
    out = capsys.readouterr().out
    if os.geteuid() == 0:
        # root reads whatever the mode says (tests/test_engine.py denies the read instead)
        assert status == 1 and "locked.py:3:1: KER101" in out
    else:
        assert status == 1 and "locked.py:1:1: KER001 cannot read: Permission denied" in out


def test_a_missing_path_among_good_ones_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["ok.py", "gone.py", "gone/"]) == 2
    assert (
        capsys.readouterr().err == "keras-lint: error: no such file or directory: gone.py, gone/\n"
    )


class CrashesOnOneFile(PythonRule):
    """Reports every ``fit``, but raises on the file named ``trips.py``."""

    code = "KER904"
    name = "crashes-on-one-file"
    summary = "reports fit, raises on trips.py"
    trigger = re.compile(r"\bfit\b")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        if facts.path.endswith("trips.py"):
            raise ZeroDivisionError("division by zero in the rule")
        yield Report("fit called", span=(1, 1, 1, 1))


@pytest.fixture
def crashing_rule() -> Iterator[None]:
    ALL_RULES.append(CrashesOnOneFile)
    yield
    ALL_RULES.remove(CrashesOnOneFile)


def test_a_rule_that_raises_on_one_file_is_reported_and_everything_else_runs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    crashing_rule: None,
) -> None:
    for name in ("a.py", "trips.py", "z.py"):
        (tmp_path / name).write_text(TRAINING)
    monkeypatch.chdir(tmp_path)
    assert main(["--select", "KER101,KER904"]) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        "keras-lint: internal error: trips.py: rule KER904 (crashes-on-one-file) failed:"
        " ZeroDivisionError: division by zero in the rule\n"
    )
    reported = [line.split(" ", 2)[:2] for line in captured.out.splitlines()[:-1]]
    assert reported == [
        ["a.py:1:1:", "KER904"],
        ["a.py:3:1:", "KER101"],
        ["trips.py:3:1:", "KER101"],  # the other rules still run on the file
        ["z.py:1:1:", "KER904"],  # and the rule still runs on the other files
        ["z.py:3:1:", "KER101"],
    ]
