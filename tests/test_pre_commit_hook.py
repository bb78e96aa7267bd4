"""The pre-commit hook (``.pre-commit-hooks.yaml``), checked with pre-commit and identify.

The manifest tests are fast. The ``integration`` tests run real pre-commit in temporary git
repositories: pre-commit clones this project and pip-installs it, with its dependencies, into a
virtualenv of its own, which needs the package index and takes about half a minute per
environment. ``pytest -m "not integration"`` leaves them out.

The hook repository the integration tests use is a snapshot of this checkout as it is on disk (the
tracked files and the untracked ones git does not ignore, committed in a temporary repository), so
they test uncommitted changes too, and work the same in a fresh clone. ``pre-commit run`` keeps the
environments in ``PRE_COMMIT_HOME``, shared by the tests of this module, so it builds the hook's
environment once; ``pre-commit try-repo`` always builds one of its own in a temporary store.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from identify.identify import ALL_TAGS, tags_from_path
from pre_commit.clientlib import load_manifest

from keras_lint.engine import lint_paths

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
HOOK_ID = "keras-lint"
#: seconds for one pre-commit command; building the hook's environment is most of it
TIMEOUT = 900

#: the README's overrides, exactly as documented there
README_EXTRA_DOCKERFILES = """\
      - id: keras-lint
      - id: keras-lint
        alias: keras-lint-dockerfiles
        name: keras-lint (other Dockerfile names)
        files: '(^|/)(Dockerfile-[^/]*|[^/]+\\.dockerfile)$'
        types_or: [text]
"""
README_NO_NOTEBOOKS = """\
      - id: keras-lint
        types_or: [python, pyi, dockerfile]
"""


def the_hook() -> dict:
    hooks = load_manifest(str(MANIFEST))  # pre-commit's own schema check; raises on any error
    assert [hook["id"] for hook in hooks] == [HOOK_ID]
    return hooks[0]


# -- the manifest -----------------------------------------------------------------------------


def test_manifest_is_valid_for_pre_commit() -> None:
    hook = the_hook()
    assert hook["name"] == "keras-lint"
    assert hook["entry"] == "keras-lint --force-exclude"  # the project's excludes apply
    assert hook["language"] == "python"
    assert hook["require_serial"] is True  # keras-lint needs the commit's files together
    assert hook["pass_filenames"] is True
    assert hook["description"]


def test_every_types_or_tag_is_known_to_identify() -> None:
    types_or = the_hook()["types_or"]
    assert sorted(types_or) == ["dockerfile", "jupyter", "pyi", "python"]
    assert set(types_or) <= ALL_TAGS, set(types_or) - ALL_TAGS


def test_minimum_pre_commit_version_has_types_or() -> None:
    version = tuple(int(part) for part in the_hook()["minimum_pre_commit_version"].split("."))
    assert version >= (2, 9, 2)  # types_or is new in 2.9.0; 2.9.2 fixed its default


def test_entry_is_the_console_script() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^keras-lint = "keras_lint\.cli:main"$', pyproject, re.MULTILINE)


def _selected(path: Path, hook: Mapping) -> bool:
    """pre-commit's filter: every ``types`` tag, any ``types_or`` tag, no ``exclude_types`` tag."""
    tags = tags_from_path(str(path))
    types_or = set(hook["types_or"])
    return (
        tags >= set(hook["types"])
        and (not types_or or bool(tags & types_or))
        and not tags & set(hook["exclude_types"])
    )


@pytest.mark.parametrize(
    ("name", "selected"),
    [
        ("train.py", True),
        ("gui.pyw", True),
        ("models.pyi", True),
        ("explore.ipynb", True),
        ("Dockerfile", True),
        ("Dockerfile.gpu", True),
        ("api.Dockerfile", True),
        ("Containerfile", True),  # identify 2.5.27 or newer
        ("Containerfile.cuda", True),
        ("train_script", True),  # executable with a Python shebang
        # identify does not tag these, though keras-lint reads them as Dockerfiles: the README
        # shows a `files:` override for them
        ("x.dockerfile", False),
        ("Dockerfile-dev", False),
        ("README.md", False),
        ("compose.yaml", False),
        ("setup.cfg", False),
    ],
)
def test_which_files_the_hook_receives(tmp_path: Path, name: str, selected: bool) -> None:
    path = tmp_path / name
    if name == "train_script":
        path.write_text("#!/usr/bin/env python3\nprint('train')\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    else:
        path.write_text("x\n")
    assert _selected(path, the_hook()) is selected, sorted(tags_from_path(str(path)))


def test_a_commit_of_one_script_is_judged_like_the_whole_folder(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=true\n")
    (tmp_path / "train.py").write_text(
        "from tensorflow import keras\n"
        "model = keras.Sequential([keras.layers.Dense(1)])\n"
        "model.compile(loss='mse')\n"
        "model.fit([[1.0]], [1.0])\n"
    )
    assert lint_paths([tmp_path]).findings == []
    assert lint_paths([tmp_path / "train.py"]).findings == []


# -- real pre-commit --------------------------------------------------------------------------

#: variables not passed on: git's (GIT_DIR, GIT_INDEX_FILE... set while a git hook runs these
#: tests would point every git command at the wrong repository) and pre-commit's (SKIP=keras-lint)
_DROPPED_PREFIXES = ("GIT_", "PRE_COMMIT_")
_DROPPED_VARIABLES = frozenset({"SKIP", "PRE_COMMIT"})
_IDENTITY = {
    "GIT_AUTHOR_NAME": "keras-lint tests",
    "GIT_AUTHOR_EMAIL": "tests@keras-lint.invalid",
    "GIT_COMMITTER_NAME": "keras-lint tests",
    "GIT_COMMITTER_EMAIL": "tests@keras-lint.invalid",
}


def _environment(pre_commit_home: Path | None = None) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_DROPPED_PREFIXES) and name not in _DROPPED_VARIABLES
    }
    if pre_commit_home is not None:
        env["PRE_COMMIT_HOME"] = str(pre_commit_home)
        env["PRE_COMMIT_COLOR"] = "never"
    return env


def _run(command: list[str], cwd: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as error:
        output = error.output or b""  # bytes, even with text=True
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        pytest.fail(f"{' '.join(command)} ran past {TIMEOUT} s in {cwd}; its output:\n{output}")


def git(cwd: Path, *args: str) -> str:
    done = _run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd,
        {**_environment(), **_IDENTITY},
    )
    assert done.returncode == 0, f"git {' '.join(args)} exited {done.returncode}:\n{done.stdout}"
    return done.stdout


def _snapshot(destination: Path) -> str:
    """This checkout as it is on disk, committed in a new repository; returns the commit."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    listed = _run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        ROOT,
        _environment(),
    )
    if listed.returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout: {listed.stdout.strip()}")
    for name in sorted(set(filter(None, listed.stdout.split("\0")))):
        source = ROOT / name
        if not os.path.lexists(source) or (source.is_dir() and not source.is_symlink()):
            continue  # deleted, or a submodule
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    git(destination, "init", "--quiet")
    git(destination, "add", "--all")
    git(destination, "commit", "--quiet", "--no-verify", "-m", "snapshot for the hook tests")
    return git(destination, "rev-parse", "HEAD").strip()


@dataclass(frozen=True)
class HookRepository:
    path: Path
    rev: str

    def config(self, hooks: str = "      - id: keras-lint\n") -> str:
        repo = json.dumps(str(self.path))  # a JSON string is a YAML string
        return f"repos:\n  - repo: {repo}\n    rev: {self.rev}\n    hooks:\n{hooks}"


@pytest.fixture(scope="module")
def hook_repository(tmp_path_factory: pytest.TempPathFactory) -> HookRepository:
    path = tmp_path_factory.mktemp("hook-repository")
    return HookRepository(path, _snapshot(path))


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("pre-commit-home")
    yield home
    shutil.rmtree(home, ignore_errors=True)  # hook environments are large


@dataclass
class PreCommit:
    """Runs ``python -m pre_commit`` with a private ``PRE_COMMIT_HOME``."""

    home: Path

    def __call__(self, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "pre_commit", *args]
        return _run(command, cwd, _environment(self.home))


@pytest.fixture(scope="module")
def pre_commit(pre_commit_home: Path) -> PreCommit:
    return PreCommit(pre_commit_home)


def expect_exit(done: subprocess.CompletedProcess[str], status: int) -> str:
    assert done.returncode == status, (
        f"{' '.join(map(str, done.args))} exited {done.returncode}, expected {status}; "
        f"pre-commit's output:\n{done.stdout}"
    )
    return done.stdout


_FINDING = re.compile(
    r"^(?P<path>[^\s:]+):(?:cell (?P<cell>\d+):)?(?P<line>\d+):\d+: (?P<code>KER\d{3}) ",
    re.MULTILINE,
)


def findings_in(output: str) -> set[tuple[str, str | None, int, str]]:
    """``(path, "cell N" or None, line, code)`` of every finding line in keras-lint's output."""
    return {
        (m["path"], m["cell"] and f"cell {m['cell']}", int(m["line"]), m["code"])
        for m in _FINDING.finditer(output)
    }


def _notebook(*cells: tuple[str, str]) -> str:
    def cell(kind: str, source: str) -> dict:
        made: dict = {"cell_type": kind, "metadata": {}, "source": textwrap.dedent(source)}
        if kind == "code":
            made.update(execution_count=None, outputs=[])
        return made

    notebook = {
        "cells": [cell(kind, source) for kind, source in cells],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1) + "\n"


_TRAIN = '''\
"""Train the classifier."""
import numpy as np
import tensorflow as tf
from tensorflow import keras

for gpu in tf.config.list_physical_devices("GPU"):
    tf.config.experimental.set_memory_growth(gpu, True)

x = np.random.rand(64, 4).astype("float32")
y = (x.sum(axis=1) > 2).astype("float32")
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
{compile}model.fit(x, y, epochs=2)
'''
_NOTEBOOK_SETUP = """\
import numpy as np
import tensorflow as tf
from tensorflow import keras

for gpu in tf.config.list_physical_devices("GPU"):
    tf.config.experimental.set_memory_growth(gpu, True)
"""
_NOTEBOOK_MODEL = """\
x = np.random.rand(64, 4)
y = (x.sum(axis=1) > 2).astype("float32")
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="{loss}")
model.fit(x, y, epochs=2)
"""
_SCRIPT = """\
#!/usr/bin/env python3
import os

os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
import numpy as np
from tensorflow import keras

data = np.load("data.npz")
model = keras.models.load_model("model.keras")
stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3{restore})
model.fit(data["x"], data["y"], validation_split=0.2, epochs=50, callbacks=[stop])
"""


def training_project(*, fixed: bool) -> dict[str, str]:
    """A small training project with one bug in each kind of file the hook receives, or none."""
    compile_call = 'model.compile(optimizer="adam", loss="binary_crossentropy")\n' if fixed else ""
    loss = "binary_crossentropy" if fixed else "categorical_crossentropy"
    return {
        "README.md": "# A training project\n",
        "train.py": _TRAIN.format(compile=compile_call),
        "notebooks/explore.ipynb": _notebook(
            ("markdown", "# Exploring the model\n"),
            ("code", _NOTEBOOK_SETUP),
            ("code", _NOTEBOOK_MODEL.format(loss=loss)),
        ),
        "Dockerfile": f"FROM python:{'3.11-slim' if fixed else 'latest'}\nCOPY . /app\n",
        # an executable script without a suffix: identify tags it `python` by its shebang
        "bin/train": _SCRIPT.format(restore=", restore_best_weights=True" if fixed else ""),
        "typing/models.pyi": "from tensorflow import keras\n\ndef build() -> keras.Model: ...\n",
    }


#: ``findings_in`` pre-commit's output for the bad project: README.md is not handed to keras-lint
BAD_PROJECT_FINDINGS = {
    ("train.py", None, 12, "KER101"),
    ("notebooks/explore.ipynb", "cell 3", 4, "KER201"),
    ("Dockerfile", None, 1, "KER401"),
    ("bin/train", None, 10, "KER601"),
}
BAD_PROJECT_SUMMARY = "Found 4 findings in 4 files (checked 5 files)."


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if text.startswith("#!"):
            path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def commit(root: Path, files: Mapping[str, str], message: str) -> None:
    write_files(root, files)
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--no-verify", "-m", message)


def new_repository(root: Path, files: Mapping[str, str]) -> Path:
    """A git repository with ``files`` committed; its identity is set in its own config only."""
    root.mkdir(parents=True)
    git(root, "init", "--quiet")
    git(root, "config", "user.name", "keras-lint tests")
    git(root, "config", "user.email", "tests@keras-lint.invalid")
    commit(root, files, "first commit")
    return root


def hook_line(output: str, hook_name: str = "keras-lint") -> str:
    """pre-commit's status line of the hook, e.g. ``keras-lint....Failed``, without the dots."""
    found = re.search(rf"^{re.escape(hook_name)}\.+(.+)$", output, re.MULTILINE)
    assert found, f"no status line for {hook_name!r} in pre-commit's output:\n{output}"
    return found[1]


integration = pytest.mark.integration


@integration
def test_try_repo_fails_a_bad_commit_and_reports_every_finding(
    tmp_path: Path, hook_repository: HookRepository, pre_commit: PreCommit
) -> None:
    project = new_repository(tmp_path / "project", training_project(fixed=False))
    done = pre_commit(
        project, "try-repo", str(hook_repository.path), HOOK_ID, "--all-files", "--color", "never"
    )
    output = expect_exit(done, 1)
    assert hook_line(output) == "Failed"
    assert "- exit code: 1" in output
    assert findings_in(output) == BAD_PROJECT_FINDINGS, output
    assert BAD_PROJECT_SUMMARY in output


@integration
def test_run_all_files_fails_a_bad_commit_and_passes_the_fixed_one(
    tmp_path: Path, hook_repository: HookRepository, pre_commit: PreCommit
) -> None:
    project = new_repository(tmp_path / "project", training_project(fixed=False))
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(hook_repository.config())
    run = ["run", "--config", str(config), "--all-files", "--color", "never"]

    output = expect_exit(pre_commit(project, *run), 1)
    assert hook_line(output) == "Failed"
    assert findings_in(output) == BAD_PROJECT_FINDINGS, output

    commit(project, training_project(fixed=True), "fix the bugs")
    output = expect_exit(pre_commit(project, *run), 0)
    assert hook_line(output) == "Passed"


@integration
def test_run_all_files_skips_the_hook_without_matching_files(
    tmp_path: Path, hook_repository: HookRepository, pre_commit: PreCommit
) -> None:
    files = {"README.md": "# Notes\n", "docs/setup.cfg": "[x]\n", "data/labels.json": "{}\n"}
    project = new_repository(tmp_path / "project", files)
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(hook_repository.config())
    done = pre_commit(project, "run", "--config", str(config), "--all-files", "--color", "never")
    assert hook_line(expect_exit(done, 0)) == "(no files to check)Skipped"


@integration
def test_installed_hook_blocks_a_bad_commit_and_lints_only_staged_files(
    tmp_path: Path, hook_repository: HookRepository, pre_commit: PreCommit
) -> None:
    project = new_repository(
        tmp_path / "project", {".pre-commit-config.yaml": hook_repository.config()}
    )
    expect_exit(pre_commit(project, "install"), 0)

    def git_commit(message: str) -> subprocess.CompletedProcess[str]:
        env = {**_environment(pre_commit.home), **_IDENTITY}
        return _run(["git", "-c", "commit.gpgsign=false", "commit", "-m", message], project, env)

    write_files(project, training_project(fixed=False))
    git(project, "add", "--all")
    output = expect_exit(git_commit("train the model"), 1)
    assert findings_in(output) == BAD_PROJECT_FINDINGS, output
    assert git(project, "rev-list", "--count", "HEAD").strip() == "1"  # the commit was refused

    write_files(project, training_project(fixed=True))
    git(project, "add", "--all")
    (project / "scratch.py").write_text(_TRAIN.format(compile=""))  # not staged: not linted
    output = expect_exit(git_commit("train the model"), 0)
    assert hook_line(output) == "Passed"

    (project / "README.md").write_text("# A training project\n\nHow to train.\n")
    git(project, "add", "README.md")
    output = expect_exit(git_commit("document training"), 0)
    assert hook_line(output) == "(no files to check)Skipped"
    assert git(project, "rev-list", "--count", "HEAD").strip() == "3"


@integration
def test_readme_files_override_adds_dockerfile_names_identify_does_not_tag(
    tmp_path: Path, hook_repository: HookRepository, pre_commit: PreCommit
) -> None:
    files = {
        "Dockerfile": "FROM python:3.11-slim\n",
        "gpu.dockerfile": "FROM tensorflow/tensorflow:latest-gpu\n",
        "docker/Dockerfile-dev": "FROM python\n",
        "train.py": "print('train')\n",
    }
    project = new_repository(tmp_path / "project", files)
    config = tmp_path / "pre-commit-config.yaml"
    run = ["run", "--config", str(config), "--all-files", "--color", "never"]

    config.write_text(hook_repository.config())
    assert hook_line(expect_exit(pre_commit(project, *run), 0)) == "Passed"

    config.write_text(hook_repository.config(README_EXTRA_DOCKERFILES))
    output = expect_exit(pre_commit(project, *run), 1)
    assert hook_line(output) == "Passed"
    assert hook_line(output, "keras-lint (other Dockerfile names)") == "Failed"
    assert findings_in(output) == {
        ("gpu.dockerfile", None, 1, "KER401"),
        ("docker/Dockerfile-dev", None, 1, "KER401"),
    }, output


@integration
def test_readme_types_or_override_drops_notebooks(
    tmp_path: Path, hook_repository: HookRepository, pre_commit: PreCommit
) -> None:
    project = new_repository(tmp_path / "project", training_project(fixed=False))
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(hook_repository.config(README_NO_NOTEBOOKS))
    done = pre_commit(project, "run", "--config", str(config), "--all-files", "--color", "never")
    output = expect_exit(done, 1)
    notebook_findings = {f for f in BAD_PROJECT_FINDINGS if f[0].endswith(".ipynb")}
    assert findings_in(output) == BAD_PROJECT_FINDINGS - notebook_findings, output
    assert "Found 3 findings in 3 files (checked 4 files)." in output


@integration
def test_the_projects_excludes_apply_to_the_files_pre_commit_names(
    tmp_path: Path, hook_repository: HookRepository, pre_commit: PreCommit
) -> None:
    bad = training_project(fixed=False)["train.py"]
    files = {
        "pyproject.toml": '[tool.keras-lint]\nextend-exclude = ["legacy/"]\n',
        "legacy/old_train.py": bad,
        "build/generated.py": bad,
        "train.py": training_project(fixed=True)["train.py"],
    }
    project = new_repository(tmp_path / "project", files)
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(hook_repository.config())
    done = pre_commit(project, "run", "--config", str(config), "--all-files", "--color", "never")
    output = expect_exit(done, 0)
    assert hook_line(output) == "Passed"
    assert findings_in(output) == set(), output


def test_the_readme_shows_the_overrides_these_tests_run() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_EXTRA_DOCKERFILES in readme
    assert README_NO_NOTEBOOKS in readme
    assert "      - id: keras-lint\n" in readme
    assert readme_config("repo: local") and readme_config("rev: COMMIT_SHA")


#: the README's placeholders, as a user fills them in
README_REPOSITORY = "https://github.com/keras-lint/keras-lint"
README_REV = "COMMIT_SHA"


def readme_config(marker: str) -> str:
    """The README's ``.pre-commit-config.yaml`` block that contains ``marker``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(repos:\n.*?)^```$", readme, re.M | re.S)
    (block,) = [block for block in blocks if marker in block]
    return block


@integration
def test_the_readme_local_hook_works_as_written(
    tmp_path: Path, pre_commit: PreCommit, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = new_repository(tmp_path / "project", training_project(fixed=False))
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(readme_config("repo: local"))
    # language: system runs the keras-lint of the environment: this one's
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    run = ["run", "--config", str(config), "--all-files", "--color", "never"]
    output = expect_exit(pre_commit(project, *run), 1)
    assert hook_line(output) == "Failed"
    assert findings_in(output) == BAD_PROJECT_FINDINGS, output
    commit(project, training_project(fixed=True), "fix the bugs")
    assert hook_line(expect_exit(pre_commit(project, *run), 0)) == "Passed"


@integration
def test_the_readme_remote_hook_pinned_to_a_commit_works(
    tmp_path: Path, hook_repository: HookRepository, pre_commit: PreCommit
) -> None:
    block = readme_config(f"rev: {README_REV}")
    assert README_REPOSITORY in block
    filled = block.replace(README_REPOSITORY, str(hook_repository.path))
    filled = filled.replace(f"rev: {README_REV}", f"rev: {hook_repository.rev}")
    assert re.search(r"rev: [0-9a-f]{40}\b", filled)
    project = new_repository(tmp_path / "project", training_project(fixed=False))
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(filled)
    done = pre_commit(project, "run", "--config", str(config), "--all-files", "--color", "never")
    output = expect_exit(done, 1)
    assert findings_in(output) == BAD_PROJECT_FINDINGS, output
