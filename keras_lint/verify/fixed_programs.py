"""The third program of a rule with a fix: its bad fixture after ``--fix --unsafe-fixes``.

The fixed copy is made by the same code as the command line's ``--fix`` (the engine's fixing
stage, then the atomic write), in a folder of its own beside copies of the fixture's other files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from keras_lint.engine import lint_paths
from keras_lint.fix_stage import write_fixes

#: what the name of a fixed program adds to its bad program's stem
FIXED_SUFFIX = ".fixed"


def fixed_name(program: str) -> str:
    """``bad.py`` -> ``bad.fixed.py``: distinct from every fixture's name."""
    path = Path(program)
    return f"{path.stem}{FIXED_SUFFIX}{path.suffix}"


def make_fixed_program(source: Path, code: str, into: Path) -> Path | None:
    """Copy ``source`` into ``into`` as its fixed name and apply the fixes of ``code`` (unsafe
    ones too); None when no fix of ``code`` applies to it or fixing failed."""
    into.mkdir(parents=True, exist_ok=True)
    target = into / fixed_name(source.name)
    shutil.copyfile(source, target)
    result = lint_paths([target], select=[code], fix=True, unsafe_fixes=True)
    if result.errors or not result.fixed:
        target.unlink()
        return None
    written, _ = write_fixes(result.fixed)
    if not written:
        target.unlink()
        return None
    return target
