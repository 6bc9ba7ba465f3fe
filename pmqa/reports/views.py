"""The Feedback Report in the browser, as PDF and as Excel."""

from __future__ import annotations

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


def _stored_response(
    assessment: Assessment, layout: str, digits: str, kind: str
) -> FileResponse | None:
    """The report's stored file when it is published and stored in this variant; else None
    (drafts, previews, Thai numerals, or the background print not done yet)."""
    if digits != stored.STORED_DIGITS or assessment.status != Assessment.Status.PUBLISHED:
        return None
    found = stored.stored_file(assessment, layout, kind)
    if found is None:
        return None
    try:
        handle = found.file.open("rb")
    except OSError:
        return None  # lost from storage: print it afresh rather than fail
    download = stored.download_name(assessment, layout, kind)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=download,
        content_type="application/pdf" if kind == StoredReport.Kind.PDF else XLSX_TYPE,
    )
    response["ETag"] = f'"{found.sha256}"'
    return response


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_report_assessment(request, pk)
    layout, digits = _options(request)
    ready = _stored_response(assessment, layout, digits, StoredReport.Kind.PDF)
    if ready is not None:
        _audited(request, assessment, "pdf", layout)
        return ready
    data = _data(assessment, layout, digits)
    try:
        pdf = print_html(render_html(data, for_print=True))
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
    _audited(request, assessment, "pdf", layout)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(data, "pdf")}"'
    return response


@login_required
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_report_assessment(request, pk)
    layout, digits = _options(request)
    ready = _stored_response(assessment, layout, digits, StoredReport.Kind.XLSX)
    if ready is not None:
        _audited(request, assessment, "xlsx", layout)
        return ready
    data = _data(assessment, layout, digits)
    _audited(request, assessment, "xlsx", layout)
    response = HttpResponse(build_workbook(data, data.published_date), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(data, "xlsx")}"'
    return response
