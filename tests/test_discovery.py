"""Which files are linted under the given paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keras_lint.discovery import PROJECT_MARKERS, discover, project_root
from keras_lint.selection import UsageError


def touch(root: Path, *names: str) -> None:
    for name in names:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("x = 1\n")


def names(root: Path, paths: list[Path]) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


def test_finds_python_notebooks_and_dockerfiles_in_sorted_order(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "b.py", "a.py", "nb.ipynb", "stub.pyi", "README.md", "setup.cfg",
        "Dockerfile", "gpu.Dockerfile", "cpu.dockerfile", "Dockerfile.dev", "Dockerfile-ci",
        "Containerfile", "Containerfile.gpu", "pkg/z.py",
    )  # fmt: skip
    assert names(tmp_path, discover([tmp_path]).files) == [
        "Containerfile", "Containerfile.gpu", "Dockerfile", "Dockerfile-ci", "Dockerfile.dev",
        "a.py", "b.py", "cpu.dockerfile", "gpu.Dockerfile", "nb.ipynb", "pkg/z.py",
    ]  # fmt: skip


def test_tool_and_build_folders_are_skipped_but_site_packages_is_not(tmp_path: Path) -> None:
    excluded = [".git", ".venv", "venv", "__pycache__", "node_modules", "build", "dist",
                ".ipynb_checkpoints", ".tox", ".mypy_cache"]  # fmt: skip
    touch(tmp_path, "keep.py", "lib/site-packages/mod.py", *(f"{d}/x.py" for d in excluded))
    assert names(tmp_path, discover([tmp_path]).files) == ["keep.py", "lib/site-packages/mod.py"]


def test_explicit_paths_are_linted_even_inside_excluded_folders(tmp_path: Path) -> None:
    touch(tmp_path, "build/gen.py", "build/sub/deep.py", "build/run_it")
    found = discover([tmp_path / "build/gen.py", tmp_path / "build", tmp_path / "build/run_it"])
    assert names(tmp_path, found.files) == ["build/gen.py", "build/sub/deep.py", "build/run_it"]


def test_a_path_given_twice_is_linted_once(tmp_path: Path) -> None:
    touch(tmp_path, "a.py")
    found = discover([tmp_path / "a.py", tmp_path, tmp_path / "." / "a.py"])
    assert names(tmp_path, found.files) == ["a.py"]


def test_missing_path_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="missing.py"):
        discover([tmp_path, tmp_path / "missing.py"])


def test_a_folder_named_like_a_python_file_is_walked(tmp_path: Path) -> None:
    touch(tmp_path, "odd.py/inner.py")
    assert names(tmp_path, discover([tmp_path]).files) == ["odd.py/inner.py"]


def test_symlink_loops_are_not_followed_forever(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/a.py")
    os.symlink(tmp_path, tmp_path / "pkg" / "loop", target_is_directory=True)
    os.symlink(tmp_path / "pkg" / "a.py", tmp_path / "alias.py")
    assert names(tmp_path, discover([tmp_path]).files) == ["alias.py"]


def test_unlistable_folder_is_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path, "a.py", "secret/b.py")
    real_scandir = os.scandir

    def scandir(path: os.PathLike[str]):  # type: ignore[no-untyped-def]
        if Path(path).name == "secret":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = discover([tmp_path])
    assert names(tmp_path, found.files) == ["a.py"]
    assert [(path.name, reason) for path, reason in found.unreadable] == [
        ("secret", "Permission denied")
    ]


def test_explicit_file_of_another_kind_is_skipped_not_parsed_as_python(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: redis:latest\n")
    script = tmp_path / "train"
    script.write_text("print('hi')\n")
    assert discover([compose, script]).files == [script]


# -- project root ---------------------------------------------------------------------------


@pytest.mark.parametrize("marker", PROJECT_MARKERS)
def test_project_root_is_the_nearest_folder_with_a_marker(tmp_path: Path, marker: str) -> None:
    touch(tmp_path, "setup.py", f"inner/{marker}", "inner/pkg/sub/train.py")
    assert project_root(tmp_path / "inner/pkg/sub/train.py") == tmp_path / "inner"
    assert project_root(tmp_path / "inner/train.py") == tmp_path / "inner"


def test_project_root_is_the_files_folder_without_a_marker(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/train.py")
    folder = tmp_path / "pkg"
    if any((parent / marker).exists() for parent in folder.parents for marker in PROJECT_MARKERS):
        pytest.skip("a folder above the temporary folder has a project marker")
    assert project_root(folder / "train.py") == folder


def test_project_root_of_a_relative_name_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path, ".flake8", "a/b.py")
    monkeypatch.chdir(tmp_path / "a")
    assert project_root("b.py") == tmp_path
    assert project_root("stdin") == tmp_path  # a name that is no file: its folder counts
    assert project_root("../a/./b.py") == tmp_path
