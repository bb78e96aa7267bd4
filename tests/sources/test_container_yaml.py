"""The Compose and Kubernetes loader: names, image references, positions, robustness."""

from __future__ import annotations

import textwrap
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keras_lint.sources import source_kind
from keras_lint.sources.container_yaml import (
    ContainerYamlError,
    ContainerYamlFacts,
    load_container_yaml,
)
from keras_lint.sources.kinds import is_compose_name, looks_like_manifest


def compose(text: str) -> ContainerYamlFacts:
    return load_container_yaml("compose.yaml", textwrap.dedent(text), "compose")


def manifest(text: str) -> ContainerYamlFacts:
    return load_container_yaml("k8s.yaml", textwrap.dedent(text), "kubernetes")


def spans(facts: ContainerYamlFacts) -> list[tuple[str, int, int, int]]:
    """``(image, line, column, end column)`` of every reference."""
    return [(ref.image, ref.line, ref.column, ref.end_column) for ref in facts.images]


def images(facts: ContainerYamlFacts) -> list[str]:
    return [ref.image for ref in facts.images]


# -- names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "compose.yaml",
        "compose.yml",
        "docker-compose.yaml",
        "docker-compose.yml",
        "compose.override.yaml",
        "docker-compose.override.yml",
        "docker-compose.gpu.yml",
        "docker-compose-ci.yaml",
        "Docker-Compose.YML",
        "deploy/compose.prod.yaml",
        "C:\\project\\docker-compose.yml",
    ],
)
def test_compose_names_are_recognised(name: str) -> None:
    assert is_compose_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "composer.yml",
        "my-compose.yml",
        "compose.json",
        "docker-compose.yml.bak",
        "compose",
        "docker-compose",
        "compose/app.yaml",
        "deployment.yaml",
    ],
)
def test_other_names_are_not_compose_files(name: str) -> None:
    assert not is_compose_name(name)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"apiVersion: v1\nkind: Pod\n", True),
        (b"kind: Pod\napiVersion: v1\n", True),
        (b"# c\n---\napiVersion : apps/v1\nkind:\tDeployment\n", True),
        (b"\xef\xbb\xbfapiVersion: v1\nkind: Pod\n", True),
        (b"apiVersion: v1\r\nkind: Pod\r\n", True),
        (b"{{- if .Values.on }}\napiVersion: v1\nkind: Pod\n{{- end }}\n", True),
        (b"apiVersion: v1\n", False),
        (b"kind: Pod\n", False),
        (b"  apiVersion: v1\n  kind: Pod\n", False),
        (b"# apiVersion: v1\n# kind: Pod\n", False),
        (b"apiVersions: [v1]\nkinds: []\n", False),
        (b"", False),
    ],
)
def test_manifest_look_needs_both_keys_at_a_line_start(data: bytes, expected: bool) -> None:
    assert looks_like_manifest(data) is expected


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("docker-compose.yml", "compose"),
        ("compose.override.yaml", "compose"),
        ("deployment.yaml", "kubernetes"),
        ("values.yml", "kubernetes"),
        ("Dockerfile.yml", "dockerfile"),
        ("compose.json", None),
        ("train.py", "python"),
    ],
)
def test_source_kind_of_yaml_names(name: str, kind: str | None) -> None:
    assert source_kind(name) == kind


# -- Compose --------------------------------------------------------------------------------


def test_compose_v3_services_with_exact_positions() -> None:
    facts = compose(
        """\
        version: "3.8"
        services:
          train:
            image: tensorflow/tensorflow:latest-gpu
            deploy:
              resources: {reservations: {devices: [{capabilities: [gpu]}]}}
          redis:
            image: "redis:7.2"
          board:
            image: 'tensorflow/tensorflow'
        """
    )
    assert spans(facts) == [
        ("tensorflow/tensorflow:latest-gpu", 4, 12, 44),
        ("redis:7.2", 8, 12, 23),
        ("tensorflow/tensorflow", 10, 12, 35),
    ]
    assert not any(ref.unresolved for ref in facts.images)


def test_compose_v2_file_with_a_version_key() -> None:
    facts = compose(
        """\
        version: '2.4'
        services:
          notebook:
            image: jupyter/tensorflow-notebook
            runtime: nvidia
        volumes:
          data: {}
        """
    )
    assert spans(facts) == [("jupyter/tensorflow-notebook", 4, 12, 39)]


def test_flow_mappings_point_at_the_value() -> None:
    facts = compose("services: {web: {image: nginx, ports: ['80:80']}, db: {image: 'postgres'}}\n")
    assert spans(facts) == [("nginx", 1, 25, 30), ("postgres", 1, 63, 73)]


def test_image_value_on_the_next_line_is_reported_at_the_key() -> None:
    facts = compose(
        """\
        services:
          web:
            image:
              python:latest
        """
    )
    assert spans(facts) == [("python:latest", 3, 5, 10)]


def test_anchor_merged_into_two_services_is_one_reference_at_the_anchor() -> None:
    facts = compose(
        """\
        x-trainer: &trainer
          image: tensorflow/tensorflow:latest-gpu
          environment: [TF_FORCE_GPU_ALLOW_GROWTH=true]
        services:
          train-a:
            <<: *trainer
            command: python a.py
          train-b:
            <<: *trainer
            command: python b.py
        """
    )
    assert spans(facts) == [("tensorflow/tensorflow:latest-gpu", 2, 10, 42)]


def test_a_key_written_in_the_service_wins_over_a_merged_one() -> None:
    facts = compose(
        """\
        x-base: &base {image: python, restart: always}
        services:
          app:
            <<: *base
            image: python:3.11-slim
        """
    )
    assert spans(facts) == [("python:3.11-slim", 5, 12, 28)]


def test_earlier_mapping_of_a_merge_list_wins_and_nested_merges_are_read() -> None:
    facts = compose(
        """\
        x-gpu: &gpu {image: nvidia/cuda:12.2.0-runtime-ubuntu22.04}
        x-cpu: &cpu {image: ubuntu}
        x-deep: &deep {<<: *cpu, restart: always}
        services:
          gpu-first: {<<: [*gpu, *cpu]}
          deep: {<<: *deep}
        """
    )
    assert images(facts) == ["nvidia/cuda:12.2.0-runtime-ubuntu22.04", "ubuntu"]


def test_a_repeated_key_takes_its_last_value() -> None:
    facts = compose("services:\n  a:\n    image: python\n    image: python:3.12\n")
    assert spans(facts) == [("python:3.12", 4, 12, 23)]


def test_a_service_that_builds_its_image_names_no_pulled_image() -> None:
    facts = compose(
        """\
        x-built: &built {build: ./trainer}
        services:
          trainer:
            build: .
            image: registry.example.com/team/trainer
          with-context:
            build: {context: ., dockerfile: gpu.Dockerfile}
            image: trainer
          merged-build:
            <<: *built
            image: trainer
          pulled:
            image: redis
        """
    )
    assert images(facts) == ["redis"]


@pytest.mark.parametrize(
    ("written", "image", "unresolved"),
    [
        ("python:${TAG:-latest}", "python:latest", False),
        ("python:${TAG-3.11}", "python:3.11", False),
        ("${REGISTRY:-localhost:5000}/ml/keras", "localhost:5000/ml/keras", False),
        ("${IMAGE:-${BASE:-tensorflow/tensorflow}}", "tensorflow/tensorflow", False),
        ("python:${TAG:-}", "python:", False),
        ("python:${TAG}", "python:${TAG}", True),
        ("python:$TAG", "python:$TAG", True),
        ("python:${TAG:?set TAG}", "python:${TAG:?set TAG}", True),
        ("python:${TAG:+3.11}", "python:${TAG:+3.11}", True),
        ("python:${TAG", "python:${TAG", True),
        ("python:${1TAG}", "python:${1TAG}", True),
        ("python:$", "python:$", True),
        ("app$$1", "app$1", False),
        ("app$${TAG}", "app${TAG}", False),
    ],
)
def test_compose_interpolation(written: str, image: str, unresolved: bool) -> None:
    (reference,) = compose(f"services:\n  app:\n    image: '{written}'\n").images
    assert (reference.image, reference.unresolved) == (image, unresolved)


def test_deeply_nested_defaults_are_unresolved_not_recursed_into() -> None:
    written = "${A:-" * 200 + "python" + "}" * 200
    (reference,) = compose(f"services:\n  app:\n    image: '{written}'\n").images
    assert reference.unresolved


@pytest.mark.parametrize(
    "text",
    [
        "services: {}\n",
        "services:\n",
        "services: [web, db]\n",
        "services:\n  web:\n",
        "services:\n  web: nginx\n",
        "services:\n  web:\n    image:\n",
        "services:\n  web:\n    image: ~\n",
        "services:\n  web:\n    image: 3\n",
        "services:\n  web:\n    image: {name: nginx}\n",
        "services:\n  web:\n    image: !custom nginx\n",
        "volumes:\n  data: {}\nnetworks:\n  default: {}\n",
        "image: python\n",
        "- services:\n    web: {image: nginx}\n",
        "just a string\n",
        "x-template:\n  image: python\n",
    ],
)
def test_compose_text_without_a_service_image_has_no_reference(text: str) -> None:
    assert compose(text).images == []


def test_every_document_of_a_compose_file_is_read() -> None:
    facts = compose("services: {a: {image: python}}\n---\nservices: {b: {image: ubuntu}}\n")
    assert [(ref.image, ref.line) for ref in facts.images] == [("python", 1), ("ubuntu", 3)]


def test_compose_kind_does_not_read_kubernetes_objects() -> None:
    assert compose("apiVersion: v1\nkind: Pod\nspec:\n  containers: [{image: x}]\n").images == []


# -- Kubernetes -----------------------------------------------------------------------------


def test_pod_containers_init_and_ephemeral_containers() -> None:
    facts = manifest(
        """\
        apiVersion: v1
        kind: Pod
        metadata:
          name: train
        spec:
          initContainers:
            - name: fetch-data
              image: busybox
          containers:
            - name: train
              image: "tensorflow/tensorflow:latest-gpu"
              resources: {limits: {nvidia.com/gpu: 1}}
            - image: python:3.11
              name: sidecar
          ephemeralContainers:
          - name: debug
            image: ubuntu:latest
        """
    )
    assert spans(facts) == [
        ("busybox", 8, 14, 21),
        ("tensorflow/tensorflow:latest-gpu", 11, 14, 48),
        ("python:3.11", 13, 14, 25),
        ("ubuntu:latest", 17, 12, 25),
    ]


def test_deployment_pod_template() -> None:
    facts = manifest(
        """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: serve}
        spec:
          replicas: 2
          template:
            metadata: {labels: {app: serve}}
            spec:
              containers:
              - name: serve
                image: tensorflow/serving
                args: ["--model_name=model"]
        """
    )
    assert spans(facts) == [("tensorflow/serving", 11, 16, 34)]


def test_cronjob_job_template() -> None:
    facts = manifest(
        """\
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: nightly-train}
        spec:
          schedule: "0 2 * * *"
          jobTemplate:
            spec:
              template:
                spec:
                  restartPolicy: OnFailure
                  containers:
                  - {name: train, image: 'tensorflow/tensorflow:latest'}
        """
    )
    assert spans(facts) == [("tensorflow/tensorflow:latest", 12, 34, 64)]


def test_list_kind_items_and_custom_resources_that_embed_a_pod_spec() -> None:
    facts = manifest(
        """\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: batch/v1
          kind: Job
          spec:
            template:
              spec:
                containers: [{name: a, image: python}]
        - apiVersion: kubeflow.org/v1
          kind: TFJob
          spec:
            tfReplicaSpecs:
              Worker:
                replicas: 2
                template:
                  spec:
                    containers:
                    - name: tensorflow
                      image: kubeflow/tf-dist-mnist-test
        """
    )
    assert [(ref.image, ref.line) for ref in facts.images] == [
        ("python", 9),
        ("kubeflow/tf-dist-mnist-test", 20),
    ]


def test_every_document_of_a_multi_document_manifest_is_read() -> None:
    facts = manifest(
        """\
        # the training stack
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: board}
        spec: {ports: [{port: 6006}]}
        ---
        apiVersion: v1
        kind: Pod
        spec:
          containers: [{name: a, image: python}]
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        spec:
          template:
            spec:
              containers: [{name: b, image: 'redis:7'}]
        ...
        """
    )
    assert [(ref.image, ref.line) for ref in facts.images] == [("python", 11), ("redis:7", 18)]


def test_an_aliased_container_is_one_reference() -> None:
    facts = manifest(
        """\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Pod
          spec:
            containers:
            - &worker {name: worker, image: python}
        - apiVersion: v1
          kind: Pod
          spec:
            containers: [*worker]
            initContainers:
            - <<: *worker
              name: init
        """
    )
    assert [(ref.image, ref.line) for ref in facts.images] == [("python", 8)]


@pytest.mark.parametrize(
    "text",
    [
        # a ConfigMap's data are strings, even when they spell a pod spec
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  image: python\n"
        "  pod.yaml: |\n    containers:\n    - image: python\n",
        # image keys outside a container list
        "apiVersion: example.com/v1\nkind: Model\nspec:\n  image: python\n"
        "  predictor: {image: ubuntu}\n",
        # a container list that is a mapping, and entries that are not mappings
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: {a: {image: python}}\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: [python, [ubuntu]]\n",
        # no apiVersion or no kind: not a Kubernetes object
        "kind: Pod\nspec:\n  containers: [{image: python}]\n",
        "apiVersion: v1\nspec:\n  containers: [{image: python}]\n",
        "- apiVersion: v1\n  kind: Pod\n  spec: {containers: [{image: python}]}\n",
        # a Compose file is not read as a manifest
        "services:\n  web:\n    image: nginx\n",
        # image without value
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a, image: }]\n",
    ],
)
def test_manifest_text_without_a_container_image_has_no_reference(text: str) -> None:
    assert manifest(text).images == []


def test_manifest_images_are_not_interpolated() -> None:
    (reference,) = manifest(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{image: 'app:${TAG}'}]\n"
    ).images
    assert (reference.image, reference.unresolved) == ("app:${TAG}", False)


def test_helm_template_values_are_read_as_written() -> None:
    facts = manifest(
        """\
        apiVersion: v1
        kind: Pod
        spec:
          containers:
          - name: app
            image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
        """
    )
    assert images(facts) == ["{{ .Values.image.repository }}:{{ .Values.image.tag }}"]


# -- positions and text forms ----------------------------------------------------------------


def test_crlf_byte_order_mark_and_wide_characters() -> None:
    text = "\ufeffservices:\r\n  café:\r\n    labels: {a: 'é'}\r\n    image: python\r\n"
    facts = load_container_yaml("compose.yaml", text, "compose")
    assert spans(facts) == [("python", 4, 12, 18)]
    assert facts.lines[3] == "    image: python"
    flow = compose("services: {é: {label: 'ü', image: x}}\n")
    assert spans(flow) == [("x", 1, 35, 36)]


def test_lines_are_counted_as_yaml_counts_them() -> None:
    text = "# a\x85# b\u2028services:\n  a:\n    image: python\n"
    facts = load_container_yaml("compose.yaml", text, "compose")
    ((image, line, _, _),) = spans(facts)
    assert facts.lines[line - 1] == "    image: python"


def test_folded_scalar_spans_the_rest_of_its_first_line() -> None:
    facts = compose("services:\n  a:\n    image: >-\n      python\n")
    assert spans(facts) == [("python", 3, 12, 14)]


def test_images_are_in_text_order_not_in_service_order() -> None:
    facts = compose(
        """\
        x-late: &late {image: ubuntu}
        services:
          z: {image: python}
          a: {<<: *late}
        """
    )
    assert [(ref.image, ref.line) for ref in facts.images] == [("ubuntu", 1), ("python", 3)]


# -- bad and hostile input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("services:\n  web: image: nginx\n", 2, 13, "mapping values are not allowed here"),
        ("services:\n\tweb: {}\n", 2, 1, "found character '\\t' that cannot start any token"),
        ("services:\n  web:\n    image: 'nginx\n", 3, 18, "found unexpected end of stream"),
        ("services:\n  web: *nope\n", 2, 8, "found undefined alias 'nope'"),
        ("services: [\n", 1, 12, "expected the node content"),  # the end, not line 2
        ("services:\n  web:\n    image: ng\x00inx\n", 3, 14, "special characters are not allowed"),
        ("{{ if .Values.on }}\napiVersion: v1\n", 2, 1, "expected '<document start>'"),
    ],
)
def test_text_that_is_not_yaml_raises_with_its_position(
    text: str, line: int, column: int, message: str
) -> None:
    with pytest.raises(ContainerYamlError) as raised:
        load_container_yaml("compose.yaml", text, "compose")
    assert (raised.value.line, raised.value.column) == (line, column)
    assert raised.value.message.startswith("cannot parse YAML: ")
    assert message in raised.value.message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("\"services: {}\nversion: '3.8'\n", 2, 15),
        ("a: [\r\n\r\n", 2, 1),
        ('"a', 1, 3),
    ],
)
def test_an_error_at_the_end_of_the_text_is_placed_on_its_last_line(
    text: str, line: int, column: int
) -> None:
    # PyYAML marks the end of the stream on the line after a final line break
    with pytest.raises(ContainerYamlError) as raised:
        load_container_yaml("compose.yaml", text, "compose")
    assert (raised.value.line, raised.value.column) == (line, column)


def test_parse_error_message_names_the_context() -> None:
    with pytest.raises(ContainerYamlError) as raised:
        load_container_yaml("k.yaml", "a:\n  - b\n c: d\n", "kubernetes")
    assert raised.value.message == (
        "cannot parse YAML: expected <block end>, but found '<block mapping start>' "
        "(while parsing a block mapping at line 1)"
    )


@pytest.mark.parametrize("text", ["", "\n\n", "# only\n# comments\n", "---\n", "---\n...\n", "~\n"])
def test_empty_and_comment_only_files_have_no_reference(text: str) -> None:
    assert compose(text).images == []
    assert manifest(text).images == []


def test_deep_nesting_is_an_error_at_the_first_level_too_deep() -> None:
    with pytest.raises(ContainerYamlError) as raised:
        load_container_yaml("k.yaml", "a: " + "[" * 300 + "]" * 300 + "\n", "kubernetes")
    assert (raised.value.line, raised.value.column) == (1, 203)
    assert raised.value.message == "cannot parse YAML: too deeply nested (more than 200 levels)"
    block = "".join("  " * level + f"k{level}:\n" for level in range(1000))
    with pytest.raises(ContainerYamlError, match="too deeply nested"):
        load_container_yaml("k.yaml", block, "kubernetes")


def test_nesting_as_deep_as_real_files_is_read() -> None:
    text = "apiVersion: v1\nkind: X\nspec: " + "{a: " * 150 + "{containers: [{image: x}]}"
    assert images(load_container_yaml("k.yaml", text + "}" * 150 + "\n", "kubernetes")) == ["x"]


def _laughs(levels: int, width: int, prefix: str) -> str:
    """Each level an anchored sequence of ``width`` aliases of the level below."""
    out = []
    for level in range(1, levels + 1):
        aliases = ", ".join([f"*{prefix}{level - 1}"] * width)
        out.append(f"{prefix}{level}: &{prefix}{level} [{aliases}]\n")
    return "".join(out)


def test_billion_laughs_manifest_is_read_in_linear_time() -> None:
    text = (
        "apiVersion: v1\nkind: List\n"
        "l0: &l0 {containers: [{name: a, image: python}]}\n" + _laughs(40, 10, "l")
    )
    start = time.perf_counter()
    facts = load_container_yaml("k.yaml", text, "kubernetes")
    assert time.perf_counter() - start < 2
    assert [(ref.image, ref.line) for ref in facts.images] == [("python", 3)]


def test_billion_laughs_of_merge_keys_is_read_in_linear_time() -> None:
    merges = "".join(
        f"x-m{level}: &m{level} {{<<: [{', '.join([f'*m{level - 1}'] * 10)}]}}\n"
        for level in range(1, 40)
    )
    services = "".join(f"  s{index}: {{<<: *m39}}\n" for index in range(200))
    text = "x-m0: &m0 {image: python}\n" + merges + "services:\n  <<: *m39\n" + services
    start = time.perf_counter()
    facts = load_container_yaml("compose.yaml", text, "compose")
    assert time.perf_counter() - start < 2
    assert [(ref.image, ref.line) for ref in facts.images] == [("python", 1)]


def test_recursive_aliases_terminate() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nloop: &loop [*loop, {containers: [{image: python}]}]\n"
        "spec: &spec {self: *spec, containers: [{image: ubuntu}]}\n"
        "m: &m {<<: *m}\n"
    )
    facts = load_container_yaml("k.yaml", text, "kubernetes")
    assert images(facts) == ["python", "ubuntu"]
    cyclic = "x: &s {<<: *s, image: python}\nservices: &svc {a: *s, b: *svc}\n"
    assert images(load_container_yaml("compose.yaml", cyclic, "compose")) == ["python"]


def test_loading_never_constructs_objects_or_runs_tags() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\n"
        "x: !!python/object/apply:os.system ['touch /tmp/pwned-by-keras-lint']\n"
        "spec: {containers: [{image: python}]}\n"
    )
    assert images(load_container_yaml("k.yaml", text, "kubernetes")) == ["python"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(
                [
                    "services:",
                    "apiVersion: v1\n",
                    "kind: Pod\n",
                    "containers:",
                    "image: ",
                    "build: .",
                    "&a ",
                    "*a",
                    "<<: ",
                    "- ",
                    "{",
                    "}",
                    "[",
                    "]",
                    "${",
                    ":-",
                    "$$",
                    "---\n",
                    "\n",
                    "  ",
                    "\t",
                    "'",
                    '"',
                    "#",
                    "!!str ",
                ]
            ),
        ),
        max_size=30,
    ).map("".join),
    st.sampled_from(["compose", "kubernetes"]),
)
def test_arbitrary_text_only_ever_raises_container_yaml_error(text: str, kind: str) -> None:
    try:
        facts = load_container_yaml("x.yaml", text, kind)  # type: ignore[arg-type]
    except ContainerYamlError as error:
        assert error.line >= 1 and error.column >= 1
    else:
        for ref in facts.images:
            assert 1 <= ref.line <= len(facts.lines)
            assert 1 <= ref.column <= ref.end_column
