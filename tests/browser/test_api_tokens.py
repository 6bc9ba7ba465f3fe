"""A personal API token in a real browser: made on the account's page from the password page,
shown once, used against the API, then revoked on the same page and refused from then on."""

from __future__ import annotations

import hashlib

import pytest

from pmqa.accounts.models import ApiToken

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
