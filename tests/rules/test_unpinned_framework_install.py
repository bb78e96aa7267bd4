"""KER402 unpinned-framework-install: frameworks installed in a container without a version."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from keras_lint.engine import lint_paths


def lint(tmp_path: Path, dockerfile: str, **files: str) -> list[tuple[str, int, str]]:
    (tmp_path / "Dockerfile").write_text(textwrap.dedent(dockerfile))
    for name, text in files.items():
        path = tmp_path / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    result = lint_paths([tmp_path], select=["KER402"])
    assert result.errors == []
    return [(Path(f.path).name, f.line, f.code) for f in result.findings]


BAD = {
    "pip": ("FROM python:3.11\nRUN pip install tensorflow\n", {}),
    "pip3 with flags": ("FROM python:3.11\nRUN pip3 install --no-cache-dir -U torch\n", {}),
    "python -m pip": ("FROM python:3.11\nRUN python3 -m pip install 'jax[cuda12]'\n", {}),
    "lower bound only": ("FROM python:3.11\nRUN pip install 'keras>=3'\n", {}),
    "not-equal only": ("FROM python:3.11\nRUN pip install 'tensorflow!=2.15.0'\n", {}),
    "uv pip": ("FROM python:3.11\nRUN uv pip install --system tf-keras\n", {}),
    "conda pytorch": ("FROM continuumio/miniconda3:24.1.2-0\nRUN conda install -y pytorch\n", {}),
    "micromamba": (
        "FROM mambaorg/micromamba:1.5.8\nRUN micromamba install -y -n base -c conda-forge jax\n",
        {},
    ),
    "mamba after apt": (
        "FROM x:1\nRUN apt-get update && mamba install -y tensorflow-gpu && rm -rf /tmp/*\n",
        {},
    ),
    "continued lines": ("FROM x:1\nRUN pip install \\\n    numpy==1.26.4 \\\n    jaxlib\n", {}),
    "exec form": ('FROM x:1\nRUN ["pip", "install", "tf-nightly"]\n', {}),
    "tensorflow-cpu": ("FROM x:1\nRUN pip install tensorflow-cpu\n", {}),
}


@pytest.mark.parametrize(("dockerfile", "files"), BAD.values(), ids=BAD.keys())
def test_unpinned_install_on_the_run_line_is_reported(
    tmp_path: Path, dockerfile: str, files: dict[str, str]
) -> None:
    assert lint(tmp_path, dockerfile, **files) == [("Dockerfile", 2, "KER402")]


def test_one_finding_per_package(tmp_path: Path) -> None:
    found = lint(tmp_path, "FROM x:1\nRUN pip install tensorflow keras tensorflow\n")
    assert found == [("Dockerfile", 2, "KER402")] * 2


REQUIREMENTS_BAD = {
    "copied requirements": (
        "FROM x:1\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "numpy==1.26.4\ntensorflow  # the framework\n"},
        ("requirements.txt", 2),
    ),
    "absolute path": (
        "FROM x:1\nCOPY requirements.txt /tmp/req.txt\nRUN pip install -r /tmp/req.txt\n",
        {"requirements.txt": "torch>=2\n"},
        ("requirements.txt", 1),
    ),
    "whole context copied": (
        "FROM x:1\nWORKDIR /src\nCOPY . .\nRUN pip install -r reqs/train.txt\n",
        {"reqs__train.txt": "-r base.txt\n", "reqs__base.txt": "keras\n"},
        ("base.txt", 1),
    ),
    "environment.yml": (
        "FROM x:1\nCOPY environment.yml /env.yml\nRUN conda env create -f /env.yml\n",
        {"environment.yml": "dependencies:\n  - python=3.11\n  - pip:\n    - tensorflow\n"},
        ("environment.yml", 4),
    ),
    "glob copy": (
        "FROM x:1\nCOPY requirements*.txt /app/\nRUN pip install -r /app/requirements-gpu.txt\n",
        {"requirements-gpu.txt": "jax\n"},
        ("requirements-gpu.txt", 1),
    ),
}


@pytest.mark.parametrize(
    ("dockerfile", "files", "where"), REQUIREMENTS_BAD.values(), ids=REQUIREMENTS_BAD.keys()
)
def test_unpinned_requirement_is_reported_at_its_line(
    tmp_path: Path, dockerfile: str, files: dict[str, str], where: tuple[str, int]
) -> None:
    assert lint(tmp_path, dockerfile, **files) == [(*where, "KER402")]


GOOD = {
    "==": ("FROM x:1\nRUN pip install tensorflow==2.16.1 keras==3.3.3\n", {}),
    "== wildcard": ("FROM x:1\nRUN pip install 'tensorflow==2.16.*'\n", {}),
    "~=": ("FROM x:1\nRUN pip install 'torch~=2.3.0'\n", {}),
    "<": ("FROM x:1\nRUN pip install 'keras<3'\n", {}),
    "ARG version": (
        "FROM x:1\nARG TF_VERSION=2.16.1\nRUN pip install tensorflow==${TF_VERSION}\n",
        {},
    ),
    "constraints option": ("FROM x:1\nRUN pip install -c constraints.txt tensorflow\n", {}),
    "PIP_CONSTRAINT env": ("FROM x:1\nENV PIP_CONSTRAINT=/c.txt\nRUN pip install tensorflow\n", {}),
    "conda = pin": ("FROM x:1\nRUN conda install -y pytorch=2.3 tensorflow==2.15\n", {}),
    "micromamba pinned": ("FROM x:1\nRUN micromamba install -y jax=0.4.30\n", {}),
    "uv pinned": ("FROM x:1\nRUN uv pip install --system 'jax[cuda12]==0.4.30'\n", {}),
    "other packages": (
        "FROM x:1\nRUN pip install numpy pandas keras-tuner tensorflow-datasets\n",
        {},
    ),
    "pinned requirements": (
        "FROM x:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "tensorflow==2.16.1\ntorch @ https://x.org/torch-2.3.0-cp311.whl\n"},
    ),
    "hashes": (
        "FROM x:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "tensorflow --hash=sha256:abc\n"},
    ),
    "constraints file in requirements": (
        "FROM x:1\nCOPY . .\nRUN pip install -r requirements.txt\n",
        {
            "requirements.txt": "-c constraints.txt\ntensorflow\n",
            "constraints.txt": "tensorflow==2.16.1\n",
        },
    ),
    "conda lock file": (
        "FROM x:1\nCOPY conda-lock.txt .\nRUN conda install --file conda-lock.txt\n",
        {"conda-lock.txt": "@EXPLICIT\nhttps://conda.anaconda.org/pytorch-2.3.0.tar.bz2\n"},
    ),
    "multi-stage, pinned in the last stage": (
        "FROM python:3.11 AS build\nRUN pip wheel tensorflow -w /w\n"
        "FROM python:3.11\nCOPY --from=build /w /w\nRUN pip install tensorflow==2.16.1\n",
        {},
    ),
    "copied from another stage": (
        "FROM x:1 AS deps\nCOPY requirements.txt .\nFROM x:1\n"
        "COPY --from=deps /requirements.txt /r.txt\nRUN pip install -r /r.txt\n",
        {"requirements.txt": "tensorflow\n"},
    ),
    "file missing from the context": (
        "FROM x:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        {},
    ),
    "variable package list": ("FROM x:1\nARG PKGS\nRUN pip install $PKGS\n", {}),
    "pip download is not an install": ("FROM x:1\nRUN pip download tensorflow\n", {}),
    "noqa in requirements": (
        "FROM x:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "tensorflow  # noqa: KER402\n"},
    ),
}


@pytest.mark.parametrize(("dockerfile", "files"), GOOD.values(), ids=GOOD.keys())
def test_pinned_or_unknown_installs_are_fine(
    tmp_path: Path, dockerfile: str, files: dict[str, str]
) -> None:
    assert lint(tmp_path, dockerfile, **files) == []


def test_pragma_above_the_run_line(tmp_path: Path) -> None:
    dockerfile = "FROM x:1\n# keras-lint: ignore=KER402\nRUN pip install tensorflow\n"
    assert lint(tmp_path, dockerfile) == []


def test_include_cycle_ends(tmp_path: Path) -> None:
    files = {"a.txt": "-r b.txt\ntorch\n", "b.txt": "-r a.txt\n"}
    dockerfile = "FROM x:1\nCOPY . .\nRUN pip install -r a.txt\n"
    assert lint(tmp_path, dockerfile, **files) == [("a.txt", 2, "KER402")]


def test_unparsable_requirement_is_a_parse_error_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM x:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    (tmp_path / "requirements.txt").write_text("numpy==1.26.4\ntensorflow>=>2\n")
    result = lint_paths([tmp_path], select=["KER402"])
    assert [(Path(f.path).name, f.line, f.code) for f in result.findings] == [
        ("requirements.txt", 2, "KER001")
    ]


def test_undecodable_requirements_file_is_a_parse_error(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM x:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    (tmp_path / "requirements.txt").write_bytes(b"tensorflow\xff\xfe\n")
    result = lint_paths([tmp_path], select=["KER402"])
    assert [(Path(f.path).name, f.code) for f in result.findings] == [
        ("requirements.txt", "KER001")
    ]


def test_other_rules_selected_do_not_read_the_context(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "FROM x:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    (tmp_path / "requirements.txt").write_text("tensorflow>=>2\n")
    assert lint_paths([tmp_path], select=["KER401"]).findings == []


def test_dockerfile_in_a_subfolder_reads_the_repository_context(tmp_path: Path) -> None:
    os.makedirs(tmp_path / ".git")
    (tmp_path / "docker").mkdir()
    (tmp_path / "requirements.txt").write_text("tensorflow\n")
    (tmp_path / "docker" / "Dockerfile").write_text(
        "FROM x:1\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
    )
    result = lint_paths([tmp_path], select=["KER402"])
    assert [(Path(f.path).name, f.line) for f in result.findings] == [("requirements.txt", 1)]
