"""What "published" means is decided in one place (pmqa.assessments.models: `published()`
as a query, `Assessment.is_published` as a property); a second test of the status anywhere
else fails here, in Python and in the templates."""

import ast
import re
from pathlib import Path

import pmqa

PACKAGE = Path(pmqa.__file__).parent

# (file, function) where "published" is defined; nowhere else may test for it.
DEFINITION = {("assessments/models.py", "published"), ("assessments/models.py", "is_published")}

# Calls that read rows by a condition, where `status=...PUBLISHED` is a test, not a write.
READS = {"filter", "exclude", "get", "Q", "When", "get_object_or_404", "first"}


def _is_published(node: ast.AST) -> bool:
    """`Status.PUBLISHED`, `S.PUBLISHED` or the string "published"."""
    if isinstance(node, ast.Attribute):
        return node.attr == "PUBLISHED"
    return isinstance(node, ast.Constant) and node.value == "published"


def _mentions_published(node: ast.AST) -> bool:
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return any(_is_published(element) for element in node.elts)
    return _is_published(node)


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


class _Finder(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.function = ""
        self.found: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer, self.function = self.function, node.name
        self.generic_visit(node)
        self.function = outer

    def _report(self, node: ast.AST) -> None:
        if (self.path, self.function) not in DEFINITION:
            self.found.append(f"{self.path}:{getattr(node, 'lineno', '?')}")

    def visit_Compare(self, node: ast.Compare) -> None:
        if any(_mentions_published(operand) for operand in [node.left, *node.comparators]):
            self._report(node)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if _call_name(node) in READS and any(
            keyword.arg
            and keyword.arg.split("__")[-1] in ("status", "in")
            and _mentions_published(keyword.value)
            for keyword in node.keywords
        ):
            self._report(node)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        # A lookup built by hand: lookups["…status"] = Status.PUBLISHED.
        if any(isinstance(t, ast.Subscript) for t in node.targets) and _is_published(node.value):
            self._report(node)
        self.generic_visit(node)


def second_definitions(source: str, path: str) -> list[str]:
    finder = _Finder(path)
    finder.visit(ast.parse(source))
    return finder.found


TEMPLATE_TEST = re.compile(r"""status\s*(==|!=|in)\s*["'(\[]?\s*["']published["']""")


def test_published_is_decided_in_one_place_only():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/migrations/" not in f"/{relative}":
            found += second_definitions(path.read_text(encoding="utf-8"), relative)
    for path in sorted(PACKAGE.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if TEMPLATE_TEST.search(line):
                found.append(f"{path.relative_to(PACKAGE).as_posix()}:{number}")
    assert found == [], (
        "Ask `Assessment.objects.published()`, `published(prefix)` or `assessment.is_published` "
        f"instead of testing the status here: {found}"
    )


def test_the_check_finds_a_second_definition_where_there_is_one():
    cases = {
        'Assessment.objects.filter(status="published")': 1,
        "Cycle.objects.filter(assessments__status=Assessment.Status.PUBLISHED)": 1,
        "Count('x', filter=Q(assessments__status=S.PUBLISHED))": 1,
        "ok = assessment.status == Assessment.Status.PUBLISHED": 1,
        'ok = report.status != "published"': 1,
        "ok = assessment.status in (S.REPORT_APPROVED, S.PUBLISHED)": 1,
        'lookups[f"{prefix}status"] = Assessment.Status.PUBLISHED': 1,
        # Writes and the action table's statuses are not tests of "published".
        "Assessment.objects.create(status=Assessment.Status.PUBLISHED)": 0,
        "change_status(assessment=a, to=Assessment.Status.PUBLISHED, by=by)": 0,
        'ACTIONS = {"report.revise": _action({S.PUBLISHED}, ADMIN, "correct")}': 0,
        "ok = Assessment.objects.published().exists() or assessment.is_published": 0,
    }
    for source, expected in cases.items():
        assert len(second_definitions(source, "x.py")) == expected, source
    definition = "def published(prefix=''):\n    return Q(status=Assessment.Status.PUBLISHED)"
    assert second_definitions(definition, "assessments/models.py") == []
    assert second_definitions(definition, "dashboards/models.py") == ["dashboards/models.py:2"]
    assert TEMPLATE_TEST.search('{% if report.status == "published" %}')
    assert not TEMPLATE_TEST.search("{% if assessment.is_published %}")
