"""A personal API token in a real browser: made on the account's page from the password page,
shown once, used against the API, then revoked on the same page and refused from then on."""

from __future__ import annotations

import hashlib

import pytest

from pmqa.accounts.models import ApiToken
from tests.browser.harness import Person, fits
from tests.builders import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_token_is_made_shown_once_used_and_revoked(reference_data, person, personas):  # noqa: F811
    editor = person("editor")
    editor.login(personas.editor_a.username)
    editor.open("/accounts/password_change/")
    editor.submit("main a[href='/accounts/api-tokens/']")
    assert "โทเคน API ส่วนตัว" in editor.text()
    assert "ท่านยังไม่มีโทเคน API" in editor.text()
    editor.accessible()

    page = editor.page
    page.fill("#id_name", "ระบบการประเมินส่วนราชการ")
    page.select_option("#id_lifetime", "30")
    editor.submit("main form.card button[type=submit]")
    secret = page.input_value("#token-secret")
    assert secret.startswith("pmqa_") and len(secret) == 48
    assert "แสดงให้เห็นเพียงครั้งนี้ครั้งเดียว" in editor.text()
    editor.accessible()
    token = ApiToken.objects.get(user=personas.editor_a)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()

    api = page.request
    me = api.get(f"{editor.base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200 and me.json()["username"] == personas.editor_a.username

    # Shown once: the page opened again lists the token by its first characters only.
    editor.open("/accounts/api-tokens/")
    assert page.locator("#token-secret").count() == 0
    assert secret[5:] not in page.content()
    assert f"pmqa_{token.prefix}…" in editor.text()
    assert "ยังไม่เคยใช้" not in editor.text()  # it was just used

    editor.submit("main table button[type=submit]")
    assert "เพิกถอนโทเคน “ระบบการประเมินส่วนราชการ” แล้ว" in editor.text()
    assert page.locator("main table button[type=submit]").count() == 0
    refused = api.get(f"{editor.base_url}/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401
    assert refused.json()["error"]["code"] == "unauthorized"


def _new_token(editor, name: str) -> str:
    editor.open("/accounts/api-tokens/")
    editor.page.fill("#id_name", name)
    editor.submit("main form.card button[type=submit]")
    return str(editor.page.input_value("#token-secret"))


@pytest.mark.parametrize("width", [1366, 390])
def test_a_new_token_is_copied_with_its_button(reference_data, person, personas, width):  # noqa: F811
    editor = person(f"editor-{width}", width=width, height=844 if width == 390 else 900)
    page = editor.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=editor.base_url)
    editor.login(personas.editor_a.username)
    secret = _new_token(editor, "ระบบสถิติ")
    copy = page.get_by_role("button", name="คัดลอกโทเคน")
    copy.click()
    status = page.locator("#new-token [role=status]")
    status.filter(has_text="คัดลอกแล้ว").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert page.evaluate("document.activeElement.textContent") == "คัดลอกโทเคน"
    # Copied again, it says so again (the status is read out anew).
    page.evaluate("navigator.clipboard.writeText('')")
    copy.click()
    status.filter(has_text="คัดลอกแล้ว").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    editor.check()
    editor.accessible()
    fits(editor, width)


def test_the_token_is_copied_where_the_clipboard_api_is_missing(reference_data, person, personas):  # noqa: F811
    """On an http address other than the machine itself, browsers give no Clipboard API: the
    button copies the selected text instead."""
    editor = person("editor-plain-http")
    page = editor.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=editor.base_url)
    page.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})"
    )
    editor.login(personas.editor_a.username)
    secret = _new_token(editor, "ระบบสถิติ")
    page.get_by_role("button", name="คัดลอกโทเคน").click()
    page.locator("#new-token [role=status]").filter(has_text="คัดลอกแล้ว").wait_for()
    reader = page.context.new_page()  # a page of the same browser, with the Clipboard API
    reader.goto(editor.base_url + "/privacy/")
    assert reader.evaluate("navigator.clipboard.readText()") == secret
    editor.check()


def test_without_script_no_copy_button_is_shown(reference_data, personas, browser, live_server):  # noqa: F811
    """A button that cannot work is not offered: without script the token is selected by hand."""
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        editor = Person(context.new_page(), live_server.url, "editor-without-script")
        editor.open("/accounts/login/")
        editor.page.fill("#id_username", personas.editor_a.username)
        editor.page.fill("#id_password", PASSWORD)
        editor.submit("main button[type=submit]")  # the header's language button is first
        secret = _new_token(editor, "ระบบสถิติ")
        assert secret.startswith("pmqa_")
        assert editor.page.locator("#token-secret").is_visible()
        assert not editor.page.get_by_role("button", name="คัดลอกโทเคน").is_visible()
    finally:
        context.close()
