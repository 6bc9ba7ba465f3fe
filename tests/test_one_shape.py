"""The shape every page that saves keeps: one autosave helper answers every save, and the
workspace reads what was posted only through its forms. Each test fails when a second way
appears beside the one. The tests keep one shape too: what several test modules share lives in
tests/builders.py and the conftest.py files, never in a test module another imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PMQA = Path(__file__).resolve().parent.parent / "pmqa"
TESTS = Path(__file__).resolve().parent


def _sources(pattern: str = "**/*.py") -> dict[Path, str]:
    return {
        path: path.read_text(encoding="utf-8")
        for path in PMQA.glob(pattern)
        if "migrations" not in path.parts
    }


def test_only_the_autosave_helper_answers_a_save_with_a_status_line_or_a_comparison():
    answering = {
        path.relative_to(PMQA).as_posix()
        for path, text in _sources().items()
        if re.search(r"_save_status\.html|_conflict\.html|HX-Retarget", text)
    }
    assert answering == {"lib/autosave.py"}


def test_the_status_line_and_the_comparison_are_written_once():
    templates = {
        path.relative_to(PMQA / "templates").as_posix()
        for path in (PMQA / "templates").rglob("*.html")
        if 'id="save-status"' in path.read_text(encoding="utf-8")
        or 'class="conflict"' in path.read_text(encoding="utf-8")
    }
    # (The middleware's answer while the database is unreachable also takes the status line's
    # place: that is no save's answer, and says only that the page tries again.)
    assert templates == {"_save_status.html", "_conflict.html", "_unavailable_fragment.html"}


def test_the_workspace_reads_what_was_posted_only_through_its_forms():
    for path, text in _sources("assessments/views/*.py").items():
        for node in ast.walk(ast.parse(text)):
            # request.POST.get(...), request.POST.getlist(...), request.POST[...]
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("get", "getlist", "__getitem__")
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "POST"
            ) or (
                isinstance(node, ast.Subscript)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "POST"
            ):
                raise AssertionError(f"{path.name}:{node.lineno} reads request.POST by hand")


def test_no_test_module_imports_from_another():
    """Helpers and data that test modules share live in tests/builders.py, fixtures in a
    conftest.py. Lines in a subprocess's script count too."""
    imports = re.compile(
        r"^\s*(?:from\s+tests\.(?:browser\.)?test_\w*\s+import"
        r"|from\s+tests(?:\.browser)?\s+import\s+test_"
        r"|import\s+tests\.(?:browser\.)?test_)"
    )
    found = [
        f"{path.relative_to(TESTS).as_posix()}:{number}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if imports.match(line)
    ]
    assert found == [], "\n".join(found)
