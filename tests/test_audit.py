"""The audit trail: append-only in Python and in the database (SQLite and PostgreSQL), an entry
for each download, export and change of role, and the administrators' log with its filters,
pages and CSV export, through HTTP."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pmqa.accounts.models import Membership, Role, User
from pmqa.assessments import evidence as evidence_services
from pmqa.audit import services as audit
from pmqa.audit.models import AppendOnlyError, AuditEntry
from tests.builders import PDF, Case, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(personas):
    return audit.record(
        actor=personas.admin, action="cycle.create", obj=personas.cycle, new={"fiscal_year": 2561}
    )


# ---------------------------------------------------------------------------------------------
# Append-only


def test_an_entry_cannot_be_changed_or_deleted_in_python(entry):
    entry.reason = "แก้ย้อนหลัง"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="แก้ย้อนหลัง")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_the_database_refuses_update_and_delete_whatever_sends_them(entry):
    table = AuditEntry._meta.db_table
    for sql in (
        f"UPDATE {table} SET reason = 'แก้ย้อนหลัง' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""
    # New entries still go in.
    audit.record(actor=None, action="auth.login_failed", object_type="accounts.user")
    assert AuditEntry.objects.count() >= 2


def test_a_person_with_entries_is_not_deleted_so_who_stays_known(entry, personas):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        personas.admin.delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor == personas.admin


def test_the_django_admin_cannot_change_or_delete_an_entry(client, personas, entry):
    login(client, personas.admin)
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


# ---------------------------------------------------------------------------------------------
# Downloads, exports and roles


def actions():
    """What was done, without the logins of the people doing it."""
    done = AuditEntry.objects.exclude(action__startswith="auth.").order_by("pk")
    return list(done.values_list("action", flat=True))


def test_each_download_and_export_leaves_one_entry(client, personas, work_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = Case(personas, work_a)
    plan = evidence_services.add_evidence_file(
        assessment=work_a,
        upload=SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf"),
        raw_name="plan.pdf",
        label="แผนปฏิบัติการ",
        by=personas.editor_a,
    )
    assessment = case.published()
    agency = login(Client(), personas.editor_a)
    before = len(actions())
    assert agency.get(reverse("reports:xlsx", args=[assessment.pk])).status_code == 200
    assert agency.get(reverse("assessments:excel", args=[assessment.pk])).status_code == 200
    evidence = reverse("assessments:evidence_file", args=[assessment.pk, plan.pk])
    assert agency.get(evidence).status_code == 200
    admin = login(client, personas.admin)
    statistics = reverse("dashboards:statistics", args=[assessment.cycle.fiscal_year])
    assert admin.get(statistics, {"format": "csv"}).status_code == 200
    assert actions()[before:] == [
        "download.report",
        "export.answers",
        "download.evidence",
        "export.statistics",
    ]
    report = AuditEntry.objects.get(action="download.report")
    assert report.actor == personas.editor_a and report.ip == "127.0.0.1"
    assert report.object_id == str(assessment.pk) and report.new == {
        "format": "xlsx",
        "layout": "full",
    }
    # A page that is only read leaves nothing.
    count = AuditEntry.objects.count()
    agency.get(reverse("reports:page", args=[assessment.pk]))
    assert AuditEntry.objects.count() == count


def test_open_data_downloads_are_audited_without_a_person(client, monkeypatch, personas):
    from pmqa.dashboards import opendata, opendata_views

    class Cycle:
        fiscal_year = 2561

    monkeypatch.setattr(opendata, "published_cycles", lambda: [Cycle()])
    monkeypatch.setitem(opendata_views.FORMATS, "csv", ("text/csv", lambda cycle: "a,b\n"))
    assert client.get(reverse("open_data_file", args=[2561, "csv"])).status_code == 200
    entry = AuditEntry.objects.get(action="export.open_data")
    assert entry.actor is None and entry.object_id == "2561" and entry.ip == "127.0.0.1"


def test_roles_given_changed_and_removed_in_the_admin_are_audited(client, personas):
    login(client, personas.admin)
    person = personas.editor_b
    added = client.post(
        reverse("admin:accounts_membership_add"),
        {"user": person.pk, "role": Role.ASSESSOR, "organisation": "", "starts_on": "01/10/2568"},
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    membership = Membership.objects.get(user=person, role=Role.ASSESSOR)
    given = AuditEntry.objects.get(action="membership.add")
    assert given.actor == personas.admin and given.object_id == str(membership.pk)
    # The account by its number: an erased name must not stay in the append-only log.
    assert given.new["role"] == "assessor" and given.new["user"] == person.pk
    client.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {
            "user": person.pk,
            "role": Role.LEAD_ASSESSOR,
            "organisation": "",
            "starts_on": "01/10/2568",
            "ends_on": "30/09/2569",
        },
    )
    changed = AuditEntry.objects.get(action="membership.change")
    assert changed.old["role"] == "assessor" and changed.new["role"] == "lead_assessor"
    assert changed.new["ends_on"] == "2026-09-30"
    client.post(reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"})
    removed = AuditEntry.objects.get(action="membership.delete")
    assert removed.old["role"] == "lead_assessor" and removed.object_id == str(membership.pk)
    # In the log, in words.
    page = client.get(reverse("audit:log"), {"object_type": "accounts.membership"})
    text = page.content.decode()
    assert "เปลี่ยนบทบาท" in text and "หัวหน้าทีมผู้ตรวจประเมิน" in text


def test_an_account_deactivated_in_the_admin_is_audited(client, personas):
    login(client, personas.admin)
    person = personas.editor_b
    url = reverse("admin:accounts_user_change", args=[person.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "is_active": "",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "01/01/2020",
            "date_joined_1": "00:00:00",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_active")
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not User.objects.get(pk=person.pk).is_active
    entry = AuditEntry.objects.get(action="user.change")
    assert entry.old["is_active"] is True and entry.new["is_active"] is False


# ---------------------------------------------------------------------------------------------
# The administrators' audit log


@pytest.fixture
def many(personas):
    """65 entries: 60 score changes by the assessor a year ago, then 5 logins by the editor."""
    year_ago = timezone.now() - datetime.timedelta(days=365)
    for n in range(60):
        audit.record(
            actor=personas.assessor,
            action="review.item",
            obj=personas.assessment_a,
            new={"score": str(n)},
        )
    # Their time moved back as the clock would have it (below the guard, as a migration does).
    with connection.cursor() as cursor:
        table = AuditEntry._meta.db_table
        moved = f"UPDATE {table} SET at = %s WHERE action = %s"
        _without_guard(cursor, moved, [year_ago, "review.item"])
    for _ in range(5):
        audit.record(actor=personas.editor_a, action="auth.login", obj=personas.editor_a)
    return year_ago


def _without_guard(cursor, sql, params):
    """Test data only: lift the triggers for one statement, as no application code can."""
    import importlib

    guard = importlib.import_module("pmqa.audit.migrations.0003_refuse_update_and_delete")
    drop, create = (
        (guard.DROP_SQLITE, guard.CREATE_SQLITE)
        if connection.vendor == "sqlite"
        else (guard.DROP_POSTGRESQL, guard.CREATE_POSTGRESQL)
    )
    for statement in drop:
        cursor.execute(statement)
    cursor.execute(sql, params)
    for statement in create:
        cursor.execute(statement)


def test_the_log_is_for_administrators_only(client, personas):
    url = reverse("audit:log")
    for person in (personas.editor_a, personas.assessor, personas.lead):
        assert login(Client(), person).get(url).status_code == 404
    assert client.get(url).status_code == 302


def test_the_log_filters_by_who_action_object_and_be_dates_and_pages(client, personas, many):
    login(client, personas.admin)
    url = reverse("audit:log")
    everything = client.get(url)
    assert "หน้า 1 จาก 2" in everything.content.decode()
    assert len(everything.context["page"]) == 50
    by_editor = client.get(url, {"who": "editor_a", "action": "auth.login"})
    assert by_editor.context["page"].paginator.count == 5
    assert "เข้าสู่ระบบ" in by_editor.content.decode()
    about = client.get(
        url, {"object_type": "assessments.assessment", "object_id": personas.assessment_a.pk}
    )
    assert about.context["page"].paginator.count == 60
    assert "ผู้ตรวจประเมินให้คะแนนรายข้อ" in about.content.decode()
    second = client.get(url, {"object_type": "assessments.assessment", "page": 2})
    assert len(second.context["page"]) == 10
    # Dates are typed in B.E., as everywhere.
    last_year = timezone.localdate(many)
    be = f"{last_year.day:02d}/{last_year.month:02d}/{last_year.year + 543}"
    on_that_day = client.get(url, {"since": be, "until": be})
    assert on_that_day.context["page"].paginator.count == 60
    today = timezone.localdate()
    be_today = f"{today.day:02d}/{today.month:02d}/{today.year + 543}"
    assert client.get(url, {"since": be_today}).context["page"].paginator.count >= 5
    swapped = client.get(url, {"since": be_today, "until": be})
    assert swapped.status_code == 400 and "กรุณาสลับวันที่" in swapped.content.decode()
    assert client.get(url, {"since": "31/02/2568"}).status_code == 400


def test_the_log_exports_the_filtered_rows_as_csv_that_excel_reads_as_thai(client, personas, many):
    login(client, personas.admin)
    response = client.get(reverse("audit:log"), {"who": "editor_a", "format": "csv", "page": "3"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pmqa-audit-')
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["เมื่อ", "ชื่อผู้ใช้", "ชื่อ", "การกระทำ"]
    assert len(rows) == 1 + 5  # every filtered row, not one page
    assert {row[3] for row in rows[1:]} == {"เข้าสู่ระบบ"}
    assert rows[1][1] == "editor_a" and rows[1][4] == "auth.login"
    export = AuditEntry.objects.get(action="export.audit")
    assert export.actor == personas.admin and export.new == {"filters": {"who": "editor_a"}}


def test_a_typed_value_that_looks_like_a_formula_stays_text_in_the_csv(client, personas):
    audit.record(
        actor=personas.editor_a,
        action="assessment.return",
        obj=personas.assessment_a,
        reason='=HYPERLINK("http://example.org")',
    )
    login(client, personas.admin)
    response = client.get(reverse("audit:log"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    returned = next(row for row in rows if row[4] == "assessment.return")
    assert returned[9] == '\'=HYPERLINK("http://example.org")'


def test_the_log_and_its_export_read_a_fixed_number_of_queries(
    client, personas, many, django_assert_num_queries
):
    login(client, personas.admin)
    url = reverse("audit:log")
    client.get(url)  # the session's once-a-minute write is done before counting
    # Five rows or a full page of fifty, each about one kind of object (named in one query
    # for each kind): the same queries.
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"action": "auth.login"})
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url, {"action": "review.item"})
    # Five rows or all sixty in the file: the same queries.
    with CaptureQueriesContext(connection) as export_small:
        b"".join(client.get(url, {"format": "csv", "action": "auth.login"}).streaming_content)
    with django_assert_num_queries(len(export_small.captured_queries)):
        b"".join(client.get(url, {"format": "csv", "action": "review.item"}).streaming_content)
