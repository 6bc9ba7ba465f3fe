"""The Feedback Report in the browser, as PDF and as Excel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from pmqa.assessments import policy
from pmqa.assessments.models import Assessment
from pmqa.lib.pdf import INSTALL_COMMAND, ChromiumMissing, PdfPrinter, chromium_available
from pmqa.lib.thai import arabic_digits
from pmqa.reports.builders import LAYOUTS, NotReportable, ReportData, build
from pmqa.reports.render import render_html
from pmqa.reports.xlsx import build_workbook


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


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_report_assessment(request, pk)
    layout, digits = _options(request)
    data = _data(assessment, layout, digits)
    try:
        with PdfPrinter() as printer:
            pdf = printer.print(render_html(data, for_print=True))
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
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(data, "pdf")}"'
    return response


@login_required
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_report_assessment(request, pk)
    layout, digits = _options(request)
    data = _data(assessment, layout, digits)
    response = HttpResponse(
        build_workbook(data, data.published_date),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename(data, "xlsx")}"'
    return response
