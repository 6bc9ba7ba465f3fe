"""Word-level differences between two versions of Thai text, for history and conflict views.

Thai is written without spaces between words, so the text is cut into words first
(lib.wordbreak, PyThaiNLP) before comparing; a character diff would mark half-words.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from pmqa.lib.wordbreak import words


def word_diff(old: str, new: str) -> tuple[SafeString, SafeString]:
    """(old with removed words in <del>, new with added words in <ins>), HTML-escaped."""
    a, b = words(old), words(new)
    left: list[str] = []
    right: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        old_part = escape("".join(a[i1:i2]))
        new_part = escape("".join(b[j1:j2]))
        if tag == "equal":
            left.append(old_part)
            right.append(new_part)
            continue
        if old_part:
            left.append(f"<del>{old_part}</del>")
        if new_part:
            right.append(f"<ins>{new_part}</ins>")
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - parts escaped above


def field_diffs(
    current: list[tuple[str, str]], other: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Pair up two flattened versions of an answer field by field."""
    other_by_label = dict(other)
    rows = []
    for label, text in current:
        theirs = other_by_label.get(label, "")
        changed = text != theirs
        left, right = word_diff(text, theirs) if changed else (escape(text), escape(theirs))
        rows.append({"label": label, "current": left, "other": right, "changed": changed})
    return rows
