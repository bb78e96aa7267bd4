"""The rule reference in ``docs/``: one page per rule and an index, generated, never hand-edited.

``python -m keras_lint.docs`` (in a clone of the repository) writes ``docs/index.md`` and
``docs/rules/<name>.md`` from

- each rule's documentation (its docstring: What it does, Why is this bad?, Example, Use
  instead, Fix), code, name, summary and severity, for every rule in ``ALL_RULES`` and KER001;
- its runtime proof: the claim and the criterion in ``fixtures/<name>/criterion.toml``, the
  margins that a real ``keras-lint verify --device cpu --json docs/verify-cpu.json`` measured,
  and the plot that run drew with ``--plots docs/plots``.

A rule without a fixtures folder, or whose criterion is static, says so instead of a proof;
one that the committed report does not cover says it was not measured yet.
``--check`` writes nothing and exits 1 when a committed page differs from what would be written
(a test runs it). The Python examples on the pages are linted by a test with ``EXAMPLE_PRELUDE``
in front of them (after the ``import os`` and ``os.environ`` lines they start with; one that
imports Keras or TensorFlow itself is a whole program and is linted as it is): an Example must
give the rule's finding, a Use instead none.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keras_lint.parse_error import (
    PARSE_ERROR_CODE,
    PARSE_ERROR_DOCUMENTATION,
    PARSE_ERROR_NAME,
    PARSE_ERROR_SUMMARY,
)
from keras_lint.rules import ALL_RULES, Rule
from keras_lint.severity import family_severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the 3.10 fallback
    import tomli as tomllib

#: where the committed report and plots of ``keras-lint verify --device cpu`` live, under docs/
VERIFY_REPORT = "verify-cpu.json"
PLOTS = "plots"
#: the command that makes them (from the repository root)
VERIFY_COMMAND = (
    "keras-lint verify --device cpu --json docs/verify-cpu.json --plots docs/plots"
)
#: the imports and data the documentation's Python examples take for granted (they are
#: fragments of a training script); the test that lints the examples puts it in front
EXAMPLE_PRELUDE = """\
import keras
import numpy as np
import tensorflow as tf
from keras import layers
from keras.callbacks import EarlyStopping, ModelCheckpoint
from keras.preprocessing.image import ImageDataGenerator
from sklearn.metrics import confusion_matrix
from sklearn.model_selection import KFold, train_test_split
from sklearn.preprocessing import StandardScaler

from data import load

X, y = load()
x, x_train, y_train, x_test, y_test = load()
args = load()
base = keras.applications.MobileNetV2(include_top=False, weights=None, pooling="avg")
model = keras.Sequential([base, keras.layers.Dense(3, activation="softmax")])
datagen = ImageDataGenerator()
scores = []


def build_model():
    built = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="sigmoid")])
    built.compile(optimizer="adam", loss="binary_crossentropy")
    return built
"""
_SOURCES = {
    "python": "Python files and notebooks",
    "dockerfile": "Dockerfiles",
    "container-yaml": "Compose files and Kubernetes manifests",
}


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    summary: str
    severity: str
    documentation: str
    reads: str


def documented_rules() -> list[RuleDoc]:
    """KER001 and every registered rule, in code order."""
    docs = [
        RuleDoc(
            PARSE_ERROR_CODE, PARSE_ERROR_NAME, PARSE_ERROR_SUMMARY,
            family_severity(PARSE_ERROR_CODE), PARSE_ERROR_DOCUMENTATION.strip(), "every file",
        )
    ]  # fmt: skip
    for rule in ALL_RULES:
        kinds = [
            _SOURCES[base.__dict__["source_kind"]]
            for base in rule.__mro__
            if base is not Rule and "source_kind" in base.__dict__
        ]
        reads = ", ".join(dict.fromkeys(kinds)) or _SOURCES[rule.source_kind]
        docs.append(
            RuleDoc(
                rule.code, rule.name, rule.summary, rule.severity, rule.documentation(), reads
            )
        )
    return sorted(docs, key=lambda doc: doc.code)


# -- the runtime proof ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Proof:
    """What the repository holds about one rule's runtime behaviour."""

    #: fixtures/<name>/criterion.toml as text, or None when the rule has no fixtures
    criterion_text: str | None
    criterion: Mapping[str, Any]
    #: the rule's entry of the committed verify report, or None
    measured: Mapping[str, Any] | None
    #: the plot's path relative to docs/, or None
    plot: str | None

    @property
    def needs(self) -> str | None:
        needs = self.criterion.get("needs")
        return needs if isinstance(needs, str) else None

    def status(self) -> str:
        """One cell of the index table."""
        if self.criterion_text is None:
            return "static only: no runtime proof yet"
        if self.needs == "static":
            return "static only"
        if self.measured is None:
            return "not measured yet"
        if self.measured.get("verdict") == "skipped" and self.needs == "gpu":
            return "needs a GPU: skipped on the CPU"
        verdict = str(self.measured.get("verdict"))
        margin = self.measured.get("margin")
        return f"{verdict}, margin {_number(margin)}" if margin is not None else verdict


def _number(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, (int, float)) else "–"


def load_report(docs: Path) -> Mapping[str, Any] | None:
    path = docs / VERIFY_REPORT
    if not path.is_file():
        return None
    report = json.loads(path.read_text(encoding="utf-8"))
    return report if isinstance(report, dict) else None


def proof_of(doc: RuleDoc, root: Path, report: Mapping[str, Any] | None) -> Proof:
    criterion_path = root / "fixtures" / doc.name / "criterion.toml"
    if not criterion_path.is_file():
        return Proof(None, {}, None, None)
    text = criterion_path.read_text(encoding="utf-8")
    measured = None
    for entry in (report or {}).get("rules", []):
        if isinstance(entry, dict) and entry.get("code") == doc.code:
            measured = entry
    plot_name = f"{doc.code}-{doc.name}.png"
    plot = f"{PLOTS}/{plot_name}" if (root / "docs" / PLOTS / plot_name).is_file() else None
    return Proof(text, tomllib.loads(text), measured, plot)


def _device_line(report: Mapping[str, Any]) -> str:
    device = report.get("device") or {}
    versions = report.get("versions") or {}
    wanted = ("python", "tensorflow", "keras", "numpy")
    listed = ", ".join(f"{name} {versions[name]}" for name in wanted if name in versions)
    seeds = ", ".join(str(seed) for seed in report.get("seeds") or [])
    return f"{device.get('kind', '?')} ({device.get('name', '?')}); {listed}; seeds {seeds}"


def _proof_section(doc: RuleDoc, proof: Proof, report: Mapping[str, Any] | None) -> list[str]:
    lines = ["## Runtime proof", ""]
    fixtures = f"fixtures/{doc.name}/"
    if proof.criterion_text is None:
        lines += [
            f"Static only: no runtime proof yet. There is no `{fixtures}` pair of programs for",
            "`keras-lint verify` to train.",
        ]
        return lines
    claim = " ".join(str(proof.criterion.get("claim", "")).split())
    lines += [f"**Claim.** {claim}", ""]
    if proof.needs == "static":
        reason = " ".join(str(proof.criterion.get("static_reason", "")).split())
        lines += [
            f"Static only: the programs in [`{fixtures}`](../../{fixtures}) are linted (the bad",
            f"one must give exactly this finding, the good one none), not trained: {reason}.",
        ]
    elif proof.measured is None or report is None:
        lines += [
            f"Not measured yet: `docs/{VERIFY_REPORT}` has no entry for {doc.code}. Run",
            f"`{VERIFY_COMMAND}` and regenerate the pages.",
        ]
    else:
        lines += _measured(doc, proof, report)
    lines += [
        "",
        f"<details><summary>The criterion, <code>{fixtures}criterion.toml</code></summary>",
        "",
        "```toml",
        proof.criterion_text.rstrip("\n"),
        "```",
        "",
        "</details>",
    ]
    return lines


def _measured(doc: RuleDoc, proof: Proof, report: Mapping[str, Any]) -> list[str]:
    measured = proof.measured or {}
    verdict = measured.get("verdict")
    reason = " ".join(str(measured.get("reason") or "").split())
    shown_reason = reason if reason and verdict != "verified" else ""
    lines = [
        f"Measured by `keras-lint verify --device cpu` on {_device_line(report)}: "
        f"**{verdict}**" + (f" ({shown_reason})." if shown_reason else "."),
        "",
        "| bad | good | margin | bound | worst seed | by seed |",
        "|---|---|---|---|---|---|",
    ]
    for pair in measured.get("pairs") or []:
        seeds = pair.get("margins_by_seed") or []
        by_seed = ", ".join(f"{item['seed']}: {_number(item['margin'])}" for item in seeds)
        note = " ".join(str(pair.get("note") or "not a failure on this backend").split())
        label = pair.get("margin_label") or f"no margin: {note}"
        bound = pair.get("margin_bound") or "–"
        lines.append(
            f"| `{pair.get('bad')}` | `{pair.get('good')}` | {label} | {bound}"
            f" | {_number(pair.get('margin'))} | {by_seed or '–'} |"
        )
    if proof.plot:
        lines += ["", f"![{doc.code} training curves, bad and good programs](../{proof.plot})"]
    return lines


# -- pages ----------------------------------------------------------------------------------------

_HEADER = (
    "<!-- Generated by `python -m keras_lint.docs` from the rule's documentation, its fixtures"
    " and docs/verify-cpu.json. Do not edit: edit those and regenerate. -->"
)


def rule_page(doc: RuleDoc, proof: Proof, report: Mapping[str, Any] | None) -> str:
    lines = [
        f"# {doc.code} {doc.name}",
        "",
        _HEADER,
        "",
        doc.summary if doc.summary.endswith((".", "!", "?")) else f"{doc.summary}.",
        "",
        f"- **Severity**: {doc.severity} (change it with `[tool.keras-lint.severity]`)",
        f"- **Reads**: {doc.reads}",
        f"- **Runtime proof**: {proof.status()}",
        "",
        doc.documentation,
        "",
        *_proof_section(doc, proof, report),
        "",
        "[All rules](../index.md)",
    ]
    return "\n".join(lines) + "\n"


def index_page(docs: Sequence[RuleDoc], proofs: Mapping[str, Proof], report: Any) -> str:
    measured_on = (
        f"`docs/{VERIFY_REPORT}`: {_device_line(report)}"
        if report
        else f"no report is committed yet; `{VERIFY_COMMAND}` makes one"
    )
    lines = [
        "# keras-lint rules",
        "",
        _HEADER,
        "",
        "Every rule, its default severity, and what `keras-lint verify` measured when it trained",
        f"the rule's fixture programs on a CPU ({measured_on}). `keras-lint rules` lists the same",
        "rules; `keras-lint rule CODE` prints a page's documentation in the terminal.",
        "",
        "| code | name | severity | what it finds | runtime proof |",
        "|---|---|---|---|---|",
    ]
    for doc in docs:
        lines.append(
            f"| {doc.code} | [{doc.name}](rules/{doc.name}.md) | {doc.severity} | {doc.summary}"
            f" | {proofs[doc.code].status()} |"
        )
    lines += [
        "",
        "The examples on the pages are fragments of a training script: a test lints each one",
        "after these lines (an Example must give the rule's finding, a Use instead none):",
        "",
        "```python",
        EXAMPLE_PRELUDE.rstrip("\n"),
        "```",
    ]
    return "\n".join(lines) + "\n"


def generate(root: Path) -> dict[Path, str]:
    """Every page's path (relative to ``root``) and text."""
    docs_folder = root / "docs"
    report = load_report(docs_folder)
    docs = documented_rules()
    proofs = {doc.code: proof_of(doc, root, report) for doc in docs}
    pages = {Path("docs", "index.md"): index_page(docs, proofs, report)}
    for doc in docs:
        pages[Path("docs", "rules", f"{doc.name}.md")] = rule_page(doc, proofs[doc.code], report)
    return pages


def stale_pages(root: Path, pages: Mapping[Path, str]) -> list[Path]:
    """Committed pages that differ from ``pages``, missing ones, and pages of no rule."""
    stale = [path for path, text in pages.items() if _read(root / path) != text]
    folder = root / "docs" / "rules"
    if folder.is_dir():
        stale += [
            path.relative_to(root) for path in sorted(folder.glob("*.md"))
            if path.relative_to(root) not in pages
        ]  # fmt: skip
    return stale


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_lint.docs", description=__doc__)
    parser.add_argument(
        "--root", type=Path, default=Path(__file__).resolve().parent.parent,
        help="the repository root (default: the checkout this module is in)",
    )  # fmt: skip
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    options = parser.parse_args(argv)
    root: Path = options.root
    pages = generate(root)
    stale = stale_pages(root, pages)
    if options.check:
        for path in stale:
            print(f"{path.as_posix()}: differs from what `python -m keras_lint.docs` writes")
        return 1 if stale else 0
    for path in stale:
        target = root / path
        if path in pages:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(pages[path], encoding="utf-8")
            print(f"wrote {path.as_posix()}")
        else:
            target.unlink()
            print(f"removed {path.as_posix()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
