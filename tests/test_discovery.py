"""Which files are linted under the given paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keras_lint.discovery import PROJECT_MARKERS, discover, project_root
from keras_lint.patterns import PathPatterns
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


def test_tool_build_and_installed_package_folders_are_skipped(tmp_path: Path) -> None:
    excluded = [".git", ".venv", "venv", "__pycache__", "node_modules", "build", "dist",
                ".ipynb_checkpoints", ".tox", ".mypy_cache", "lib/site-packages",
                "usr/lib/python3/dist-packages"]  # fmt: skip
    touch(tmp_path, "keep.py", "lib/keep.py", *(f"{d}/x.py" for d in excluded))
    assert names(tmp_path, discover([tmp_path]).files) == ["keep.py", "lib/keep.py"]


def test_python_environments_of_any_name_are_skipped_in_walks(tmp_path: Path) -> None:
    touch(
        tmp_path, "train.py", "env/pyvenv.cfg", "env/bin/tool.py",
        "env/lib/python3.11/site-packages/pkg/mod.py", "py311/conda-meta/history",
        "py311/lib/python3.11/site-packages/pkg/mod.py", "py311/bin/tool.py",
        "src/pyvenv_cfg.py",
    )  # fmt: skip
    assert names(tmp_path, discover([tmp_path]).files) == ["src/pyvenv_cfg.py", "train.py"]
    # named, they are linted; an installed package's folder is then skipped unless named too
    assert names(tmp_path, discover([tmp_path / "env", tmp_path / "py311"]).files) == [
        "env/bin/tool.py", "py311/bin/tool.py"
    ]  # fmt: skip
    site = tmp_path / "env/lib/python3.11/site-packages"
    assert names(tmp_path, discover([site]).files) == [
        "env/lib/python3.11/site-packages/pkg/mod.py"
    ]
    assert names(tmp_path, discover([site / "pkg"]).files) == [
        "env/lib/python3.11/site-packages/pkg/mod.py"
    ]


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
    notes = tmp_path / "notes.md"
    notes.write_text("# notes\n")
    config = tmp_path / "setup.cfg"
    config.write_text("[metadata]\n")
    script = tmp_path / "train"
    script.write_text("print('hi')\n")
    assert discover([notes, config, script]).files == [script]


def test_gitignored_files_and_folders_are_not_walked(tmp_path: Path) -> None:
    touch(tmp_path, "train.py", "out/run.py", "model_gen.py", "gen.py", "pkg/a.py", "pkg/b.py")
    (tmp_path / ".gitignore").write_text("out/\n*_gen.py\n")
    (tmp_path / "pkg/.gitignore").write_text("b.py\n")
    assert names(tmp_path, discover([tmp_path]).files) == ["gen.py", "pkg/a.py", "train.py"]


def test_a_deeper_gitignore_can_re_include_what_an_outer_one_ignores(tmp_path: Path) -> None:
    touch(tmp_path, "pkg/a_gen.py", "pkg/b_gen.py", "c_gen.py")
    (tmp_path / ".gitignore").write_text("*_gen.py\n")
    (tmp_path / "pkg/.gitignore").write_text("!a_gen.py\n")
    assert names(tmp_path, discover([tmp_path]).files) == ["pkg/a_gen.py"]


def test_gitignores_above_the_walked_folder_apply_inside_a_git_work_tree(tmp_path: Path) -> None:
    touch(tmp_path, "src/train.py", "src/scratch/try.py")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("scratch/\n")
    assert names(tmp_path, discover([tmp_path / "src"]).files) == ["src/train.py"]
    assert names(tmp_path, discover([tmp_path / "src"], respect_gitignore=False).files) == [
        "src/scratch/try.py",
        "src/train.py",
    ]


def test_a_named_folder_that_gitignore_ignores_is_walked_with_its_own_ignore_files(
    tmp_path: Path,
) -> None:
    touch(tmp_path, "venv311/lib/keras/a.py", "venv311/lib/keras/b.py", "venv311/tool.py")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("venv311/\n")
    (tmp_path / "venv311/lib/keras/.gitignore").write_text("b.py\n")
    assert names(tmp_path, discover([tmp_path]).files) == []
    assert names(tmp_path, discover([tmp_path / "venv311"]).files) == [
        "venv311/lib/keras/a.py", "venv311/tool.py"
    ]  # fmt: skip
    assert names(tmp_path, discover([tmp_path / "venv311/lib/keras"]).files) == [
        "venv311/lib/keras/a.py"
    ]
    forced = discover([tmp_path / "venv311"], force_exclude=True)
    assert names(tmp_path, forced.files) == []


def test_a_virtualenvs_own_gitignore_does_not_hide_a_named_package_in_it(tmp_path: Path) -> None:
    """``keras-lint keras`` run in a virtualenv's site-packages (virtualenv writes ``*`` in the
    environment's ``.gitignore``)."""
    site = tmp_path / ".venv/lib/python3.11/site-packages"
    touch(site, "keras/src/models.py", "keras/__init__.py")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".venv/.gitignore").write_text("*\n")
    assert names(site, discover([site / "keras"]).files) == [
        "keras/__init__.py", "keras/src/models.py"
    ]  # fmt: skip


def test_exclude_patterns_replace_the_default_folders(tmp_path: Path) -> None:
    touch(tmp_path, "build/gen.py", "legacy/old.py", "train.py")
    found = discover([tmp_path], exclude=PathPatterns(tmp_path, ["legacy/"]))
    assert names(tmp_path, found.files) == ["build/gen.py", "train.py"]


def test_force_exclude_applies_the_patterns_to_named_files(tmp_path: Path) -> None:
    touch(tmp_path, "build/gen.py", "train.py")
    named = [tmp_path / "build/gen.py", tmp_path / "train.py", tmp_path / "build"]
    exclude = PathPatterns(tmp_path, ["build"])
    assert names(tmp_path, discover(named, exclude=exclude).files) == ["build/gen.py", "train.py"]
    forced = discover(named, exclude=exclude, force_exclude=True)
    assert names(tmp_path, forced.files) == ["train.py"]


# -- Compose files and Kubernetes manifests -------------------------------------------------

MANIFEST = "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: python}]\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def test_compose_files_are_found_by_name_in_folder_walks(tmp_path: Path) -> None:
    compose = "services:\n  web:\n    image: redis\n"
    names_found = [
        "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
        "compose.override.yaml", "docker-compose.override.yml", "docker-compose.gpu.yml",
        "docker-compose-ci.yaml", "deploy/compose.prod.yml",
    ]  # fmt: skip
    others = ["composer.yml", "my-compose.yml", "docker-compose.yml.bak", "compose.json"]
    write(tmp_path, {name: compose for name in names_found + others})
    assert sorted(names(tmp_path, discover([tmp_path]).files)) == sorted(names_found)


def test_walked_yaml_is_linted_only_when_it_looks_like_a_manifest(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "k8s/pod.yaml": MANIFEST,
            "k8s/multi.yml": "# two objects\n---\n" + MANIFEST + "---\n" + MANIFEST,
            "k8s/bom.yaml": "\ufeff" + MANIFEST,
            "k8s/indented.yaml": "  apiVersion: v1\n  kind: Pod\n",
            "k8s/no-kind.yaml": "apiVersion: v1\nmetadata: {}\n",
            ".github/workflows/ci.yml": "on: push\njobs: {}\n",
            "environment.yml": "name: train\ndependencies: [python=3.11]\n",
            "config.yaml": "kind: experiment\nlr: 0.1\n",
        },
    )
    assert names(tmp_path, discover([tmp_path]).files) == [
        "k8s/bom.yaml", "k8s/multi.yml", "k8s/pod.yaml",
    ]  # fmt: skip


def test_explicit_yaml_file_is_linted_whatever_its_text(tmp_path: Path) -> None:
    write(tmp_path, {"values.yaml": "replicas: 2\n", "pod.YML": MANIFEST})
    found = discover([tmp_path / "values.yaml", tmp_path / "pod.YML"])
    assert names(tmp_path, found.files) == ["values.yaml", "pod.YML"]


def test_unreadable_yaml_in_a_walk_is_skipped(tmp_path: Path) -> None:
    write(tmp_path, {"pod.yaml": MANIFEST})
    os.mkfifo(tmp_path / "pipe.yaml")  # reading it would block: only plain files are read
    os.symlink(tmp_path / "gone.yaml", tmp_path / "dangling.yaml")
    assert names(tmp_path, discover([tmp_path]).files) == ["pod.yaml"]


def test_a_named_script_with_a_python_shebang_is_python_whatever_its_suffix(
    tmp_path: Path,
) -> None:
    (tmp_path / "train.v2").write_text("#!/usr/bin/env python3\nprint('train')\n")
    (tmp_path / "run.sh").write_text("#!/bin/sh\necho python\n")
    found = discover([tmp_path / "train.v2", tmp_path / "run.sh"])
    assert names(tmp_path, found.files) == ["train.v2"]


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


def test_project_root_is_the_outermost_package_without_a_marker(tmp_path: Path) -> None:
    # an unpacked package (a site-packages folder, a source archive) has no project marker
    touch(tmp_path, "top/__init__.py", "top/sub/__init__.py", "top/sub/deep/__init__.py",
          "top/sub/deep/train.py", "top/sub/loose/train.py", "top/script.py")  # fmt: skip
    if any((parent / marker).exists() for parent in tmp_path.parents for marker in PROJECT_MARKERS):
        pytest.skip("a folder above the temporary folder has a project marker")
    assert project_root(tmp_path / "top/sub/deep/train.py") == tmp_path / "top"
    assert project_root(tmp_path / "top/script.py") == tmp_path / "top"
    # a folder without __init__.py breaks the chain: the file's folder, as outside a package
    assert project_root(tmp_path / "top/sub/loose/train.py") == tmp_path / "top/sub/loose"


def test_project_root_of_a_relative_name_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path, ".flake8", "a/b.py")
    monkeypatch.chdir(tmp_path / "a")
    assert project_root("b.py") == tmp_path
    assert project_root("stdin") == tmp_path  # a name that is no file: its folder counts
    assert project_root("../a/./b.py") == tmp_path
