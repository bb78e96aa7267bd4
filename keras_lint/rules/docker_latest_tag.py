"""KER401 docker-latest-tag: a base image that is not pinned to a version."""

from __future__ import annotations

import re
from collections.abc import Iterator

from keras_lint.rules.base import DockerfileRule, Report
from keras_lint.sources.dockerfile import DockerfileFacts, FromInstruction

#: what an image reference can look like; anything else (a template placeholder, say) is not judged
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]*")


class DockerLatestTag(DockerfileRule):
    """
    ## What it does
    Checks that every `FROM` line of a Dockerfile names a base image with a fixed tag: it
    reports an image with no tag, the tag `latest`, or a tag starting with `latest` (such as
    `latest-gpu`). `ARG` defaults declared before the first `FROM` are substituted first.
    `scratch`, the name of an earlier build stage and a reference pinned by digest
    (`@sha256:...`) are fine; a reference whose variables have no known value is not judged.

    ## Why is this bad?
    `latest` is a moving label, and no tag at all means `latest`. The next build, on a CI runner
    or a colleague's machine, silently pulls whatever image the tag points to that day: a new
    TensorFlow release, a different CUDA or cuDNN version, another Python. The training code
    then runs on a different stack than the one it was tested on. At best the build breaks
    (a wheel has no build for the new Python, the CUDA driver on the host is too old); at worst
    it succeeds and training silently changes: different kernels, different numerics,
    different defaults, results that can no longer be reproduced or compared.

    ## Example
    ```dockerfile
    FROM tensorflow/tensorflow:latest-gpu
    COPY train.py /app/train.py
    CMD ["python", "/app/train.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM tensorflow/tensorflow:2.16.1-gpu
    COPY train.py /app/train.py
    CMD ["python", "/app/train.py"]
    ```
    For a build that can never change underneath you, add the digest the tag points to today:
    `FROM tensorflow/tensorflow:2.16.1-gpu@sha256:<digest>`.

    ## Fix
    Not automatic: which version to pin is a decision (usually the one the code was last
    trained and tested with; `docker image inspect` on the image you have shows its digest).
    A deliberate exception can be kept with a comment line
    `# keras-lint: ignore=KER401` directly above the `FROM` line.
    """

    code = "KER401"
    name = "docker-latest-tag"
    summary = "Dockerfile base image uses the mutable 'latest' tag or no tag at all"
    trigger = None

    def check(self, facts: DockerfileFacts) -> Iterator[Report]:
        earlier_stages: set[str] = set()
        for instruction in facts.from_instructions:
            message = _problem(instruction.image, earlier_stages)
            if message is not None and not instruction.unresolved:
                yield Report(message, span=_first_line(instruction))
            if instruction.stage:
                earlier_stages.add(instruction.stage.lower())


def _problem(image: str, earlier_stages: set[str]) -> str | None:
    """What is wrong with the reference ``image``, or ``None`` when it is pinned or not an image."""
    if not _REFERENCE.fullmatch(image) or "@" in image:
        return None
    if image.lower() == "scratch" or image.lower() in earlier_stages:
        return None
    # a registry port (``localhost:5000/img``) has a colon too: the tag is in the last segment
    last_segment = image.rsplit("/", 1)[-1]
    if ":" not in last_segment:
        return f"base image '{image}' has no tag: pin a version (and ideally a digest)"
    tag = last_segment.split(":", 1)[1]
    if tag.lower().startswith("latest"):
        return f"base image '{image}' uses the mutable '{tag}' tag: pin a version"
    return None


def _first_line(instruction: FromInstruction) -> tuple[int, int, int, int]:
    return (instruction.line, instruction.column, instruction.line, instruction.end_column)
