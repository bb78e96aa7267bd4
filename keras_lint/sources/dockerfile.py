"""Dockerfiles as facts: the ``FROM`` lines, ``ARG`` defaults substituted, and the ``ENV`` values.

dockerfile-parse splits the text into instructions (comments, line continuations, the escape
directive, lowercase instructions) and its ``WordSplitter`` splits an instruction into words. On
top of that this module adds what a linter needs: 1-based positions, heredoc bodies left out, and
variable substitution that knows when a value is unknown. ``WordSplitter`` can substitute too, but
it silently drops a variable it does not know and does not understand ``${VAR:-default}``, so an
unknown base image would look like a known one; the substitution here keeps unknown as unknown.

The parser is given the text as an in-memory file object and is only read from, so it never
touches the file system.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dockerfile_parse import DockerfileParser
from dockerfile_parse.util import WordSplitter

if TYPE_CHECKING:
    from keras_lint.sources.dockerfile_installs import Install
    from keras_lint.sources.requirements import FileProblem

#: BuildKit reads heredocs only in these instructions
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)\s*([\"']?)([^\s\"'<>|;&()]+)\2")
_NAME_CHARS = re.compile(r"[A-Za-z0-9_]+")
#: nested ``${A:-${B:-...}}`` deeper than this is treated as unknown rather than recursed into
_MAX_NESTING = 16


class DockerfileError(Exception):
    """A Dockerfile that cannot be read; ``line`` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class FromInstruction:
    """One ``FROM`` instruction. Positions are 1-based; columns span its first line."""

    line: int
    end_line: int
    column: int
    end_column: int
    #: the instruction's value as written (continuation lines joined)
    value: str
    #: the image reference, flags removed and global ``ARG`` defaults substituted
    image: str
    #: the ``--platform`` flag's value as written, if any
    platform: str | None
    #: the stage name given with ``AS name``, if any
    stage: str | None
    #: the reference still contains a variable whose value is unknown
    unresolved: bool


@dataclass
class DockerfileFacts:
    path: str
    text: str
    from_instructions: list[FromInstruction] = field(default_factory=list)
    #: every ``ENV`` of every stage; a later ``ENV`` of the same name wins
    env: dict[str, str] = field(default_factory=dict)
    #: the ``FROM``/``RUN``/``COPY``/``ADD``/``WORKDIR``/``ENV``/``ARG`` instructions in order,
    #: read by ``dockerfile_installs`` to find the packages a build installs
    build_steps: list[BuildStep] = field(default_factory=list)
    #: what the ``RUN`` instructions install, the files they install from read from the build
    #: context (see ``dockerfile_installs``)
    installs: list[Install] = field(default_factory=list)
    #: files of the build context an install reads that cannot be read or parsed
    context_problems: list[FileProblem] = field(default_factory=list)


@dataclass(frozen=True)
class BuildStep:
    """An instruction that matters for installs. Columns span its first line (1-based)."""

    keyword: str
    line: int
    column: int
    end_column: int
    value: str
    #: the variables (ARG and ENV) known at this instruction, ``None`` when unknown
    variables: tuple[tuple[str, str | None], ...] = ()


#: a variable's value; ``None`` when it is declared without a value or its value is unknown
_Variables = Mapping[str, "str | None"]


@dataclass(frozen=True)
class _Instruction:
    keyword: str
    start: int  # 0-based, as dockerfile-parse counts
    end: int
    value: str


def load_dockerfile(path: str, text: str, *, read_context: bool = True) -> DockerfileFacts:
    """Parse ``text`` (the content of ``path``) into facts; raises only ``DockerfileError``.

    With ``read_context``, the requirement and environment files the build installs are read
    from the folder of ``path`` (the build context) for ``installs``."""
    nul = text.find("\x00")
    if nul >= 0:
        raise DockerfileError(text.count("\n", 0, nul) + 1, "not a text file (contains NUL bytes)")
    normalized = text.removeprefix("\ufeff").replace("\r\n", "\n")
    lines = normalized.split("\n")
    facts = DockerfileFacts(path=path, text=text)
    global_args: dict[str, str | None] = {}
    stage_vars: dict[str, str | None] = {}
    in_stage = False
    for instruction in _instructions(normalized, lines):
        line = instruction.start + 1
        try:
            if instruction.keyword == "FROM":
                facts.from_instructions.append(
                    _from_instruction(instruction, lines[instruction.start], global_args)
                )
                in_stage = True
                stage_vars = {}
            elif instruction.keyword == "ARG":
                for name, default in _arg_declarations(instruction):
                    if in_stage:
                        # ``ARG NAME`` inside a stage takes the value of the global ARG
                        if default is None and name in global_args:
                            stage_vars[name] = global_args[name]
                        else:
                            stage_vars[name] = _resolved(default, stage_vars)
                    else:
                        global_args[name] = _resolved(default, global_args)
            elif instruction.keyword == "ENV":
                for name, raw in _env_assignments(instruction):
                    value, unresolved = _expand(raw, stage_vars)
                    facts.env[name] = value
                    stage_vars[name] = None if unresolved else value
            if instruction.keyword in _BUILD_STEP_KEYWORDS:
                first_line = lines[instruction.start]
                column = len(first_line) - len(first_line.lstrip()) + 1
                facts.build_steps.append(
                    BuildStep(
                        instruction.keyword, line, column,
                        max(len(first_line.rstrip()) + 1, column), instruction.value,
                        tuple((stage_vars if in_stage else global_args).items()),
                    )
                )  # fmt: skip
        except DockerfileError:
            raise
        except Exception as exc:  # the contract: nothing but DockerfileError leaves this module
            raise DockerfileError(line, f"cannot read {instruction.keyword}: {exc}") from exc
    if read_context:
        from keras_lint.sources.dockerfile_installs import find_installs

        facts.installs, facts.context_problems = find_installs(path, facts.build_steps)
    return facts


_BUILD_STEP_KEYWORDS = frozenset({"FROM", "RUN", "COPY", "ADD", "WORKDIR", "ENV"})


def _instructions(normalized: str, lines: list[str]) -> Iterator[_Instruction]:
    """The instructions in order, comments and heredoc bodies left out."""
    try:
        parser = DockerfileParser(
            fileobj=io.BytesIO(normalized.encode("utf-8", errors="replace")),
            env_replace=False,
        )
        structure = parser.structure
    except Exception as exc:
        raise DockerfileError(1, f"cannot parse Dockerfile: {exc}") from exc
    heredoc_until = -1  # the last line index of the heredoc bodies seen so far
    for entry in structure:
        keyword = str(entry["instruction"])
        start, end = int(entry["startline"]), int(entry["endline"])
        if keyword == "COMMENT" or start <= heredoc_until:
            continue
        value = str(entry["value"] or "").strip()
        yield _Instruction(keyword, start, end, value)
        if keyword in _HEREDOC_INSTRUCTIONS:
            heredoc_until = max(heredoc_until, _heredoc_end(value, lines, end + 1))


def _heredoc_end(value: str, lines: list[str], first_body_line: int) -> int:
    """The index of the last line of the heredoc bodies opened by ``value``, or -1 if none."""
    end = -1
    cursor = first_body_line
    for match in _HEREDOC.finditer(value):
        strip_tabs, delimiter = match.group(1) == "-", match.group(3)
        end = len(lines) - 1  # an unterminated heredoc runs to the end of the file
        for index in range(cursor, len(lines)):
            candidate = lines[index].rstrip("\r")
            if (candidate.lstrip("\t") if strip_tabs else candidate) == delimiter:
                end = index
                break
        cursor = end + 1
    return end


def _from_instruction(
    instruction: _Instruction, first_line: str, global_args: _Variables
) -> FromInstruction:
    words = list(WordSplitter(instruction.value).split(dequote=False))
    platform = None
    while words and words[0].startswith("--"):
        flag = words.pop(0)
        name, _, flag_value = flag.partition("=")
        if name.lower() == "--platform":
            platform = flag_value
    if not words:
        raise DockerfileError(instruction.start + 1, "FROM needs an image reference")
    image, unresolved = _expand(words[0], global_args)
    stage = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    column = len(first_line) - len(first_line.lstrip()) + 1
    return FromInstruction(
        line=instruction.start + 1,
        end_line=instruction.end + 1,
        column=column,
        end_column=max(len(first_line.rstrip()) + 1, column),
        value=instruction.value,
        image=image,
        platform=platform,
        stage=stage,
        unresolved=unresolved,
    )


def _arg_declarations(instruction: _Instruction) -> Iterator[tuple[str, str | None]]:
    """``ARG NAME[=default] ...`` as ``(name, default as written or None)``."""
    for word in WordSplitter(instruction.value).split(dequote=False):
        name, equals, default = word.partition("=")
        name = WordSplitter(name).dequote()
        if not name:
            raise DockerfileError(instruction.start + 1, f"ARG without a name: {word!r}")
        yield name, default if equals else None


def _env_assignments(instruction: _Instruction) -> Iterator[tuple[str, str]]:
    """``ENV NAME=value ...`` or the legacy ``ENV NAME value`` as ``(name, value as written)``."""
    words = list(WordSplitter(instruction.value).split(dequote=False))
    if not words:
        return
    if "=" not in words[0]:
        _, _, rest = instruction.value.partition(words[0])
        yield WordSplitter(words[0]).dequote(), rest.strip()
        return
    for word in words:
        name, equals, value = word.partition("=")
        if not equals or not name:
            raise DockerfileError(instruction.start + 1, f"ENV expects NAME=value, got {word!r}")
        yield WordSplitter(name).dequote(), value


def _resolved(raw: str | None, variables: _Variables) -> str | None:
    if raw is None:
        return None
    value, unresolved = _expand(raw, variables)
    return None if unresolved else value


def _expand(word: str, variables: _Variables, depth: int = 0) -> tuple[str, bool]:
    """Substitute ``$VAR``, ``${VAR}`` and ``${VAR:-default}``-style forms and remove quotes.

    Returns the text and whether some variable was unknown; an unknown reference is kept as
    written. A single pass: a substituted value is not expanded again, so ``ARG A=${A}`` cannot
    loop.
    """
    out: list[str] = []
    unresolved = False
    quote: str | None = None
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        if quote == "'":
            if ch == "'":
                quote = None
            else:
                out.append(ch)
            i += 1
        elif ch == "\\" and i + 1 < n:
            escaped = word[i + 1]
            if quote == '"' and escaped not in '"$\\':
                out.append(ch)
            out.append(escaped)
            i += 2
        elif ch in "'\"" and quote in (None, ch):
            quote = None if quote == ch else ch
            i += 1
        elif ch == "$":
            text, i, unknown = _variable(word, i, variables, depth)
            out.append(text)
            unresolved = unresolved or unknown
        else:
            out.append(ch)
            i += 1
    return "".join(out), unresolved


def _variable(word: str, start: int, variables: _Variables, depth: int) -> tuple[str, int, bool]:
    """Expand the reference starting at ``word[start] == "$"``: ``(text, next index, unknown)``."""
    if word.startswith("${", start):
        close = _matching_brace(word, start + 2)
        if close < 0:
            return word[start:], len(word), True
        written = word[start : close + 1]
        body = word[start + 2 : close]
        name_match = _NAME_CHARS.match(body)
        if not name_match or depth >= _MAX_NESTING:
            return written, close + 1, True
        name, modifier = name_match.group(), body[name_match.end() :]
        text, unknown = _apply_modifier(name, modifier, written, variables, depth)
        return text, close + 1, unknown
    name_match = _NAME_CHARS.match(word, start + 1)
    if not name_match:
        return "$", start + 1, False
    name = name_match.group()
    value = variables.get(name)
    if value is None:
        return word[start : name_match.end()], name_match.end(), True
    return value, name_match.end(), False


def _apply_modifier(
    name: str, modifier: str, written: str, variables: _Variables, depth: int
) -> tuple[str, bool]:
    value = variables.get(name)
    if modifier == "":
        return (written, True) if value is None else (value, False)
    for operator in (":-", ":+", ":?", "-", "+", "?"):
        if modifier.startswith(operator):
            operand = modifier[len(operator) :]
            break
    else:  # pattern removal and replacement forms: not worth guessing
        return written, True
    # with a colon an empty value counts as unset, as in the shell
    is_set = value is not None and (value != "" or ":" not in operator)
    if operator.endswith("+"):
        return _expand(operand, variables, depth + 1) if is_set else ("", False)
    if is_set and value is not None:
        return value, False
    if operator.endswith("-"):
        return _expand(operand, variables, depth + 1)
    return written, True


def _matching_brace(word: str, index: int) -> int:
    """The index of the ``}`` closing a ``${`` whose body starts at ``index``, or -1."""
    depth = 1
    while index < len(word):
        if word.startswith("${", index):
            depth += 1
            index += 2
            continue
        if word[index] == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1
