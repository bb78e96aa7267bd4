"""Properties of fixing, on generated programs: ``--fix --unsafe-fixes`` never turns a file that
parses into one that does not, and fixing a second time changes nothing.

The examples are bounded for CI like the other fuzz properties (``KERAS_LINT_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import find, given, settings

from fuzzing import NEVER_CRASH, keras_programs, python_sources
from keras_lint.engine.fixing import fix_file
from keras_lint.engine.linter import Linter
from keras_lint.engine.results import FileOutcome, FileTask, ProjectFacts
from keras_lint.engine.syntax_checks import compile_check

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

LINTER = Linter(None, None, None)


def lint(task: FileTask, project: ProjectFacts, data: bytes | None) -> FileOutcome:
    return LINTER.lint_file(task, project, data)


def fixed(data: bytes) -> tuple[bytes, list[str]]:
    """The bytes after fixing with unsafe fixes, and the internal errors of the run."""
    outcome = fix_file(lint, FileTask(Path("train.py"), "python"), None, unsafe=True, data=data)
    return (outcome.fixed.fixed if outcome.fixed else data), outcome.errors


def assert_fixing_is_sound_and_idempotent(text: str) -> None:
    data = text.encode("utf-8", "surrogatepass")
    once, errors = fixed(data)
    parsed = compile_check(text) is None
    if parsed:
        assert errors == [], errors  # a dropped fix: a rule offered an edit that breaks syntax
        assert compile_check(once.decode("utf-8")) is None
    twice, _ = fixed(once)
    assert twice == once


@settings(NEVER_CRASH, max_examples=NEVER_CRASH.max_examples * 2)
@given(keras_programs())
def test_fixing_keras_programs_keeps_them_parsable_and_is_idempotent(text: str) -> None:
    assert_fixing_is_sound_and_idempotent(text)


@settings(NEVER_CRASH, max_examples=max(NEVER_CRASH.max_examples // 2, 5))
@given(python_sources())
def test_fixing_any_python_text_is_idempotent(text: str) -> None:
    assert_fixing_is_sound_and_idempotent(text)


def test_the_generated_programs_reach_fixes() -> None:
    """The property is not vacuous: the strategy makes programs that fixing changes."""
    found = find(
        keras_programs(),
        lambda text: fixed(text.encode())[0] != text.encode(),
        settings=settings(NEVER_CRASH, max_examples=300, database=None, derandomize=True),
    )
    assert fixed(found.encode())[0] != found.encode()
