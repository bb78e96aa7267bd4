"""The Dockerfile loader: names, FROM facts, ARG substitution, ENV values, robustness."""

from __future__ import annotations

import os
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_lint.sources.dockerfile import (
    DockerfileError,
    DockerfileFacts,
    load_dockerfile,
)
from keras_lint.sources.kinds import is_dockerfile_name


def load(text: str) -> DockerfileFacts:
    return load_dockerfile("Dockerfile", textwrap.dedent(text))


def images(text: str) -> list[str]:
    return [instruction.image for instruction in load(text).from_instructions]


@pytest.mark.parametrize(
    "name",
    [
        "Dockerfile",
        "Containerfile",
        "train.Dockerfile",
        "gpu.dockerfile",
        "Dockerfile.gpu",
        "Dockerfile-cuda12",
        "Containerfile.dev",
        "docker/Dockerfile",
        "project/images/Dockerfile.train",
        "C:\\project\\Dockerfile",
    ],
)
def test_dockerfile_names_are_recognised(name: str) -> None:
    assert is_dockerfile_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "train.py",
        "Dockerfile.dockerignore",
        ".dockerignore",
        "docker-compose.yml",
        "Dockerfiles/train.py",
        "MyDockerfile",
        "Dockerfile.",
        ".Dockerfile",
        "requirements.txt",
    ],
)
def test_other_names_are_not_dockerfiles(name: str) -> None:
    assert not is_dockerfile_name(name)


def test_from_facts_carry_positions_stage_and_platform() -> None:
    facts = load(
        """\
        # syntax=docker/dockerfile:1
        FROM --platform=$BUILDPLATFORM python:3.11-slim AS build
        RUN pip wheel -r requirements.txt -w /wheels

          from build
        """
    )
    first, second = facts.from_instructions
    assert (first.line, first.end_line, first.column) == (2, 2, 1)
    assert first.end_column == len("FROM --platform=$BUILDPLATFORM python:3.11-slim AS build") + 1
    assert first.image == "python:3.11-slim"
    assert first.platform == "$BUILDPLATFORM"
    assert first.stage == "build"
    assert not first.unresolved
    assert first.value == "--platform=$BUILDPLATFORM python:3.11-slim AS build"
    assert (second.line, second.column, second.image, second.stage) == (5, 3, "build", None)


def test_continued_from_spans_its_lines() -> None:
    facts = load(
        """\
        FROM \\
            nvidia/cuda:12.2.0-cudnn8-runtime-ubuntu22.04 \\
            AS runtime
        """
    )
    (instruction,) = facts.from_instructions
    assert (instruction.line, instruction.end_line) == (1, 3)
    assert instruction.image == "nvidia/cuda:12.2.0-cudnn8-runtime-ubuntu22.04"
    assert instruction.stage == "runtime"


def test_lowercase_instructions_and_alias_keyword() -> None:
    facts = load("from python:3.12 as Base\narg X=1\nenv MODE=train\n")
    (instruction,) = facts.from_instructions
    assert (instruction.image, instruction.stage) == ("python:3.12", "Base")
    assert facts.env == {"MODE": "train"}


def test_global_arg_defaults_are_substituted_in_from() -> None:
    assert images(
        """\
        ARG TF_VERSION=2.15.0
        ARG VARIANT="gpu"
        FROM tensorflow/tensorflow:${TF_VERSION}-$VARIANT
        """
    ) == ["tensorflow/tensorflow:2.15.0-gpu"]


def test_global_arg_may_use_an_earlier_global_arg() -> None:
    assert images(
        """\
        ARG CUDA=12.2.0
        ARG BASE=nvidia/cuda:${CUDA}-runtime-ubuntu22.04
        FROM $BASE
        """
    ) == ["nvidia/cuda:12.2.0-runtime-ubuntu22.04"]


def test_args_declared_inside_a_stage_do_not_reach_later_from_lines() -> None:
    facts = load(
        """\
        FROM python:3.11 AS build
        ARG TAG=3.12
        FROM python:$TAG
        """
    )
    last = facts.from_instructions[-1]
    assert last.unresolved
    assert last.image == "python:$TAG"


@pytest.mark.parametrize(
    ("header", "reference", "expected", "unresolved"),
    [
        ("", "img:${TAG:-1.4}", "img:1.4", False),
        ("ARG TAG=2.0\n", "img:${TAG:-1.4}", "img:2.0", False),
        ("ARG TAG=\n", "img:${TAG:-1.4}", "img:1.4", False),
        ("ARG TAG=\n", "img:${TAG-1.4}", "img:", False),
        ("ARG TAG\n", "img:${TAG:-latest}", "img:latest", False),
        ("ARG TAG=2.0\n", "img${TAG:+:pinned}", "img:pinned", False),
        ("", "img${TAG:+:pinned}", "img", False),
        ("ARG TAG\n", "img:$TAG", "img:$TAG", True),
        ("", "img:${TAG}", "img:${TAG}", True),
        ("", "img:${TAG:?required}", "img:${TAG:?required}", True),
        ("ARG TAG=2.0\n", "img:${TAG%.0}", "img:${TAG%.0}", True),
        ("ARG D=3.1\n", "img:${TAG:-${D}}", "img:3.1", False),
        ("", "img:${TAG", "img:${TAG", True),
        ("", "img:'$TAG'", "img:$TAG", False),
        ("", "img:\\$TAG", "img:$TAG", False),
        ("", '"python:3.11"', "python:3.11", False),
    ],
)
def test_variable_forms(header: str, reference: str, expected: str, unresolved: bool) -> None:
    (instruction,) = load(f"{header}FROM {reference}\n").from_instructions
    assert (instruction.image, instruction.unresolved) == (expected, unresolved)


def test_self_referencing_arg_neither_loops_nor_resolves() -> None:
    facts = load("ARG A=${A}\nARG B=$B$B\nFROM img:${A}\nFROM img:$B\n")
    assert [i.unresolved for i in facts.from_instructions] == [True, True]


def test_deeply_nested_defaults_do_not_recurse_without_bound() -> None:
    nested = "${A:-" * 3000 + "1.0" + "}" * 3000
    (instruction,) = load(f"ARG X={nested}\nFROM img:$X\n").from_instructions
    assert instruction.unresolved


def test_env_values_later_wins_and_both_syntaxes() -> None:
    facts = load(
        """\
        FROM python:3.11 AS build
        ENV TF_FORCE_GPU_ALLOW_GROWTH=false
        FROM tensorflow/tensorflow:2.16.1-gpu
        ARG GROWTH=true
        ENV TF_FORCE_GPU_ALLOW_GROWTH=$GROWTH \\
            PYTHONUNBUFFERED=1
        ENV MODEL_DIR /models/mnist
        ENV TAGLINE="fit fast"
        """
    )
    assert facts.env == {
        "TF_FORCE_GPU_ALLOW_GROWTH": "true",
        "PYTHONUNBUFFERED": "1",
        "MODEL_DIR": "/models/mnist",
        "TAGLINE": "fit fast",
    }


def test_env_keeps_unknown_variables_as_written() -> None:
    facts = load("FROM python:3.11\nENV PATH=/opt/venv/bin:$PATH\n")
    assert facts.env == {"PATH": "/opt/venv/bin:$PATH"}


def test_heredoc_bodies_are_not_instructions() -> None:
    facts = load(
        """\
        # syntax=docker/dockerfile:1
        FROM python:3.11
        RUN <<EOF
        from tensorflow import keras
        ENV NOT_AN_ENV=1
        EOF
        RUN python - <<-'PY'
        \tfrom keras import layers
        \tPY
        COPY <<config.ini /etc/app.ini
        FROM nowhere
        config.ini
        ENV AFTER=1
        """
    )
    assert [i.image for i in facts.from_instructions] == ["python:3.11"]
    assert facts.env == {"AFTER": "1"}


def test_here_string_is_not_a_heredoc() -> None:
    facts = load('FROM python:3.11\nRUN cat <<< "EOF"\nENV AFTER=1\n')
    assert facts.env == {"AFTER": "1"}


def test_crlf_and_byte_order_mark() -> None:
    facts = load_dockerfile(
        "Dockerfile", "\ufeff# comment\r\nFROM python:3.11 \\\r\n  AS base\r\nENV A=1\r\n"
    )
    (instruction,) = facts.from_instructions
    assert (instruction.line, instruction.end_line, instruction.image) == (2, 3, "python:3.11")
    assert instruction.stage == "base"
    assert facts.env == {"A": "1"}


def test_escape_directive_changes_the_continuation_character() -> None:
    facts = load("# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022 `\n  AS win\n")
    (instruction,) = facts.from_instructions
    assert instruction.image == "mcr.microsoft.com/windows/servercore:ltsc2022"
    assert instruction.stage == "win"


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "# only\n# comments\n", "   \n\t\n", "FROM", "\\", "ARG\n", "ENV\n", "x" * 10000],
)
def test_degenerate_files_do_not_crash(text: str) -> None:
    facts = load_dockerfile("Dockerfile", text)
    assert facts.from_instructions == []
    assert facts.text == text


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("FROM python:3\n\x00\x01\x02\xff", 2),
        ("FROM python:3.11\nENV A=1 B\n", 2),
        ("FROM\n", 1),
        ("FROM --platform=linux/amd64\n", 1),
        ("ARG =x\nFROM python:3.11\n", 1),
    ],
)
def test_unreadable_dockerfiles_raise_dockerfile_error(text: str, line: int) -> None:
    with pytest.raises(DockerfileError) as raised:
        load_dockerfile("Dockerfile", text)
    assert raised.value.line == line
    assert raised.value.message


def test_loading_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    load_dockerfile("Dockerfile", "FROM python:3.11\nENV A=1\n")
    assert os.listdir(tmp_path) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                [
                    "FROM ",
                    "from ",
                    "ARG ",
                    "ENV ",
                    "RUN <<EOF",
                    "EOF",
                    " AS ",
                    "--platform=",
                    "$",
                    "${",
                    "}",
                    ":-",
                    "\\",
                    '"',
                    "'",
                    "=",
                    "\n",
                    "\r\n",
                    "# escape=`\n",
                ]
            ),
        ),
        max_size=30,
    ).map("".join)
)
def test_arbitrary_text_only_ever_raises_dockerfile_error(text: str) -> None:
    try:
        load_dockerfile("Dockerfile", text)
    except DockerfileError:
        pass
