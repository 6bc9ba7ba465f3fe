"""The public open-data page and its files (no login)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pmqa.audit import services as audit
from pmqa.dashboards import opendata

FORMATS = {
    "csv": ("text/csv; charset=utf-8", opendata.to_csv),
    "json": ("application/json; charset=utf-8", opendata.to_json),
}


def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dashboards/open_data.html",
        {
            "cycles": opendata.published_cycles(),
            "fields": [
                (name, column, meaning)
                for (name, meaning), column in zip(
                    opendata.FIELDS, opendata.csv_header(), strict=True
                )
            ],
            "minimum": opendata.MINIMUM_GROUP,
        },
    )


def open_data_file(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    cycle = next((c for c in opendata.published_cycles() if c.fiscal_year == year), None)
    if cycle is None or kind not in FORMATS:
        raise Http404
    content_type, writer = FORMATS[kind]
    response = HttpResponse(writer(cycle), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="pmqa-results-{year}.{kind}"'
    # Open to anyone: who is unknown, the address is kept.
    audit.record_download(
        request,
        action="export.open_data",
        object_type="opendata",
        object_id=year,
        new={"format": kind},
    )
    return response
