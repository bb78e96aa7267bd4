"""Quick fixes built from a finding's fix (DESIGN section 7) and the ignore comment."""

from __future__ import annotations

from lsp_session import apply_edits
from lsprotocol import types

from keras_lint.finding import Finding
from keras_lint.server.code_actions import code_actions

TEXT = "x = 1; stop = EarlyStopping(patience=2)\n"
EVERYWHERE = types.Range(types.Position(0, 0), types.Position(9, 0))


def _finding(fix: object) -> Finding:
    start = TEXT.index("EarlyStopping")
    return Finding(
        path="train.py", line=1, column=start + 1, end_line=1,
        end_column=TEXT.index(")") + 2, code="KER601", name="early-stopping-without-restore",
        message="m", fix=fix,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_safe_fix_becomes_the_preferred_quick_fix() -> None:
    at = TEXT.index(")") + 1
    fix = {
        "title": "Add `restore_best_weights=True`",
        "applicability": "safe",
        "edits": [
            {"line": 1, "column": at, "end_line": 1, "end_column": at,
             "text": ", restore_best_weights=True"},
        ],
    }  # fmt: skip
    fixed, ignore = code_actions([_finding(fix)], "file:///t.py", TEXT, "utf-16", EVERYWHERE, True)
    assert fixed.is_preferred and fixed.title == "Add `restore_best_weights=True`"
    edits = fixed.edit.changes["file:///t.py"]
    assert apply_edits(TEXT, edits) == TEXT.replace(
        "patience=2)", "patience=2, restore_best_weights=True)"
    )
    assert ignore.title == "Ignore KER601 for this line"


def test_unsafe_fixes_say_so_and_display_only_fixes_are_not_offered() -> None:
    edit = {"line": 1, "column": 1, "end_line": 1, "end_column": 2, "text": "y"}
    unsafe = {"title": "Rename", "applicability": "unsafe", "edits": [edit]}
    shown = {"title": "Look", "applicability": "display-only", "edits": [edit]}
    (fixed, _) = code_actions([_finding(unsafe)], "u", TEXT, "utf-16", EVERYWHERE, True)
    assert not fixed.is_preferred and "unsafe" in fixed.title
    (only,) = code_actions([_finding(shown)], "u", TEXT, "utf-16", EVERYWHERE, True)
    assert only.title.startswith("Ignore")


def test_findings_outside_the_requested_range_get_no_action() -> None:
    elsewhere = types.Range(types.Position(3, 0), types.Position(4, 0))
    assert list(code_actions([_finding(None)], "u", TEXT, "utf-16", elsewhere, True)) == []


def test_a_bare_noqa_needs_no_ignore_action() -> None:
    text = TEXT.replace("\n", "  # noqa\n")
    assert list(code_actions([_finding(None)], "u", text, "utf-16", EVERYWHERE, True)) == []
