"""Only regular files are read: a named pipe or a device named like a source never blocks a run."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from keras_lint.analysis import ProjectIndex
from keras_lint.discovery import discover
from keras_lint.engine import lint_paths
from keras_lint.sources.regular_file import check_regular_file, read_regular_file

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """Factory of named pipes with no writer; a watchdog unblocks a reader stuck on one after
    a while, so a regression fails the test instead of hanging the suite."""
    made: list[Path] = []
    done = threading.Event()
    forced: list[Path] = []

    def unblock() -> None:
        wait = 20.0
        while not done.wait(wait):
            wait = 0.2
            for path in made:
                try:  # succeeds only while a reader waits; closing gives it end of file
                    os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                    forced.append(path)
                except OSError:
                    pass

    watchdog = threading.Thread(target=unblock, daemon=True)
    watchdog.start()

    def make(name: str) -> Path:
        path = tmp_path / name
        os.mkfifo(path)
        made.append(path)
        return path

    yield make
    done.set()
    watchdog.join()
    assert not forced, f"a reader blocked on {forced[0].name}"


def test_a_regular_file_and_a_symlink_to_one_are_read(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "a.py")
    assert read_regular_file(tmp_path / "a.py") == b"x = 1\n"
    assert read_regular_file(tmp_path / "link.py") == b"x = 1\n"


@needs_fifo
def test_a_named_pipe_is_refused_before_it_is_opened(fifo: Callable[[str], Path]) -> None:
    with pytest.raises(OSError) as raised:
        read_regular_file(fifo("pipe.py"))
    assert raised.value.strerror == "not a regular file (a named pipe)"


def test_a_folder_a_device_and_a_socket_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OSError, match="a folder"):
        check_regular_file(tmp_path)
    if os.path.exists("/dev/zero"):  # reading it would never end
        (tmp_path / "zero.py").symlink_to("/dev/zero")
        with pytest.raises(OSError, match="a character device"):
            read_regular_file(tmp_path / "zero.py")
    if hasattr(socket, "AF_UNIX"):
        with socket.socket(socket.AF_UNIX) as server:
            server.bind(str(tmp_path / "s.py"))
            with pytest.raises(OSError, match="a socket"):
                read_regular_file(tmp_path / "s.py")


@needs_fifo
def test_a_named_pipe_in_a_walk_is_ker001_and_the_run_goes_on(
    tmp_path: Path, fifo: Callable[[str], Path]
) -> None:
    fifo("pipe.py")
    (tmp_path / "ok.py").write_text("x = (\n")
    result = lint_paths([tmp_path])
    assert sorted((Path(f.path).name, f.code, f.message) for f in result.findings) == [
        ("ok.py", "KER001", "cannot parse: '(' was never closed"),
        ("pipe.py", "KER001", "cannot read: not a regular file (a named pipe)"),
    ]
    assert result.errors == []


@needs_fifo
def test_a_named_pipe_of_another_suffix_is_not_read_for_a_shebang(
    fifo: Callable[[str], Path],
) -> None:
    assert discover([fifo("train.v2")]).files == []


@needs_fifo
def test_helper_lookups_never_read_a_named_pipe(
    tmp_path: Path, fifo: Callable[[str], Path]
) -> None:
    pipe = fifo("helpers.py")
    index = ProjectIndex([pipe])
    assert index.library_covered(str(tmp_path / "train.py"), ["train"]) is False
    assert index.locate("helpers", str(tmp_path / "train.py")) is None
