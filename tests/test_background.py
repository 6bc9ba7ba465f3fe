"""Background work: a published report printed once and downloaded as stored, tasks that run
twice without harm, the database queue with its worker, and recovery of dead workers' tasks."""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import re
import socket
import subprocess
import sys

import openpyxl
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pmqa.lib import pdf
from pmqa.lib.models import WorkerBeat
from pmqa.lib.tasks import beat
from pmqa.notifications.models import Preference
from pmqa.reports import stored, views
from pmqa.reports.models import StoredReport
from tests.builders import ITEMS, Case, complete_assessment, login

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def worker_keeps_the_tests_connection(monkeypatch):
    """The worker checks its connection between tasks as a request would; inside the test's
    transaction that check would close it (on PostgreSQL), so here it does nothing."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def case(personas, work_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Case(personas, work_a)


def publish(case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return case.published()


def no_printing(monkeypatch):
    """From here on, neither a PDF is printed nor a workbook made."""

    def refuse(*args):
        raise AssertionError("printed although a stored file was expected")

    monkeypatch.setattr(pdf, "print_html", refuse)
    monkeypatch.setattr(stored, "print_html", refuse)
    monkeypatch.setattr(stored, "build_workbook", refuse)
    monkeypatch.setattr(views, "print_html", refuse)
    monkeypatch.setattr(views, "build_workbook", refuse)


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def cell_values(workbook):
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    return [[row for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets]


def test_publishing_stores_each_layout_and_the_agency_downloads_the_stored_file(
    case, django_capture_on_commit_callbacks, monkeypatch
):
    assessment = publish(case, django_capture_on_commit_callbacks)
    files = StoredReport.objects.filter(assessment=assessment)
    assert sorted(files.values_list("layout", "kind", "revision")) == [
        ("full", "pdf", 0),
        ("full", "xlsx", 0),
        ("short", "pdf", 0),
        ("short", "xlsx", 0),
    ]
    for row in files:
        with default_storage.open(row.file.name, "rb") as handle:
            content = handle.read()
        assert hashlib.sha256(content).hexdigest() == row.sha256 and len(content) == row.size
    no_printing(monkeypatch)
    agency = login(Client(), case.p.editor_a)
    response = agency.get(reverse("reports:pdf", args=[assessment.pk]) + "?layout=short")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    short_pdf = files.get(layout="short", kind="pdf")
    assert body.startswith(b"%PDF") and hashlib.sha256(body).hexdigest() == short_pdf.sha256
    assert response["ETag"] == f'"{short_pdf.sha256}"'
    assert response["Content-Disposition"].endswith('-short.pdf"')
    xlsx = agency.get(reverse("reports:xlsx", args=[assessment.pk]))
    assert hashlib.sha256(b"".join(xlsx.streaming_content)).hexdigest() == (
        files.get(layout="full", kind="xlsx").sha256
    )


def test_a_variant_not_stored_is_printed_on_demand_and_a_busy_printer_says_so(
    case, django_capture_on_commit_callbacks, monkeypatch
):
    assessment = publish(case, django_capture_on_commit_callbacks)
    agency = login(Client(), case.p.editor_a)
    url = reverse("reports:pdf", args=[assessment.pk]) + "?digits=thai"
    response = agency.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")

    def busy(html):
        raise pdf.PrinterBusy

    monkeypatch.setattr(views, "print_html", busy)
    response = agency.get(url)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "ลองใหม่" in response.content.decode()


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_the_first_download_of_a_report_not_stored_yet_is_kept_and_the_next_reads_it(
    case, monkeypatch, kind
):
    assessment = case.published()  # its storing task is never run here
    assert not StoredReport.objects.exists()
    agency = login(Client(), case.p.editor_a)
    url = reverse(f"reports:{kind}", args=[assessment.pk]) + "?layout=short"
    first = agency.get(url)
    assert first.status_code == 200
    printed = body(first)
    kept = StoredReport.objects.get()
    assert (kept.assessment, kept.layout, kept.kind, kept.revision) == (
        assessment,
        "short",
        kind,
        0,
    )
    with default_storage.open(kept.file.name, "rb") as handle:
        assert handle.read() == printed
    assert kept.sha256 == hashlib.sha256(printed).hexdigest() and kept.size == len(printed)
    assert first["ETag"] == f'"{kept.sha256}"'
    no_printing(monkeypatch)
    second = agency.get(url)
    assert second.status_code == 200 and second.streaming
    assert body(second) == printed
    assert second["ETag"] == first["ETag"]
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert StoredReport.objects.count() == 1


def test_thai_numerals_are_printed_on_each_download_and_never_stored(case):
    assessment = case.published()
    agency = login(Client(), case.p.editor_a)
    for digits in ("thai", "all"):
        for kind in ("pdf", "xlsx"):
            url = reverse(f"reports:{kind}", args=[assessment.pk]) + f"?digits={digits}"
            for _time in range(2):
                response = agency.get(url)
                assert response.status_code == 200 and not response.streaming
                assert not response.has_header("ETag")
    assert not StoredReport.objects.exists()
    assert not default_storage.exists("reports")


def test_downloading_a_report_before_publication_stores_nothing(case):
    approved = case.approved()
    admin = login(Client(), case.p.admin)
    for kind in ("pdf", "xlsx"):
        response = admin.get(reverse(f"reports:{kind}", args=[approved.pk]))
        assert response.status_code == 200 and not response.streaming
    assert not StoredReport.objects.exists()
    assert not default_storage.exists("reports")


def test_a_download_and_the_storing_task_at_once_keep_one_file_and_hand_out_that_one(
    case, monkeypatch
):
    assessment = case.published()
    made = views.build_workbook

    def task_runs_meanwhile(data, published):
        workbook = made(data, published)
        stored.store_published_report(assessment.pk)  # records this variant first
        return workbook

    monkeypatch.setattr(views, "build_workbook", task_runs_meanwhile)
    agency = login(Client(), case.p.editor_a)
    response = agency.get(reverse("reports:xlsx", args=[assessment.pk]))
    assert response.status_code == 200
    recorded = StoredReport.objects.get(layout="full", kind="xlsx")
    assert response.streaming and response["ETag"] == f'"{recorded.sha256}"'
    assert hashlib.sha256(body(response)).hexdigest() == recorded.sha256
    # The download's own file went: the folder holds the task's four and nothing else.
    names = StoredReport.objects.values_list("file", flat=True)
    assert len(names) == 4
    folder = os.path.dirname(recorded.file.name)
    assert sorted(default_storage.listdir(folder)[1]) == sorted(map(os.path.basename, names))


def test_a_correction_published_while_a_download_prints_is_not_stored_under_either_revision(
    case, monkeypatch
):
    assessment = case.published()
    admin = login(Client(), case.p.admin)
    built = views.build

    def corrected_meanwhile(*args, **kwargs):
        data = built(*args, **kwargs)
        form = {f"score-{c}": "350" for c in ITEMS}
        response = admin.post(
            reverse("feedback:revise", args=[assessment.pk]),
            {**form, "score-1.1": "450", "reason": "แก้ไขตามคำอุทธรณ์"},
        )
        assert response.status_code == 302
        return data

    monkeypatch.setattr(views, "build", corrected_meanwhile)
    agency = login(Client(), case.p.editor_a)
    url = reverse("reports:xlsx", args=[assessment.pk])
    before = agency.get(url)
    assert before.status_code == 200 and not before.has_header("ETag")
    assert not StoredReport.objects.exists()
    monkeypatch.setattr(views, "build", built)
    after = agency.get(url)
    kept = StoredReport.objects.get()
    assert kept.revision == 1 and after["ETag"] == f'"{kept.sha256}"'
    with default_storage.open(kept.file.name, "rb") as handle:
        issued = cell_values(handle.read())
    assert issued != cell_values(before.content)
    assert issued == cell_values(stored._content(assessment, "full", "xlsx"))


def test_storing_again_writes_nothing_and_a_killed_runs_half_file_is_removed(
    case, django_capture_on_commit_callbacks
):
    assessment = publish(case, django_capture_on_commit_callbacks)
    assert stored.store_published_report(assessment.pk) == []
    # A run killed while writing: its file is there, cut short, and no row records it.
    row = StoredReport.objects.get(assessment=assessment, layout="full", kind="xlsx")
    with default_storage.open(row.file.name, "rb") as handle:
        whole = handle.read()
    half = default_storage.path(row.file.name)
    row.delete()
    default_storage.delete(row.file.name)
    with open(half, "wb") as handle:
        handle.write(whole[:100])
    an_hour_ago = (timezone.now() - datetime.timedelta(hours=1)).timestamp()
    os.utime(half, (an_hour_ago, an_hour_ago))
    [written] = stored.store_published_report(assessment.pk)
    again = StoredReport.objects.get(assessment=assessment, layout="full", kind="xlsx")
    assert again.file.name == written
    with default_storage.open(written, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == again.sha256
    folder = os.path.dirname(half)
    assert sorted(os.listdir(folder)) == sorted(
        os.path.basename(n) for n in StoredReport.objects.values_list("file", flat=True)
    )


def test_a_correction_stores_new_files_and_keeps_the_issued_ones(
    case, django_capture_on_commit_callbacks
):
    assessment = publish(case, django_capture_on_commit_callbacks)
    issued = set(StoredReport.objects.values_list("file", flat=True))
    admin = login(Client(), case.p.admin)
    form = {f"score-{c}": "350" for c in ITEMS}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("feedback:revise", args=[assessment.pk]),
            {**form, "score-1.1": "450", "reason": "แก้ไขตามคำอุทธรณ์"},
        )
    assert response.status_code == 302
    assert StoredReport.objects.filter(revision=0).count() == 4
    assert StoredReport.objects.filter(revision=1).count() == 4
    for name in issued:
        assert default_storage.exists(name)
    agency = login(Client(), case.p.editor_a)
    body = b"".join(agency.get(reverse("reports:pdf", args=[assessment.pk])).streaming_content)
    assert hashlib.sha256(body).hexdigest() == (
        StoredReport.objects.get(revision=1, layout="full", kind="pdf").sha256
    )


def test_with_the_database_queue_a_worker_prints_what_publishing_queued(
    case, django_capture_on_commit_callbacks, settings, client
):
    settings.TASKS = DATABASE_QUEUE
    assessment = publish(case, django_capture_on_commit_callbacks)
    assert not StoredReport.objects.exists()
    printing = DBTaskResult.objects.filter(task_path="pmqa.reports.tasks.store_published_report")
    assert printing.get().status == TaskResultStatus.READY
    # A task waits and no worker has started yet: the queue says so; the server serves on.
    assert client.get("/healthz/queue").json()["status"] == "no worker"
    assert client.get("/healthz").status_code == 200
    # Until the worker has printed it, the download prints on demand.
    agency = login(Client(), case.p.editor_a)
    assert agency.get(reverse("reports:pdf", args=[assessment.pk])).status_code == 200
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert printing.get().status == TaskResultStatus.SUCCESSFUL
    assert StoredReport.objects.filter(assessment=assessment).count() == 4


def running(worker, started):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="pmqa.reports.tasks.store_published_report",
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=[worker],
    )


def test_tasks_of_dead_workers_go_back_to_the_queue(db, settings):
    from pmqa.lib.tasks import requeue_abandoned

    settings.PMQA_TASK_STALE_MINUTES = 30
    host = socket.gethostname()[:40]
    now = timezone.now()
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    dead_here = running(f"{host}:{dead_pid}", now)
    alive_here = running(f"{host}:{os.getpid()}", now - datetime.timedelta(minutes=5))
    # A live process of that number long past the stale age: maybe another one (PID reuse).
    reused_here = running(f"{host}:{os.getpid()}", now - datetime.timedelta(hours=5))
    silent_elsewhere = running("other-machine:123", now - datetime.timedelta(minutes=31))
    busy_elsewhere = running("other-machine:124", now - datetime.timedelta(minutes=5))
    assert requeue_abandoned() == 3
    status = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert status[reused_here.pk] == TaskResultStatus.READY
    assert status[dead_here.pk] == TaskResultStatus.READY
    assert status[silent_elsewhere.pk] == TaskResultStatus.READY
    assert status[alive_here.pk] == TaskResultStatus.RUNNING
    assert status[busy_elsewhere.pk] == TaskResultStatus.RUNNING
    assert requeue_abandoned() == 0


def test_a_backlog_alerts_through_the_queues_health_and_never_takes_a_server_out(
    personas, settings, client, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = DATABASE_QUEUE
    beat("host-a:11", timezone.now())
    assert client.get("/healthz/queue").json() == {
        "status": "ok",
        "workers": 1,
        "oldest_wait_seconds": 0,
    }
    task = running("w:1", None)
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.READY,
        enqueued_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    behind = client.get("/healthz/queue")
    assert behind.status_code == 503 and behind.json()["status"] == "behind"
    assert behind.json()["oldest_wait_seconds"] >= 600
    # Every server still serves: the load balancer's check does not look at the queue.
    assert client.get("/healthz").status_code == 200
    # A worker not seen for a while is gone.
    WorkerBeat.objects.update(seen_at=timezone.now() - datetime.timedelta(minutes=5))
    assert client.get("/healthz/queue").json()["workers"] == 0
    # The administrator reads it on their home.
    login(client, personas.admin)
    home = client.get(reverse("dashboards:admin")).content.decode()
    assert "ไม่มีตัวประมวลผลงานเบื้องหลังทำงานอยู่" in home
    beat("host-a:11", timezone.now())
    home = client.get(reverse("dashboards:admin")).content.decode()
    assert "งานเบื้องหลังค้างอยู่" in home
    assert int(re.search(r"รอมาแล้ว (\d+) วินาที", home).group(1)) >= 600


def test_an_email_is_sent_once_however_often_its_task_runs(
    personas, work_a, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    from pmqa.assessments import services
    from pmqa.assessments.models import OutgoingMail
    from pmqa.assessments.tasks import deliver_mail

    settings.TASKS = DATABASE_QUEUE
    complete_assessment(work_a, personas.editor_a)
    # Only the agency's receipt is counted here: OPDC is told of submissions in the product.
    Preference.objects.create(user=personas.admin, kind="submitted", delivery="off")
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_assessment(assessment=work_a, by=personas.approver_a)
    queued = OutgoingMail.objects.get()
    assert queued.key.startswith("submission:") and mail.outbox == []
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 1  # to the agency (no assessors are assigned yet)
    queued.refresh_from_db()
    assert queued.handed_at is not None and queued.sent_at is not None
    # The task run again (its worker killed after sending, before finishing): nothing sent.
    assert deliver_mail.call(queued.pk) == "already handed over"
    assert len(mail.outbox) == 1


def test_a_bulk_store_queues_one_task_per_report_and_resumes_without_redoing(
    case, django_capture_on_commit_callbacks, settings, monkeypatch
):
    import io

    settings.TASKS = DATABASE_QUEUE
    assessment = publish(case, django_capture_on_commit_callbacks)
    DBTaskResult.objects.all().delete()  # as if the reports were published before storing
    year = str(assessment.cycle.fiscal_year)
    out = io.StringIO()
    call_command("build_reports", "--cycle", year, "--store", stdout=out)
    assert out.getvalue().strip() == "เข้าคิว 1 · จัดเก็บครบแล้ว 0"
    # The worker is killed after two of the four files: the task is still marked running.
    real = stored._content
    made = []

    def killed_after_two(assessment, layout, kind):
        if len(made) == 2:
            raise KeyboardInterrupt
        made.append((layout, kind))
        return real(assessment, layout, kind)

    monkeypatch.setattr(stored, "_content", killed_after_two)
    task = DBTaskResult.objects.get()
    task.claim("gone-machine:1")
    with pytest.raises(KeyboardInterrupt):
        stored.store_published_report(assessment.pk)
    assert StoredReport.objects.count() == 2
    DBTaskResult.objects.filter(pk=task.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    monkeypatch.setattr(
        stored,
        "_content",
        lambda a, layout, kind: made.append((layout, kind)) or real(a, layout, kind),
    )
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert StoredReport.objects.count() == 4
    assert len(made) == 4  # two before the kill, the other two after: none made twice
    out = io.StringIO()
    call_command("build_reports", "--cycle", year, "--store", stdout=out)
    assert out.getvalue().strip() == "เข้าคิว 0 · จัดเก็บครบแล้ว 1"


def test_an_email_the_mail_server_refused_is_queued_again_by_the_daily_run(
    personas, work_a, settings, django_capture_on_commit_callbacks, monkeypatch
):
    import io

    from django.core import mail

    from pmqa.assessments import services, tasks
    from pmqa.assessments.models import OutgoingMail

    complete_assessment(work_a, personas.editor_a)
    # Only the agency's receipt is counted here: OPDC is told of submissions in the product.
    Preference.objects.create(user=personas.admin, kind="submitted", delivery="off")

    def server_down(messages, fail_silently):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(tasks, "send_mass_mail", server_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_assessment(assessment=work_a, by=personas.approver_a)
    queued = OutgoingMail.objects.get()
    assert queued.handed_at is None and mail.outbox == []  # not handed over: may go later
    monkeypatch.undo()
    OutgoingMail.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().startswith("1 e-mail(s)")
    assert len(mail.outbox) == 1 and OutgoingMail.objects.get().sent_at is not None
