"""KER402 unpinned-framework-install: a container installs a deep learning framework unpinned."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from keras_lint.rules.base import DockerfileRule, Report

if TYPE_CHECKING:
    from keras_lint.sources.dockerfile import DockerfileFacts
    from keras_lint.sources.requirements import PackageSpec

#: the frameworks whose version decides what training does (canonical names)
FRAMEWORKS = frozenset(
    {"tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tf-nightly", "tf-nightly-gpu",
     "tf-nightly-cpu", "tf-keras", "keras", "jax", "jaxlib", "torch"}
)  # fmt: skip
#: conda's names for the same packages
CONDA_FRAMEWORKS = FRAMEWORKS | {"pytorch"}


class UnpinnedFrameworkInstall(DockerfileRule):
    """
    ## What it does
    Reports a Dockerfile `RUN` that installs TensorFlow (`tensorflow`, `tensorflow-gpu`,
    `tensorflow-cpu`, `tf-nightly`), Keras (`keras`, `tf-keras`), JAX (`jax`, `jaxlib`) or
    PyTorch (`torch`, conda's `pytorch`) without pinning its version, with `pip`, `pip3`,
    `python -m pip`, `uv pip`, `conda`, `mamba` or `micromamba`. The requirements files the
    install reads (`pip install -r requirements.txt`, nested `-r` followed) and the conda
    `environment.yml` it creates an environment from (`conda env create -f`, `micromamba
    install -f`) are read from the build context, traced through the `COPY`/`ADD` and
    `WORKDIR` instructions of the stage. One finding per package: at the line of the
    requirements or environment file that names it, else at the `RUN` line.

    A pin is `==` (also `==2.16.*`), `===`, `~=`, `<=` or `<`, a conda `=` or `==` version, or
    a direct URL (`torch @ https://...whl`); a lower bound (`>=`) or `!=` alone is not. An
    install under constraints (`-c constraints.txt`, `PIP_CONSTRAINT` in the environment or an
    `ENV`), with hashes (`--hash`, `--require-hashes`) or from a conda lock file (`@EXPLICIT`)
    is fine. A version held in a variable (`tensorflow==$TF_VERSION`) is a pin; a file copied
    from another stage or image, named by a variable or missing from the build context is not
    judged. A requirements file that cannot be read or parsed is reported as KER001.

    ## Why is this bad?
    `pip install tensorflow` installs whatever release is newest on the day of the build. The
    image built tomorrow, on CI or a colleague's machine, trains on another framework than the
    one the code was tested with: TensorFlow 2.16 switched `tf.keras` to Keras 3 (models saved
    as `.h5`, custom layers and optimizers behave differently), a new PyTorch or JAX release
    changes default kernels, numerics and the CUDA version it was built for. The build
    succeeds; training either breaks at run time or, worse, silently produces different
    numbers that can no longer be reproduced.

    ## Example
    ```dockerfile
    FROM python:3.11-slim
    COPY requirements.txt .
    RUN pip install -r requirements.txt && pip install tensorflow
    ```
    with a `requirements.txt` holding `keras>=3`.

    ## Use instead
    ```dockerfile
    FROM python:3.11-slim
    COPY requirements.txt .
    RUN pip install -r requirements.txt && pip install tensorflow==2.16.1
    ```
    with `keras==3.3.3` in `requirements.txt`, or a constraints / lock file that pins them.

    ## Fix
    None: which version to pin is the author's decision (usually the one the code was last
    trained and tested with; `pip freeze` in the image built today shows it). A deliberate
    exception is kept with `# keras-lint: ignore=KER402` directly above the `RUN` line, or
    `# noqa: KER402` at the end of the requirements line.
    """

    code = "KER402"
    name = "unpinned-framework-install"
    summary = "Dockerfile installs TensorFlow/Keras/JAX/PyTorch without pinning its version"
    severity = "warning"
    trigger = None
    reads_build_context = True

    def check(self, facts: DockerfileFacts) -> Iterator[Report]:
        reported: set[tuple[str, int, str]] = set()
        for install in facts.installs:
            if install.constrained:
                continue
            names = CONDA_FRAMEWORKS if install.tool == "conda" else FRAMEWORKS
            for spec in install.packages:
                key = ("", install.line, spec.name)
                if spec.name in names and not spec.pinned and key not in reported:
                    reported.add(key)
                    span = (install.line, install.column, install.line, install.end_column)
                    yield Report(_message(spec, install.tool), span=span)
            for line in install.file_lines:
                spec = line.spec
                key = (line.path, line.line, spec.name)
                if spec.name not in CONDA_FRAMEWORKS or spec.pinned or key in reported:
                    continue
                if line.noqa is not None and (not line.noqa or self.code in line.noqa):
                    continue
                reported.add(key)
                span = (line.line, line.column, line.line, line.end_column)
                yield Report(_message(spec, install.tool), span=span, path=line.path)


def _message(spec: PackageSpec, tool: str) -> str:
    pin = "=<version>" if tool == "conda" else "==<version>"
    return (
        f"`{spec.text}` installs {spec.name} with no pinned version: the next build may train "
        f"on another release; pin it (`{spec.name}{pin}`) or install under a constraints file"
    )
