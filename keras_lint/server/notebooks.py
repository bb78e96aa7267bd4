"""An LSP notebook document as the notebook file keras-lint reads.

The cells are linted together, as one program (the engine reads a notebook's JSON); a
finding's ``cell`` counts every cell, markdown included, so cell ``n`` is the client's cell
``n - 1``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

__all__ = ["notebook_json"]


def notebook_json(cells: Sequence[tuple[bool, str]]) -> str:
    """The ``.ipynb`` text of cells given as (is code, text)."""
    return json.dumps(
        {
            "cells": [
                {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                 "source": text}
                if is_code
                else {"cell_type": "markdown", "metadata": {}, "source": text}
                for is_code, text in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 4,
        }
    )  # fmt: skip
