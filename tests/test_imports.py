"""A run imports libcst (about a quarter of a second) only when it parses a file with it.

Files no rule's trigger occurs in, Dockerfiles, and files whose results come from the cache are
linted without it: pre-commit on a few ordinary files, and every warm run, start that much sooner.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import write_tree

PROGRAM = """\
import sys
from keras_lint.cli import main
status = main(sys.argv[1:])
print("libcst imported:", "libcst" in sys.modules, file=sys.stderr)
sys.exit(status)
"""

TRAIN = """\
import keras
model = keras.Sequential([keras.layers.Dense(1)])
model.fit(x, y)
"""


def run(cwd: Path, *arguments: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, *arguments], cwd=cwd, capture_output=True, text=True
    )
    return done.returncode, done.stdout, done.stderr


def test_nothing_to_parse_never_imports_libcst(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"util.py": "import os\nprint(os.sep)\n", "Dockerfile": "FROM python:latest\n"},
    )
    status, out, err = run(tmp_path, "--no-cache", ".")
    assert status == 1 and "Dockerfile:1:1: KER401" in out
    assert err.endswith("libcst imported: False\n")


def test_a_warm_run_never_imports_libcst(tmp_path: Path) -> None:
    write_tree(tmp_path, {"train.py": TRAIN, "util.py": "import os\n"})
    cold = run(tmp_path, "--cache-dir", "cache", ".")
    assert cold[0] == 1 and "train.py:3:1: KER101" in cold[1]
    assert cold[2].endswith("libcst imported: True\n")
    warm = run(tmp_path, "--cache-dir", "cache", ".")
    assert warm[:2] == cold[:2]
    assert warm[2].endswith("libcst imported: False\n")
