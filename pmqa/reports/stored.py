"""A published report's files, made once in the background and then served as stored.

Publishing a report (or a correction of it) queues `store_published_report`; the agency's
downloads then read the stored file instead of printing. A download that comes first prints
the report and keeps what it printed (`store_content`, the task's own way of recording), so
the download after it reads the stored file too. The task may run twice, or a worker be
killed in the middle and its task run again from the start: a variant already recorded is
left alone; a file is recorded only once completely stored, and a file that a killed run left
unrecorded is removed by the next run, so downloads never meet a half file.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from pmqa.assessments.models import Assessment
from pmqa.lib.pdf import print_html
from pmqa.lib.thai import arabic_digits
from pmqa.reports.builders import LAYOUTS, build
from pmqa.reports.models import StoredReport, stored_report_path
from pmqa.reports.render import render_html
from pmqa.reports.xlsx import build_workbook

log = logging.getLogger(__name__)

STORED_DIGITS = "arabic"  # the variant stored; Thai-numeral variants print on demand


def current_revision(assessment: Assessment) -> int:
    feedback = getattr(assessment, "feedback", None)
    return feedback.revisions.count() if feedback is not None else 0


def stored_file(
    assessment: Assessment, layout: str, kind: str, *, revision: int | None = None
) -> StoredReport | None:
    """The stored file of the report as it stands now (with every correction), or None while
    it is not made yet. `revision`: the current revision, when the caller has read it."""
    if revision is None:
        revision = current_revision(assessment)
    return StoredReport.objects.filter(
        assessment=assessment, layout=layout, kind=kind, revision=revision
    ).first()


def download_name(assessment: Assessment, layout: str, kind: str) -> str:
    """The name a stored file is downloaded under: a printed report's, without the stored
    file's revision and suffix."""
    year = arabic_digits(str(assessment.cycle.fiscal_year))
    return f"pmqa-{year}-{assessment.organisation.code}-{layout}.{kind}"


def _content(assessment: Assessment, layout: str, kind: str) -> bytes:
    data = build(assessment, layout, thai=False, thai_tables=False)
    if kind == StoredReport.Kind.PDF:
        return print_html(render_html(data, for_print=True))
    return build_workbook(data, data.published_date)


def _remove_leftovers(row: StoredReport, name: str) -> None:
    """Delete the files of this variant that no row records and that no run can still be
    writing (older than PMQA_TASK_STALE_MINUTES): what a killed run left behind."""
    folder, _slash, _file = stored_report_path(row, name).rpartition("/")
    stem = name.rsplit(".", 1)[0]
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    recorded = set(
        StoredReport.objects.filter(file__startswith=f"{folder}/{stem}").values_list(
            "file", flat=True
        )
    )
    before = timezone.now() - datetime.timedelta(minutes=settings.PMQA_TASK_STALE_MINUTES)
    for found in files:
        path = f"{folder}/{found}"
        stale = found.startswith(stem) and path not in recorded
        if stale and default_storage.get_modified_time(path) < before:
            default_storage.delete(path)
            log.warning("removed %s, left unrecorded by an interrupted run", path)


def store_content(
    assessment: Assessment, layout: str, kind: str, *, revision: int, content: bytes
) -> tuple[StoredReport | None, bool]:
    """Record `content`, made from the published report at `revision` (read before the content
    was made), as the stored file of this variant. Returns the variant's row and whether it
    records this content: (row, True) once stored; (another's row, False) when a download or
    a run recorded the variant first, whose file then stands and this content is dropped;
    (None, False) when a correction was published meanwhile, so that the content may hold
    some of it and is stored under neither revision (the correction's own task stores it)."""
    if current_revision(assessment) != revision:
        return None, False
    row = StoredReport(
        assessment=assessment,
        layout=layout,
        kind=kind,
        revision=revision,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    stem = download_name(assessment, layout, kind).rsplit(".", 1)[0]
    name = f"{stem}-r{revision}.{kind}"
    _remove_leftovers(row, name)
    # A name of its own (the storage adds a suffix if taken), recorded once written.
    row.file.name = default_storage.save(stored_report_path(row, name), ContentFile(content))
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # Recorded first by another: its file is as good. Ours goes, unless (object storage
        # may hand two writers one name) it is the recorded one.
        if not StoredReport.objects.filter(file=row.file.name).exists():
            default_storage.delete(row.file.name)
        return stored_file(assessment, layout, kind, revision=revision), False
    log.info("stored %s", row.file.name)
    return row, True


def store_published_report(assessment_id: int) -> list[str]:
    """Make and store each layout of a published report as PDF and Excel, as it stands now.
    Returns the names of the files written (none when all were there already)."""
    assessment = (
        Assessment.objects.select_related("cycle__edition", "organisation", "feedback")
        .published()
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        return []  # unpublished meanwhile (or deleted): nothing is issued
    revision = current_revision(assessment)
    written = []
    for layout in LAYOUTS:
        for kind in StoredReport.Kind.values:
            if stored_file(assessment, layout, kind, revision=revision) is not None:
                continue
            row, ours = store_content(
                assessment,
                layout,
                kind,
                revision=revision,
                content=_content(assessment, layout, kind),
            )
            if row is None:
                return written  # corrected meanwhile: the correction's own task stores it
            if ours:
                written.append(row.file.name)
    return written


def queue_cycle(fiscal_year: int) -> tuple[int, int]:
    """Queue the storing of every published report of a cycle whose files are not all stored
    yet, one task per report: a bulk build that a killed worker resumes where it stopped.
    Returns (queued, already stored)."""
    from pmqa.reports.tasks import store_published_report as task

    variants = len(LAYOUTS) * len(StoredReport.Kind.values)
    queued = done = 0
    published = (
        Assessment.objects.published()
        .filter(cycle__fiscal_year=fiscal_year)
        .select_related("feedback")
    )
    for assessment in published.order_by("organisation__code"):
        have = StoredReport.objects.filter(
            assessment=assessment, revision=current_revision(assessment)
        ).count()
        if have >= variants:
            done += 1
            continue
        task.enqueue(assessment.pk)
        queued += 1
    return queued, done
