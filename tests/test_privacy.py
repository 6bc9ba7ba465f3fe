"""Personal data under the PDPA: the notice, a person's own data, erasure that keeps the
records whole, and evidence files deleted when their cycle's retention ends."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from pmqa.accounts.models import Membership, Role, User
from pmqa.assessments.models import Evidence, OutgoingMail, Revision
from pmqa.audit.models import AuditEntry
from tests.builders import (
    PASSWORD,
    PDF,
    answer,
    complete_assessment,
    login,
    make_user,
    narrative_post,
    upload,
)


def test_the_privacy_notice_is_public_and_in_thai(client, db):
    page = client.get(reverse("privacy:notice"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "พระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล" in text and "สำนักงาน ก.พ.ร." in text
    assert reverse("privacy:notice") in client.get(reverse("login")).content.decode()


def test_a_person_downloads_the_data_held_about_them(client, personas, work_a):
    login(client, personas.editor_a)
    version = answer(work_a, "1.1").version
    client.post(
        reverse("assessments:item", args=[work_a.pk, "1.1"]),
        narrative_post(version),
        HTTP_HX_REQUEST="true",
    )
    assert client.get(reverse("privacy:my_data")).status_code == 200
    response = client.post(reverse("privacy:my_data"))
    assert response["Content-Disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(response.content)) as download:
        data = json.loads(download.read("personal-data.json"))
    assert data["account"]["username"] == personas.editor_a.username
    assert data["account"]["email"] == personas.editor_a.email
    assert {r["organisation"] for r in data["roles"]} == {personas.agency_a.code}
    assert [a["part"] for a in data["answers_saved"]] == ["1.1"]
    assert "password" not in json.dumps(data)
    assert {"about_the_account", "api_tokens", "two_factor_devices"} <= set(data)
    assert AuditEntry.objects.filter(action="person.export", actor=personas.editor_a).exists()
    assert Client().get(reverse("privacy:my_data")).status_code == 302  # login first


def test_erasure_pseudonymises_and_keeps_the_records(client, personas, work_a):
    editor = personas.editor_a
    login(client, editor)
    version = answer(work_a, "1.1").version
    client.post(
        reverse("assessments:item", args=[work_a.pk, "1.1"]),
        narrative_post(version),
        HTTP_HX_REQUEST="true",
    )
    from axes.models import AccessAttempt

    from pmqa.assessments.models import OutgoingMail

    AccessAttempt.objects.create(
        username=editor.username, ip_address="10.0.0.9", user_agent="x", failures_since_start=1
    )
    OutgoingMail.objects.create(
        key="test:1", messages=[["s", "b", "f", [editor.email, "other@example.org"]]]
    )
    revisions = Revision.objects.filter(saved_by=editor).count()
    entries = set(AuditEntry.objects.values_list("pk", flat=True))
    out = io.StringIO()
    call_command(
        "erase_person",
        editor.username,
        "--reason",
        "คำขอเลขที่ 12/2569",
        "--by",
        personas.admin.username,
        stdout=out,
    )
    erased = User.objects.get(pk=editor.pk)
    assert (
        erased.username == f"erased-{editor.pk}"
        and out.getvalue().strip().endswith("can no longer log in.")
        or "ไม่" in out.getvalue()
    )
    assert erased.email == "" and erased.first_name == "" and not erased.is_active
    assert editor.username not in erased.full_name
    refused = Client().post(reverse("login"), {"username": editor.username, "password": PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in refused.client.session
    # The records stay, naming the pseudonym.
    assert Revision.objects.filter(saved_by=erased).count() == revisions
    assert AuditEntry.objects.filter(pk__in=entries).count() == len(entries)
    assert AuditEntry.objects.filter(action="person.erase", reason="คำขอเลขที่ 12/2569").exists()
    assert not AccessAttempt.objects.filter(ip_address="10.0.0.9").exists()
    assert OutgoingMail.objects.get(key="test:1").messages[0][3] == ["other@example.org"]
    assert Membership.objects.filter(user=erased).exists()  # the history stays
    assert not Membership.objects.current().filter(user=erased).exists()
    # Their old session no longer works.
    assert client.get(reverse("assessments:home", args=[work_a.pk])).status_code == 302
    with pytest.raises(CommandError):
        call_command(
            "erase_person", erased.username, "--reason", "x", "--by", personas.admin.username
        )
    with pytest.raises(CommandError):  # only an administrator erases
        call_command(
            "erase_person",
            personas.editor_b.username,
            "--reason",
            "x",
            "--by",
            personas.approver_a.username,
        )


def rows_holding(text):
    """Every (table, column) of the whole database whose value, read as text, holds `text`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                name = connection.ops.quote_name(column.name)
                cursor.execute(
                    f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "  # noqa: S608
                    f"WHERE LOWER(CAST({name} AS TEXT)) LIKE %s",
                    [f"%{text.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append((table, column.name))
    return found


def test_after_erasure_no_table_holds_the_old_user_name_or_e_mail(client, personas, work_a):
    """A person given a role in the admin, who submits, mistypes their password until locked
    out, asks for a reset and has their second factor reset: afterwards the user name and the
    e-mail are in no column of any table, the append-only audit log included."""
    person = make_user("somchai.k", Role.AGENCY_APPROVER, personas.agency_a)
    person.email, person.full_name = "Somchai.K@example.go.th", "สมชาย ใจดี"
    person.save()
    admin = login(Client(), personas.admin)
    given = admin.post(
        reverse("admin:accounts_membership_add"),
        {
            "user": person.pk,
            "role": Role.AGENCY_EDITOR,
            "organisation": personas.agency_a.pk,
            "starts_on": "01/10/2568",
        },
    )
    assert given.status_code == 302
    complete_assessment(work_a, personas.editor_a)
    login(client, person)
    submitted = client.post(reverse("assessments:submit", args=[work_a.pk]), {"confirm": "1"})
    assert submitted.status_code == 302
    assert OutgoingMail.objects.filter(messages__icontains="somchai.k@").exists()
    stranger = Client()
    for typed in ("SOMCHAI.K", *["somchai.k"] * 5):
        stranger.post(reverse("login"), {"username": typed, "password": "a-guess"})
    assert AuditEntry.objects.filter(action="auth.lockout").exists()
    stranger.post(reverse("password_reset"), {"email": "somchai.k@example.go.th"})
    assert AuditEntry.objects.filter(action="auth.password_reset_request").exists()
    admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [person.pk]},
    )
    assert AuditEntry.objects.filter(action="otp.reset").exists()
    before = rows_holding("somchai.k")
    # The search sees them where they belong before the erasure, the log's JSON as well.
    assert {("accounts_user", "username"), ("assessments_outgoingmail", "messages")} <= set(before)
    assert ("audit_auditentry", "new") in rows_holding(f'"role": "{Role.AGENCY_EDITOR}"')
    call_command(
        "erase_person", "somchai.k", "--reason", "คำขอ 1/2570", "--by", personas.admin.username
    )
    assert rows_holding("somchai.k") == []
    assert rows_holding("somchai.k@example.go.th") == []
    # The administrators' search still finds the failed logins by the name as typed: the log
    # holds a keyed hash of it, which names no one without the name itself and the site's key.
    page = admin.get(reverse("audit:log"), {"who": "Somchai.K"}).content.decode()
    assert page.count("เข้าสู่ระบบไม่สำเร็จ") >= 5


def test_the_privacy_notice_names_where_requests_go(client, db, settings):
    page = client.get(reverse("privacy:notice")).content.decode()
    assert "pmqa@localhost" in page  # by default, the address the system's e-mails come from
    settings.PMQA_PRIVACY_CONTACT = "dpo@opdc.example.go.th"
    page = client.get(reverse("privacy:notice")).content.decode()
    assert "คำขอเกี่ยวกับข้อมูลส่วนบุคคลของท่าน" in page and "dpo@opdc.example.go.th" in page


def test_evidence_files_go_when_their_cycles_retention_ends(
    client, personas, work_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, personas.editor_a)
    client.get(reverse("assessments:evidence", args=[work_a.pk]))
    assert upload(client, work_a, "plan.pdf", PDF).status_code == 302
    evidence = Evidence.objects.get()
    path = tmp_path / evidence.file.name
    assert path.exists()
    admin = login(Client(), personas.admin)
    url = reverse("manage:cycle", args=[work_a.cycle.fiscal_year])
    response = admin.post(url, {"form": "retention", "evidence_retention_years": "0"})
    assert response.status_code == 400 and "1" in response.content.decode()
    response = admin.post(url, {"form": "retention", "evidence_retention_years": "2"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="cycle.retention").exists()
    # FY2570 ends on 30 September 2570 (2027); kept for two years, until 30 September 2029.
    out = io.StringIO()
    call_command("apply_retention", "--today", "30/09/2572", stdout=out)
    assert path.exists() and "ไม่มีไฟล์หลักฐาน" in out.getvalue()
    out = io.StringIO()
    call_command("apply_retention", "--today", "01/10/2572", "--dry-run", stdout=out)
    assert path.exists() and "2570" in out.getvalue()
    out = io.StringIO()
    with django_on_commit():
        call_command("apply_retention", "--today", "01/10/2572", stdout=out)
    assert "2570" in out.getvalue() and "1" in out.getvalue()
    evidence.refresh_from_db()
    assert evidence.file.name == "" and evidence.removed_on == datetime.date(2029, 10, 1)
    assert evidence.label and evidence.sha256  # what was cited stays known
    assert not path.exists()


class django_on_commit:
    """Run the on-commit callbacks a command queued inside the test's transaction."""

    def __enter__(self):
        from django.db import connection

        self.before = len(connection.run_on_commit)
        return self

    def __exit__(self, *exc):
        from django.db import connection

        callbacks = connection.run_on_commit[self.before :]
        del connection.run_on_commit[self.before :]
        for _sids, callback, _robust in callbacks:
            callback()
