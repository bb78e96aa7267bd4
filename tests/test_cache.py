"""The result cache: a warm run gives exactly the result of a run without a cache."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import BUILDERS, TF_TRAIN, USES_BUILDERS, project_tree, same_result, write_tree
from keras_lint import engine
from keras_lint.analysis import ModuleFacts
from keras_lint.cache import (
    CACHE_DIR_NAME,
    SCHEMA,
    CachedResult,
    EntryKey,
    ResultCache,
    runtime_versions,
)
from keras_lint.cli import main
from keras_lint.config import Settings
from keras_lint.engine import lint_paths
from keras_lint.finding import Finding
from keras_lint.rules import ALL_RULES
from keras_lint.rules.base import PythonRule, Report

#: a helper that builds models, compiling neither: ``build_compiled`` lies after this edit
BUILDERS_UNCOMPILED = BUILDERS.replace('    model.compile(optimizer="adam", loss="mse")\n', "")

GPU_SETUP = """\
import tensorflow as tf


def enable():
    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
"""

#: a library module (it trains only when a caller calls ``train``): KER301 is reported only if
#: no program of its project calls ``train`` and no module of its import graph mentions enabling
#: memory growth
TF_LIBRARY = """\
import numpy as np
import tensorflow as tf


def train():
    model = tf.keras.Sequential([tf.keras.layers.Input(shape=(3,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((32, 3)), np.zeros((32, 1)), epochs=1)
"""


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture
def linted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files each serial run actually linted (a cache hit adds nothing); cleared by hand."""
    seen: list[str] = []
    real = engine._Linter.lint_file

    def spy(self, task, project, data=None):
        seen.append(task.path.name)
        return real(self, task, project, data)

    monkeypatch.setattr(engine._Linter, "lint_file", spy)
    return seen


def rows(root: Path, cache_dir: Path, **options: Any) -> list[tuple[str, int, str]]:
    result = lint_paths([root], cache_dir=cache_dir, **options)
    assert result.errors == []
    return [(Path(f.path).relative_to(root).as_posix(), f.line, f.code) for f in result.findings]


def entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / SCHEMA).rglob("*.json"))


def warm_equals_cold(root: Path, cache_dir: Path, linted: list[str], **options: Any) -> None:
    uncached = lint_paths([root], **options)
    same_result(uncached, lint_paths([root], cache_dir=cache_dir, **options))
    linted.clear()
    same_result(uncached, lint_paths([root], cache_dir=cache_dir, **options))


# -- hits ---------------------------------------------------------------------------------------


def test_a_warm_run_gives_the_result_of_a_run_without_cache(
    tmp_path: Path, cache_dir: Path, linted: list[str]
) -> None:
    """Python files, notebooks, Dockerfiles, Compose files, manifests, KER001 files, warnings."""
    root = project_tree(tmp_path / "project")
    warm_equals_cold(root, cache_dir, linted)
    assert linted == []
    codes = {f.code for f in lint_paths([root], cache_dir=cache_dir).findings}
    assert codes == {"KER001", "KER101", "KER201", "KER301", "KER401"}


def test_a_warm_parallel_run_gives_the_result_of_a_serial_run(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project_tree(tmp_path / "project")
    serial = lint_paths([root], jobs=1)
    same_result(serial, lint_paths([root], jobs=2, cache_dir=cache_dir))  # workers fill it
    pools: list[int] = []
    monkeypatch.setattr(engine, "run_parallel", lambda *a, **k: pools.append(1))
    same_result(serial, lint_paths([root], jobs=2, cache_dir=cache_dir))
    assert pools == []  # every file was a hit: no pool was started


def test_unreadable_files_are_never_cached(
    tmp_path: Path, cache_dir: Path, linted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    read_bytes = Path.read_bytes

    def deny_locked(path: Path) -> bytes:
        if path.name == "locked.py":  # chmod 0 would not stop root
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", deny_locked)
    root = write_tree(tmp_path / "project", {"locked.py": "x = 1\n", "ok.py": "x = 1\n"})
    warm_equals_cold(root, cache_dir, linted)
    assert linted == ["locked.py"]
    assert rows(root, cache_dir) == [("locked.py", 1, "KER001")]


class RaisingRule(PythonRule):
    code = "KER908"
    name = "raise"
    summary = "raises"
    trigger = re.compile("raise_here")

    def check(self, facts: ModuleFacts) -> Iterator[Report]:
        raise ValueError("rule bug")


def test_a_file_with_an_internal_error_is_linted_again_each_run(
    tmp_path: Path, cache_dir: Path, linted: list[str]
) -> None:
    root = write_tree(tmp_path / "project", {"a.py": "raise_here = 1\n", "b.py": "x = 1\n"})
    rules = [*ALL_RULES, RaisingRule]
    first = lint_paths([root], rules=rules, cache_dir=cache_dir)
    linted.clear()
    second = lint_paths([root], rules=rules, cache_dir=cache_dir)
    assert linted == ["a.py"]
    assert second.errors == first.errors and len(second.errors) == 1


# -- what invalidates an entry --------------------------------------------------------------------


def test_editing_a_file_invalidates_its_entry_only(
    tmp_path: Path, cache_dir: Path, linted: list[str]
) -> None:
    root = write_tree(tmp_path / "project", {"a.py": "x = 1\n", "b.py": "x = 1\n"})
    assert rows(root, cache_dir) == []
    (root / "a.py").write_text("def f(:\n")
    linted.clear()
    assert rows(root, cache_dir) == [("a.py", 1, "KER001")]
    assert linted == ["a.py"]


def test_editing_a_helper_module_invalidates_the_files_that_use_it(
    tmp_path: Path, cache_dir: Path, linted: list[str]
) -> None:
    root = write_tree(
        tmp_path / "project",
        {
            "lib/__init__.py": "",
            "lib/builders.py": BUILDERS,
            "app/run.py": USES_BUILDERS.format(module="lib.builders"),
            "app/other.py": "x = 1\n",
        },
    )
    ker101 = rows(root, cache_dir, select=["KER101"])
    assert ker101 == [("app/run.py", 5, "KER101")]
    (root / "lib/builders.py").write_text(BUILDERS_UNCOMPILED)
    linted.clear()
    assert rows(root, cache_dir, select=["KER101"]) == [
        ("app/run.py", 4, "KER101"),
        ("app/run.py", 5, "KER101"),
    ]
    assert sorted(linted) == ["builders.py", "run.py"]
    (root / "lib/builders.py").write_text(BUILDERS)
    assert rows(root, cache_dir, select=["KER101"]) == ker101


def test_a_new_module_that_an_import_now_means_invalidates_its_importers(
    tmp_path: Path, cache_dir: Path, linted: list[str]
) -> None:
    root = write_tree(tmp_path / "project", {"app/run.py": USES_BUILDERS.format(module="helpers")})
    assert rows(root, cache_dir, select=["KER101"]) == []  # helpers is unknown: silent
    write_tree(root, {"app/helpers.py": BUILDERS})
    assert rows(root, cache_dir, select=["KER101"]) == [("app/run.py", 5, "KER101")]
    (root / "app/helpers.py").unlink()
    assert rows(root, cache_dir, select=["KER101"]) == []


def test_a_nearer_module_of_the_same_name_invalidates_its_importers(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = write_tree(
        tmp_path / "project",
        {"helpers.py": BUILDERS, "app/run.py": USES_BUILDERS.format(module="helpers")},
    )
    assert rows(root, cache_dir, select=["KER101"]) == [("app/run.py", 5, "KER101")]
    write_tree(root, {"app/helpers.py": BUILDERS_UNCOMPILED})  # the import now means this one
    assert rows(root, cache_dir, select=["KER101"]) == [
        ("app/run.py", 4, "KER101"),
        ("app/run.py", 5, "KER101"),
    ]


def test_a_relative_import_that_now_resolves_invalidates(tmp_path: Path, cache_dir: Path) -> None:
    root = write_tree(
        tmp_path / "project",
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/run.py": USES_BUILDERS.format(module="..builders"),
        },
    )
    assert rows(root, cache_dir, select=["KER101"]) == []
    write_tree(root, {"pkg/builders.py": BUILDERS})
    assert rows(root, cache_dir, select=["KER101"]) == [("pkg/sub/run.py", 5, "KER101")]


def test_a_dockerfile_env_change_invalidates_the_files_of_its_folders(
    tmp_path: Path, cache_dir: Path, linted: list[str]
) -> None:
    growth = "FROM python:3.11\nENV TF_FORCE_GPU_ALLOW_GROWTH=true\n"
    root = write_tree(
        tmp_path / "project", {"svc/Dockerfile": growth, "svc/deep/train.py": TF_TRAIN}
    )
    assert rows(root, cache_dir, select=["KER301"]) == []
    (root / "svc/Dockerfile").write_text("FROM python:3.11\n")
    assert rows(root, cache_dir, select=["KER301"]) == [("svc/deep/train.py", 6, "KER301")]
    (root / "svc/Dockerfile").unlink()
    write_tree(root, {"Dockerfile": growth})  # a Dockerfile higher up covers the file too
    assert rows(root, cache_dir, select=["KER301"]) == []


def test_enabling_growth_in_the_import_graph_invalidates_library_modules(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = write_tree(
        tmp_path / "project",
        {"lib.py": TF_LIBRARY, "gpu.py": GPU_SETUP, "setup_all.py": "import gpu\nimport lib\n"},
    )
    assert rows(root, cache_dir, select=["KER301"]) == []
    (root / "gpu.py").write_text("x = 1\n")
    assert rows(root, cache_dir, select=["KER301"]) == [("lib.py", 8, "KER301")]


def test_a_new_program_calling_a_library_moves_the_finding_to_it(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = write_tree(tmp_path / "project", {"lib.py": TF_LIBRARY})
    assert rows(root, cache_dir, select=["KER301"]) == [("lib.py", 8, "KER301")]
    write_tree(root, {"run.py": "from lib import train\n\ntrain()\n"})
    assert rows(root, cache_dir, select=["KER301"]) == [("run.py", 3, "KER301")]
    (root / "run.py").unlink()
    assert rows(root, cache_dir, select=["KER301"]) == [("lib.py", 8, "KER301")]


def test_named_files_see_changes_of_their_project(tmp_path: Path, cache_dir: Path) -> None:
    """pre-commit names the staged files: their helpers are found in the project all the same."""
    root = write_tree(
        tmp_path / "project",
        {
            "pyproject.toml": "",
            "lib/__init__.py": "",
            "lib/builders.py": BUILDERS,
            "app/run.py": USES_BUILDERS.format(module="lib.builders"),
        },
    )
    named = [str(root / "app/run.py")]
    lint = lambda: lint_paths(named, select=["KER101"], cache_dir=cache_dir)  # noqa: E731
    assert [f.line for f in lint().findings] == [5]
    assert [f.line for f in lint().findings] == [5]
    (root / "lib/builders.py").write_text(BUILDERS_UNCOMPILED)
    assert [f.line for f in lint().findings] == [4, 5]


def test_changing_select_or_ignore_invalidates(tmp_path: Path, cache_dir: Path) -> None:
    root = project_tree(tmp_path / "project")
    for options in ({"select": ["KER201"]}, {}, {"ignore": ["KER1", "KER001"]}, {}):
        uncached = lint_paths([root], **options)
        same_result(uncached, lint_paths([root], cache_dir=cache_dir, **options))


def test_per_file_ignores_apply_after_the_cache(
    tmp_path: Path, cache_dir: Path, linted: list[str]
) -> None:
    root = project_tree(tmp_path / "project")
    lint_paths([root], cache_dir=cache_dir)
    settings = Settings(root=root, per_file_ignores={"app*/*.py": ["KER101"], "*.ipynb": ["KER2"]})
    uncached = lint_paths([root], settings=settings)
    linted.clear()
    same_result(uncached, lint_paths([root], settings=settings, cache_dir=cache_dir))
    assert linted == []


@pytest.mark.parametrize("change", ["version", "code", "python or a library"])
def test_another_version_or_code_of_keras_lint_or_its_runtime_invalidates(
    change: str,
    tmp_path: Path,
    cache_dir: Path,
    linted: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = project_tree(tmp_path / "project")
    lint_paths([root], cache_dir=cache_dir)
    first = list(linted)
    if change == "version":
        monkeypatch.setattr(engine, "__version__", "99.0")
    elif change == "code":
        monkeypatch.setattr(engine, "code_digest", lambda: "an edited checkout")
    else:
        monkeypatch.setattr(engine, "runtime_versions", lambda: ["cpython", "3.99"])
    linted.clear()
    lint_paths([root], cache_dir=cache_dir)
    assert linted == first


# -- problems with the cache: a warning, never another result ------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"findings": 3}',
        b"\x80\x04\x95 a pickle",
        "truncated",
        "wrong finding",
    ],
)
def test_a_corrupt_entry_is_a_warning_and_the_file_is_linted_again(
    damage: bytes | str, tmp_path: Path, cache_dir: Path, linted: list[str]
) -> None:
    root = project_tree(tmp_path / "project")
    uncached = lint_paths([root])
    lint_paths([root], cache_dir=cache_dir)
    for entry in entries(cache_dir):
        data = entry.read_bytes()
        if damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "wrong finding":
            document = json.loads(data)
            document["findings"] = [{"path": 1}]
            entry.write_text(json.dumps(document))
        else:
            assert isinstance(damage, bytes)
            entry.write_bytes(damage)
    linted.clear()
    damaged = lint_paths([root], cache_dir=cache_dir)
    assert damaged.findings == uncached.findings
    assert damaged.errors == uncached.errors
    assert damaged.warnings[:-1] == uncached.warnings
    first = re.escape(str(cache_dir / SCHEMA))
    expected = rf"cache: ignored {len(linted)} unreadable entries \(first: {first}/.+\)"
    assert re.fullmatch(expected, damaged.warnings[-1])
    # the entries were written anew
    linted.clear()
    same_result(uncached, lint_paths([root], cache_dir=cache_dir))
    assert linted == []


def test_an_unwritable_cache_is_a_warning(tmp_path: Path, linted: list[str]) -> None:
    root = project_tree(tmp_path / "project")
    uncached = lint_paths([root])
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    result = lint_paths([root], cache_dir=blocked)
    assert result.findings == uncached.findings and result.errors == uncached.errors
    assert result.warnings == [
        *uncached.warnings,
        f"cache: cannot write to {blocked}: File exists; results were not cached",
    ]
    assert blocked.read_text() == "not a folder"


def test_an_unreadable_entry_is_a_warning(tmp_path: Path, cache_dir: Path) -> None:
    root = write_tree(tmp_path / "project", {"a.py": "def f(:\n"})
    lint_paths([root], cache_dir=cache_dir)
    [entry] = entries(cache_dir)
    entry.unlink()
    entry.mkdir()  # reading it fails; writing the entry fails too
    result = lint_paths([root], cache_dir=cache_dir)
    assert [f.code for f in result.findings] == ["KER001"]
    assert result.warnings[0].startswith(f"cache: ignored 1 unreadable entry (first: {entry}: ")
    assert result.warnings[1].startswith(f"cache: cannot write to {cache_dir}: ")


# -- what the cache holds and where it writes -----------------------------------------------------


def test_the_cache_holds_json_entries_a_tag_and_a_gitignore(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = project_tree(tmp_path / "project")
    checked = lint_paths([root], cache_dir=cache_dir).files_checked
    files = sorted(path for path in cache_dir.rglob("*") if path.is_file())
    tag = (cache_dir / "CACHEDIR.TAG").read_text()
    assert tag.startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    assert set(files) == {cache_dir / "CACHEDIR.TAG", cache_dir / ".gitignore", *entries(cache_dir)}
    assert len(entries(cache_dir)) == checked - 4  # one per file but the 4 Dockerfiles
    for entry in entries(cache_dir):
        data = entry.read_bytes()
        assert not data.startswith(b"\x80")  # never a pickle
        assert set(json.loads(data)) == {
            "fingerprint", "key", "digest", "asked", "findings", "warnings"
        }  # fmt: skip


def test_the_runtime_versions_name_python_and_the_source_readers() -> None:
    versions = runtime_versions()
    assert versions[:2] == [sys.implementation.name, sys.version]
    assert "?" not in versions
    assert versions[-1].startswith("nbformat-")


def test_no_cache_dir_writes_nothing(tmp_path: Path) -> None:
    root = project_tree(tmp_path / "project")
    before = sorted(tmp_path.rglob("*"))
    lint_paths([root])
    assert sorted(tmp_path.rglob("*")) == before


def test_odd_linted_paths_never_lead_writes_outside_the_cache(
    tmp_path: Path, cache_dir: Path
) -> None:
    root = write_tree(tmp_path / "project", {"sub/a.py": "def f(:\n", "b.py": "x = 1\n"})
    (root / "link.py").symlink_to(root / "sub/a.py")
    before = set(tmp_path.rglob("*"))
    named = [f"{root}/sub/../sub/a.py", str(root / "link.py"), f"{root}/sub/.."]
    lint_paths(named, cache_dir=cache_dir)
    new = set(tmp_path.rglob("*")) - before
    assert new and all(path == cache_dir or cache_dir in path.parents for path in new)


def test_a_symlinked_entry_is_replaced_not_followed(tmp_path: Path, cache_dir: Path) -> None:
    root = write_tree(tmp_path / "project", {"a.py": "def f(:\n"})
    lint_paths([root], cache_dir=cache_dir)
    [entry] = entries(cache_dir)
    outside = tmp_path / "outside.json"
    outside.write_text("precious")
    entry.unlink()
    entry.symlink_to(outside)
    result = lint_paths([root], cache_dir=cache_dir)
    assert [f.code for f in result.findings] == ["KER001"]
    assert result.warnings[0].startswith("cache: ignored 1 unreadable entry")
    assert outside.read_text() == "precious"
    assert not entry.is_symlink() and json.loads(entry.read_text())["findings"]


def test_a_symlinked_cache_folder_is_not_written_through(tmp_path: Path, cache_dir: Path) -> None:
    root = write_tree(tmp_path / "project", {"a.py": "def f(:\n"})
    lint_paths([root], cache_dir=cache_dir)
    [entry] = entries(cache_dir)
    shard = entry.parent
    for child in shard.iterdir():
        child.unlink()
    shard.rmdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    shard.symlink_to(outside, target_is_directory=True)
    result = lint_paths([root], cache_dir=cache_dir)
    assert [f.code for f in result.findings] == ["KER001"]
    assert result.warnings == [
        f"cache: cannot write to {cache_dir}: not a folder (a symbolic link?); "
        "results were not cached"
    ]
    assert list(outside.iterdir()) == []


def _write_many(folder: str, worker: int) -> None:
    cache = ResultCache(Path(folder), "run")
    key = EntryKey("a.py", "python")
    for round_ in range(300):
        message = f"worker {worker} round {round_} " + "x" * (worker * 5000)
        finding = Finding("a.py", 1, 1, 1, 1, "KER101", "name", message)
        cache.save(key, CachedResult("digest", [], [finding], []))
    assert cache.warnings() == []


def test_concurrent_writers_never_leave_half_an_entry(cache_dir: Path) -> None:
    cache = ResultCache(cache_dir, "run")
    key = EntryKey("a.py", "python")
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    writers = [context.Process(target=_write_many, args=(str(cache_dir), n)) for n in (1, 2)]
    for writer in writers:
        writer.start()
    while any(writer.is_alive() for writer in writers):
        result = cache.load(key)
        if result is not None:
            assert result.findings[0].message.startswith("worker ")
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert cache.warnings() == []
    assert cache.load(key) is not None
    assert [path.name for path in cache_dir.rglob("*.tmp")] == []


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = project_tree(tmp_path / "project")
    (root / "pyproject.toml").write_text('[tool.keras-lint]\nignore = ["KER3"]\n')
    monkeypatch.chdir(root / "app0")
    return root


def test_the_default_cache_is_in_the_folder_of_the_configuration(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([".."]) == 1
    cold = capsys.readouterr()
    assert (project / CACHE_DIR_NAME / "CACHEDIR.TAG").is_file()
    assert not (project / "app0" / CACHE_DIR_NAME).exists()
    assert main([".."]) == 1
    assert capsys.readouterr() == cold


def test_without_configuration_the_cache_is_in_the_current_folder(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--isolated", "."]) == 1
    assert (project / "app0" / CACHE_DIR_NAME / "CACHEDIR.TAG").is_file()


def test_cache_dir_option_puts_the_cache_there(project: Path, tmp_path: Path) -> None:
    assert main(["--cache-dir", str(tmp_path / "elsewhere"), ".."]) == 1
    assert (tmp_path / "elsewhere" / "CACHEDIR.TAG").is_file()
    assert not (project / CACHE_DIR_NAME).exists()


def test_no_cache_option_writes_nothing(project: Path, tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    assert main(["--no-cache", ".."]) == 1
    assert main(["--no-cache", "--cache-dir", str(tmp_path / "elsewhere"), ".."]) == 1
    assert sorted(tmp_path.rglob("*")) == before


def test_the_cache_folder_is_never_linted(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(project, {f"{CACHE_DIR_NAME}/stray.py": "def f(:\n"})
    assert main([".."]) == 1
    assert "stray.py" not in capsys.readouterr().out


def test_cache_warnings_go_to_stderr_and_do_not_change_the_exit_status(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--no-cache", ".."]) == 1
    uncached = capsys.readouterr()
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert main(["--cache-dir", str(blocked), ".."]) == 1
    cached = capsys.readouterr()
    assert cached.out == uncached.out
    assert cached.err == uncached.err + (
        f"keras-lint: warning: cache: cannot write to {blocked}: File exists;"
        " results were not cached\n"
    )
