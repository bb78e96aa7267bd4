"""Decoding Python bytes the way CPython does, and mapping lines back to the user."""

from __future__ import annotations

import pytest

from keras_lint.sources.python import CellMap, PythonSource, SourceDecodeError, decode_python


def test_utf8_is_the_default() -> None:
    assert decode_python("s = 'é'\n".encode()) == "s = 'é'\n"


def test_bom_is_dropped() -> None:
    assert decode_python(b"\xef\xbb\xbfx = 1\n") == "x = 1\n"


def test_pep263_cookie_is_honoured() -> None:
    data = "# -*- coding: latin-1 -*-\ns = 'é'\n".encode("latin-1")
    assert decode_python(data).splitlines()[1] == "s = 'é'"


def test_undecodable_bytes_give_their_position() -> None:
    with pytest.raises(SourceDecodeError) as raised:
        decode_python(b"x = 1\ns = '\xff'\n")
    assert (raised.value.line, raised.value.column) == (2, 6)
    assert "utf-8" in raised.value.message


def test_undecodable_bytes_on_the_first_line_give_their_position_too() -> None:
    # tokenize reads the first two lines for a coding cookie and only says the cookie is missing
    with pytest.raises(SourceDecodeError) as raised:
        decode_python(b"x = '\xff\xfe'\n")
    assert (raised.value.line, raised.value.column) == (1, 6)
    assert raised.value.message == "cannot decode as utf-8: invalid start byte"


def test_nul_bytes_are_a_binary_file() -> None:
    with pytest.raises(SourceDecodeError) as raised:
        decode_python(b"x = 1\n\x00\x01")
    assert (raised.value.line, raised.value.column) == (2, 1)
    assert "NUL" in raised.value.message


def test_unknown_encoding_cookie_is_an_error() -> None:
    with pytest.raises(SourceDecodeError, match="no-such-codec"):
        decode_python(b"# coding: no-such-codec\nx = 1\n")


def test_crlf_text_is_kept_and_its_lines_counted_like_python() -> None:
    source = PythonSource("a = 1\r\nb = 2  # noqa\r\nc\x0cd\n")
    assert source.user_line(2) == (None, 2)
    assert source.original_line(None, 2) == "b = 2  # noqa"
    assert source.original_line(None, 3) == "c\x0cd"  # a form feed is no line break
    assert source.original_line(None, 9) == ""


def test_cell_map_gives_cell_and_line_and_the_original_text() -> None:
    source = PythonSource(
        "pass\nx = 1\ny = 2\n",
        CellMap([(2, 1), (2, 2), (5, 1)], {2: ["%time f()", "x = 1"], 5: ["y = 2"]}),
    )
    assert [source.user_line(n) for n in (1, 2, 3)] == [(2, 1), (2, 2), (5, 1)]
    assert source.original_line(2, 1) == "%time f()"
