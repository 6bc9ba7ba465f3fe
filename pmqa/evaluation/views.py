"""Administrators' pages for the evaluation KPI: every organisation's targets and score for a
fiscal year, and that year's rule set, edited as numbered versions."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmqa.accounts.decorators import admin_required
from pmqa.assessments.models import Cycle
from pmqa.audit import services as audit
from pmqa.evaluation import kpi
from pmqa.lib.errors import ServiceError
from pmqa.scoring.kpi import KpiRuleSet, NoRuleSet, rule_set_for

FIGURE = {"max_digits": 7, "decimal_places": 4, "min_value": Decimal(0)}
WHOLE = re.compile(r"[0-9]{1,3}")
YEARS = range(2500, 2701)  # fiscal years (B.E.) a rule set can be kept for


class RuleSetForm(forms.Form):
    """What an administrator sets for a year: the framework's components, the score groups and
    each KPI type's targets; the KPI points of the targets stay as they are."""

    components = forms.CharField(
        label=gettext_lazy("Components of the agency evaluation"),
        help_text=gettext_lazy(
            "One per line: code | name | weight (%), and | PMQA on the PMQA 4.0 status KPI."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    groups = forms.CharField(
        label=gettext_lazy("Score groups of the verified totals"),
        help_text=gettext_lazy(
            "One per line: label | from | to (whole points; leave the last one's end empty)."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, base: KpiRuleSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base = base
        self.type_fields: list[tuple[int, list[forms.BoundField]]] = []
        for t in base.types:
            names = []
            for key, label, required in (
                ("prior_from", _("Last year's total from"), False),
                ("prior_below", _("below"), False),
                ("minimum", _("Minimum target (score 50)"), True),
                ("advanced_fixed", _("Advanced target, fixed"), False),
                ("advanced_factor", _("or last year's total times"), False),
            ):
                name = f"type{t.number}_{key}"
                limit = Decimal(10) if key == "advanced_factor" else Decimal(500)
                self.fields[name] = forms.DecimalField(
                    label=label, required=required, max_value=limit, **FIGURE
                )
                names.append(name)
            self.type_fields.append((t.number, names))
        self.order_fields(["components", "groups", *[n for _t, ns in self.type_fields for n in ns]])

    def clean_components(self) -> list[dict[str, Any]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["components"].splitlines(), start=1):
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split("|")]
            if len(cells) not in (3, 4) or (len(cells) == 4 and cells[3].upper() != "PMQA"):
                raise forms.ValidationError(
                    _("Line %(n)s: write code | name | weight, and | PMQA on one line.")
                    % {"n": number}
                )
            try:
                weight = Decimal(cells[2])
            except ArithmeticError:
                weight = Decimal("NaN")
            if not weight.is_finite() or not 0 < weight <= 100 or not cells[0] or not cells[1]:
                raise forms.ValidationError(
                    _("Line %(n)s: give a code, a name and a weight above 0 and at most 100.")
                    % {"n": number}
                )
            rows.append(
                {"code": cells[0], "name": cells[1], "weight": str(weight), "pmqa": len(cells) == 4}
            )
        return rows

    def clean_groups(self) -> list[dict[str, Any]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["groups"].splitlines(), start=1):
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split("|")]
            if (
                len(cells) != 3
                or not cells[0]
                or not WHOLE.fullmatch(cells[1])
                or (cells[2] and not WHOLE.fullmatch(cells[2]))
            ):
                raise forms.ValidationError(
                    _("Line %(n)s: write label | from | to, in whole points.") % {"n": number}
                )
            rows.append(
                {
                    "label": cells[0],
                    "low": int(cells[1]),
                    "high": int(cells[2]) if cells[2] else None,
                }
            )
        return rows

    @staticmethod
    def initial_for(rules: KpiRuleSet) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "components": "\n".join(
                f"{c.code} | {c.name} | {c.weight}" + (" | PMQA" if c.pmqa else "")
                for c in rules.components
            ),
            "groups": "\n".join(
                f"{g.label} | {g.low} | {'' if g.high is None else g.high}" for g in rules.groups
            ),
        }
        for t in rules.types:
            initial |= {
                f"type{t.number}_prior_from": t.prior_from,
                f"type{t.number}_prior_below": t.prior_below,
                f"type{t.number}_minimum": t.minimum,
                f"type{t.number}_advanced_fixed": t.advanced_fixed,
                f"type{t.number}_advanced_factor": t.advanced_factor,
            }
        return initial

    def rule_set_data(self, fiscal_year: int) -> dict[str, Any]:
        data = self.base.to_dict() | {"fiscal_year": fiscal_year}
        values = self.cleaned_data
        data["components"] = values["components"]
        data["groups"] = values["groups"]
        pmqa = [c for c in values["components"] if c["pmqa"]]
        if len(pmqa) == 1:
            data["weight_percent"] = pmqa[0]["weight"]
        for row in data["types"]:
            n = row["type"]

            def text(key: str, n: int = n) -> str | None:
                value = values.get(f"type{n}_{key}")
                return None if value is None else str(value)

            row["prior_from"] = text("prior_from")
            row["prior_below"] = text("prior_below")
            row["minimum"] = text("minimum")
            advanced = {"fixed": text("advanced_fixed"), "prior_times": text("advanced_factor")}
            row["advanced"] = {key: value for key, value in advanced.items() if value is not None}
        return data


def _latest_year() -> int:
    """The newest year with targets (the year after the newest verified totals, a cycle of its
    own or not yet); without any, the newest cycle's."""
    targeted = kpi.years_with_targets()
    if targeted:
        return targeted[0]
    latest = Cycle.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).first()
    if latest is None:
        raise Http404
    return latest


@admin_required
def kpi_home(request: HttpRequest) -> HttpResponse:
    return redirect("evaluation:kpi", year=_latest_year())


@admin_required
def kpi_year(request: HttpRequest, year: int) -> HttpResponse:
    try:
        rules, rows = kpi.organisation_kpis(year)
    except NoRuleSet as error:
        return render(
            request,
            "evaluation/kpi.html",
            {"year": year, "refused": error, "years": _years()[0]},
        )
    kind = request.GET.get("format", "")
    if kind in ("csv", "xlsx"):
        if kind == "csv":
            response = HttpResponse(kpi.to_csv(rows), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                kpi.to_xlsx(year, rows),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="pmqa-kpi-{year}.{kind}"'
        audit.record_download(
            request, action="export.kpi", object_type="kpi", object_id=year, new={"format": kind}
        )
        return response
    years, targeted = _years()
    context = {"year": year, "rules": rules, "rows": rows, "years": years, "targeted": targeted}
    return render(request, "evaluation/kpi.html", context)


@admin_required
def kpi_rules(request: HttpRequest, year: int) -> HttpResponse:
    if year not in YEARS:
        raise Http404
    sets = kpi.rule_sets()
    try:
        current: KpiRuleSet | None = rule_set_for(year, sets)
    except NoRuleSet:
        current = None
    proposed = None
    if current is None or (request.method == "GET" and request.GET.get("propose")):
        proposed = kpi.propose(year)
    base = proposed or current
    form = RuleSetForm(request.POST or None, base=base, initial=RuleSetForm.initial_for(base))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                kpi.save_rule_set(
                    data=form.rule_set_data(year),
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ServiceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The KPI rule set of fiscal year %(year)s is saved.") % {"year": year},
                )
                return redirect("evaluation:kpi_rules", year=year)
        status = 400
    return render(
        request,
        "evaluation/rules.html",
        {
            "year": year,
            "form": form,
            "current": current,
            "in_force_from": current.fiscal_year if current else None,
            "proposed": proposed is not None,
            "versions": kpi.versions(year),
        },
        status=status,
    )


def _years() -> tuple[list[int], list[int]]:
    """Every year the KPI page has something to say of, newest first: the cycles' years and
    the years with targets, which reach a year after the newest cycle once it is verified;
    and the latter alone."""
    targeted = kpi.years_with_targets()
    cycles = Cycle.objects.values_list("fiscal_year", flat=True)
    return sorted(set(cycles) | set(targeted), reverse=True), targeted
