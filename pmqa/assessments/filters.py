"""The filters and pages of the administrators' lists of assessments (a cycle's assessments, the
assessor teams): a page of rows, whatever the number of organisations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from pmqa.assessments.models import Assessment, Cycle
from pmqa.organisations.models import Organisation

PER_PAGE = 50


class AssessmentFilterForm(forms.Form):
    """What the query string asks for; every field may be left empty. `statuses` bounds the
    status choices to those the list can hold."""

    q = forms.CharField(
        label=_("Organisation name or code"),
        required=False,
        max_length=100,
        widget=forms.SearchInput,
        error_messages={"max_length": _("Keep the search to %(limit_value)d characters or fewer.")},
    )
    parent = forms.ModelChoiceField(
        label=_("Ministry or province cluster"),
        required=False,
        to_field_name="code",
        empty_label=_("All"),
        queryset=Organisation.objects.filter(
            kind__in=(Organisation.Kind.MINISTRY, Organisation.Kind.PROVINCE_CLUSTER)
        ).order_by("kind", "name_th"),
        error_messages={
            "invalid_choice": _("Choose a ministry or province cluster from the list.")
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )

    def __init__(
        self, data: QueryDict | None = None, *, statuses: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.statuses = statuses or list(Assessment.Status.values)
        self.fields["status"].choices = [("", _("Every status"))] + [
            (value, Assessment.Status(value).label) for value in self.statuses
        ]

    def apply(self, assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
        """The assessments that match; call only once the form is valid."""
        data = self.cleaned_data
        assessments = assessments.filter(
            status__in=[data["status"]] if data["status"] else self.statuses
        )
        if data["parent"] is not None:
            assessments = assessments.filter(organisation__parent=data["parent"])
        if data["q"]:
            query = data["q"]
            assessments = assessments.filter(
                Q(organisation__name_th__icontains=query)
                | Q(organisation__name_en__icontains=query)
                | Q(organisation__short_name_th__icontains=query)
                | Q(organisation__code__icontains=query)
            )
        return assessments


class YearFilterForm(AssessmentFilterForm):
    """The same filters across cycles, with the fiscal year as one of them."""

    field_order = ["q", "year", "parent", "status"]

    year = forms.TypedChoiceField(
        label=_("Fiscal year"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a fiscal year from the list.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = list(
            Cycle.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)
        )
        self.fields["year"].choices = [("", _("Every year"))] + [(y, y) for y in self.years]

    def year_shown(self) -> int | None:
        """The fiscal year chosen, else the latest one; call once the form is valid."""
        return self.cleaned_data["year"] or next(iter(self.years), None)

    def apply(self, assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
        assessments = super().apply(assessments)
        if self.cleaned_data["year"] is not None:
            assessments = assessments.filter(cycle__fiscal_year=self.cleaned_data["year"])
        return assessments


def page_of(assessments: QuerySet[Assessment], number: str | None) -> Page:
    """One page of rows; a page number out of range gives the nearest page. `page.numbers`
    are the page links to show: the first and last pages, those around this one, and "…"."""
    page = Paginator(assessments, PER_PAGE).get_page(number)
    page.numbers = list(page.paginator.get_elided_page_range(page.number, on_each_side=2))
    return page
