"""Login safety through HTTP: lockouts by user name and address, the password forms that
cannot be used to guess, the idle timeout, and the second factor of assessors and
administrators (optional for agency users), with recovery codes and an administrator's reset."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from pmqa.accounts import idle
from pmqa.accounts.models import User
from pmqa.assessments.models import Answer
from pmqa.audit import services as audit
from pmqa.audit.models import AuditEntry
from tests.builders import PASSWORD, item_url, login, narrative_post
from tests.second_factor import code_for, code_from_secret, device_of

pytestmark = pytest.mark.django_db

LOCKED = "เข้าสู่ระบบไม่สำเร็จหลายครั้งเกินไป"  # the lockout page's title


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def main_text(response):
    """The page's own content, without the per-request tokens of the header's forms."""
    body = response.content.decode()
    return re.search(r"<main.*?</main>", body, re.S).group(0)


def logged_in(client):
    return "_auth_user_id" in client.session


# ---------------------------------------------------------------------------------------------
# Lockout (django-axes)


def test_five_wrong_passwords_lock_the_user_name_at_that_address(client, personas):
    for _ in range(4):
        response = log_in(client, "editor_a", "wrong-password")
        assert response.status_code == 200
        assert "กรุณาใส่" in response.content.decode()
    locked = log_in(client, "editor_a", "wrong-password")
    assert locked.status_code == 429
    page = main_text(locked)
    assert LOCKED in page and "15 นาที" in page
    # The right password is refused too while the lockout lasts, with the same page.
    right = log_in(client, "editor_a")
    assert right.status_code == 429 and not logged_in(client)
    assert main_text(right) == page
    # The same user name from another address is not locked out.
    elsewhere = Client()
    assert log_in(elsewhere, "editor_a", REMOTE_ADDR="192.0.2.44").status_code == 302
    assert logged_in(elsewhere)


def test_the_lockout_ends_after_its_period_and_a_success_clears_the_count(client, personas):
    for _ in range(5):
        log_in(client, "editor_a", "wrong-password")
    assert log_in(client, "editor_a").status_code == 429
    # Sixteen minutes later (the failures' time moved back, as the clock would move on).
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=16))
    assert log_in(client, "editor_a").status_code == 302 and logged_in(client)
    assert not AccessAttempt.objects.filter(username="editor_a").exists()
    # After a success, four more failures do not lock.
    client.logout()
    for _ in range(4):
        log_in(client, "editor_a", "wrong-password")
    assert log_in(client, "editor_a").status_code == 302


def test_the_lockout_page_tells_nothing_of_whether_the_account_exists(personas):
    pages = []
    for username, address in (("editor_a", "192.0.2.10"), ("no-such-person", "192.0.2.11")):
        client = Client(REMOTE_ADDR=address)
        for _ in range(5):
            response = log_in(client, username, "wrong-password")
        assert response.status_code == 429
        pages.append(main_text(response))
    assert pages[0] == pages[1]
    assert "editor_a" not in pages[0] and "no-such-person" not in pages[1]


def test_many_user_names_tried_from_one_address_lock_the_address(client, personas, settings):
    settings.PMQA_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for n in range(8):
        response = log_in(client, f"guess-{n}", "wrong-password")
    assert response.status_code == 429
    # Every user name is refused from that address now, the right password too ...
    assert log_in(client, "approver_a").status_code == 429 and not logged_in(client)
    # ... but not from another one.
    assert log_in(Client(REMOTE_ADDR="192.0.2.50"), "approver_a").status_code == 302


def test_behind_nginx_the_forwarded_address_counts_and_a_forged_one_does_not(client, personas):
    behind_proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _ in range(5):
        response = log_in(client, "editor_a", "wrong-password", **behind_proxy)
    assert response.status_code == 429
    entry = AuditEntry.objects.filter(action="auth.login_failed").first()
    assert entry.ip == "203.0.113.5"
    # Another person behind the same nginx is someone else.
    other = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.6"}
    assert log_in(Client(), "editor_a", **other).status_code == 302
    # A client that is no proxy of ours cannot take that address by sending the header.
    forged = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert log_in(Client(), "editor_a", **forged).status_code == 302
    # Nor can a client put an address in front of what nginx appends.
    appended = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 203.0.113.5"}
    assert log_in(Client(), "editor_a", **appended).status_code == 429


def test_logins_failures_lockouts_and_logouts_are_audited_without_passwords(client, personas):
    log_in(client, "editor_a", "my-secret-guess")
    log_in(client, "no-such-person", "another-secret-guess")
    failed = list(AuditEntry.objects.filter(action="auth.login_failed").order_by("pk"))
    # The typed user name as a keyed hash, never in clear (an erasure must leave none).
    assert [(e.object_id, e.new["username_hash"]) for e in failed] == [
        (str(personas.editor_a.pk), audit.typed_identifier("editor_a")),
        ("", audit.typed_identifier("no-such-person")),
    ]
    assert "no-such-person" not in str(failed[1].new)
    assert all(e.actor is None and e.ip == "127.0.0.1" for e in failed)
    for _ in range(4):
        log_in(client, "editor_a", "my-secret-guess")
    hashed = audit.typed_identifier("editor_a")
    assert AuditEntry.objects.filter(action="auth.lockout", new__username_hash=hashed).count() == 1
    AccessAttempt.objects.all().delete()
    log_in(client, "editor_a")
    assert AuditEntry.objects.filter(action="auth.login", actor=personas.editor_a).count() == 1
    client.post(reverse("logout"))
    assert AuditEntry.objects.filter(action="auth.logout", actor=personas.editor_a).count() == 1
    stored = " ".join(str(e.new) + str(e.old) for e in AuditEntry.objects.all())
    assert "secret-guess" not in stored and PASSWORD not in stored


# ---------------------------------------------------------------------------------------------
# The password forms


def test_wrong_current_passwords_on_the_change_form_count_towards_the_lockout(client, personas):
    login(client, personas.editor_a)
    url = reverse("password_change")
    new = {"new_password1": "brand-new-pass-2569", "new_password2": "brand-new-pass-2569"}
    for _ in range(4):
        response = client.post(url, {"old_password": "a-guess", **new})
        assert response.status_code == 200
        assert "รหัสผ่านปัจจุบันไม่ถูกต้อง" in response.content.decode()
    locked = client.post(url, {"old_password": "a-guess", **new})
    assert locked.status_code == 429 and LOCKED in main_text(locked)
    # Locked out, the right current password changes nothing either.
    assert client.post(url, {"old_password": PASSWORD, **new}).status_code == 429
    assert User.objects.get(pk=personas.editor_a.pk).check_password(PASSWORD)
    failed = AuditEntry.objects.filter(action="auth.login_failed").first()
    assert failed.new == {"username_hash": audit.typed_identifier("editor_a"), "page": url}


def test_a_changed_password_is_audited(client, personas):
    login(client, personas.editor_a)
    new = {"new_password1": "brand-new-pass-2569", "new_password2": "brand-new-pass-2569"}
    response = client.post(reverse("password_change"), {"old_password": PASSWORD, **new})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="auth.password_change", actor=personas.editor_a)


def test_reset_emails_are_limited_per_email_address_and_per_address(client, personas):
    url = reverse("password_reset")
    for _ in range(4):
        assert client.post(url, {"email": "editor_a@example.org"}).status_code == 302
    # The fourth was answered like the others, but sent nothing: three an hour per mailbox.
    assert len(mail.outbox) == 3
    assert client.post(url, {"email": "approver_a@example.org"}).status_code == 302
    assert len(mail.outbox) == 4
    # The sixth request from this address within the hour is refused, in Thai.
    refused = client.post(url, {"email": "assessor_1@example.org"})
    assert refused.status_code == 429
    assert "ลองใหม่อีกครั้งในหนึ่งชั่วโมง" in refused.content.decode()
    assert len(mail.outbox) == 4
    # Elsewhere, and for another mailbox, a reset e-mail still goes.
    other = Client(REMOTE_ADDR="192.0.2.60")
    assert other.post(url, {"email": "assessor_1@example.org"}).status_code == 302
    assert len(mail.outbox) == 5


def test_a_reset_email_is_queued_for_a_known_and_an_unknown_address_alike(
    client, personas, settings, monkeypatch
):
    """Sent inline, the mail made a known address answer twenty times slower than an unknown
    one. Both now queue one task, holding only account numbers, and send nothing inline."""
    from django_tasks_db.management.commands import db_worker

    # The worker's connection check would close the test's connection on PostgreSQL (as in
    # tests/test_background.py).
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    url = reverse("password_reset")
    for email in ("editor_a@example.org", "nobody@example.org"):
        assert client.post(url, {"email": email}).status_code == 302
    assert mail.outbox == []
    queued = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [t.task_path for t in queued] == ["pmqa.accounts.tasks.send_password_reset"] * 2
    assert [t.args_kwargs["args"] for t in queued] == [[[personas.editor_a.pk], "th"], [[], "th"]]
    assert "example.org" not in str([t.args_kwargs for t in queued])
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert [m.to for m in mail.outbox] == [["editor_a@example.org"]]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    assert client.get(link, follow=True).status_code == 200
    assert "รหัสผ่านใหม่" in client.get(link, follow=True).content.decode()


def test_a_password_set_from_the_reset_email_ends_the_lockout(client, personas):
    for _ in range(5):
        log_in(client, "editor_a", "wrong-password")
    client.post(reverse("password_reset"), {"email": "editor_a@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = {"new_password1": "brand-new-pass-2569", "new_password2": "brand-new-pass-2569"}
    assert client.post(form.redirect_chain[-1][0], new).status_code == 302
    assert AuditEntry.objects.filter(action="auth.password_reset", actor=personas.editor_a)
    assert log_in(client, "editor_a", "brand-new-pass-2569").status_code == 302


# ---------------------------------------------------------------------------------------------
# The idle timeout


def set_seen(client, seconds_ago):
    session = client.session
    session[idle.SEEN] = int(time.time()) - seconds_ago
    session.save()


def seen(client):
    return client.session.get(idle.SEEN)


def test_a_session_idle_for_30_minutes_is_logged_out_with_a_thai_message(client, personas):
    login(client, personas.editor_a)
    set_seen(client, 30 * 60 + 5)
    response = client.get(reverse("dashboards:agency"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('dashboards:agency')}"
    page = client.get(response["Location"]).content.decode()
    assert "ออกจากระบบแล้ว เนื่องจากไม่มีการใช้งานเป็นเวลา 30 นาที" in page
    assert not logged_in(client)
    entry = AuditEntry.objects.get(action="auth.idle_logout")
    assert entry.actor == personas.editor_a and entry.new == {"minutes": 30}


def test_activity_keeps_the_session_and_is_written_at_most_once_a_minute(client, personas):
    login(client, personas.editor_a)
    set_seen(client, 29 * 60)
    assert client.get(reverse("dashboards:agency")).status_code == 200
    assert abs(seen(client) - time.time()) < 5
    set_seen(client, 30)
    before = seen(client)
    assert client.get(reverse("dashboards:agency")).status_code == 200
    assert seen(client) == before  # half a minute ago is recent enough: no session write


def test_asking_how_long_is_left_is_not_activity_and_staying_is(client, personas, settings):
    login(client, personas.editor_a)
    set_seen(client, 25 * 60)
    before = seen(client)
    status = client.get(reverse("session")).json()
    assert status["expired"] is False and 295 <= status["remaining"] <= 300
    assert status["warning"] == 120 and seen(client) == before
    stayed = client.post(reverse("session"), HTTP_ACCEPT="application/json").json()
    assert stayed["remaining"] == 30 * 60 and seen(client) > before
    # A post that does not ask for JSON goes back to the page it came from.
    back = client.post(reverse("session"), {"next": reverse("dashboards:agency")})
    assert back.status_code == 302 and back["Location"] == reverse("dashboards:agency")
    set_seen(client, 31 * 60)
    assert client.get(reverse("session")).json()["expired"] is True
    assert not logged_in(client)
    settings.PMQA_IDLE_MINUTES = 10
    login(client, personas.editor_a)
    assert client.get(reverse("session")).json()["remaining"] == 600


def test_the_page_carries_the_warning_for_its_script(client, personas):
    login(client, personas.editor_a)
    page = client.get(reverse("dashboards:agency")).content.decode()
    assert 'id="idle-warning"' in page and 'data-warning="120"' in page
    assert "/static/js/idle.js" in page and "<script>" not in page
    assert "ออกจากระบบในอีกประมาณ 2 นาที" in page
    assert 'id="idle-warning"' not in Client().get(reverse("login")).content.decode()


def test_an_autosave_after_the_timeout_goes_to_the_login_page_and_saves_nothing(
    client, personas, work_a
):
    login(client, personas.editor_a)
    page = item_url(work_a, "1.1")
    set_seen(client, 31 * 60)
    response = client.post(
        page,
        narrative_post(0, "ข้อความที่พิมพ์ไว้"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )
    # The page's script sees the login page and keeps the text in the form (workspace.js).
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={page}"
    assert Answer.objects.get(assessment=work_a, key="1.1").version == 0


# ---------------------------------------------------------------------------------------------
# The second factor


def secret_on(response):
    return re.search(r'id="otp-secret"[^>]*>([A-Z2-7 ]+)<', response.content.decode()).group(1)


def test_an_assessor_sets_up_the_app_after_the_password_before_any_page(client, personas):
    response = log_in(client, personas.assessor.username, follow=True)
    setup_page = response.redirect_chain[-1][0]
    assert setup_page.startswith(reverse("twofactor:setup"))
    body = response.content.decode()
    assert "<svg" in body and "ตั้งค่าการยืนยันตัวตนสองขั้นตอน" in body
    # No page of the role opens before that.
    assert client.get(reverse("dashboards:assessor"))["Location"].startswith(
        reverse("twofactor:setup")
    )
    # Reloading keeps the same secret; a GET made no device.
    secret = secret_on(response)
    assert secret_on(client.get(setup_page)) == secret
    assert not TOTPDevice.objects.filter(user=personas.assessor).exists()
    wrong = client.post(setup_page, {"code": "000000"})
    assert wrong.status_code == 400
    assert "รหัสไม่ถูกต้อง" in wrong.content.decode()
    TOTPDevice.objects.filter(user=personas.assessor).update(throttling_failure_count=0)
    done = client.post(setup_page, {"code": code_from_secret(secret)}, follow=True)
    codes = re.findall(r"<li><code>([a-z0-9]{10})</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    text = client.get(reverse("twofactor:recovery_download"))
    assert text["Content-Disposition"] == 'attachment; filename="pmqa-recovery-codes.txt"'
    assert all(code in text.content.decode() for code in codes)
    # Going on forgets them: they are shown once.
    went_on = client.post(done.redirect_chain[-1][0], follow=True)
    assert went_on.redirect_chain[-1][0] == reverse("dashboards:assessor")
    assert client.get(reverse("twofactor:recovery_download")).status_code == 404
    assert client.get(reverse("dashboards:assessor")).status_code == 200
    assert AuditEntry.objects.filter(action="otp.setup", actor=personas.assessor).count() == 1


def test_an_administrator_gives_a_code_at_every_login_and_a_wrong_one_is_refused_in_thai(
    client, personas
):
    device = device_of(personas.admin)
    response = log_in(client, personas.admin.username, follow=True)
    code_page = response.redirect_chain[-1][0]
    assert code_page.startswith(reverse("twofactor:verify"))
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("twofactor:verify"))
    assert client.get(reverse("audit:log")).status_code == 302
    wrong = client.post(code_page, {"code": "123456"})
    assert wrong.status_code == 400
    assert "รหัสไม่ถูกต้อง หรือถูกใช้ไปแล้ว" in wrong.content.decode()
    # Right after a wrong code the next try waits a moment (django-otp's throttle).
    too_soon = client.post(code_page, {"code": code_for(device)})
    assert too_soon.status_code == 400
    assert "ใส่รหัสผิดหลายครั้งติดกัน" in too_soon.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    right = client.post(code_page, {"code": code_for(device)}, follow=True)
    assert right.redirect_chain[-1][0] == reverse("dashboards:admin")
    assert client.get(reverse("admin:index")).status_code == 200
    # The code gives the session a new key: one learnt with the password alone is now dead.
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stolen.get(reverse("admin:index")).status_code == 302
    assert AuditEntry.objects.filter(action="otp.failed", actor=personas.admin).count() == 2


def test_a_recovery_code_works_once(client, personas):
    device_of(personas.admin)
    login(client, personas.admin)
    shown = client.post(reverse("twofactor:new_codes"), follow=True).content.decode()
    code = re.findall(r"<li><code>([a-z0-9]{10})</code></li>", shown)[0]
    assert AuditEntry.objects.filter(action="otp.recovery_codes").count() == 1
    client.logout()
    code_page = log_in(client, personas.admin.username, follow=True).redirect_chain[-1][0]
    # As printed on paper: in capitals, with a space.
    used = client.post(code_page, {"code": f"{code[:5].upper()} {code[5:]}"}, follow=True)
    assert used.redirect_chain[-1][0] == reverse("dashboards:admin")
    entry = AuditEntry.objects.get(action="otp.recovery_use")
    assert entry.actor == personas.admin and entry.new == {"remaining": 9}
    client.logout()
    code_page = log_in(client, personas.admin.username, follow=True).redirect_chain[-1][0]
    again = client.post(code_page, {"code": code})
    assert again.status_code == 400 and "ถูกใช้ไปแล้ว" in again.content.decode()


def test_an_agency_editor_may_log_in_without_it_or_choose_it(client, personas):
    response = log_in(client, "editor_a", follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:agency")
    setup_page = client.get(reverse("twofactor:manage")).content.decode()
    assert reverse("twofactor:setup") in setup_page
    setup = client.get(reverse("twofactor:setup"))
    client.post(reverse("twofactor:setup"), {"code": code_from_secret(secret_on(setup))})
    client.logout()
    # Chosen, it is asked for at every login ...
    response = log_in(client, "editor_a", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("twofactor:verify"))
    device = TOTPDevice.objects.get(user=personas.editor_a, confirmed=True)
    client.post(response.redirect_chain[-1][0], {"code": code_for(device)})
    # ... until it is turned off again.
    assert client.post(reverse("twofactor:remove")).status_code == 302
    assert not TOTPDevice.objects.filter(user=personas.editor_a).exists()
    assert AuditEntry.objects.filter(action="otp.remove", actor=personas.editor_a).count() == 1
    client.logout()
    response = log_in(client, "editor_a", follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboards:agency")


def test_assessors_and_administrators_cannot_turn_it_off(client, personas):
    login(client, personas.lead)
    response = client.post(reverse("twofactor:remove"), follow=True)
    assert "ต้องใช้การยืนยันตัวตนสองขั้นตอน" in response.content.decode()
    assert TOTPDevice.objects.filter(user=personas.lead, confirmed=True).exists()


def test_an_administrator_resets_a_lost_phone_and_it_is_audited(client, personas):
    assessor = login(Client(), personas.assessor)  # verified, with the app
    assert assessor.get(reverse("dashboards:assessor")).status_code == 200
    login(client, personas.admin)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [personas.assessor.pk]},
        follow=True,
    )
    assert "รีเซ็ตการยืนยันตัวตนสองขั้นตอน" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=personas.assessor).exists()
    entry = AuditEntry.objects.get(action="otp.reset")
    assert entry.actor == personas.admin and entry.object_id == str(personas.assessor.pk)
    # The session open on the lost phone's owner's machine now has to set the app up again.
    lost = assessor.get(reverse("dashboards:assessor"))
    assert lost["Location"].startswith(reverse("twofactor:setup"))


def test_the_pages_and_a_cookie_mark_who_is_logged_in_and_logging_out_clears_it(personas):
    """For tabs left open (pmqa/accounts/tabs.py): the page's mark and the cookie's agree
    for the person logged in, differ for another, and are gone once logged out."""
    client = Client()
    response = log_in(client, personas.editor_a.username)
    mark = response.cookies["pmqa_user"].value
    assert mark and str(personas.editor_a.pk) != mark
    home = client.get(reverse("home"), follow=True)
    assert f'data-user="{mark}"' in home.content.decode()
    assert "pmqa_user" not in home.cookies  # set once, not on every response
    other = Client()
    assert log_in(other, personas.approver_a.username).cookies["pmqa_user"].value != mark
    response = client.post(reverse("logout"))
    assert response.cookies["pmqa_user"].value == ""  # deleted
    assert "data-user" not in client.get(reverse("login")).content.decode()
