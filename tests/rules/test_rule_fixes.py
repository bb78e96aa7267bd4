"""Every rule's fixes do what they claim: after ``--fix --unsafe-fixes`` the fixed findings are
gone, the program still compiles, and a second run changes nothing.

Checked on each fixture ``bad*.py`` (with the real command line) and on the reported snippets
of the rules' own tests (in process, through the same fixing code).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import test_early_stopping
import test_loss_activation

from keras_lint.engine import lint_paths
from keras_lint.rules import ALL_RULES

REPOSITORY = Path(__file__).resolve().parents[2]
FIXTURES = REPOSITORY / "fixtures"
ENV = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
CODES = {rule.name: rule.code for rule in ALL_RULES}

#: the fixtures whose finding has a fix that ``--fix --unsafe-fixes`` applies
FIXED_FIXTURES = {
    "argmax-on-single-unit-output/bad.py": "KER202",
    "backend-env-after-import/bad.py": "KER302",
    "callback-monitor-unavailable/bad.py": "KER602",
    "early-stopping-without-restore/bad.py": "KER601",
    "loss-activation-mismatch/bad.py": "KER201",
}
#: the reported snippets of the rules' tests, by the rule whose fixes they exercise
SNIPPETS = {
    "KER601": test_early_stopping.REPORTED,
    "KER201": test_loss_activation.MISMATCHES
    + test_loss_activation.ONE_UNIT_SOFTMAX_LAYER
    + test_loss_activation.OTHER_SPELLINGS,
}


def cli(folder: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "keras_lint", "--no-cache", *arguments],
        cwd=folder, env=ENV, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def fixture_files() -> list[str]:
    return sorted(
        path.relative_to(FIXTURES).as_posix()
        for path in FIXTURES.glob("*/bad*.py")
        if path.parent.name in CODES
    )


@pytest.mark.parametrize("name", fixture_files())
def test_a_fixture_after_fix_has_no_fixable_finding_compiles_and_stays_fixed(
    tmp_path: Path, name: str
) -> None:
    code = CODES[name.split("/")[0]]
    target = tmp_path / "program.py"
    target.write_bytes((FIXTURES / name).read_bytes())
    before = lint_paths([target], select=[code]).findings
    fixable = [f for f in before if f.fix is not None and f.fix.applies(unsafe=True)]
    assert bool(fixable) == (name in FIXED_FIXTURES), [f.fix for f in before]
    fixed = cli(tmp_path, "--select", code, "--fix", "--unsafe-fixes", "program.py")
    assert fixed.returncode in (0, 1) and "internal error" not in fixed.stderr, fixed.stderr
    after = lint_paths([target], select=[code]).findings
    assert len(after) == len(before) - len(fixable), after
    source = target.read_text(encoding="utf-8")
    compile(source, str(target), "exec")
    again = cli(tmp_path, "--select", code, "--diff", "--unsafe-fixes", "program.py")
    assert again.stdout == "" and again.returncode == 0, again.stdout


def snippet_cases() -> list[object]:
    return [
        pytest.param(code, textwrap.dedent(case.values[0]), id=f"{code}-{case.id}")
        for code, cases in SNIPPETS.items()
        for case in cases
    ]


@pytest.mark.parametrize(("code", "source"), snippet_cases())
def test_a_reported_snippet_after_fix_keeps_only_its_unfixable_findings(
    tmp_path: Path, code: str, source: str
) -> None:
    target = tmp_path / "train.py"
    target.write_text(source, encoding="utf-8")
    before = lint_paths([target], select=[code]).findings
    unfixable = [f for f in before if f.fix is None or not f.fix.applies(unsafe=True)]
    result = lint_paths([target], select=[code], fix=True, unsafe_fixes=True)
    assert result.errors == []
    if len(unfixable) == len(before):
        assert result.fixed == []
        return
    (fixed,) = result.fixed
    target.write_bytes(fixed.fixed)
    compile(fixed.fixed, str(target), "exec")
    assert len(lint_paths([target], select=[code]).findings) == len(unfixable)
    assert lint_paths([target], select=[code], fix=True, unsafe_fixes=True).fixed == []


@pytest.mark.parametrize("code", sorted(SNIPPETS))
def test_the_snippets_of_each_fixable_rule_include_fixed_ones(tmp_path: Path, code: str) -> None:
    fixable = 0
    for case in SNIPPETS[code]:
        (tmp_path / "train.py").write_text(textwrap.dedent(case.values[0]), encoding="utf-8")
        findings = lint_paths([tmp_path / "train.py"], select=[code]).findings
        fixable += any(f.fix is not None and f.fix.applies(unsafe=True) for f in findings)
    assert fixable >= 3


def fixed_text(tmp_path: Path, source: str, code: str) -> str | None:
    """The file after ``--fix --unsafe-fixes`` of rule ``code``; None when nothing applies."""
    target = tmp_path / "train.py"
    target.write_text(textwrap.dedent(source), encoding="utf-8")
    result = lint_paths([target], select=[code], fix=True, unsafe_fixes=True)
    assert result.errors == []
    return result.fixed[0].fixed.decode() if result.fixed else None


KER201_HEAD = "import keras\nfrom keras import layers\n\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "m = keras.Sequential([layers.Dense(8), layers.Dense(1, activation='softmax')])\n"
            "m.compile(optimizer='adam', loss='binary_crossentropy')\n",
            "layers.Dense(1, activation='sigmoid')",
            id="one-unit-softmax-becomes-sigmoid-in-its-quotes",
        ),
        pytest.param(
            "x = keras.Input((4,))\ny = layers.Dense(1, 'softmax')(x)\nm = keras.Model(x, y)\n"
            "m.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy())\n",
            "layers.Dense(1, 'sigmoid')(x)",
            id="functional-positional-activation",
        ),
        pytest.param(
            "m = keras.Sequential([layers.Dense(8), layers.Dense(1, activation='sigmoid')])\n"
            'm.compile(optimizer="adam", loss="sparse_categorical_crossentropy")\n',
            'loss="binary_crossentropy"',
            id="one-sigmoid-unit-gets-binary-crossentropy",
        ),
        pytest.param(
            "m = keras.Sequential([layers.Dense(8), layers.Dense(10)])\n"
            "m.compile(loss=keras.losses.SparseCategoricalCrossentropy(), optimizer='adam')\n",
            "SparseCategoricalCrossentropy(from_logits=True)",
            id="linear-output-gets-from-logits",
        ),
        pytest.param(
            "loss = keras.losses.CategoricalCrossentropy(\n    from_logits=False,\n)\n"
            "m = keras.Sequential([layers.Dense(8), layers.Dense(10)])\n"
            "m.compile(loss=loss, optimizer='adam')\n",
            "CategoricalCrossentropy(\n    from_logits=True,\n)",
            id="explicit-false-replaced-where-the-loss-is-built",
        ),
    ],
)
def test_ker201_fixes(tmp_path: Path, before: str, after: str) -> None:
    fixed = fixed_text(tmp_path, KER201_HEAD + before, "KER201")
    assert fixed is not None and after in fixed


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            "m = keras.Sequential([layers.Dense(8), layers.Dense(4, activation='softmax')])\n"
            "m.compile(optimizer='adam', loss='binary_crossentropy')\n",
            id="softmax-with-binary-crossentropy-depends-on-the-labels",
        ),
        pytest.param(
            "m = keras.Sequential([layers.Dense(8), layers.Dense(1, activation='softmax')])\n"
            "m.compile(optimizer='adam', loss='categorical_crossentropy')\n",
            id="one-unit-softmax-with-a-categorical-loss",
        ),
        pytest.param(
            "m = keras.Sequential([layers.Dense(8), layers.Dense(10)])\n"
            "m.compile(optimizer='adam', loss='categorical_crossentropy')\n",
            id="linear-output-with-a-string-loss",
        ),
        pytest.param(
            "m = keras.Sequential([layers.Dense(8), layers.Dense(10)])\n"
            "m.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy(False))\n",
            id="positional-arguments-of-the-loss",
        ),
        pytest.param(
            "x = keras.Input((4,))\na = layers.Dense(3, name='a')(x)\n"
            "b = layers.Dense(3, activation='softmax', name='b')(x)\nm = keras.Model(x, [a, b])\n"
            "loss = keras.losses.CategoricalCrossentropy()\n"
            "m.compile(optimizer='adam', loss=[loss, loss])\n",
            id="loss-object-shared-with-a-softmax-output",
        ),
        pytest.param(
            "m = keras.Sequential([layers.Dense(8), layers.Dense(10, activation='softmax')])\n"
            "m.compile(optimizer='adam',\n"
            "          loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n",
            id="probabilities-with-from-logits",
        ),
    ],
)
def test_ker201_has_no_fix_where_the_repair_is_a_choice(tmp_path: Path, source: str) -> None:
    target = tmp_path / "train.py"
    target.write_text(KER201_HEAD + source, encoding="utf-8")
    findings = lint_paths([target], select=["KER201"]).findings
    assert findings and all(f.fix is None for f in findings)


KER301_PROGRAM = """\
\"\"\"Train.\"\"\"
import os  # the environment
{tf_import}
from tensorflow import keras

model = keras.Sequential([keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit([[1.0]], [1.0], epochs=1)
"""


@pytest.mark.parametrize(
    ("tf_import", "name"), [("import tensorflow as tf2", "tf2"), ("import numpy", "tf")]
)
def test_ker301_shows_the_growth_loop_after_the_imports_and_never_applies_it(
    tmp_path: Path, tf_import: str, name: str
) -> None:
    target = tmp_path / "train.py"
    target.write_text(KER301_PROGRAM.format(tf_import=tf_import), encoding="utf-8")
    (finding,) = lint_paths([target], select=["KER301"]).findings
    assert finding.fix is not None and finding.fix.applicability == "display-only"
    (edit,) = finding.fix.edits
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (5, 1, 5, 1)
    loop = (
        f'for gpu in {name}.config.list_physical_devices("GPU"):\n'
        f"    {name}.config.experimental.set_memory_growth(gpu, True)\n"
    )
    assert edit.text.endswith(loop)
    assert ("import tensorflow as tf\n" in edit.text) == (name == "tf")
    assert lint_paths([target], select=["KER301"], fix=True, unsafe_fixes=True).fixed == []
    # applied by hand, the edit gives a program with memory growth: no finding
    lines = target.read_text().splitlines(keepends=True)
    lines.insert(edit.line - 1, edit.text)
    target.write_text("".join(lines), encoding="utf-8")
    assert lint_paths([target], select=["KER301"]).findings == []
