"""A run imports a reader's library only when it reads a file of that kind.

libcst (about a quarter of a second) is imported only when a file is parsed with it, PyYAML
only when a YAML file is read, dockerfile-parse only when a Dockerfile is. Files no rule's
trigger occurs in, and files whose results come from the cache, need none of them: pre-commit on
a few ordinary files, and every warm run, start that much sooner.
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
loaded = [name for name in ("libcst", "yaml", "dockerfile_parse") if name in sys.modules]
print("loaded:", " ".join(loaded) or "none", file=sys.stderr)
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


def test_only_the_readers_of_the_files_read_are_imported(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {"util.py": "import os\nprint(os.sep)\n", "Dockerfile": "FROM python:latest\n"},
    )
    status, out, err = run(tmp_path, "--no-cache", ".")
    assert status == 1 and "Dockerfile:1:1: KER401" in out
    assert err.endswith("loaded: dockerfile_parse\n")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:latest\n")
    status, out, err = run(tmp_path, "--no-cache", "util.py", "compose.yaml")
    assert status == 1 and "compose.yaml:3:12: KER401" in out
    assert err.endswith("loaded: yaml\n")


def test_a_warm_run_imports_no_reader(tmp_path: Path) -> None:
    write_tree(tmp_path, {"train.py": TRAIN, "util.py": "import os\n"})
    cold = run(tmp_path, "--cache-dir", "cache", ".")
    assert cold[0] == 1 and "train.py:3:1: KER101" in cold[1]
    assert cold[2].endswith("loaded: libcst\n")
    warm = run(tmp_path, "--cache-dir", "cache", ".")
    assert warm[:2] == cold[:2]
    assert warm[2].endswith("loaded: none\n")
