"""Reading a source file without ever blocking: only regular files are read.

A FIFO without a writer blocks the reader forever, and a device such as ``/dev/zero`` never ends;
a file named ``train.py`` or a symlink to one may be either, so its kind is checked first.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def check_regular_file(path: Path) -> None:
    """Raise OSError unless ``path`` is (or links to) a regular file."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "a special file")
        raise OSError(errno.EINVAL, f"not a regular file ({kind})", str(path))


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file; OSError for anything else, before a byte is read."""
    check_regular_file(path)
    return path.read_bytes()
