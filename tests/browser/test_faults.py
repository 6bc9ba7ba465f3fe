"""Faults a user meets in a real browser: the database gone in the middle of typing."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from pmqa.assessments import services
from pmqa.assessments.models import Answer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_database_stops_during_an_autosave_and_the_text_is_saved_when_it_returns(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
    monkeypatch,
):
    editor = person("editor")
    editor.login(personas.editor_a.username)
    editor.open(f"/agency/assessments/{work_a.pk}/items/1.1/")
    page = editor.page
    real_save = services.save_answer

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "save_answer", database_gone)
    text = "ทบทวนแผนทุกไตรมาสร่วมกับผู้บริหาร"
    page.fill("#n-basic-approach", text)
    page.locator("#n-basic-approach").blur()
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('ยังไม่ได้บันทึก')"
    )
    assert "ข้อความของท่านยังอยู่" in editor.text()
    assert page.input_value("#n-basic-approach") == text
    assert Answer.objects.get(assessment=work_a, key="1.1").version == 0
    # The database is back: the page's own retry saves the text, without the user.
    monkeypatch.setattr(services, "save_answer", real_save)
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('บันทึกแล้ว')",
        timeout=20_000,
    )
    # The 503s were the outage's, and nothing else went wrong on the page.
    outage = [problem for problem in editor.problems if "503" in problem]
    assert outage
    editor.problems = [problem for problem in editor.problems if problem not in outage]
    saved = Answer.objects.get(assessment=work_a, key="1.1")
    assert saved.data["narrative"]["basic"]["approach"] == text and saved.version == 1
    editor.open(f"/agency/assessments/{work_a.pk}/items/1.1/")
    assert page.input_value("#n-basic-approach") == text
