"""keras-lint on its own fixtures: each bad program has its rule's findings, each good none."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from keras_lint.engine import lint_paths
from keras_lint.rules import ALL_RULES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: (fixture file, relative to fixtures/) -> findings per code when the whole tree is linted
EXPECTED = {
    "compile-before-fit/bad.py": {"KER101": 2},  # the fit, and the evaluate after it
    "compile-before-fit/good.py": {},
    "loss-activation-mismatch/bad.py": {"KER201": 1},  # one sigmoid unit + categorical
    "loss-activation-mismatch/bad_softmax_bce.py": {"KER201": 1},
    "loss-activation-mismatch/bad_softmax_from_logits.py": {"KER201": 1},
    "loss-activation-mismatch/good.py": {},
    "loss-activation-mismatch/good_softmax.py": {},  # the multi-class variants' counterpart
    "missing-gpu-memory-growth/bad.py": {"KER301": 1},
    "missing-gpu-memory-growth/good.py": {},
    # JAX's bug: KER301 (TensorFlow's) stays silent on both
    "jax-gpu-preallocation/bad.py": {"KER303": 1},
    "jax-gpu-preallocation/good.py": {},
    "docker-latest-tag/bad.Dockerfile": {"KER401": 1},
    "docker-latest-tag/good.Dockerfile": {},
    "preprocessing-fit-on-full-data/bad.py": {"KER501": 2},  # the feature selector and the scaler
    "preprocessing-fit-on-full-data/good.py": {},
    "unscaled-input/bad.py": {"KER502": 1},
    "unscaled-input/good.py": {},
    "eval-preprocessing-mismatch/bad.py": {"KER503": 1},
    "eval-preprocessing-mismatch/good.py": {},
    "validation-split-on-ordered-data/bad.py": {"KER504": 1},
    "validation-split-on-ordered-data/good.py": {},
    "early-stopping-without-restore/bad.py": {"KER601": 1},
    "early-stopping-without-restore/good.py": {},
    "backend-env-after-import/bad.py": {"KER302": 1},
    "backend-env-after-import/good.py": {},
    # keras on the RUN line; tensorflow on its line of the requirements file the RUN installs
    "unpinned-framework-install/bad.Dockerfile": {"KER402": 1},
    "unpinned-framework-install/bad-requirements.txt": {"KER402": 1},
    "unpinned-framework-install/good.Dockerfile": {},
    "unpinned-framework-install/good-requirements.txt": {},
    "legacy-h5-save/bad.py": {"KER703": 1},
    "legacy-h5-save/good.py": {},
    "trainable-change-not-compiled/bad.py": {"KER102": 1},
    "trainable-change-not-compiled/good.py": {},
    "callback-monitor-unavailable/bad.py": {"KER602": 1},
    "callback-monitor-unavailable/good.py": {},
    "best-checkpoint-not-restored/bad.py": {"KER702": 1},
    "best-checkpoint-not-restored/good.py": {},
    "argmax-on-single-unit-output/bad.py": {"KER202": 1},
    "argmax-on-single-unit-output/good.py": {},
    "shuffled-predict-labels/bad.py": {"KER603": 1},
    "shuffled-predict-labels/good.py": {},
    "model-reused-across-folds/bad.py": {"KER604": 1},
    "model-reused-across-folds/good.py": {},
}


@pytest.fixture(scope="module")
def findings_by_file() -> dict[str, Counter[str]]:
    result = lint_paths([FIXTURES])
    assert result.errors == []
    table: dict[str, Counter[str]] = {}
    for finding in result.findings:
        relative = Path(finding.path).resolve().relative_to(FIXTURES).as_posix()
        table.setdefault(relative, Counter())[finding.code] += 1
    return table


@pytest.mark.parametrize(("fixture", "expected"), sorted(EXPECTED.items()))
def test_fixture_has_exactly_its_findings(
    findings_by_file: dict[str, Counter[str]], fixture: str, expected: dict[str, int]
) -> None:
    assert (FIXTURES / fixture).is_file()
    assert dict(findings_by_file.get(fixture, Counter())) == expected


def test_no_other_file_has_findings(findings_by_file: dict[str, Counter[str]]) -> None:
    assert set(findings_by_file) <= set(EXPECTED)


def test_every_rule_has_a_fixture_pair_named_after_it() -> None:
    for rule in ALL_RULES:
        bad = [path for path in EXPECTED if path.startswith(f"{rule.name}/bad")]
        good = [path for path in EXPECTED if path.startswith(f"{rule.name}/good")]
        assert f"{rule.name}/bad.py" in bad or f"{rule.name}/bad.Dockerfile" in bad, rule.code
        assert bad and good, rule.code
        for path in bad:  # every bad variant shows its rule and nothing else
            assert EXPECTED[path] and set(EXPECTED[path]) == {rule.code}, path
        for path in good:
            assert EXPECTED[path] == {}, path
