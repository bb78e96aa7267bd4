"""Compose files and Kubernetes manifests as facts: the container images their ``image:`` keys name.

PyYAML's safe loader only composes the text into a graph of nodes here: nothing is constructed
(no Python object, no custom tag), and every node keeps its position in the text. An alias is the
very node its anchor names, so the graph of a "billion laughs" text stays as small as the text,
and recursive aliases make cycles; the walks below visit each node once, without recursion, and
read YAML merge keys (``<<: *base``) with a bounded number of merged mappings. Collections nested
deeper than any real file are refused before PyYAML's recursive composer gets slow or overflows.

- Compose (``kind="compose"``): ``services.<name>.image``, with Compose's variable interpolation
  (``${VAR:-default}`` takes the default, ``${VAR}`` is unknown, ``$$`` is a dollar sign). A
  service that also has ``build:`` names the image it builds, not one it pulls: left out.
- Kubernetes (``kind="kubernetes"``): in every document with ``apiVersion`` and ``kind``, the
  ``image`` of every entry of a ``containers``, ``initContainers`` or ``ephemeralContainers``
  list at any depth (pods, workload templates, CronJob job templates, ``List`` items, custom
  resources that embed a pod spec).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

ContainerYamlKind = Literal["compose", "kubernetes"]

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})
#: merged mappings read for one key: far more than real files chain, few enough to stay linear
_MAX_MERGED = 64
#: nesting no real file reaches (a CRD's schema stays far below); the time PyYAML takes to scan
#: nested flow collections grows with the square of their depth
_MAX_DEPTH = 200
#: the line breaks YAML counts (the 1.1 set PyYAML implements)
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: nested ``${A:-${B:-...}}`` deeper than this is treated as unknown rather than recursed into
_MAX_NESTING = 16


class ContainerYamlError(Exception):
    """A text that is not YAML; ``line`` and ``column`` are 1-based."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.column = column
        self.message = message


@dataclass(frozen=True)
class ImageReference:
    """One ``image:`` value. Positions are 1-based; the columns span the value on the key's line
    (the ``image`` key itself when the value starts on a later line)."""

    line: int
    column: int
    end_column: int
    #: the reference, Compose variables substituted
    image: str
    #: the reference still contains a variable whose value is unknown
    unresolved: bool


@dataclass
class ContainerYamlFacts:
    path: str
    text: str
    #: the text's lines as YAML counts them, without their line breaks
    lines: list[str]
    #: in text order; an image written once and reached through several aliases appears once
    images: list[ImageReference]


def load_container_yaml(path: str, text: str, kind: ContainerYamlKind) -> ContainerYamlFacts:
    """The image references of a Compose file or a manifest; raises only ``ContainerYamlError``."""
    text = text.removeprefix("\ufeff")
    lines = _LINE_BREAK.split(text)
    found: dict[int, ImageReference] = {}
    for document in _documents(text):
        pairs = _compose_images(document) if kind == "compose" else _manifest_images(document)
        for key, value in pairs:
            if id(value) not in found and value.tag == _STR_TAG:
                found[id(value)] = _reference(key, value, lines, interpolate=kind == "compose")
    images = sorted(found.values(), key=lambda image: (image.line, image.column))
    return ContainerYamlFacts(path=path, text=text, lines=lines, images=images)


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing collections nested deeper than ``_MAX_DEPTH``."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self.depth += 1
        try:
            if self.depth > _MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    problem=f"too deeply nested (more than {_MAX_DEPTH} levels)",
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _documents(text: str) -> list[Node]:
    try:
        loader = _DepthLimitedLoader(text)  # checks the characters before anything is parsed
    except yaml.reader.ReaderError as error:
        raise _reader_error(error, text) from error
    try:
        documents: list[Node] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                documents.append(node)
        return documents
    except yaml.MarkedYAMLError as error:
        raise _within_text(_marked_error(error), text) from error
    except yaml.YAMLError as error:
        raise ContainerYamlError(1, 1, f"cannot parse YAML: {error}") from error
    except RecursionError as error:
        raise ContainerYamlError(
            loader.line + 1, loader.column + 1, "cannot parse YAML: too deeply nested"
        ) from error
    finally:
        loader.dispose()


def _reader_error(error: yaml.reader.ReaderError, text: str) -> ContainerYamlError:
    line = len(_LINE_BREAK.findall(text, 0, error.position)) + 1
    line_start = max((m.end() for m in _LINE_BREAK.finditer(text, 0, error.position)), default=0)
    character = chr(error.character) if isinstance(error.character, int) else error.character
    return ContainerYamlError(
        line,
        error.position - line_start + 1,
        f"cannot parse YAML: {error.reason} (character {character!r})",
    )


def _within_text(error: ContainerYamlError, text: str) -> ContainerYamlError:
    """``error`` placed inside the text: PyYAML marks the end of the stream on the line after
    a final line break, a line the file does not have; that is the end of its last line."""
    lines = _LINE_BREAK.split(text)
    if lines[-1] == "" and len(lines) > 1:
        lines.pop()
    if error.line <= len(lines):
        return error
    return ContainerYamlError(len(lines), len(lines[-1]) + 1, error.message)


def _marked_error(error: yaml.MarkedYAMLError) -> ContainerYamlError:
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message = f"cannot parse YAML: {error.problem or error.context or 'invalid YAML'}"
    if error.problem and error.context:
        where = f" at line {error.context_mark.line + 1}" if error.context_mark else ""
        message += f" ({error.context}{where})"
    return ContainerYamlError(line, column, message)


# -- the two file kinds ---------------------------------------------------------------------


def _compose_images(document: Node) -> Iterator[tuple[Node, Node]]:
    """``(key, value)`` of the ``image`` of every service that pulls its image."""
    if not isinstance(document, MappingNode):
        return
    services = _lookup(document, "services")
    if not isinstance(services, MappingNode):
        return
    for _, service in _merged_items(services):
        if isinstance(service, MappingNode) and _lookup(service, "build") is None:
            image = _lookup_pair(service, "image")
            if image is not None:
                yield image


def _manifest_images(document: Node) -> Iterator[tuple[Node, Node]]:
    """``(key, value)`` of the ``image`` of every container of a Kubernetes object."""
    if not isinstance(document, MappingNode):
        return
    if _lookup(document, "apiVersion") is None or _lookup(document, "kind") is None:
        return
    seen: set[int] = set()
    pending: list[Node] = [document]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            pending.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                if _key_text(key) in _CONTAINER_LISTS and isinstance(value, SequenceNode):
                    for container in value.value:
                        if isinstance(container, MappingNode):
                            image = _lookup_pair(container, "image")
                            if image is not None:
                                yield image
            pending.extend(reversed([value for _, value in node.value]))


# -- mappings, merge keys included ------------------------------------------------------------


def _key_text(key: Node) -> str | None:
    """A plain key's text; ``None`` for a merge key (``<<``) or a key that is not a scalar."""
    if isinstance(key, ScalarNode) and key.tag != _MERGE_TAG:
        return str(key.value)
    return None


def _own_pairs(mapping: MappingNode) -> Iterator[tuple[Node, Node]]:
    """The mapping's own ``(key, value)`` pairs and then the mappings it merges, in the order
    in which they take precedence: own keys first, then each merged mapping (its own keys, then
    what it merges) in the order listed. At most ``_MAX_MERGED`` mappings are read."""
    seen: set[int] = set()
    pending: list[Node] = [mapping]
    while pending and len(seen) < _MAX_MERGED:
        current = pending.pop()
        if not isinstance(current, MappingNode) or id(current) in seen:
            continue
        seen.add(id(current))
        merged: list[Node] = []
        # within one mapping a repeated key takes its last value, as YAML loaders do
        for key, value in reversed(current.value):
            if isinstance(key, ScalarNode) and key.tag == _MERGE_TAG:
                merged[:0] = value.value if isinstance(value, SequenceNode) else [value]
            else:
                yield key, value
        pending.extend(reversed(merged))


def _lookup_pair(mapping: MappingNode, name: str) -> tuple[Node, Node] | None:
    for key, value in _own_pairs(mapping):
        if _key_text(key) == name:
            return key, value
    return None


def _lookup(mapping: MappingNode, name: str) -> Node | None:
    pair = _lookup_pair(mapping, name)
    return None if pair is None else pair[1]


def _merged_items(mapping: MappingNode) -> list[tuple[str, Node]]:
    """The mapping's keys and values, merge keys applied (a key written in it wins)."""
    items: dict[str, Node] = {}
    for key, value in _own_pairs(mapping):
        text = _key_text(key)
        if text is not None:
            items.setdefault(text, value)
    return list(items.items())


# -- image references ---------------------------------------------------------------------


def _reference(key: Node, value: Node, lines: list[str], *, interpolate: bool) -> ImageReference:
    raw = str(value.value)
    image, unresolved = _interpolate(raw) if interpolate else (raw, False)
    start, end = value.start_mark, value.end_mark
    if start.line != key.start_mark.line:  # ``image:`` with its value on a later line
        start, end = key.start_mark, key.end_mark
    if end.line == start.line:
        end_column = end.column + 1
    else:
        end_column = len(lines[start.line].rstrip()) + 1 if start.line < len(lines) else 1
    return ImageReference(
        line=start.line + 1,
        column=start.column + 1,
        end_column=max(end_column, start.column + 1),
        image=image,
        unresolved=unresolved,
    )


def _interpolate(value: str, depth: int = 0) -> tuple[str, bool]:
    """Compose's interpolation of a value whose variables are unknown: ``(text, unresolved)``.

    ``${VAR:-default}`` and ``${VAR-default}`` take the default; ``${VAR}``, ``$VAR``, the
    ``:?``/``:+`` forms and malformed references are unknown; ``$$`` is a literal ``$``.
    """
    out: list[str] = []
    unresolved = False
    i, n = 0, len(value)
    while i < n:
        if value[i] != "$":
            out.append(value[i])
            i += 1
        elif value.startswith("$$", i):
            out.append("$")
            i += 2
        elif value.startswith("${", i):
            close = _matching_brace(value, i + 2)
            if close < 0:
                return value, True
            text, unknown = _braced(value[i + 2 : close], depth)
            out.append(value[i : close + 1] if unknown else text)
            unresolved = unresolved or unknown
            i = close + 1
        else:
            name = _VARIABLE_NAME.match(value, i + 1)
            end = name.end() if name else i + 1
            out.append(value[i:end])
            unresolved = True
            i = end
    return "".join(out), unresolved


def _braced(body: str, depth: int) -> tuple[str, bool]:
    """The value of ``${body}``: ``(text, unknown)``."""
    name = _VARIABLE_NAME.match(body)
    if name is None or depth >= _MAX_NESTING:
        return "", True
    modifier = body[name.end() :]
    for operator in (":-", "-"):
        if modifier.startswith(operator):
            return _interpolate(modifier[len(operator) :], depth + 1)
    return "", True


def _matching_brace(value: str, index: int) -> int:
    """The index of the ``}`` closing a ``${`` whose body starts at ``index``, or -1."""
    depth = 1
    while index < len(value):
        if value.startswith("${", index):
            depth += 1
            index += 2
            continue
        if value[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1
