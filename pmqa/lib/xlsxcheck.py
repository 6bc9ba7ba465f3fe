"""Bound an uploaded workbook's work before openpyxl opens it: size unpacked, cells, no DTD.

openpyxl holds every cell of a workbook in memory, and the import then walks every sheet's
rows from the first to the last cell it names: a few megabytes of zip can hold a gigabyte of
work. The parts are read here with a streaming parser, stopping at the first limit passed.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

CHUNK = 65_536
_REFERENCE = re.compile(r"([A-Za-z]{1,3})?(\d{1,7})?")


class WorkbookRefused(Exception):
    """The file is refused before it is opened: `reason` is one of the class's constants."""

    NOT_A_WORKBOOK = "not-a-workbook"
    TOO_LARGE = "too-large"
    TOO_MANY_CELLS = "too-many-cells"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    max_cells: int  # rows × columns each sheet spans, summed over the sheets; shared strings too
    max_bytes: int  # the parts unpacked, together


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class _Part:
    """One XML part read as a stream: its root says what it is, its elements are counted."""

    def __init__(self, budget: int) -> None:
        self.budget = budget  # cells left for this part
        self.root = ""
        self.cells = 0
        self.strings = 0
        self.row = 0
        self.column = 0
        self.max_row = 0
        self.max_column = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if not self.root:
            self.root = local
        if self.root == "worksheet":
            if local == "row":
                number = attrs.get("r", "")
                if number and not (number.isascii() and number.isdigit() and len(number) <= 7):
                    raise WorkbookRefused(WorkbookRefused.NOT_A_WORKBOOK)
                self.row = int(number) if number else self.row + 1
                self.column = 0
                self.max_row = max(self.max_row, self.row)
            elif local == "c":
                self.cells += 1
                match = _REFERENCE.fullmatch(attrs.get("r", ""))
                if match is None:
                    raise WorkbookRefused(WorkbookRefused.NOT_A_WORKBOOK)
                letters, digits = match.groups()
                self.column = _column_number(letters) if letters else self.column + 1
                self.max_column = max(self.max_column, self.column)
                if digits:
                    self.max_row = max(self.max_row, int(digits))
                if max(self.cells, self.max_row * self.max_column) > self.budget:
                    raise WorkbookRefused(WorkbookRefused.TOO_MANY_CELLS)
        elif self.root == "sst" and local == "si":
            self.strings += 1
            if self.strings > self.budget:
                raise WorkbookRefused(WorkbookRefused.TOO_MANY_CELLS)

    @property
    def used(self) -> int:
        return max(self.cells, self.max_row * self.max_column, self.strings)


def _refuse_dtd(*_args: object) -> None:
    # A DTD has no place in a workbook, and its entities are how XML is made to explode.
    raise WorkbookRefused(WorkbookRefused.NOT_A_WORKBOOK)


def _read_part(stream: IO[bytes], first: bytes, part: _Part) -> None:
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.StartElementHandler = part.start
    try:
        parser.Parse(first, False)
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise WorkbookRefused(WorkbookRefused.NOT_A_WORKBOOK) from None


def check_workbook(file: IO[bytes], limits: Limits) -> None:
    """Raise WorkbookRefused unless the file is a zip whose parts stay within the limits and
    whose XML is well formed without a DTD. Leaves the file at its start."""
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            # The declared sizes bind: zipfile stops reading a member at its declared size.
            if sum(member.file_size for member in members) > limits.max_bytes:
                raise WorkbookRefused(WorkbookRefused.TOO_LARGE)
            budget = limits.max_cells
            for member in members:
                if member.is_dir():
                    continue
                with archive.open(member) as stream:
                    first = stream.read(CHUNK)
                    if not first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
                        continue  # a picture or another binary part: openpyxl does not parse it
                    part = _Part(budget)
                    _read_part(stream, first, part)
                    budget -= part.used
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise WorkbookRefused(WorkbookRefused.NOT_A_WORKBOOK) from None
    finally:
        file.seek(0)
