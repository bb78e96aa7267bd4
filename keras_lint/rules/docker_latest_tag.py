"""KER401 docker-latest-tag: a container image that is not pinned to a version."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING

from keras_lint.rules.base import ContainerYamlRule, DockerfileRule, Report

if TYPE_CHECKING:
    from keras_lint.sources.container_yaml import ContainerYamlFacts
    from keras_lint.sources.dockerfile import DockerfileFacts

#: what an image reference can look like; anything else (a template placeholder, say) is not judged
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]*")


class DockerLatestTag(DockerfileRule, ContainerYamlRule):
    """
    ## What it does
    Checks that every container image the project builds on or runs names a fixed tag: the
    base image of every `FROM` line of a Dockerfile, the `image:` of every service of a Docker
    Compose file (`compose.yaml`, `docker-compose.yml` and their variants) and the `image:` of
    every container, init container and ephemeral container of a Kubernetes manifest. It
    reports an image with no tag or with a tag that moves to newer images:

    - `latest`, or a tag starting with `latest` (such as `latest-gpu`);
    - a nightly tag: `nightly`, one starting with `nightly-` (`nightly-gpu`, and a dated
      `nightly-2024-01-01` too: dated or not, a nightly is an unreleased development build)
      or one ending with `-nightly` (`2.16-nightly`);
    - `rolling` and `edge`, exactly (`ros:rolling`, `alpine:edge`); `edge-1.2` or
      `rolling-base` are other tags and are not reported, nor is a tag that only contains one
      of these words (`mynightlybuild`, `v2-latest`).

    Tags are compared without regard to case, and the message names the kind of tag found.

    Dockerfile `ARG` defaults declared before the first `FROM` are substituted first, and so
    are the defaults of Compose variables (`${TAG:-latest}`). `scratch`, the name of an earlier
    build stage, a Compose service that builds its image (`build:` beside `image:`) and a
    reference pinned by digest (`@sha256:...`) are fine; a reference whose variables have no
    known value (`${TAG}`) is not judged.

    A `.yml` or `.yaml` file named on the command line is read as Kubernetes manifests (or as a
    Compose file, when its name says so); in a folder, one whose text has `apiVersion:` and
    `kind:` at the start of a line, and a file there that turns out not to be YAML (a Helm
    template, say) is skipped.

    ## Why is this bad?
    `latest` is a moving label, and no tag at all means `latest`; a `rolling` tag moves to each
    new release, and `nightly` and `edge` tags to development builds nobody released. The
    next build or deployment, on a CI runner, a colleague's machine or a cluster node, silently
    pulls whatever image the tag points to that day: a new TensorFlow release, a different CUDA
    or cuDNN version, another Python. The training code then runs on a different stack than the
    one it was tested on. At best the build or the pod breaks (a wheel has no build for the new
    Python, the CUDA driver on the host is too old); at worst it runs and training silently
    changes: different kernels, different numerics, different defaults, results that can no
    longer be reproduced or compared. On Kubernetes, two replicas of one job started minutes
    apart can even run different images.

    ## Example
    ```dockerfile
    FROM tensorflow/tensorflow:latest-gpu
    COPY train.py /app/train.py
    CMD ["python", "/app/train.py"]
    ```
    ```yaml
    # compose.yaml
    services:
      train:
        image: tensorflow/tensorflow:latest-gpu
        command: python /app/train.py
    ```

    ## Use instead
    ```dockerfile
    FROM tensorflow/tensorflow:2.16.1-gpu
    COPY train.py /app/train.py
    CMD ["python", "/app/train.py"]
    ```
    ```yaml
    # compose.yaml
    services:
      train:
        image: tensorflow/tensorflow:2.16.1-gpu
        command: python /app/train.py
    ```
    For an image that can never change underneath you, add the digest the tag points to today:
    `tensorflow/tensorflow:2.16.1-gpu@sha256:<digest>`.

    ## Fix
    Not automatic: which version to pin is a decision (usually the one the code was last
    trained and tested with; `docker image inspect` on the image you have shows its digest).
    A deliberate exception can be kept with a comment line
    `# keras-lint: ignore=KER401` directly above the `FROM` line or the `image:` line.
    """

    code = "KER401"
    name = "docker-latest-tag"
    summary = (
        "Dockerfile/Compose/Kubernetes image uses a moving tag (latest, nightly, rolling, edge) "
        "or no tag at all"
    )
    trigger = None

    def check(self, facts: DockerfileFacts) -> Iterator[Report]:
        earlier_stages: set[str] = set()
        for instruction in facts.from_instructions:
            span = (instruction.line, instruction.column, instruction.line, instruction.end_column)
            if not instruction.unresolved:
                yield from _unpinned(instruction.image, span, "base image", earlier_stages)
            if instruction.stage:
                earlier_stages.add(instruction.stage.lower())

    def check_container_yaml(self, facts: ContainerYamlFacts) -> Iterator[Report]:
        for reference in facts.images:
            span = (reference.line, reference.column, reference.line, reference.end_column)
            if not reference.unresolved:
                yield from _unpinned(reference.image, span, "image")


def _unpinned(
    image: str,
    span: tuple[int, int, int, int],
    noun: str,
    earlier_stages: Collection[str] = (),
) -> Iterator[Report]:
    """The report for ``image`` (called ``noun`` in the message) when it is not pinned."""
    message = _problem(image, earlier_stages)
    if message is not None:
        yield Report(f"{noun} {message}", span=span)


def _problem(image: str, earlier_stages: Collection[str]) -> str | None:
    """What is wrong with the reference ``image``, or ``None`` when it is pinned or not an image."""
    if not _REFERENCE.fullmatch(image) or "@" in image:
        return None
    if image.lower() == "scratch" or image.lower() in earlier_stages:
        return None
    # a registry port (``localhost:5000/img``) has a colon too: the tag is in the last segment
    last_segment = image.rsplit("/", 1)[-1]
    if ":" not in last_segment:
        return f"'{image}' has no tag: pin a version (and ideally a digest)"
    tag = last_segment.split(":", 1)[1]
    kind = _floating_tag_kind(tag)
    if kind is None:
        return None
    if kind == "latest":
        return f"'{image}' uses the mutable '{tag}' tag: pin a version"
    return f"'{image}' uses the {kind} tag '{tag}' ({_FLOATING_KINDS[kind]}): pin a version"


#: what each kind of floating tag, other than ``latest``, follows
_FLOATING_KINDS = {
    "nightly": "a new development build every night",
    "rolling": "moved to each new release",
    "edge": "the development branch, rebuilt as it changes",
}


def _floating_tag_kind(tag: str) -> str | None:
    """``latest``, ``nightly``, ``rolling`` or ``edge`` for a tag that moves to newer images
    (case does not matter), None for any other tag."""
    tag = tag.lower()
    if tag.startswith("latest"):
        return "latest"
    if tag == "nightly" or tag.startswith("nightly-") or tag.endswith("-nightly"):
        return "nightly"
    if tag in ("rolling", "edge"):
        return tag
    return None
