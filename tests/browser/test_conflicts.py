"""Two tabs on one page: the second save is a conflict, said in the status line and shown
side by side, and "save mine" makes it the newest version."""

from __future__ import annotations

import pytest

from pmqa.assessments.models import Answer
from tests.browser.harness import Person
from tests.builders import Case

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STATUS = "() => document.getElementById('save-status').textContent.includes(%r)"


def test_a_second_tab_saving_an_older_version_gets_the_comparison_and_can_keep_its_text(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    first = person("editor", width=390, height=800)
    first.login(personas.editor_a.username)
    page_url = f"/agency/assessments/{work_a.pk}/items/1.2/"
    first.open(page_url)
    second = Person(first.page.context.new_page(), first.base_url, "editor, second tab")
    second.page.set_viewport_size({"width": 390, "height": 800})
    second.open(page_url)

    first.page.fill("#n-basic-approach", "ฉบับแท็บแรก")
    first.page.locator("#n-basic-approach").blur()
    first.page.wait_for_function(STATUS % "บันทึกแล้ว")

    second.page.fill("#n-basic-approach", "ฉบับแท็บที่สอง")
    second.page.locator("#n-basic-approach").blur()
    second.page.wait_for_function(STATUS % "มีผู้อื่นบันทึกหน้านี้ก่อน")
    box = second.page.locator("#conflict .conflict")
    box.wait_for(state="visible")
    assert "ฉบับแท็บแรก" in box.inner_text() and "ฉบับแท็บที่สอง" in box.inner_text()
    assert second.page.input_value("#n-basic-approach") == "ฉบับแท็บที่สอง"
    # The comparison is brought into view on a phone, and fits it.
    assert second.page.evaluate(
        "() => { const r = document.getElementById('conflict').getBoundingClientRect();"
        " return r.top < window.innerHeight && r.bottom > 0; }"
    )
    assert second.page.evaluate("document.documentElement.scrollWidth") <= 390
    second.accessible()

    second.submit("#conflict form button[type=submit]")
    answer = Answer.objects.get(assessment=work_a, key="1.2")
    assert answer.data["narrative"]["basic"]["approach"] == "ฉบับแท็บที่สอง"
    assert answer.revisions.count() >= 2


def test_two_tabs_of_the_report_editor_keep_both_texts_and_the_lead_chooses(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    """The lead's report page in two tabs: the second tab's autosave on the older version is
    refused and compared box by box, its text stays in the form, and "save mine" makes it the
    report's newest version; the first tab then sees it on reload."""
    from pmqa.feedback.models import Feedback

    assessment = Case(personas, work_a).consensus()
    first = person("lead", width=1366)
    first.login(personas.lead.username)
    page_url = f"/review/{assessment.pk}/feedback/"
    first.open(page_url)
    second = Person(first.page.context.new_page(), first.base_url, "lead, second tab")
    second.page.set_viewport_size({"width": 390, "height": 800})
    second.open(page_url)

    first.page.fill("#conclusion", "ข้อสรุปจากแท็บแรก")
    first.page.locator("#conclusion").blur()
    first.page.wait_for_function(STATUS % "ฉบับที่ 1")

    second.page.fill("#pillar-open_connected", "ผลงานเด่นจากแท็บที่สอง")
    second.page.fill("#conclusion", "ข้อสรุปจากแท็บที่สอง")
    second.page.locator("#conclusion").blur()
    second.page.wait_for_function(STATUS % "มีผู้อื่นบันทึกหน้านี้ก่อน")
    box = second.page.locator("#conflict .conflict")
    box.wait_for(state="visible")
    compared = box.inner_text()
    assert "ข้อสรุปจากแท็บแรก" in compared and "ข้อสรุปจากแท็บที่สอง" in compared
    assert "ผลงานเด่นจากแท็บที่สอง" in compared
    assert second.page.input_value("#conclusion") == "ข้อสรุปจากแท็บที่สอง"
    assert Feedback.objects.get(assessment=assessment).conclusion == "ข้อสรุปจากแท็บแรก"
    assert second.page.evaluate("document.documentElement.scrollWidth") <= 390
    second.accessible()

    second.submit("#conflict form button[type=submit]")
    assert "ข้อความของท่านเป็นฉบับล่าสุดของรายงานแล้ว" in second.page.inner_text("main")
    assert second.page.input_value("#conclusion") == "ข้อสรุปจากแท็บที่สอง"
    report = Feedback.objects.get(assessment=assessment)
    assert (report.conclusion, report.version) == ("ข้อสรุปจากแท็บที่สอง", 2)
    first.open(page_url)
    assert first.page.input_value("#pillar-open_connected") == "ผลงานเด่นจากแท็บที่สอง"


def test_choosing_a_version_in_the_comparison_box_leaves_the_page_without_a_warning(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    """Once the person has chosen, nothing on the page is unsaved: "keep theirs" reloads the
    page and "save mine" saves the kept text, neither after a warning on leaving. A plain save
    on an older version gets the comparison as a page, whose "save mine" is a form of its own."""
    first = person("editor", width=1366)
    first.login(personas.editor_a.username)
    page_url = f"/agency/assessments/{work_a.pk}/items/1.3/"
    first.open(page_url)
    second = Person(first.page.context.new_page(), first.base_url, "editor, second tab")
    second.page.set_viewport_size({"width": 1366, "height": 900})
    second.open(page_url)
    warnings: list[str] = []

    def warned(dialog):  # type: ignore[no-untyped-def]
        warnings.append(dialog.type)
        dialog.dismiss()

    second.page.on("dialog", warned)

    first.page.fill("#n-basic-approach", "ฉบับแท็บแรก")
    first.page.locator("#n-basic-approach").blur()
    first.page.wait_for_function(STATUS % "บันทึกแล้ว")
    second.page.fill("#n-basic-approach", "ฉบับแท็บที่สอง")
    second.page.locator("#n-basic-approach").blur()
    second.page.wait_for_function(STATUS % "มีผู้อื่นบันทึกหน้านี้ก่อน")
    second.page.locator("#conflict .conflict").wait_for(state="visible")
    # "Keep theirs and reload the page": theirs, and no warning on the way.
    second.submit("#conflict a.button")
    assert warnings == []
    assert second.page.input_value("#n-basic-approach") == "ฉบับแท็บแรก"

    # The first tab saves again; the second tab's own "save" button sends its older version.
    first.page.fill("#n-basic-approach", "ฉบับแท็บแรกครั้งที่สอง")
    first.page.locator("#n-basic-approach").blur()
    first.page.wait_for_function(STATUS % "ฉบับที่ 2")
    second.page.fill("#n-basic-approach", "ฉบับแท็บที่สองครั้งที่สอง")
    second.submit("button[value=save]")
    box = second.page.locator("#conflict .conflict")
    box.wait_for(state="visible")
    assert "ฉบับแท็บแรกครั้งที่สอง" in box.inner_text()
    second.accessible()
    # "Save mine": saved as the newest version, without a warning.
    second.submit("#conflict form button[type=submit]")
    assert warnings == []
    answer = Answer.objects.get(assessment=work_a, key="1.3")
    assert answer.data["narrative"]["basic"]["approach"] == "ฉบับแท็บที่สองครั้งที่สอง"
    assert answer.version == 3
    assert second.page.input_value("#n-basic-approach") == "ฉบับแท็บที่สองครั้งที่สอง"
