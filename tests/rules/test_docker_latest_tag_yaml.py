"""KER401 docker-latest-tag in Compose files and Kubernetes manifests, reported at the image."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from keras_lint.engine import lint_paths, lint_source
from keras_lint.finding import Finding
from keras_lint.rules.base import ContainerYamlRule, DockerfileRule, Report
from keras_lint.rules.docker_latest_tag import DockerLatestTag
from keras_lint.sources.container_yaml import ContainerYamlFacts, load_container_yaml


def lint(text: str, path: str = "compose.yaml", **options: list[str]) -> list[Finding]:
    return lint_source(textwrap.dedent(text), path, **options)


def positions(findings: list[Finding]) -> list[tuple[str, int, int, int]]:
    return [(f.code, f.line, f.column, f.end_column) for f in findings]


def service(image: str) -> str:
    return f"services:\n  train:\n    image: {image}\n"


def pod(image: str) -> str:
    return f"apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: {image}\n"


UNPINNED = {
    "tensorflow latest-gpu": "tensorflow/tensorflow:latest-gpu",
    "python latest": "python:latest",
    "no tag": "python",
    "nvidia cuda without tag": "nvidia/cuda",
    "uppercase LATEST": "nvidia/cuda:LATEST",
    "registry with port, no tag": "localhost:5000/team/trainer",
    "registry with port, latest": "registry.internal:5000/ml/keras:latest",
    "ghcr without tag": "ghcr.io/org/keras-base",
    "double quoted": '"python:latest"',
    "single quoted": "'tensorflow/tensorflow'",
    "plain with comment": "python  # the newest",
    "nightly": "tensorflow/tensorflow:nightly",
    "nightly-gpu": "tensorflow/tensorflow:nightly-gpu",
    "dated nightly": "org/trainer:nightly-2024-01-01",
    "version then nightly": "org/trainer:2.16-nightly",
    "rolling": "ros:rolling",
    "edge": "alpine:edge",
    "edge with registry port": "localhost:5000/alpine:edge",
}


@pytest.mark.parametrize("image", UNPINNED.values(), ids=UNPINNED.keys())
def test_unpinned_service_image_is_reported_at_its_value(image: str) -> None:
    (finding,) = lint(service(image))
    value = image.split("  #")[0]
    assert positions([finding]) == [("KER401", 3, 12, 12 + len(value))]
    assert finding.name == "docker-latest-tag"


@pytest.mark.parametrize("image", UNPINNED.values(), ids=UNPINNED.keys())
def test_unpinned_container_image_is_reported_at_its_value(image: str) -> None:
    (finding,) = lint(pod(image), "pod.yaml")
    value = image.split("  #")[0]
    assert positions([finding]) == [("KER401", 6, 12, 12 + len(value))]


PINNED = {
    "pinned tensorflow gpu": "tensorflow/tensorflow:2.16.1-gpu",
    "pinned python": "python:3.11-slim",
    "pinned cuda": "nvidia/cuda:12.2.0-cudnn8-runtime-ubuntu22.04",
    "digest only": "python@sha256:" + "a" * 64,
    "tag and digest": "python:latest@sha256:" + "b" * 64,
    "registry with port and tag": "localhost:5000/team/img:1.2",
    "tag that only contains latest": "org/img:v2-latest",
    "template placeholder": "'{{ .Values.image }}'",
    "empty": "''",
    "null": "null",
    "nightly inside a word": "org/trainer:mynightlybuild",
    "nightly in the middle": "org/trainer:2.16-nightly-gpu",
    "edge with a version": "alpine:edge-1.2",
    "rolling with a suffix": "ros:rolling-ros-base",
    "a version": "tensorflow/tensorflow:2.15.0",
    "edge in the name": "edge:2.15.0",
    "registry named edge": "edge:5000/team/img:1.2",
}


@pytest.mark.parametrize("image", PINNED.values(), ids=PINNED.keys())
def test_pinned_or_unknown_images_are_fine(image: str) -> None:
    assert lint(service(image)) == []
    assert lint(pod(image), "pod.yaml") == []


def test_messages_say_image_not_base_image() -> None:
    findings = lint(
        """\
        services:
          a: {image: tensorflow/tensorflow}
          b: {image: 'python:latest'}
          c: {image: tensorflow/tensorflow:latest-gpu}
        """
    )
    assert [f.message for f in findings] == [
        "image 'tensorflow/tensorflow' has no tag: pin a version (and ideally a digest)",
        "image 'python:latest' uses the mutable 'latest' tag: pin a version",
        "image 'tensorflow/tensorflow:latest-gpu' uses the mutable 'latest-gpu' tag: "
        "pin a version",
    ]


def test_compose_variable_defaults_to_a_floating_tag() -> None:
    (finding,) = lint(service("tensorflow/tensorflow:${TF_TAG:-nightly-gpu}"))
    assert finding.message == (
        "image 'tensorflow/tensorflow:nightly-gpu' uses the nightly tag 'nightly-gpu' "
        "(a new development build every night): pin a version"
    )


# -- Compose --------------------------------------------------------------------------------


def test_compose_file_of_a_training_stack() -> None:
    findings = lint(
        """\
        version: "3.9"
        x-gpu: &gpu
          deploy:
            resources:
              reservations:
                devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
        services:
          train:
            <<: *gpu
            image: tensorflow/tensorflow:latest-gpu
            volumes: ["./:/app"]
          board:
            image: "tensorflow/tensorflow:2.16.1"
            command: tensorboard --logdir /app/logs --bind_all
          trainer-image:
            build: {context: ., dockerfile: gpu.Dockerfile}
            image: registry.example.com/ml/trainer
          cache:
            image: redis
          notebook:
            image: jupyter/tensorflow-notebook:${NOTEBOOK_TAG}
          mlflow:
            image: ghcr.io/mlflow/mlflow:${MLFLOW_TAG:-latest}
        """,
        "docker-compose.yml",
    )
    assert positions(findings) == [
        ("KER401", 10, 12, 44),
        ("KER401", 19, 12, 17),
        ("KER401", 23, 12, 55),
    ]
    assert findings[2].message == (
        "image 'ghcr.io/mlflow/mlflow:latest' uses the mutable 'latest' tag: pin a version"
    )


def test_flow_mapping_services() -> None:
    findings = lint("services: {web: {image: nginx}, db: {image: 'postgres:16'}}\n")
    assert positions(findings) == [("KER401", 1, 25, 30)]


def test_anchor_shared_by_services_is_reported_once_at_the_anchor() -> None:
    findings = lint(
        """\
        x-worker: &worker
          image: python
          restart: always
        services:
          worker-1: {<<: *worker}
          worker-2:
            <<: *worker
            command: python worker.py --id 2
        """
    )
    assert positions(findings) == [("KER401", 2, 10, 16)]


def test_unused_anchor_and_overridden_merge_are_not_images() -> None:
    findings = lint(
        """\
        x-unused: &unused {image: python}
        x-base: &base {image: ubuntu}
        services:
          app:
            <<: *base
            image: ubuntu:22.04
        """
    )
    assert findings == []


@pytest.mark.parametrize(
    "text",
    [
        "services: {}\n",
        "version: '3'\nvolumes: {data: {}}\n",
        "name: training\n",
        "services:\n  app:\n    image: python:${PY_TAG}\n",
        "services:\n  app:\n    image: $IMAGE\n",
        "services:\n  app:\n    build: .\n    image: trainer\n",
        "services:\n  app:\n    build: .\n",
        "services:\n  app:\n    image: python:${PY_TAG:-3.12}\n",
    ],
)
def test_compose_negatives(text: str) -> None:
    assert lint(text) == []


# -- Kubernetes -----------------------------------------------------------------------------


def test_deployment_with_init_containers() -> None:
    findings = lint(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: serve
        spec:
          template:
            spec:
              initContainers:
              - name: fetch-model
                image: amazon/aws-cli
              containers:
              - name: serve
                image: tensorflow/serving:2.16.1-gpu
              - name: exporter
                image: prom/statsd-exporter:latest
        """,
        "deploy/serve.yaml",
    )
    assert positions(findings) == [("KER401", 10, 16, 30), ("KER401", 15, 16, 43)]


def test_cronjob_and_list_in_one_multi_document_file() -> None:
    findings = lint(
        """\
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly}
        spec:
          schedule: "0 3 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                  - {name: train, image: "tensorflow/tensorflow:latest-gpu"}
                  restartPolicy: Never
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Pod
          spec:
            containers: [{name: a, image: python}]
        - apiVersion: v1
          kind: ConfigMap
          data:
            image: python
        """,
        "k8s.yml",
    )
    assert positions(findings) == [("KER401", 11, 34, 68), ("KER401", 20, 35, 41)]


def test_manifest_without_images_and_other_yaml_are_fine() -> None:
    assert lint("apiVersion: v1\nkind: Service\nspec: {ports: [{port: 80}]}\n", "s.yaml") == []
    assert lint("learning_rate: 0.001\nimage: python\n", "params.yaml") == []


# -- suppression, selection, KER001 ------------------------------------------------------------


def test_pragma_directly_above_the_image_line_silences_it() -> None:
    findings = lint(
        """\
        services:
          scratchpad:
            # keras-lint: ignore=KER401
            image: python:latest
          dev:
            # keras-lint: ignore=KER101
            image: python
          other:
            # keras-lint: ignore=KER401

            image: ubuntu
        """
    )
    assert positions(findings) == [("KER401", 7, 12, 18), ("KER401", 11, 12, 18)]


def test_pragma_above_a_list_item_and_above_a_key_whose_value_is_below() -> None:
    findings = lint(
        """\
        apiVersion: v1
        kind: Pod
        spec:
          containers:
          # keras-lint: ignore=KER4
          - image: python
            name: a
          - name: b
            # keras-lint: ignore=KER401
            image:
              ubuntu
        """,
        "pod.yaml",
    )
    assert findings == []


def test_ignore_and_select() -> None:
    text = service("python:latest")
    assert lint(text, ignore=["KER401"]) == []
    assert lint(text, select=["KER1"]) == []
    assert [f.code for f in lint(text, select=["KER4"])] == ["KER401"]


def test_compose_file_that_is_not_yaml_is_ker001_at_the_error() -> None:
    (finding,) = lint("services:\n  web:\n    image: nginx\n   ports: [80]\n")
    assert (finding.code, finding.name, finding.line, finding.column) == (
        "KER001", "parse-error", 4, 4,
    )  # fmt: skip
    assert finding.message.startswith("cannot parse YAML: ")
    assert "\n" not in finding.message


def test_yaml_ker001_is_reported_when_select_names_other_codes() -> None:
    assert [f.code for f in lint("a: b: c\n", select=["KER401"])] == ["KER001"]
    assert lint("a: b: c\n", ignore=["KER001"]) == []


# -- the rule -------------------------------------------------------------------------------


def test_rule_reads_dockerfiles_and_container_yaml_without_reading_files() -> None:
    assert issubclass(DockerLatestTag, DockerfileRule)
    assert issubclass(DockerLatestTag, ContainerYamlRule)
    facts = load_container_yaml("compose.yaml", service("python"), "compose")
    (report,) = DockerLatestTag().check_container_yaml(facts)
    assert report.span == (3, 12, 3, 18)
    assert report.node is None


class CrashingYamlRule(ContainerYamlRule):
    code = "KER906"
    name = "yaml-crash"
    summary = "always crashes"

    def check_container_yaml(self, facts: ContainerYamlFacts) -> Iterator[Report]:
        raise KeyError("image")


def test_a_crashing_yaml_rule_is_an_internal_error_and_other_rules_still_report(
    tmp_path: Path,
) -> None:
    (tmp_path / "compose.yaml").write_text(service("python"))
    result = lint_paths([tmp_path], rules=[CrashingYamlRule, DockerLatestTag])
    assert [f.code for f in result.findings] == ["KER401"]
    assert len(result.errors) == 1
    assert "rule KER906 (yaml-crash) failed: KeyError: 'image'" in result.errors[0]


def test_documentation_covers_compose_and_kubernetes_with_a_yaml_example() -> None:
    doc = DockerLatestTag.documentation()
    assert "```yaml" in doc
    for word in ("Compose", "Kubernetes", "image:", "# keras-lint: ignore=KER401"):
        assert word in doc


# -- whole trees ------------------------------------------------------------------------------


def relative(root: Path, findings: list[Finding]) -> list[tuple[str, str, int]]:
    return sorted(
        (Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.code, f.line)
        for f in findings
    )


def test_tree_with_compose_manifests_helm_and_other_yaml(tree) -> None:  # type: ignore[no-untyped-def]
    root = tree(
        {
            "train.py": "print('train')\n",
            "docker-compose.yml": service("tensorflow/tensorflow:latest-gpu"),
            "compose.override.yaml": service("python:3.12"),
            "deploy/compose.gpu.yml": "services:\n  t: {image: nvidia/cuda}\n",
            "k8s/job.yaml": pod("python"),
            "k8s/empty.yaml": "",
            "charts/trainer/templates/job.yaml": """\
                {{- if .Values.enabled }}
                apiVersion: batch/v1
                kind: Job
                spec:
                  template:
                    spec:
                      containers:
                      - image: {{ .Values.image }}:latest
                {{- end }}
                """,
            "charts/trainer/values.yaml": "image: python\n",
            "config/experiment.yaml": "lr: 0.1\nimage: python\n",
            ".github/workflows/ci.yml": "jobs:\n  t:\n    container: {image: python}\n",
        }
    )
    result = lint_paths([root])
    assert result.errors == []
    assert relative(root, result.findings) == [
        ("deploy/compose.gpu.yml", "KER401", 2),
        ("docker-compose.yml", "KER401", 3),
        ("k8s/job.yaml", "KER401", 6),
    ]
    # train.py, three compose files, the manifest that parses and the Helm template
    assert result.files_checked == 6


def test_compose_file_that_is_not_yaml_does_not_stop_the_run(tree) -> None:  # type: ignore[no-untyped-def]
    root = tree(
        {
            "a/docker-compose.yml": "services:\n\tweb: {}\n",
            "b/compose.yaml": service("python"),
            "Dockerfile": "FROM python\n",
        }
    )
    result = lint_paths([root])
    assert result.errors == []
    assert relative(root, result.findings) == [
        ("Dockerfile", "KER401", 1),
        ("a/docker-compose.yml", "KER001", 2),
        ("b/compose.yaml", "KER401", 3),
    ]


def test_a_named_manifest_that_is_not_yaml_is_ker001(tree) -> None:  # type: ignore[no-untyped-def]
    helm = "apiVersion: v1\nkind: Pod\n{{ include \"x\" . }}\nspec: {}\n"
    root = tree({"templates/pod.yaml": helm, "other/values.yml": "a: [\n"})
    walked = lint_paths([root])
    assert walked.findings == []
    named = lint_paths([root / "templates/pod.yaml", root / "other/values.yml", root])
    assert [(Path(f.path).name, f.code, f.line) for f in named.findings] == [
        ("values.yml", "KER001", 1),
        ("pod.yaml", "KER001", 4),
    ]


def test_undecodable_manifest_is_ker001_only_when_named(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_bytes(b"apiVersion: v1\nkind: Pod\n# caf\xe9\n")
    assert lint_paths([tmp_path]).findings == []
    (finding,) = lint_paths([tmp_path / "pod.yaml"]).findings
    assert (finding.code, finding.line) == ("KER001", 3)


def test_compose_pragma_and_ignore_through_lint_paths(tree) -> None:  # type: ignore[no-untyped-def]
    root = tree(
        {
            "compose.yaml": """\
                services:
                  dev:
                    # keras-lint: ignore=KER401
                    image: python:latest
                  prod:
                    image: python:latest
                """,
        }
    )
    assert relative(root, lint_paths([root]).findings) == [("compose.yaml", "KER401", 6)]
    assert lint_paths([root], ignore=["KER401"]).findings == []
