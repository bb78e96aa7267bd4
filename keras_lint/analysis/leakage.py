"""Which learned statistics leak held-out rows into training (KER501), read from provenance.

A fit leaks when the rows it learned from include rows that end up held out, and what it learned
reaches the data of that split:

- it learned from a mix that includes test data (``pd.concat([train, test])``) and is applied;
- the data it learned from is split and the split data carries its statistics (``X =
  scale(X)`` then ``train_test_split(X)``), or the statistics are applied to the parts
  afterwards (``scaler.fit(X)``, split ``X``, ``scaler.transform(X_train)``; a mean of the full
  frame filling the training part);
- an adapted Keras layer (which acts inside the model) learned from data that is split.

Fitting on a training part, on a held-out part alone (a different bug), or learning statistics
that are never applied is not a leak.
"""

from __future__ import annotations

from dataclasses import dataclass

from keras_lint.analysis.preprocessing_catalog import VALIDATION_CARVING
from keras_lint.analysis.provenance import PreprocessingFit, Provenance, Split
from keras_lint.analysis.values import Data

MIXES_HELD_OUT = "the fitted data includes held-out test/validation data"


@dataclass(frozen=True)
class Leak:
    fit: PreprocessingFit
    #: why, without where: the rule adds the split's position
    reason: str
    #: the split that divides the data the fit learned from, where one does
    split: Split | None = None

    @property
    def scope(self) -> object:
        """The module the report belongs to: the fit's, or the linted file's call leading to it."""
        return self.fit.via_scope if self.fit.via is not None else self.fit.scope


def find_leaks(provenance: Provenance) -> list[Leak]:
    found: dict[int, Leak] = {}
    for fit in provenance.fits:
        if id(fit.node) in found:
            continue
        leak = _leak(fit, provenance)
        if leak is not None:
            found[id(fit.node)] = leak
    return list(found.values())


def _leak(fit: PreprocessingFit, provenance: Provenance) -> Leak | None:
    data = fit.data
    if data.train_part or data.held_out:
        return None  # the training part is the right data; a test-only refit is another bug
    uses = provenance.uses.get(fit.learned, [])
    carried = [s for s in provenance.splits if fit.learned in s.data.learned]
    if data.mixes_held_out and (uses or carried or fit.implicit_use or fit.kept):
        return Leak(fit, MIXES_HELD_OUT)
    splits = [s for s in provenance.splits if _overlap(data, s.data)]
    if fit.named_training:
        # ``x_train`` of unknown origin is taken at its name: carving validation folds out
        # of it is the usual practice; splitting it again into train and test is not
        splits = [s for s in splits if s.how not in VALIDATION_CARVING and s.how != "slicing"]
    reached = [
        s
        for s in splits
        if (fit.implicit_use and s.order > fit.order) or fit.learned in s.data.learned
    ]
    for split in reached:
        if split.how != "slicing":
            return Leak(fit, f"the same data is later split by `{_named(split)}`", split)
    # statistics of the parts themselves (an error's mean on the test part) are evaluation
    applied = [
        s
        for s in splits
        if s.parts and not s.parts & data.lineage and any(s.parts & lineage for lineage in uses)
    ]
    for split in applied:
        if split.how != "slicing":
            return Leak(
                fit,
                f"it is applied to the parts of the split by `{_named(split)}` of the same data",
                split,
            )
    slices = [s for s in reached if s.how == "slicing"]
    if applied and any(s.how == "slicing" for s in applied):
        slices += [s for s in splits if s.how == "slicing"]
    if {"head", "tail"} <= {s.side for s in slices}:
        first = min((s for s in slices if s.side == "tail"), key=lambda s: s.order)
        return Leak(fit, "the same data is later sliced into training and held-out parts", first)
    return None


def _overlap(fitted: Data, split: Data) -> bool:
    """The split data and the fitted data share rows: one was computed from the other."""
    return fitted.ident in split.lineage or split.ident in fitted.lineage


def _named(split: Split) -> str:
    return "fit(..., validation_split=...)" if split.how == "validation_split" else split.how
