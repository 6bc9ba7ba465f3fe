"""URL converters: an id is at most 18 digits, so that no lookup overflows a 64-bit column
(SQLite raises OverflowError on a larger integer; the URL answers 404 instead)."""

import re
from typing import TypeGuard

ID = re.compile("[0-9]{1,18}")


def is_id(value: object) -> TypeGuard[str]:
    """Whether a posted or queried value is an id: ASCII digits only ("²".isdigit() is true,
    but int("²") fails), and small enough for the database."""
    return isinstance(value, str) and ID.fullmatch(value) is not None


class IdConverter:
    regex = ID.pattern

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
