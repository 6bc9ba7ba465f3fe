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
    editor.submit("[data-testid=notification] a")
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
