"""CSV files that Excel on Windows opens as Thai text, with no cell read as a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

# The byte order mark tells Excel the file is UTF-8, so that Thai shows as Thai.
BOM = "\ufeff"
# A cell that starts like a formula is read by Excel as one (and run: =HYPERLINK, DDE).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FIGURE = re.compile(r"-\d+(?:\.\d+)?")


def safe_cell(value: Any) -> Any:
    """Text that would start a formula, kept as text by a leading apostrophe; a negative
    figure such as -12.50 stays a figure."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _FIGURE.fullmatch(value):
        return f"'{value}"
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """The whole file: the byte order mark, the header, then the rows, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return BOM + out.getvalue()
