"""Text as people type it: control characters removed before anything is stored."""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab, line feed and carriage return, plus DEL and the C1 block. NUL above all:
# PostgreSQL refuses it in text and in jsonb, and no person means to type it.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(value: Any) -> Any:
    """The value with control characters removed from every string in it (dicts and lists
    are walked; other values are returned as they are)."""
    if isinstance(value, str):
        return _CONTROLS.sub("", value)
    if isinstance(value, dict):
        return {strip_controls(k): strip_controls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_controls(v) for v in value]
    return value
