"""KER401 docker-latest-tag: unpinned base images are reported at their FROM line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from keras_lint.rules.docker_latest_tag import DockerLatestTag
from keras_lint.sources.dockerfile import load_dockerfile

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "docker-latest-tag"


def reported_lines(text: str) -> list[int]:
    facts = load_dockerfile("Dockerfile", textwrap.dedent(text))
    return [report.span[0] for report in DockerLatestTag().check(facts) if report.span]


BAD = {
    "tensorflow latest-gpu": "FROM tensorflow/tensorflow:latest-gpu\n",
    "python latest": "FROM python:latest\n",
    "python without tag": "FROM python\n",
    "tensorflow without tag": "FROM tensorflow/tensorflow AS train\n",
    "nvidia cuda without tag": "FROM nvidia/cuda\n",
    "nvidia cuda latest": "FROM nvidia/cuda:latest\n",
    "lowercase from": "from python:latest as base\n",
    "platform flag": "FROM --platform=$BUILDPLATFORM tensorflow/tensorflow:latest-gpu-jupyter\n",
    "registry with port, no tag": "FROM localhost:5000/team/trainer\n",
    "registry with port, latest": "FROM registry.internal:5000/ml/keras:latest\n",
    "ghcr without tag": "FROM ghcr.io/org/keras-base\n",
    "ARG default latest": "ARG TAG=latest\nFROM img:$TAG\n",
    "ARG default without tag": "ARG BASE=tensorflow/tensorflow\nFROM ${BASE}\n",
    "default value latest": "FROM tensorflow/tensorflow:${TF_TAG:-latest-gpu}\n",
    "quoted reference": 'FROM "python:latest"\n',
    "indented": "   FROM python\n",
    "nightly": "FROM tensorflow/tensorflow:nightly\n",
    "nightly-gpu": "FROM tensorflow/tensorflow:nightly-gpu-jupyter\n",
    "dated nightly": "FROM org/trainer:nightly-2024-01-01\n",
    "version then nightly": "FROM org/trainer:2.16-nightly\n",
    "uppercase Nightly": "FROM org/trainer:Nightly\n",
    "rolling": "FROM ros:rolling\n",
    "edge": "FROM alpine:edge\n",
    "ARG default nightly": "ARG TF_TAG=nightly-gpu\nFROM tensorflow/tensorflow:${TF_TAG}\n",
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_unpinned_base_image_is_reported(text: str) -> None:
    assert reported_lines(text) == [text.count("\n")]


GOOD = {
    "pinned tensorflow gpu": "FROM tensorflow/tensorflow:2.16.1-gpu\n",
    "pinned python": "FROM python:3.11-slim\n",
    "pinned nvidia cuda": "FROM nvidia/cuda:12.2.0-cudnn8-runtime-ubuntu22.04\n",
    "digest only": "FROM python@sha256:" + "a" * 64 + "\n",
    "tag and digest": "FROM python:latest@sha256:" + "b" * 64 + "\n",
    "scratch": "FROM scratch\n",
    "registry with port and tag": "FROM localhost:5000/team/img:1.2\n",
    "ARG pinned version": "ARG TF=2.15.0\nFROM tensorflow/tensorflow:${TF}-gpu\n",
    "default pinned": "FROM tensorflow/tensorflow:${TF_TAG:-2.16.1-gpu}\n",
    "unknown variable": "FROM tensorflow/tensorflow:$TF_TAG\n",
    "ARG without default": "ARG TAG\nFROM python:${TAG}\n",
    "platform flag pinned": "FROM --platform=$TARGETPLATFORM python:3.12 AS app\n",
    "template placeholder": "FROM {{ base_image }}\n",
    "only comments": "# FROM python:latest\n",
    "nightly inside a word": "FROM org/trainer:mynightlybuild\n",
    "nightly in the middle": "FROM org/trainer:2.16-nightly-gpu\n",
    "nightly without a dash": "FROM org/trainer:nightly2024\n",
    "edge with a version": "FROM alpine:edge-1.2\n",
    "rolling with a suffix": "FROM ros:rolling-ros-base\n",
    "edge in the name": "FROM edge:2.15.0\n",
    "nightly in the repository": "FROM tf-nightly/trainer:2.15.0\n",
}


@pytest.mark.parametrize("text", GOOD.values(), ids=GOOD.keys())
def test_pinned_or_unknown_base_image_is_fine(text: str) -> None:
    assert reported_lines(text) == []


def test_later_from_of_an_earlier_stage_is_fine() -> None:
    dockerfile = """\
        FROM python:3.11-slim AS Builder
        RUN pip wheel --wheel-dir /wheels tensorflow==2.16.1

        FROM builder AS test
        RUN python -m pytest

        FROM tensorflow/tensorflow:2.16.1-gpu
        COPY --from=builder /wheels /wheels
        """
    assert reported_lines(dockerfile) == []


def test_stage_name_used_before_it_is_defined_is_an_image() -> None:
    assert reported_lines(
        """\
        FROM trainer
        FROM python:3.11 AS trainer
        """
    ) == [1]


def test_multi_stage_build_reports_each_unpinned_stage() -> None:
    assert reported_lines(
        """\
        # syntax=docker/dockerfile:1
        ARG CUDA=12.2.0
        FROM nvidia/cuda:${CUDA}-devel-ubuntu22.04 AS build
        RUN make -C /src

        FROM python AS export
        RUN pip install tf2onnx

        FROM nvidia/cuda \\
            AS runtime
        COPY --from=build /src/out /opt/out
        """
    ) == [6, 9]


def test_heredoc_python_import_is_not_a_from_line() -> None:
    dockerfile = """\
        FROM tensorflow/tensorflow:2.16.1-gpu
        RUN python - <<EOF
        from tensorflow import keras
        print(keras.__version__)
        EOF
        """
    assert reported_lines(dockerfile) == []


def test_report_spans_the_first_line_of_the_from_instruction() -> None:
    text = "# base\n  FROM python:latest \\\n    AS base\n"
    (report,) = DockerLatestTag().check(load_dockerfile("Dockerfile", text))
    assert report.span == (2, 3, 2, len("  FROM python:latest \\") + 1)
    assert report.node is None


def test_messages_name_the_image_and_the_problem() -> None:
    text = "FROM tensorflow/tensorflow\nFROM python:latest\nFROM tensorflow/tensorflow:latest-gpu\n"
    messages = [r.message for r in DockerLatestTag().check(load_dockerfile("Dockerfile", text))]
    assert messages == [
        "base image 'tensorflow/tensorflow' has no tag: pin a version (and ideally a digest)",
        "base image 'python:latest' uses the mutable 'latest' tag: pin a version",
        "base image 'tensorflow/tensorflow:latest-gpu' uses the mutable 'latest-gpu' tag: "
        "pin a version",
    ]


def test_messages_name_the_kind_of_floating_tag() -> None:
    text = "FROM a:nightly-gpu\nFROM b:2.16-nightly\nFROM c:rolling\nFROM d:EDGE\n"
    messages = [r.message for r in DockerLatestTag().check(load_dockerfile("Dockerfile", text))]
    assert messages == [
        "base image 'a:nightly-gpu' uses the nightly tag 'nightly-gpu' "
        "(a new development build every night): pin a version",
        "base image 'b:2.16-nightly' uses the nightly tag '2.16-nightly' "
        "(a new development build every night): pin a version",
        "base image 'c:rolling' uses the rolling tag 'rolling' (moved to each new release): "
        "pin a version",
        "base image 'd:EDGE' uses the edge tag 'EDGE' "
        "(the development branch, rebuilt as it changes): pin a version",
    ]


def test_documentation_names_every_floating_tag() -> None:
    doc = DockerLatestTag.documentation()
    for tag in ("`latest`", "`nightly`", "`nightly-`", "`-nightly`", "`rolling`", "`edge`"):
        assert tag in doc
    assert "nightly" in DockerLatestTag.summary


def test_rule_metadata_and_documentation_sections() -> None:
    assert DockerLatestTag.code == "KER401"
    assert DockerLatestTag.name == "docker-latest-tag"
    assert DockerLatestTag.source_kind == "dockerfile"
    assert DockerLatestTag.trigger is None
    assert "\n" not in DockerLatestTag.summary
    doc = DockerLatestTag.documentation()
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix"):
        assert f"## {section}" in doc


def test_bad_fixture_is_reported_once_at_its_from_line() -> None:
    path = FIXTURES / "bad.Dockerfile"
    text = path.read_text(encoding="utf-8")
    reports = list(DockerLatestTag().check(load_dockerfile(str(path), text)))
    from_line = text.splitlines().index("FROM tensorflow/tensorflow:latest-gpu") + 1
    assert [r.span[0] for r in reports if r.span] == [from_line]


def test_good_fixture_is_clean() -> None:
    path = FIXTURES / "good.Dockerfile"
    facts = load_dockerfile(str(path), path.read_text(encoding="utf-8"))
    assert list(DockerLatestTag().check(facts)) == []
    assert facts.env.get("TF_FORCE_GPU_ALLOW_GROWTH") == "true"
