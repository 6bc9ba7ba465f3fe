"""A form whose answer takes a while says so at once and is sent once only: logging in (the
password's hash) and publishing a report (its files are printed)."""

from __future__ import annotations

import json

import pytest

from pmqa.assessments.models import Assessment
from tests.builders import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the page said and did at each submission, kept in the tab's session storage, which the
# next page of the tab still reads: the status line's text, and whether it was sent.
WATCH = """() => {
  window.addEventListener("submit", (event) => {
    const seen = JSON.parse(sessionStorage.getItem("submits") || "[]");
    const status = event.target.querySelector(".busy-status");
    seen.push({sent: !event.defaultPrevented, said: status ? status.textContent : ""});
    sessionStorage.setItem("submits", JSON.stringify(seen));
  });
}"""


def impatient(person, button):
    """Press the button twice in a row, as an impatient person does; what each press did."""
    person.page.evaluate(WATCH)
    with person.page.expect_navigation():
        person.page.click(button, click_count=2)
    person.check()
    return json.loads(person.page.evaluate("() => sessionStorage.getItem('submits')"))


def test_logging_in_says_so_and_sends_once(reference_data, person, personas):  # noqa: F811
    editor = person("editor")
    editor.open("/accounts/login/")
    editor.page.fill("#id_username", personas.editor_a.username)
    editor.page.fill("#id_password", PASSWORD)
    first, second = impatient(editor, "main button[type=submit]")
    assert first == {"sent": True, "said": "กำลังเข้าสู่ระบบ…"}
    assert second["sent"] is False
    assert "/accounts/login/" not in editor.page.url


def test_publishing_says_it_prints_the_files_and_publishes_once(
    reference_data,  # noqa: F811
    person,
    case,
):
    case.approved()
    admin = person("admin")
    admin.login(case.p.admin.username)
    admin.open(f"/manage/reports/{case.assessment.pk}/publish/")
    first, second = impatient(admin, "main form button[type=submit]")
    assert first["sent"] and "กำลังเผยแพร่" in first["said"] and "หลายวินาที" in first["said"]
    assert second["sent"] is False
    assert case.refresh().status == Assessment.Status.PUBLISHED
    assert "เผยแพร่รายงานแล้ว" in admin.text()
