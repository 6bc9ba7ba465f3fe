"""The Feedback Report in the browser, as PDF and as Excel."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa.assessments import policy
from pmqa.assessments.models import Assessment
from pmqa.audit import services as audit
from pmqa.lib.pdf import (
    INSTALL_COMMAND,
    ChromiumMissing,
    PrinterBusy,
    chromium_available,
    print_html,
)
from pmqa.lib.thai import arabic_digits
from pmqa.reports import stored
from pmqa.reports.builders import LAYOUTS, NotReportable, ReportData, build
from pmqa.reports.models import StoredReport
from pmqa.reports.render import render_html
from pmqa.reports.xlsx import build_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {"pdf": "application/pdf", "xlsx": XLSX_TYPE}

log = logging.getLogger(__name__)


def get_report_assessment(request: HttpRequest, pk: int) -> Assessment:
    """Administrators see every report; the agency its own once published; a team member the
    team's report once their own review is submitted. Anyone else gets 404."""
    return policy.get_assessment(request, pk, policy.REPORT)


DIGITS = ("arabic", "thai", "all")  # Thai numerals: none; in the text; in the tables too


def _options(request: HttpRequest) -> tuple[str, str]:
    layout = request.GET.get("layout", "full")
    if layout not in LAYOUTS:
        layout = "full"
    digits = request.GET.get("digits", "arabic")
    return layout, digits if digits in DIGITS else "arabic"


def _data(assessment: Assessment, layout: str, digits: str) -> ReportData:
    try:
        return build(
            assessment, layout, thai=digits in ("thai", "all"), thai_tables=digits == "all"
        )
    except NotReportable:
        raise Http404 from None


def filename(data: ReportData, extension: str) -> str:
    return (
        f"pmqa-{arabic_digits(data.fiscal_year)}-{data.organisation_code}-{data.layout}.{extension}"
    )


@login_required
def report_page(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_report_assessment(request, pk)
    layout, digits = _options(request)
    data = _data(assessment, layout, digits)
    base = reverse("reports:page", args=[pk])
    query = f"layout={layout}&digits={digits}"
    following = DIGITS[(DIGITS.index(digits) + 1) % len(DIGITS)]
    toolbar = {
        "back": reverse("dashboards:assessment", args=[pk]),
        "pdf": f"{reverse('reports:pdf', args=[pk])}?{query}",
        "xlsx": f"{reverse('reports:xlsx', args=[pk])}?{query}",
        "other_layout": f"{base}?layout={'short' if layout == 'full' else 'full'}&digits={digits}",
        "digits": f"{base}?layout={layout}&digits={following}",
        "pdf_ready": chromium_available(),
        "pdf_message": str(ChromiumMissing()),
    }
    return HttpResponse(render_html(data, for_print=False, toolbar=toolbar))


def _audited(request: HttpRequest, assessment: Assessment, kind: str, layout: str) -> None:
    audit.record_download(
        request, action="download.report", obj=assessment, new={"format": kind, "layout": layout}
    )


def _storable(assessment: Assessment, digits: str) -> bool:
    """Whether this variant is one that is stored: a published report in arabic digits (drafts,
    previews and Thai numerals are printed on demand)."""
    return digits == stored.STORED_DIGITS and assessment.is_published


def _stored_response(assessment: Assessment, found: StoredReport) -> FileResponse | None:
    """The stored file as a download; None when it is lost from storage (then the report is
    printed afresh rather than the download failing)."""
    try:
        handle = found.file.open("rb")
    except OSError:
        return None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.download_name(assessment, found.layout, found.kind),
        content_type=CONTENT_TYPES[found.kind],
    )
    response["ETag"] = f'"{found.sha256}"'
    return response


def _download(
    request: HttpRequest,
    assessment: Assessment,
    layout: str,
    kind: str,
    digits: str,
    make: Callable[[ReportData], bytes],
) -> HttpResponse:
    """The report's stored file; or the report made now by `make`. A published report made now
    in the stored variant is kept as its stored file, so the next download reads that: the
    report as issued, whoever recorded it first (this download, another, or the background
    task)."""
    revision = stored.current_revision(assessment) if _storable(assessment, digits) else None
    if revision is not None:
        found = stored.stored_file(assessment, layout, kind, revision=revision)
        ready = _stored_response(assessment, found) if found is not None else None
        if ready is not None:
            _audited(request, assessment, kind, layout)
            return ready
    # The revision was read before the report is built: store_content stores nothing if a
    # correction was published since, as the content may then hold part of it.
    data = _data(assessment, layout, digits)
    content = make(data)
    _audited(request, assessment, kind, layout)
    kept, ours = _keep(assessment, layout, kind, revision, content)
    if kept is not None and not ours:
        ready = _stored_response(assessment, kept)  # recorded first by another: the file as issued
        if ready is not None:
            return ready
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename(data, kind)}"'
    if kept is not None and ours:
        response["ETag"] = f'"{kept.sha256}"'
    return response


def _keep(
    assessment: Assessment, layout: str, kind: str, revision: int | None, content: bytes
) -> tuple[StoredReport | None, bool]:
    """Keep a published report's content as its stored file (stored.store_content), when it is
    the stored variant (`revision` read, else None)."""
    if revision is None:
        return None, False
    try:
        return stored.store_content(assessment, layout, kind, revision=revision, content=content)
    except Exception:
        # The download does not depend on keeping the file (storage full or unreachable): the
        # background task or the next download stores it.
        log.exception("could not keep the printed %s of assessment %s", kind, assessment.pk)
        return None, False


def _print(data: ReportData) -> bytes:
    return print_html(render_html(data, for_print=True))


def _workbook(data: ReportData) -> bytes:
    return build_workbook(data, data.published_date)


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_report_assessment(request, pk)
    layout, digits = _options(request)
    try:
        return _download(request, assessment, layout, StoredReport.Kind.PDF, digits, _print)
    except ChromiumMissing as error:
        return render(
            request,
            "reports/no_chromium.html",
            {
                "message": str(error),
                "command": INSTALL_COMMAND,
                "back": reverse("reports:page", args=[pk]),
            },
            status=503,
        )
    except PrinterBusy:
        response = render(
            request,
            "reports/no_chromium.html",
            {
                "message": _(
                    "Many reports are being printed right now. Try again in a minute; the "
                    "report's page can be read meanwhile."
                ),
                "busy": True,
                "back": reverse("reports:page", args=[pk]),
            },
            status=503,
        )
        response["Retry-After"] = "30"
        return response


@login_required
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_report_assessment(request, pk)
    layout, digits = _options(request)
    return _download(request, assessment, layout, StoredReport.Kind.XLSX, digits, _workbook)
