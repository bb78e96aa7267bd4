"""Which kind of source a file is, from its name (and, for YAML, a glance at its bytes).

Kept apart from the readers: a folder walk asks this of every file, and the readers' libraries
(PyYAML, dockerfile-parse) need not be imported for a run that reads no such file.
"""

from __future__ import annotations

import os
import re

_EXACT_NAMES = frozenset({"Dockerfile", "Containerfile"})
_PREFIXES = ("Dockerfile.", "Dockerfile-", "Containerfile.")
_SUFFIXES = (".Dockerfile", ".dockerfile")
#: per-Dockerfile ignore files (``Dockerfile.dockerignore``) share the prefix, are no Dockerfiles
_NOT_DOCKERFILE_SUFFIXES = (".dockerignore",)

#: the Compose specification's file names (``compose.yaml``, ``docker-compose.yml``) and their
#: variants (``compose.override.yaml``, ``docker-compose.gpu.yml``, ``docker-compose-ci.yaml``)
_COMPOSE_NAME = re.compile(r"(?:docker-)?compose(?:[.-][^/\\]*)?\.ya?ml", re.IGNORECASE)
_YAML_SUFFIXES = (".yml", ".yaml")
#: a Kubernetes manifest has both keys at the start of a line (of some document)
_API_VERSION_LINE = re.compile(rb"^apiVersion[ \t]*:", re.MULTILINE)
_KIND_LINE = re.compile(rb"^kind[ \t]*:", re.MULTILINE)


def is_dockerfile_name(name: str) -> bool:
    """Whether a file name (only its last component counts) names a Dockerfile."""
    base = os.path.basename(name.replace("\\", "/"))
    if base in _EXACT_NAMES:
        return True
    if base.endswith(_NOT_DOCKERFILE_SUFFIXES):
        return False
    if any(base.startswith(prefix) and len(base) > len(prefix) for prefix in _PREFIXES):
        return True
    return any(base.endswith(suffix) and len(base) > len(suffix) for suffix in _SUFFIXES)


def is_compose_name(name: str) -> bool:
    """Whether a file name (only its last component counts) names a Compose file."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return _COMPOSE_NAME.fullmatch(base) is not None


def is_yaml_name(name: str) -> bool:
    return name.lower().endswith(_YAML_SUFFIXES)


def looks_like_manifest(data: bytes) -> bool:
    """Whether a YAML file's bytes look like a Kubernetes manifest: a cheap test, no parse."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    return _API_VERSION_LINE.search(data) is not None and _KIND_LINE.search(data) is not None
