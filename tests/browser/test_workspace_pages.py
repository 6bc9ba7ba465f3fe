"""The agency's answer pages in Chromium as each save leaves them, at a desk and on a phone:
what the page still lacks counted again after each autosave, a wrong value marked on its own
field until a save accepts it, a new KPI's score and trend shown once it is saved, one row per
press of "add a KPI row", and fields that fit their boxes."""

from __future__ import annotations

import pytest

from pmqa.assessments.models import Answer
from tests.browser.harness import Person, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATUS = "() => document.getElementById('save-status').textContent.includes(%r)"
SAVED = "บันทึกแล้วเมื่อ"
EXCEPT = "ยกเว้นค่าที่แจ้งไว้"
NOT_A_NUMBER = "กรุณากรอกตัวเลข"
# A field's mark as assistive technology reads it: invalid or not, and what describes it.
MARK = """(id) => { const field = document.getElementById(id);
  const said = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean)
    .map((each) => document.getElementById(each)).filter(Boolean)
    .map((each) => each.offsetParent !== null ? each.textContent : "(hidden)");
  return [field.getAttribute("aria-invalid"), said.join(" | ")]; }"""
# The message beside a field is below it or beside it, within a short reach.
NEAR = """(id) => { const field = document.getElementById(id).getBoundingClientRect();
  const said = document.getElementById(id + "-error").getBoundingClientRect();
  return said.top >= field.top - 2 && said.top - field.bottom < 40
    && said.left < field.right + 8; }"""


def saved(person: Person, text: str = SAVED) -> None:
    person.page.wait_for_function(STATUS % text)
    person.settle()


def refused(person: Person) -> None:
    """Wait for an autosave's answer that lists a refused value (whether or not the rest of
    the page had anything new to save)."""
    person.page.wait_for_function("() => document.querySelector('#field-errors li')")
    person.settle()


def missing(page) -> str:
    """What the page says it still lacks ("" when nothing)."""
    box = page.locator("main .missing-box summary")
    return box.inner_text() if box.count() else ""


@pytest.mark.parametrize("width", [1366, 390])
def test_a_profile_section_counts_what_it_lacks_and_marks_a_wrong_figure_as_it_saves(
    reference_data, person, personas, work_a, width
):
    editor = person(f"editor-{width}", width=width, height=900)
    editor.login(personas.editor_a.username)
    path = f"/agency/assessments/{work_a.pk}/profile/OP1a/"
    editor.open(path)
    page = editor.page
    assert "หน้านี้ยังขาดอีก 11 รายการ" in missing(page)
    # The person opens the list to work through it; each save counts again and keeps it open.
    page.click("main .missing-box summary")
    page.fill("#f-vision", "เป็นองค์กรที่ประชาชนไว้วางใจ")
    page.locator("#f-vision").blur()
    saved(editor)
    assert "หน้านี้ยังขาดอีก 10 รายการ" in missing(page)
    assert page.evaluate("document.querySelector('main .missing-box').open")
    assert "วิสัยทัศน์" not in page.inner_text("main .missing-box ul")

    # A wrong figure: marked on its field, its message beside it, the rest saved meanwhile.
    page.fill("#f-budget", "หนึ่งล้าน")
    page.fill("#f-values", "ยึดมั่นในหน้าที่")
    page.locator("#f-values").blur()
    saved(editor, EXCEPT)
    invalid, said = page.evaluate(MARK, "f-budget")
    assert invalid == "true" and said.startswith(NOT_A_NUMBER), said
    assert page.evaluate(NEAR, "f-budget")
    assert "หน้านี้ยังขาดอีก 9 รายการ" in missing(page)
    editor.accessible()
    if width == 390:
        fits(editor, 390)
    # The list at the top leads to the field.
    page.click("#field-errors a[href='#f-budget']")
    assert page.evaluate("location.hash") == "#f-budget"

    # Corrected, it is saved and unmarked.
    page.fill("#f-budget", "1,250,000")
    page.locator("#f-budget").blur()
    saved(editor)
    assert page.evaluate(MARK, "f-budget") == [None, ""]
    assert page.locator("#f-budget-error").count() == 0
    assert "หน้านี้ยังขาดอีก 8 รายการ" in missing(page)
    assert Answer.objects.get(assessment=work_a, key="OP1a").data["budget"] == "1250000"

    # The page's own "save" with a wrong headcount: the page drawn again marks the field, and
    # the next autosave that accepts it takes the mark away.
    page.fill("#f-headcount", "12.5")
    editor.submit("button[value=save]")
    invalid, said = page.evaluate(MARK, "f-headcount")
    assert invalid == "true" and "จำนวนเต็ม" in said
    editor.accessible()
    page.fill("#f-headcount", "420")
    page.locator("#f-headcount").blur()
    saved(editor)
    assert page.evaluate(MARK, "f-headcount") == [None, ""]
    assert page.locator("main [data-field-error]").count() == 0
    editor.check()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_new_kpi_shows_its_score_and_trend_once_saved_and_each_press_adds_one_row(
    reference_data, person, personas, work_a, width
):
    editor = person(f"editor-{width}", width=width, height=900)
    editor.login(personas.editor_a.username)
    path = f"/agency/assessments/{work_a.pk}/items/7.1/"
    editor.open(path)
    page = editor.page
    editor.accessible()
    assert page.locator("fieldset.kpi").count() == 1
    assert "แถวว่าง" in page.inner_text("#kpi-1 legend")
    assert "หน้านี้ยังขาดอีก 1 รายการ" in missing(page)

    page.fill("#k-1-name", "ร้อยละของเรื่องร้องเรียนที่แก้ไขเสร็จ")
    page.fill("#k-1-unit", "ร้อยละ")
    page.fill("#k-1-value_2568", "70")
    page.fill("#k-1-value_2569", "75")
    page.fill("#k-1-value_2570", "80")
    page.fill("#k-1-comparison_source", "ค่าเฉลี่ยของจังหวัดในกลุ่มภาคใต้ชายแดน ปีงบประมาณ 2569")
    page.fill("#k-1-band_0", "60")
    page.fill("#k-1-band_500", "85")
    page.locator("#k-1-band_500").blur()
    saved(editor)
    # Without a reload: the KPI's score and its trend, no longer "an empty row".
    assert "คะแนนตัวชี้วัด: 400.00" in page.inner_text("#kpi-1")
    assert page.locator("#kpi-1 svg polyline").is_visible()
    assert "แถวว่าง" not in page.inner_text("#kpi-1 legend")
    assert page.inner_text("[data-testid=item-score]") == "400.00"
    assert "หน้านี้ยังขาด" not in missing(page)

    # A wrong value in a yearly box: marked there, the score as figured from the rest.
    page.fill("#k-1-value_2570", "๘o")
    page.locator("#k-1-value_2570").blur()
    refused(editor)
    invalid, said = page.evaluate(MARK, "k-1-value_2570")
    assert invalid == "true" and said.startswith(NOT_A_NUMBER)
    assert page.evaluate(NEAR, "k-1-value_2570")
    editor.accessible()
    page.fill("#k-1-value_2570", "82")
    page.locator("#k-1-value_2570").blur()
    saved(editor)
    assert page.evaluate(MARK, "k-1-value_2570") == [None, ""]
    assert "คะแนนตัวชี้วัด: 440.00" in page.inner_text("#kpi-1")

    # The comparison source is as wide as the KPI's name, not one narrow box of the grid.
    source = page.locator("#k-1-comparison_source").bounding_box()
    name = page.locator("#k-1-name").bounding_box()
    assert source and name and source["width"] >= name["width"] - 1

    # One press, one row, and again.
    editor.submit("button[value='add:kpi']")
    assert page.locator("fieldset.kpi").count() == 2
    editor.submit("button[value='add:kpi']")
    assert page.locator("fieldset.kpi").count() == 3
    assert page.input_value("#k-1-name") == "ร้อยละของเรื่องร้องเรียนที่แก้ไขเสร็จ"
    assert page.locator("#kpi-1 svg polyline").is_visible()
    editor.accessible()
    if width == 390:
        fits(editor, 390)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_evidence_pages_web_address_stays_in_its_card(
    reference_data, person, personas, work_a, width
):
    editor = person(f"editor-{width}", width=width, height=900)
    editor.login(personas.editor_a.username)
    editor.open(f"/agency/assessments/{work_a.pk}/evidence/")
    page = editor.page
    card = page.locator("form.card:has(#url)").bounding_box()
    field = page.locator("#url").bounding_box()
    assert card and field
    assert card["x"] < field["x"] and field["x"] + field["width"] < card["x"] + card["width"]
    editor.accessible()
    if width == 390:
        fits(editor, 390)
