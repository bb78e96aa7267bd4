"""Package installs as facts: requirement files, conda environment files and install commands.

pip requirement lines are parsed by ``packaging`` (PEP 508), the same library pip uses; what is
added here is the line syntax of a requirements file (comments, continuations, options, nested
``-r``), conda match specs, the words of a ``pip``/``uv pip``/``conda``/``mamba``/``micromamba``
command line, and the project files that declare dependencies (``pyproject.toml``, ``setup.cfg``,
``environment.yml``). Nothing here runs a command or reaches a package index.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

#: what makes a version specifier a pin: the version can no longer move to a new major release
PIN_OPERATORS = frozenset({"==", "===", "~=", "<=", "<"})
#: nested ``-r`` deeper than this is not followed (pip has no limit; a cycle would be endless)
MAX_INCLUDE_DEPTH = 16

_CONDA_SPEC = re.compile(
    r"^(?:(?P<channel>[\w.\-/:]+)::)?(?P<name>[A-Za-z0-9_.\-]+)"
    r"(?:\[(?P<brackets>[^\]]*)\])?\s*(?P<version>.*)$"
)
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
# a comment starts at ``#`` at the start of a line or after whitespace, as pip reads it
_COMMENT = re.compile(r"(^|\s+)#.*$")


@dataclass(frozen=True)
class PackageSpec:
    """One package an install names, and whether its version is pinned."""

    name: str  # canonical (``tensorflow-gpu``, ``jax``)
    pinned: bool
    #: the version constraint as ``packaging`` reads it; None for a URL or an unknown one
    specifier: SpecifierSet | None
    text: str


@dataclass(frozen=True)
class RequirementLine:
    """A package named on a line of a requirements or environment file (1-based positions)."""

    spec: PackageSpec
    path: str
    line: int
    column: int
    end_column: int
    #: the line's comment holds ``noqa`` (bare, or naming codes)
    noqa: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FileProblem:
    """A file an install reads that cannot be read or parsed (reported as KER001)."""

    path: str
    line: int
    column: int
    message: str


@dataclass
class RequirementFile:
    """What a requirements file (and the files it includes) installs."""

    lines: list[RequirementLine] = field(default_factory=list)
    #: a constraints file, hashes or ``--require-hashes``: pip installs exactly what they say
    constrained: bool = False
    problems: list[FileProblem] = field(default_factory=list)


# -- one requirement ----------------------------------------------------------------------------


def is_pin(specifier: SpecifierSet) -> bool:
    return any(spec.operator in PIN_OPERATORS for spec in specifier)


def pip_spec(text: str) -> PackageSpec | None:
    """A PEP 508 requirement (``tensorflow[and-cuda]>=2.15``); None for a path or URL install.

    Raises ``InvalidRequirement`` for text that is neither.
    """
    text = text.strip()
    if _is_path_or_url(text):
        return None
    requirement = Requirement(text)
    name = canonicalize_name(requirement.name)
    if requirement.url:  # ``torch @ https://.../torch-2.3.0-...whl``: one fixed artifact
        return PackageSpec(name, True, None, text)
    return PackageSpec(name, is_pin(requirement.specifier), requirement.specifier, text)


def _is_path_or_url(text: str) -> bool:
    if text.startswith((".", "/", "~")) or "://" in text.split("@", 1)[0]:
        return True
    return text.endswith((".whl", ".tar.gz", ".zip")) and "@" not in text


def conda_spec(text: str) -> PackageSpec | None:
    """A conda match spec (``tensorflow=2.12``, ``conda-forge::pytorch>=2``, ``jax 0.4.*``)."""
    match = _CONDA_SPEC.match(text.strip())
    if match is None:
        return None
    name = canonicalize_name(match.group("name"))
    version = match.group("version").strip()
    inner = re.search(r"version\s*=\s*['\"]?([^'\",\]]+)", match.group("brackets") or "")
    if not version and inner:
        version = inner.group(1).strip()
    version = version.split()[0] if version else ""  # a build string may follow a space
    if not version:
        return PackageSpec(name, False, SpecifierSet(), text)
    return PackageSpec(name, _conda_pinned(version), _conda_specifier(version), text)


def _conda_pinned(version: str) -> bool:
    """``2.12``, ``=2.12``, ``==2.12``, ``<3``, ``~=2.1``: pinned; ``>=2`` or ``!=2.1``: not."""
    if version[0].isdigit() or (version[0] == "=" and not version.startswith("=*")):
        return True
    return any(part.strip().startswith(("<", "~=")) for part in re.split(r"[,|]", version))


def _conda_specifier(version: str) -> SpecifierSet | None:
    """The conda version as a PEP 440 specifier: ``=2.12`` and ``2.12`` mean ``==2.12.*``."""
    parts = []
    for part in version.split(","):
        part = part.strip()
        if part[:1].isdigit():
            part = "=" + part
        if part.startswith("=") and not part.startswith("=="):
            part = "==" + part[1:]
            if not part.endswith("*"):
                part += ".*"
        parts.append(part)
    try:
        return SpecifierSet(",".join(parts))
    except InvalidSpecifier:
        return None


# -- requirements files -------------------------------------------------------------------------


def _logical_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """``(first line number, line without comment, comment)``; ``\\`` continuations joined."""
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        comment_match = _COMMENT.search(raw)
        comment = comment_match.group(0) if comment_match else ""
        line = raw[: comment_match.start()] if comment_match else raw
        if line.endswith("\\"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        yield start, " ".join(pending), comment.strip()
        pending = []
    if pending:
        yield start, " ".join(pending), ""


_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z0-9, ]+))?", re.IGNORECASE)


def _noqa_codes(comment: str) -> tuple[str, ...] | None:
    match = _NOQA.search(comment)
    if match is None:
        return None
    codes = match.group("codes") or ""
    return tuple(code.strip().upper() for code in codes.split(",") if code.strip())


#: what reading a file returns: its text, or None when it is not there (content unknown)
FileReader = Callable[[str], "str | None"]


def read_requirement_file(
    path: str, read: FileReader, *, seen: frozenset[str] = frozenset(), depth: int = 0
) -> RequirementFile | None:
    """The packages of a requirements file and of the files it includes with ``-r``.

    ``read`` raises ``OSError`` or ``UnicodeDecodeError`` for a file that exists but cannot be
    read (a problem), and returns None for a missing one (unknown: nothing is said about it). An
    include cycle or a nesting deeper than ``MAX_INCLUDE_DEPTH`` is not followed further.
    """
    try:
        text = read(path)
    except (OSError, UnicodeDecodeError) as error:
        return RequirementFile(problems=[FileProblem(path, 1, 1, f"cannot read: {error}")])
    if text is None:
        return None
    result = RequirementFile()
    folder = os.path.dirname(path)
    for number, content, comment in _logical_lines(text):
        stripped = content.strip()
        if not stripped:
            continue
        column = len(content) - len(content.lstrip()) + 1
        option = _requirement_option(stripped)
        if option is not None:
            flag, argument = option
            if flag in {"-c", "--constraint", "--require-hashes"}:
                result.constrained = True
            elif flag in {"-r", "--requirement"} and argument:
                included = os.path.normpath(os.path.join(folder, _expand_env(argument)))
                if included in seen or included == path or depth >= MAX_INCLUDE_DEPTH:
                    continue
                nested = read_requirement_file(included, read, seen=seen | {path}, depth=depth + 1)
                if nested is not None:
                    result.lines.extend(nested.lines)
                    result.constrained |= nested.constrained
                    result.problems.extend(nested.problems)
            continue
        requirement, _, options = stripped.partition(" --")
        if "--hash" in stripped:
            result.constrained = True
        try:
            spec = pip_spec(requirement)
        except InvalidRequirement as error:
            result.problems.append(
                FileProblem(path, number, column, f"invalid requirement {requirement!r}: {error}")
            )
            continue
        if spec is None:
            continue
        result.lines.append(
            RequirementLine(
                spec, path, number, column, column + len(requirement.rstrip()),
                _noqa_codes(comment),
            )
        )  # fmt: skip
    return result


_VALUE_OPTIONS = frozenset(
    {"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
     "--extra-index-url", "-f", "--find-links", "--trusted-host", "--no-binary", "--only-binary",
     "--use-feature", "--global-option", "--config-settings", "--progress-bar"}
)  # fmt: skip


def _requirement_option(line: str) -> tuple[str, str] | None:
    """``(option, argument)`` for an option line of a requirements file, else None."""
    if not line.startswith("-"):
        return None
    flag, separator, argument = line.partition("=") if line.startswith("--") else ("", "", "")
    if not separator:
        words = line.split(None, 1)
        flag = words[0]
        argument = words[1] if len(words) > 1 else ""
        if len(flag) > 2 and flag[1] != "-" and flag[:2] in _VALUE_OPTIONS:  # ``-rreqs.txt``
            flag, argument = flag[:2], flag[2:]
    return flag, argument.strip()


def _expand_env(text: str) -> str:
    """``${VAR}`` as pip expands it in a requirements file (unknown variables stay as written)."""
    return _ENV_REFERENCE.sub(lambda m: os.environ.get(m.group(1), m.group(0)), text)


# -- conda environment files --------------------------------------------------------------------


def read_environment_file(path: str, read: FileReader) -> RequirementFile | None:
    """The packages of a conda ``environment.yml``: its conda dependencies and its ``pip:`` list
    (whose ``-r`` includes are followed)."""
    import yaml
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:
        text = read(path)
    except (OSError, UnicodeDecodeError) as error:
        return RequirementFile(problems=[FileProblem(path, 1, 1, f"cannot read: {error}")])
    if text is None:
        return None
    result = RequirementFile()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        result.problems.append(FileProblem(path, line, column, f"invalid YAML: {error.problem}"))
        return result
    except yaml.YAMLError as error:
        result.problems.append(FileProblem(path, 1, 1, f"invalid YAML: {error}"))
        return result
    if not isinstance(root, MappingNode):
        return result
    dependencies = next(
        (v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "dependencies"),
        None,
    )
    if not isinstance(dependencies, SequenceNode):
        return result
    folder = os.path.dirname(path)
    for item in dependencies.value:
        if isinstance(item, ScalarNode):
            spec = conda_spec(str(item.value))
            if spec is not None:
                result.lines.append(_yaml_line(spec, path, item))
        elif isinstance(item, MappingNode):
            for key, value in item.value:
                if not (isinstance(key, ScalarNode) and key.value == "pip"):
                    continue
                if not isinstance(value, SequenceNode):
                    continue
                for entry in value.value:
                    if not isinstance(entry, ScalarNode):
                        continue
                    _environment_pip_entry(str(entry.value), entry, path, folder, read, result)
    return result


def _environment_pip_entry(
    text: str, node: object, path: str, folder: str, read: FileReader, result: RequirementFile
) -> None:
    option = _requirement_option(text.strip())
    if option is not None:
        flag, argument = option
        if flag in {"-c", "--constraint", "--require-hashes"}:
            result.constrained = True
        elif flag in {"-r", "--requirement"} and argument:
            nested = read_requirement_file(os.path.normpath(os.path.join(folder, argument)), read)
            if nested is not None:
                result.lines.extend(nested.lines)
                result.constrained |= nested.constrained
                result.problems.extend(nested.problems)
        return
    try:
        spec = pip_spec(text.split(" --", 1)[0])
    except InvalidRequirement:
        return  # conda reports it; the environment file itself is read
    if spec is not None:
        result.lines.append(_yaml_line(spec, path, node))


def _yaml_line(spec: PackageSpec, path: str, node: object) -> RequirementLine:
    start = node.start_mark  # type: ignore[attr-defined]
    end = node.end_mark  # type: ignore[attr-defined]
    end_column = end.column + 1 if end.line == start.line else start.column + 1 + len(spec.text)
    return RequirementLine(spec, path, start.line + 1, start.column + 1, end_column)


# -- install commands ---------------------------------------------------------------------------


@dataclass
class InstallCommand:
    """One ``pip install``/``conda install``/... of a shell command line."""

    tool: str  # "pip" (also uv pip) or "conda" (also mamba, micromamba)
    packages: list[PackageSpec] = field(default_factory=list)
    #: words that name packages but could not be judged (a variable, an unreadable spec)
    unknown: int = 0
    requirement_files: list[str] = field(default_factory=list)
    environment_files: list[str] = field(default_factory=list)
    #: conda ``--file`` lists of match specs
    spec_files: list[str] = field(default_factory=list)
    #: constraints (``-c``, ``PIP_CONSTRAINT``), hashes, or an install that pins by other means
    constrained: bool = False


_PIP_VALUE_OPTIONS = _VALUE_OPTIONS | frozenset(
    {"-t", "--target", "--prefix", "--root", "--src", "--upgrade-strategy", "--platform",
     "--python-version", "--implementation", "--abi", "--cache-dir", "--log", "--proxy",
     "--retries", "--timeout", "--exists-action", "--install-option", "-C", "--report",
     "--python", "-p", "--index-strategy", "--override", "--keyring-provider", "--resolution",
     "--prerelease", "--python-platform", "--cert", "--client-cert", "--src-dir",
     "--default-index", "--index", "--exclude-newer", "--link-mode", "--reinstall-package",
     "-P", "--upgrade-package", "--no-build-isolation-package", "--config-setting"}
)  # fmt: skip
_CONDA_VALUE_OPTIONS = frozenset(
    {"-n", "--name", "-p", "--prefix", "-c", "--channel", "--file", "-f", "--solver",
     "-r", "--root-prefix", "--platform", "--subdir", "--repodata-fn", "--experimental",
     "--channel-priority", "--override-channels-url", "--strict-channel-priority-url"}
)  # fmt: skip
_WRAPPERS = frozenset({"sudo", "time", "env", "exec", "nohup", "command", "xargs"})
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "(", ")", ";;", "\n"})


def shell_commands(script: str) -> Iterator[list[str]]:
    """The simple commands of a shell script as word lists (quotes removed, variables kept)."""
    lexer = shlex.shlex(script.replace("\\\n", " "), posix=True, punctuation_chars=";&|()")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    try:
        for token in lexer:
            if token in _SEPARATORS or set(token) <= set(";&|()\n"):
                if words:
                    yield words
                words = []
            elif token.startswith("#") and not words:
                lexer.instream.readline()  # a comment line of a heredoc script
            else:
                words.append(token)
    except ValueError:  # an unclosed quote: the rest of the line is unknown
        return
    if words:
        yield words


def install_command(words: list[str], environment: dict[str, str]) -> InstallCommand | None:
    """The install a simple command performs, or None when it is not an install."""
    constrained = bool(environment.get("PIP_CONSTRAINT"))
    index = 0
    while index < len(words):
        word = words[index]
        if "=" in word and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", word):
            name, _, value = word.partition("=")
            if name == "PIP_CONSTRAINT" and value:
                constrained = True
            index += 1
        elif os.path.basename(word) in _WRAPPERS or (
            word.startswith("-") and index > 0 and os.path.basename(words[index - 1]) in _WRAPPERS
        ):
            index += 1
        else:
            break
    rest = words[index:]
    if not rest:
        return None
    program = os.path.basename(rest[0])
    command: InstallCommand | None = None
    if re.fullmatch(r"pip(?:3(?:\.\d+)?)?", program) and rest[1:2] == ["install"]:
        command = _pip_install(rest[2:])
    elif re.fullmatch(r"python(?:3(?:\.\d+)?)?", program):
        tail = rest[1:]
        while tail and tail[0].startswith("-") and tail[0] != "-m":
            tail = tail[1:]
        if tail[:3] == ["-m", "pip", "install"]:
            command = _pip_install(tail[3:])
        elif tail[:4] == ["-m", "uv", "pip", "install"]:
            command = _pip_install(tail[4:])
    elif program == "uv" and rest[1:3] == ["pip", "install"]:
        command = _pip_install(rest[3:])
    elif program in {"conda", "mamba", "micromamba"}:
        command = _conda_install(rest[1:])
    if command is not None and constrained:
        command.constrained = True
    return command


def _option_value(
    words: list[str], index: int, value_options: frozenset[str]
) -> tuple[str, str | None, int]:
    """``(flag, value or None, next index)`` for the option at ``words[index]``."""
    word = words[index]
    if word.startswith("--") and "=" in word:
        flag, _, value = word.partition("=")
        return flag, value, index + 1
    if word in value_options:
        following = words[index + 1] if index + 1 < len(words) else None
        return word, following, index + 2
    if not word.startswith("--") and len(word) > 2 and word[:2] in value_options:
        return word[:2], word[2:], index + 1
    return word, None, index + 1


def _pip_install(words: list[str]) -> InstallCommand:
    command = InstallCommand("pip")
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("-"):
            flag, value, index = _option_value(words, index, _PIP_VALUE_OPTIONS)
            if flag in {"-c", "--constraint", "--require-hashes", "--override"}:
                command.constrained = True
            elif flag in {"-r", "--requirement"} and value:
                command.requirement_files.append(value)
            continue
        index += 1
        _add_package(command, word, pip=True)
    return command


def _conda_install(words: list[str]) -> InstallCommand | None:
    if words[:1] == ["env"] and words[1:2] and words[1] in {"create", "update"}:
        words = words[2:]
        command = InstallCommand("conda")
        index = 0
        while index < len(words):
            flag, value, index = _option_value(words, index, _CONDA_VALUE_OPTIONS)
            if flag in {"-f", "--file"} and value:
                command.environment_files.append(value)
        return command
    if words[:1] not in (["install"], ["create"], ["update"]):
        return None
    command = InstallCommand("conda")
    words = words[1:]
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("-"):
            flag, value, index = _option_value(words, index, _CONDA_VALUE_OPTIONS)
            if flag in {"-f", "--file"} and value:
                if value.endswith((".yml", ".yaml")):
                    command.environment_files.append(value)
                else:
                    command.spec_files.append(value)
            continue
        index += 1
        _add_package(command, word, pip=False)
    return command


def _add_package(command: InstallCommand, word: str, *, pip: bool) -> None:
    if "$" in word:
        name = re.match(r"[A-Za-z0-9_.\-]*", word)
        after = word[name.end() :] if name else word
        if name and name.group() and after.lstrip("[").startswith(("==", "=", "~=", "<")):
            command.packages.append(PackageSpec(canonicalize_name(name.group()), True, None, word))
        else:
            command.unknown += 1  # ``tensorflow$TF_SPEC``, ``$PACKAGES``: unknown
        return
    try:
        spec = pip_spec(word) if pip else conda_spec(word)
    except InvalidRequirement:
        command.unknown += 1
        return
    if spec is not None:
        command.packages.append(spec)


def requirement_words(line: str) -> list[str]:
    """The words of one shell line (``!pip install ...`` of a notebook); [] when unreadable."""
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return []
