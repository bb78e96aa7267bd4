"""Writing fixed files: atomically, and only over the bytes that were read.

The new bytes go to a temporary file beside the target, are flushed to disk, get the target's
mode, and are renamed over it: a reader (or a crash) sees the old file or the new one, never
half of one. A file whose bytes changed after they were read (an editor saved it meanwhile) is
left alone, with a warning.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from keras_lint.analysis.project import content_digest
from keras_lint.engine.results import FixedFile
from keras_lint.sources.regular_file import read_regular_file


class FileChanged(Exception):
    """The file no longer holds the bytes its fixes were computed from."""


def write_fixed(fixed: FixedFile) -> None:
    """Replace the file ``fixed.path`` with ``fixed.fixed``; raises FileChanged when it no longer
    holds ``fixed.original``, OSError when it cannot be written (it is then as it was)."""
    target = Path(fixed.path)
    if content_digest(read_regular_file(target)) != content_digest(fixed.original):
        raise FileChanged(f"{fixed.path}: changed since it was read; not fixed")
    write_atomically(target, fixed.fixed)


def write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` beside ``target``, fsync it, give it ``target``'s mode, rename it over
    ``target``; on any failure the temporary file is removed and ``target`` is untouched."""
    mode = stat.S_IMODE(os.stat(target).st_mode)
    temporary = target.with_name(f".{target.name}.{os.urandom(6).hex()}.keras-lint.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
