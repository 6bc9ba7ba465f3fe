"""Login safety in a real browser: an assessor sets up the authenticator app from the page (the
key read off it, as a person types it into the app), logs out and back in with a code, then
with a recovery code; the idle warning appears, "stay logged in" keeps the session, and an
autosave after the timeout keeps the typed text."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore

from pmqa.accounts import idle
from pmqa.assessments.models import Answer
from pmqa.audit.models import AuditEntry
from tests.browser.harness import Person
from tests.second_factor import code_from_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(who: Person) -> None:
    who.submit("header form[action$='/logout/'] button")


def test_an_assessor_sets_up_the_app_then_logs_in_with_a_code_and_a_recovery_code(
    reference_data,  # noqa: F811
    person,
    personas,
    tmp_path,
):
    assessor = person("assessor")
    assessor.login(personas.assessor.username, app=False)
    page = assessor.page
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator(".qr svg").count() == 1
    assessor.accessible()
    # The key as the page shows it, typed into the "app": its code goes back into the page.
    secret = page.inner_text("#otp-secret")
    page.fill("#id_code", code_from_secret(secret))
    assessor.submit("main form[method=post] button[type=submit]")
    assert "รหัสกู้คืนของท่าน" in assessor.text()
    assessor.accessible()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    with page.expect_download() as download:
        page.click("a[download]")
    saved = tmp_path / "codes.txt"
    download.value.save_as(saved)
    assert all(code in saved.read_text(encoding="utf-8") for code in codes)
    assessor.submit("main form[method=post] button[type=submit]")
    assert page.url.endswith("/review/")

    # Out and in again: the code from the app is asked for and accepted.
    log_out(assessor)
    assessor.login(personas.assessor.username)
    assert page.url.endswith("/review/")

    # Out and in with a recovery code instead, once.
    log_out(assessor)
    assessor.login(personas.assessor.username, app=False)
    assert "/accounts/two-factor/" in page.url
    assessor.accessible()
    page.fill("#id_code", codes[0])
    assessor.submit("main form[method=post] button[type=submit]")
    assert page.url.endswith("/review/")
    used = AuditEntry.objects.get(action="otp.recovery_use", actor=personas.assessor)
    assert used.new == {"remaining": 9}


def _session_of(who: Person) -> SessionStore:
    cookie = next(c for c in who.page.context.cookies() if c["name"] == "sessionid")
    return SessionStore(cookie["value"])


def test_the_idle_warning_offers_to_stay_and_an_autosave_after_the_timeout_keeps_the_text(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
    settings,
):
    # Fifteen seconds without activity: the warning comes seven seconds before.
    settings.PMQA_IDLE_MINUTES = 0.25
    editor = person("editor")
    editor.login(personas.editor_a.username)
    editor.open(f"/agency/assessments/{work_a.pk}/items/1.1/")
    page = editor.page
    warning = page.locator("#idle-warning")
    warning.wait_for(state="visible", timeout=20_000)
    assert "ระบบจะออกจากระบบในอีกประมาณ" in warning.inner_text()
    editor.accessible()
    before = _session_of(editor)[idle.SEEN]
    time.sleep(1)
    page.click("#idle-warning button[type=submit]")
    warning.wait_for(state="hidden")
    assert _session_of(editor)[idle.SEEN] > before
    assert (
        editor.page.evaluate(
            "fetch('/accounts/session/').then((r) => r.json()).then((d) => d.remaining)"
        )
        > 7
    )

    # Now the session has been idle too long (its last activity moved back): the next
    # autosave is answered by the login page, and the text stays in the form.
    session = _session_of(editor)
    session[idle.SEEN] = int(time.time()) - 60
    session.save()
    text = "ข้อความที่พิมพ์ไว้ก่อนหมดเวลา"
    page.fill("#n-basic-approach", text)
    page.locator("#n-basic-approach").blur()
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('ยังไม่ได้บันทึก')"
    )
    assert page.input_value("#n-basic-approach") == text
    assert Answer.objects.get(assessment=work_a, key="1.1").version == 0
    assert AuditEntry.objects.filter(action="auth.idle_logout", actor=personas.editor_a).exists()
    # The warning says what happened, and the page is left as it is.
    page.locator("#idle-warning [data-idle-text=expired]").first.wait_for(
        state="visible", timeout=20_000
    )
    assert "ท่านออกจากระบบแล้ว" in warning.inner_text()
    assert page.input_value("#n-basic-approach") == text


def test_after_logging_in_again_in_another_tab_the_first_tab_still_saves(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    """What the page tells a person whose session ended ("log in again in another tab, then
    make any change here"): logging in again gives the session a new CSRF secret, and the
    first tab's autosave and its save button still go through."""
    editor = person("editor")
    editor.login(personas.editor_a.username)
    editor.open(f"/agency/assessments/{work_a.pk}/items/1.1/")
    page = editor.page
    other = Person(page.context.new_page(), editor.base_url, "editor, second tab")
    other.open("/")
    log_out(other)
    other.login(personas.editor_a.username)

    text = "ข้อความที่พิมพ์หลังเข้าสู่ระบบใหม่ในอีกแท็บ"
    page.fill("#n-basic-approach", text)
    page.locator("#n-basic-approach").blur()
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('บันทึกแล้ว')"
    )
    editor.check()
    saved = Answer.objects.get(assessment=work_a, key="1.1")
    assert saved.data["narrative"]["basic"]["approach"] == text

    # Once more, and then the page's own button (the browser's form, not htmx).
    log_out(other)
    other.login(personas.editor_a.username)
    page.fill("#n-basic-approach", text + " และส่งด้วยปุ่ม")
    editor.submit("button[value=next]")
    assert "/items/1.2/" in page.url
    saved.refresh_from_db()
    assert saved.data["narrative"]["basic"]["approach"] == text + " และส่งด้วยปุ่ม"


def test_a_tab_left_open_sends_nothing_once_someone_else_logs_in_in_another(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    """The same browser, another person (a shared office computer): what the first tab sends
    would be saved under the other person's name, so it sends nothing and says why."""
    editor = person("editor")
    editor.login(personas.editor_a.username)
    editor.open(f"/agency/assessments/{work_a.pk}/items/1.1/")
    page = editor.page
    notice = page.locator("#other-user")
    assert notice.is_hidden()
    other = Person(page.context.new_page(), editor.base_url, "approver, second tab")
    other.open("/")
    log_out(other)
    other.login(personas.approver_a.username)

    page.fill("#n-basic-approach", "ข้อความของผู้กรอกในแท็บเดิม")
    page.locator("#n-basic-approach").blur()
    notice.wait_for(state="visible")
    assert "ผู้ใช้อื่น" in notice.inner_text()
    page.locator("button[value=next]").first.click()
    page.wait_for_timeout(500)
    assert page.url.endswith("/items/1.1/")
    assert page.input_value("#n-basic-approach") == "ข้อความของผู้กรอกในแท็บเดิม"
    assert not Answer.objects.filter(assessment=work_a, key="1.1", version__gt=0).exists()
    editor.check()
    # Logging out from it stays possible.
    log_out(editor)
    assert "/accounts/logout/" in page.url or "/accounts/login/" in page.url


def test_the_logout_address_opened_by_hand_asks_with_a_button(
    reference_data,  # noqa: F811
    person,
    personas,
):
    editor = person("editor", width=390, height=844)
    editor.login(personas.editor_a.username)
    editor.open("/accounts/logout/")
    assert "ออกจากระบบ" in editor.text()
    editor.accessible()
    assert editor.page.evaluate("document.documentElement.scrollWidth") <= 390
    editor.submit("main form button[type=submit]")
    assert "/accounts/login/" in editor.page.url
    assert "ออกจากระบบ" not in editor.page.inner_text("header")
    # Opened again once logged out: it says so, and nothing fails.
    editor.open("/accounts/logout/")
    assert "ออกจากระบบแล้ว" in editor.text()
