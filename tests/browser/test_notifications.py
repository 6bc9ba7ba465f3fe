"""The notification centre and its settings as their people use them, on a phone: a question
from an assessor reaches the agency's editor (the count in the header, the centre, the link to
where they act), and the editor chooses a daily digest for questions, saved twice."""

from __future__ import annotations

import pytest

from pmqa.notifications.models import Preference
from tests.browser.harness import fits
from tests.builders import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_reads_a_question_from_the_centre_and_chooses_a_digest_on_a_phone(
    reference_data, person, personas, work_a
):
    case = Case(personas, work_a)
    assessment = case.in_review()  # a member of the team asks about item 1.1
    editor = person("editor-390", width=390, height=844)
    editor.login(personas.editor_a.username)
    editor.open("/agency/")
    assert editor.page.inner_text("[data-testid=notifications] .count") == "1"
    editor.submit("[data-testid=notifications]")
    fits(editor, 390)
    editor.accessible()
    assert "ขอหลักฐานเพิ่ม" in editor.text()
    editor.submit("[data-testid=notification] button")
    assert editor.page.url.endswith(f"/agency/assessments/{assessment.pk}/#clarifications")
    assert editor.page.locator("[data-testid=notifications] .count").count() == 0

    editor.open("/notifications/settings/")
    fits(editor, 390)
    editor.accessible()
    editor.page.check("input[name=question_asked][value=digest]")
    editor.submit("main button[type=submit]")
    assert "บันทึกแล้ว" in editor.text()
    editor.submit("main button[type=submit]")  # saved twice: the same choice, kept
    assert editor.page.is_checked("input[name=question_asked][value=digest]")
    assert list(
        Preference.objects.filter(user=personas.editor_a).values_list("kind", "delivery")
    ) == [("question_asked", "digest")]


def test_an_editor_tells_the_approver_it_is_ready_and_the_approver_is_led_to_submit(
    reference_data, person, personas, work_a
):
    from tests.builders import complete_assessment

    complete_assessment(work_a, personas.editor_a)
    editor = person("editor-390", width=390, height=844)
    editor.login(personas.editor_a.username)
    editor.open(f"/agency/assessments/{work_a.pk}/submit/")
    fits(editor, 390)
    editor.accessible()
    editor.page.fill("#id_note", "ก" * 2001)
    editor.submit("form[action$='/ready/'] button[type=submit]")
    assert "2,000" in editor.text() or "2000" in editor.text()
    assert editor.page.input_value("#id_note") == "ก" * 2001  # what was typed stays
    editor.page.fill("#id_note", "ตรวจทานครบทุกหมวดแล้ว")
    editor.submit("form[action$='/ready/'] button[type=submit]")
    assert "แจ้งผู้อนุมัติแล้ว" in editor.text()

    approver = person("approver", width=1366)
    approver.login(personas.approver_a.username)
    approver.open("/notifications/")
    assert "ตรวจทานครบทุกหมวดแล้ว" in approver.text()
    approver.submit("[data-testid=notification] button")
    assert approver.page.url.endswith(f"/agency/assessments/{work_a.pk}/submit/")
