"""Administrators' pages for cycles: round windows, per-organisation extensions, the list of
a cycle's assessments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmqa.accounts.decorators import AuthenticatedHttpRequest, admin_required
from pmqa.assessments import cycles as cycle_services
from pmqa.assessments import services
from pmqa.assessments.filters import AssessmentFilterForm, page_of
from pmqa.assessments.models import Assessment, Cycle, Round, WindowExtension
from pmqa.criteria.models import Edition
from pmqa.lib.forms import BEDateField
from pmqa.organisations.models import Organisation


def _check_window(form: forms.Form, opens: str, closes: str) -> None:
    opens_on, closes_on = form.cleaned_data.get(opens), form.cleaned_data.get(closes)
    if opens_on and closes_on and closes_on < opens_on:
        form.add_error(closes, _("The round must close on or after the day it opens."))


class CycleForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label=gettext_lazy("Fiscal year (B.E.)"), min_value=2560, max_value=2700
    )
    edition = forms.ModelChoiceField(
        label=gettext_lazy("Criteria edition"), queryset=Edition.objects.all()
    )
    round1_opens_on = BEDateField(label=gettext_lazy("Round 1 opens on"))
    round1_closes_on = BEDateField(label=gettext_lazy("Round 1 closes on"))
    round2_opens_on = BEDateField(label=gettext_lazy("Round 2 opens on"), required=False)
    round2_closes_on = BEDateField(label=gettext_lazy("Round 2 closes on"), required=False)
    review_due_on = BEDateField(label=gettext_lazy("Assessors' reviews due on"), required=False)
    round2_threshold = forms.DecimalField(
        label=gettext_lazy("Round 2 threshold (verified round-1 total)"),
        required=False,
        min_value=0,
        max_value=500,
        decimal_places=2,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _check_window(self, "round1_opens_on", "round1_closes_on")
        _check_window(self, "round2_opens_on", "round2_closes_on")
        if bool(data.get("round2_opens_on")) != bool(data.get("round2_closes_on")):
            self.add_error("round2_closes_on", _("Give both round 2 dates, or neither."))
        return data


class RoundForm(forms.Form):
    number = forms.TypedChoiceField(
        label=gettext_lazy("Round"), choices=Round.Number.choices, coerce=int
    )
    opens_on = BEDateField(label=gettext_lazy("Opens on"))
    closes_on = BEDateField(label=gettext_lazy("Closes on"))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        _check_window(self, "opens_on", "closes_on")
        return data


class OrganisationCodeField(forms.CharField):
    """An active organisation typed as its code: a select would list every organisation."""

    def clean(self, value: object) -> Organisation | None:
        code = super().clean(value)
        if not code:
            return None
        found = Organisation.objects.filter(code__iexact=code, is_active=True).first()
        if found is None:
            raise forms.ValidationError(
                _(
                    "No active organisation has the code “%(code)s”. Type the code as the list "
                    "of assessments shows it, for example TH-96."
                ),
                code="invalid_choice",
                params={"code": code},
            )
        return found


class ExtensionForm(forms.Form):
    organisation = OrganisationCodeField(
        label=gettext_lazy("Organisation code"),
        max_length=32,
        help_text=gettext_lazy("As the list of assessments below shows it, for example TH-96."),
        error_messages={
            "required": gettext_lazy("Type the organisation's code."),
            "max_length": gettext_lazy("An organisation's code has at most 32 characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    closes_on = BEDateField(label=gettext_lazy("New closing date"))
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


@admin_required
def cycle_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    cycles = (
        Cycle.objects.select_related("edition")
        .prefetch_related("rounds")
        .annotate(assessment_count=Count("assessments"))
        .order_by("-fiscal_year")  # the model's ordering does not reach a grouped query
    )
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rounds = {1: (data["round1_opens_on"], data["round1_closes_on"])}
        if data.get("round2_opens_on"):
            rounds[2] = (data["round2_opens_on"], data["round2_closes_on"])
        try:
            cycle = cycle_services.create_cycle(
                fiscal_year=data["fiscal_year"],
                edition=data["edition"],
                rounds=rounds,
                round2_threshold=data.get("round2_threshold"),
                review_due_on=data.get("review_due_on"),
                by=request.user,
            )
        except services.ServiceError as error:
            form.add_error("fiscal_year", str(error))
        else:
            messages.success(
                request,
                _("Created the cycle for fiscal year %(year)s.") % {"year": cycle.fiscal_year},
            )
            return redirect("manage:cycle", cycle.fiscal_year)
    return render(
        request,
        "manage/cycles.html",
        {"cycles": cycles, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _posted(request: HttpRequest, name: str) -> QueryDict | None:
    return request.POST if request.POST.get("form") == name else None


def _extend(request: AuthenticatedHttpRequest, cycle: Cycle, form: ExtensionForm) -> bool:
    """Grant the extension the valid form asks for; False with the refusal on the form."""
    data = form.cleaned_data
    round_ = cycle.rounds.filter(number=1).first()
    if round_ is None:
        form.add_error(None, _("Set the round 1 dates first."))
        return False
    try:
        cycle_services.grant_extension(
            round_=round_,
            organisation=data["organisation"],
            closes_on=data["closes_on"],
            reason=data["reason"],
            by=request.user,
        )
    except services.ServiceError as error:
        form.add_error("closes_on", str(error))
        return False
    messages.success(
        request,
        _("Extended round 1 for %(organisation)s.") % {"organisation": data["organisation"].name},
    )
    return True


class RetentionForm(forms.Form):
    evidence_retention_years = forms.IntegerField(
        label=gettext_lazy("Keep the evidence files for (years after the fiscal year ends)"),
        required=False,
        min_value=1,
        max_value=50,
        help_text=gettext_lazy("Empty: kept. `pmqa apply_retention` deletes them afterwards."),
    )


class ReportSettingsForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = cycle_services.REPORT_SETTINGS
        help_texts = {
            "report_type": gettext_lazy(
                "Sets the cover, the headings and what a report must hold before it is sent "
                "for approval."
            ),
        }


@admin_required
def cycle_detail(request: AuthenticatedHttpRequest, fiscal_year: int) -> HttpResponse:
    cycle = get_object_or_404(Cycle.objects.select_related("edition"), fiscal_year=fiscal_year)
    found = _CycleForms.of(request, cycle)
    if _save_posted(request, cycle, found):
        return redirect("manage:cycle", fiscal_year)
    filters = AssessmentFilterForm(request.GET)
    return render(
        request,
        "manage/cycle.html",
        {
            "cycle": cycle,
            "rounds": list(cycle.rounds.all()),
            "round_form": found.round_form,
            "extension_form": found.extension_form,
            "retention_form": found.retention_form,
            "report_form": found.report_form,
            "extensions": WindowExtension.objects.filter(round__cycle=cycle).select_related(
                "organisation", "round", "granted_by"
            ),
            "filters": filters,
            "page": _page(request, cycle, filters),
            "synthetic_count": Assessment.objects.filter(cycle=cycle, is_synthetic=True).count(),
        },
        status=400 if request.method == "POST" or not filters.is_valid() else 200,
    )


@dataclass(frozen=True)
class _CycleForms:
    """The cycle page's forms; a POST binds the one it names (`form`)."""

    round_form: RoundForm
    extension_form: ExtensionForm
    retention_form: RetentionForm
    report_form: ReportSettingsForm

    @classmethod
    def of(cls, request: HttpRequest, cycle: Cycle) -> _CycleForms:
        return cls(
            RoundForm(_posted(request, "round")),
            # A row's "extend" link fills in its organisation's code.
            ExtensionForm(
                _posted(request, "extension"),
                initial={"organisation": request.GET.get("extend", "")[:32]},
            ),
            RetentionForm(
                _posted(request, "retention"),
                initial={"evidence_retention_years": cycle.evidence_retention_years},
            ),
            ReportSettingsForm(_posted(request, "report"), instance=cycle),
        )


def _save_posted(request: AuthenticatedHttpRequest, cycle: Cycle, found: _CycleForms) -> bool:
    """Save what the posted form asks for; False when nothing was (its errors on the form)."""
    if found.round_form.is_valid():
        cycle_services.update_round(cycle=cycle, by=request.user, **found.round_form.cleaned_data)
        messages.success(request, _("Saved the round dates."))
        return True
    if found.extension_form.is_valid():
        return _extend(request, cycle, found.extension_form)
    if found.retention_form.is_valid():
        cycle_services.set_evidence_retention(
            cycle=cycle,
            years=found.retention_form.cleaned_data["evidence_retention_years"],
            by=request.user,
        )
        messages.success(request, _("Saved how long the evidence files are kept."))
        return True
    report_form = found.report_form
    if report_form.is_bound and report_form.is_valid():
        try:
            cycle_services.set_report_settings(
                cycle=cycle, by=request.user, **report_form.cleaned_data
            )
        except services.ServiceError as error:
            report_form.add_error(None, str(error))
            return False
        messages.success(request, _("Saved the report settings."))
        return True
    return False


def _page(request: HttpRequest, cycle: Cycle, filters: AssessmentFilterForm) -> Page | None:
    """The page of the cycle's assessments the filters ask for; None when they are wrong."""
    if not filters.is_valid():
        return None
    assessments = filters.apply(Assessment.objects.filter(cycle=cycle, is_synthetic=False))
    return page_of(
        assessments.select_related("organisation").order_by("organisation__name_th", "pk"),
        request.GET.get("page"),
    )
