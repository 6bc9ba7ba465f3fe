"""The statistics page of a cycle, with its filters and downloads (administrators)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmqa import scoring
from pmqa.accounts.decorators import admin_required
from pmqa.assessments.models import Cycle
from pmqa.audit import services as audit
from pmqa.dashboards import statistics
from pmqa.lib import charts as charts_lib
from pmqa.organisations.models import Organisation

FORMATS = {
    "csv": ("text/csv; charset=utf-8", statistics.to_csv),
    "json": ("application/json; charset=utf-8", statistics.to_json),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        statistics.to_xlsx,
    ),
}


class FilterForm(forms.Form):
    type = forms.ChoiceField(
        label=gettext_lazy("Type of organisation"),
        required=False,
        choices=[("", gettext_lazy("Every type"))]
        + [
            (kind, label)
            for kind, label in Organisation.Kind.choices
            if kind in ("department", "province", "public_organisation", "other")
        ],
    )
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Ministry or province cluster"),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("All"),
        queryset=Organisation.objects.filter(
            kind__in=(Organisation.Kind.MINISTRY, Organisation.Kind.PROVINCE_CLUSTER)
        ).order_by("kind", "name_th"),
    )
    synthetic = forms.BooleanField(
        label=gettext_lazy("Include the synthetic demonstration data"), required=False
    )

    def filters(self) -> statistics.Filters:
        data = self.cleaned_data
        return statistics.Filters(
            kind=data["type"], parent=data["parent"], include_synthetic=data["synthetic"]
        )


@admin_required
def statistics_home(request: HttpRequest) -> HttpResponse:
    latest = Cycle.objects.order_by("-fiscal_year").first()
    if latest is None:
        raise Http404
    return redirect("dashboards:statistics", year=latest.fiscal_year)


@admin_required
def cycle_statistics(request: HttpRequest, year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("edition"), fiscal_year=year)
    form = FilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        return render(
            request,
            "dashboards/statistics.html",
            {"cycle": cycle, "form": form, "cycles": _cycles()},
            status=400,
        )
    filters = form.filters() if request.GET else None
    stats = statistics.compute(cycle, filters)
    kind = request.GET.get("format", "")
    if kind in FORMATS:
        return _download(request, cycle, stats, kind)
    trends = statistics.trends(filters if filters is not None else statistics.Filters())
    return render(
        request,
        "dashboards/statistics.html",
        {
            "cycle": cycle,
            "form": form,
            "stats": stats,
            "summary": statistics.describe(stats),
            "downloads": _downloads(request),
            "cycles": _cycles(),
            "heat": _heat(stats, cycle.edition.thresholds()),
            "trends": trends,
            "charts": _charts(stats, trends),
            "categories": statistics.CATEGORIES,
        },
    )


def _download(
    request: HttpRequest, cycle: Cycle, stats: statistics.CycleStatistics, kind: str
) -> HttpResponse:
    content_type, writer = FORMATS[kind]
    response = HttpResponse(writer(stats), content_type=content_type)
    filename = f"pmqa-statistics-{cycle.fiscal_year}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit.record_download(request, action="export.statistics", obj=cycle, new={"format": kind})
    return response


def _downloads(request: HttpRequest) -> list[tuple[str, str]]:
    """Each format's query string: this page's filters, in that format."""
    query = request.GET.copy()
    query.pop("format", None)
    downloads = []
    for kind in FORMATS:
        query["format"] = kind
        downloads.append((kind, query.urlencode()))
    return downloads


def _heat(
    stats: statistics.CycleStatistics, thresholds: scoring.Thresholds
) -> list[tuple[statistics.Row, list[tuple[Decimal | None, str]]]]:
    """Each organisation's verified category scores with their colour classes."""
    return [
        (
            r,
            [
                (
                    r.verified_categories.get(n),
                    statistics.heat_class(r.verified_categories.get(n), thresholds),
                )
                for n in statistics.CATEGORIES
            ],
        )
        for r in stats.rows
    ]


def _charts(
    stats: statistics.CycleStatistics, trends: list[statistics.YearFigures]
) -> dict[str, str]:
    return {
        "distribution": charts_lib.bars_svg(
            tuple(label for label, _n in stats.distribution),
            tuple(float(n) for _label, n in stats.distribution),
            title=_("Distribution of verified totals"),
        ),
        "trends": charts_lib.bars_svg(
            tuple(str(t.fiscal_year) for t in trends),
            tuple(float(t.mean or 0) for t in trends),
            title=_("Mean verified total by fiscal year"),
            colour="#a4161a",
        )
        if trends
        else "",
    }


def _cycles() -> list[int]:
    return list(Cycle.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True))
