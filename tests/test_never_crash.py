"""keras-lint never crashes: any generated source of any kind gives well-formed findings.

The examples per test are bounded for CI (``KERAS_LINT_FUZZ_EXAMPLES``, default 50);
``scripts/fuzz.py`` runs the same properties for as long as asked.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuzzing import (
    FAMILIES,
    NEVER_CRASH,
    PYTHON_GRAMMAR,
    PYTHON_NODES,
    container_yaml,
    dockerfiles,
    keras_programs,
    lint_both_ways,
    notebooks,
    python_sources,
)
from keras_lint.sources import SourceKind

# hypothesmith compiles what it generates; the warnings are about the generated code
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


def assert_never_crashes(text: str, path: str, kind: SourceKind) -> None:
    outcome = lint_both_ways(text, path, kind)
    assert outcome.problems == []


@NEVER_CRASH
@given(PYTHON_GRAMMAR)
def test_programs_from_pythons_grammar(text: str) -> None:
    assert_never_crashes(text, "generated.py", "python")


@settings(NEVER_CRASH, max_examples=max(NEVER_CRASH.max_examples // 5, 5))
@given(PYTHON_NODES)
def test_programs_from_libcst_nodes(text: str) -> None:
    # from_node is about a hundred times slower to generate than from_grammar
    assert_never_crashes(text, "generated.py", "python")


@NEVER_CRASH
@given(python_sources())
def test_text_that_is_mostly_not_python(text: str) -> None:
    assert_never_crashes(text, "text.py", "python")


@settings(NEVER_CRASH, max_examples=NEVER_CRASH.max_examples * 2)
@given(keras_programs())
def test_keras_training_programs(text: str) -> None:
    assert_never_crashes(text, "train.py", "python")


@NEVER_CRASH
@given(notebooks())
def test_notebooks(text: str) -> None:
    assert_never_crashes(text, "train.ipynb", "notebook")


@settings(NEVER_CRASH, max_examples=NEVER_CRASH.max_examples * 4)  # cheap to generate and lint
@given(dockerfiles())
def test_dockerfiles(text: str) -> None:
    assert_never_crashes(text, "Dockerfile", "dockerfile")


@settings(NEVER_CRASH, max_examples=NEVER_CRASH.max_examples * 4)
@given(st.one_of(container_yaml(), st.text(max_size=60)), st.sampled_from(FAMILIES[-2:]))
def test_compose_files_and_manifests(text: str, family) -> None:  # type: ignore[no-untyped-def]
    assert_never_crashes(text, family.path, family.kind)


def test_generated_keras_programs_reach_every_python_rule() -> None:
    """The Keras strategy exercises the rules themselves, not only the prefilter's exit."""
    codes: set[str] = set()

    @settings(NEVER_CRASH, max_examples=200, database=None, derandomize=True)
    @given(keras_programs())
    def collect(text: str) -> None:
        codes.update(
            finding.code for finding in lint_both_ways(text, "train.py", "python").findings
        )

    collect()
    assert {"KER101", "KER201", "KER301", "KER501", "KER601"} <= codes
