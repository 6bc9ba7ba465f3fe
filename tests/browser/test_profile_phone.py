"""The profile's tables on a phone: each row stacked, each cell named as its column is, the
"*" of a field needed before submission included."""

from __future__ import annotations

import pytest

from tests.browser.harness import PROFILE, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each stacked cell's name as the phone shows it (the ::before label), beside its column's
# header, which the phone hides.
LABELS = """() => Array.from(document.querySelectorAll("table.stack")).flatMap((table) => {
  const heads = Array.from(table.querySelectorAll("thead th")).map((th) => th.innerText.trim());
  return Array.from(table.querySelectorAll("tbody tr")).flatMap((row) =>
    Array.from(row.children).slice(1).filter((td) => td.dataset.label !== undefined)
      .map((td) => [heads[td.cellIndex],
        getComputedStyle(td, "::before").content.replace(/^"|: "$/g, "")]));
})"""


def test_a_phone_names_each_stacked_cell_as_its_column_with_the_star_of_a_needed_field(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    editor = person("editor-390", width=390, height=844)
    editor.login(personas.editor_a.username)
    starred = 0
    for code in PROFILE:
        editor.open(f"/agency/assessments/{work_a.pk}/profile/{code}/")
        fits(editor, 390)
        pairs = editor.page.evaluate(LABELS)
        for header, shown in pairs:
            assert shown == header, (code, header, shown)
        starred += sum(1 for header, _shown in pairs if header.endswith("*"))
    # Services (OP1a) and the other tables have needed columns: the check saw some.
    assert starred > 0


# Each field of a table as assistive technology names it, beside its column's header and the
# number its row shows.
CELL_NAMES = """() => Array.from(document.querySelectorAll("table.stack")).flatMap((table) => {
  const heads = Array.from(table.querySelectorAll("thead th"))
    .map((th) => th.innerText.replace(/\\s*\\*$/, "").trim());
  return Array.from(table.querySelectorAll("tbody tr")).flatMap((row) =>
    Array.from(row.querySelectorAll("input[type=text], textarea, select")).map((field) =>
      [field.getAttribute("aria-label"), heads[field.closest("td").cellIndex],
       row.cells[0].innerText.trim()]));
})"""


def test_a_phone_reads_every_cell_of_the_profile_tables_by_its_column_and_row(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    editor = person("editor-390", width=390, height=844)
    editor.login(personas.editor_a.username)
    named = 0
    for code in PROFILE:
        editor.open(f"/agency/assessments/{work_a.pk}/profile/{code}/")
        # Two rows where a table has them: a row added, each cell named by its own row.
        table = editor.page.locator("button[value^='add:']").first
        if table.count():
            editor.submit("button[value^='add:']")
        for label, column, row in editor.page.evaluate(CELL_NAMES):
            assert label == f"{column} แถวที่ {row}", (code, label, column, row)
            named += 1
        editor.accessible()
        fits(editor, 390)
    assert named > 10
