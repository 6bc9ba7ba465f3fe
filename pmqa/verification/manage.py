"""Administrators' pages for verification: assessor teams (one form for the assessments ticked
in a filtered, paged list, or a CSV file), workload and conflicts of interest."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from pmqa.accounts.decorators import admin_required
from pmqa.accounts.models import ASSESSOR_ROLES, Membership, Role, User
from pmqa.assessments.filters import YearFilterForm, page_of
from pmqa.assessments.models import Assessment
from pmqa.assessments.services import ServiceError
from pmqa.lib.converters import is_id
from pmqa.lib.text import strip_controls
from pmqa.verification import teams
from pmqa.verification.models import Assignment, ItemScore, Review


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses a value that is no id before the database sees it (a huge one overflows)."""

    def _check_values(self, value):  # type: ignore[no-untyped-def]
        if any(not is_id(str(pk)) for pk in value):
            raise forms.ValidationError(
                self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": ""}
            )
        return super()._check_values(value)


class TeamForm(forms.Form):
    """One team for the assessments ticked in the list: the lead and any members."""

    assessment = IdMultipleChoiceField(
        queryset=Assessment.objects.select_related("organisation"),
        error_messages={
            "required": gettext_lazy("Choose the assessment."),
            "invalid_choice": gettext_lazy("Choose the assessment."),
            "invalid_pk_value": gettext_lazy("Choose the assessment."),
        },
    )
    lead = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        error_messages={
            "required": gettext_lazy("Choose the team lead."),
            "invalid_choice": gettext_lazy("Choose the team lead."),
        },
    )
    members = IdMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Choose the team members from the list."),
            "invalid_pk_value": gettext_lazy("Choose the team members from the list."),
        },
    )

    def chosen(self) -> dict[str, set[str]]:
        """What was ticked and selected, as the page renders it again after a refusal."""
        if not self.is_bound:
            return {"assessment": set(), "lead": set(), "members": set()}
        return {name: set(self.data.getlist(name)) for name in ("assessment", "lead", "members")}


class TeamFilterForm(YearFilterForm):
    unassigned = forms.BooleanField(label=gettext_lazy("Only those without a team"), required=False)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(
            *args, statuses=[s for s in Assessment.Status.values if s in teams.REVIEWABLE], **kwargs
        )

    def apply(self, assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
        assessments = super().apply(assessments)
        if self.cleaned_data["unassigned"]:
            assessments = assessments.exclude(
                Exists(Assignment.objects.filter(assessment=OuterRef("pk")))
            )
        return assessments


def _assessors(*, lead: bool) -> list[User]:
    roles = [Role.LEAD_ASSESSOR] if lead else list(ASSESSOR_ROLES)
    ids = Membership.objects.current().filter(role__in=roles).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username"))


def _workload(year: int | None, people: list[User]) -> list[dict[str, object]]:
    """Each assessor's assignments and progress in one fiscal year (the one the list shows):
    counted over every year, they would mislead and grow with the history."""
    reviews = Review.objects.filter(assessment__cycle__fiscal_year=year).values("assessor_id")
    per_assessor = {
        row["assessor_id"]: row
        for row in reviews.annotate(
            total=Count("id"), submitted=Count("id", filter=Q(submitted_at__isnull=False))
        )
    }
    scored = dict(
        ItemScore.objects.filter(review__assessment__cycle__fiscal_year=year)
        .exclude(score="")
        .values_list("review__assessor_id")
        .annotate(n=Count("id"))
    )
    assigned = dict(
        Assignment.objects.filter(assessment__cycle__fiscal_year=year)
        .values_list("assessor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {
            "person": person,
            "assigned": assigned.get(person.pk, 0),
            "started": per_assessor.get(person.pk, {}).get("total", 0),
            "submitted": per_assessor.get(person.pk, {}).get("submitted", 0),
            "items_scored": scored.get(person.pk, 0),
        }
        for person in people
    ]


def _import_csv(request: HttpRequest) -> list[teams.CsvProblem] | None:
    """The teams of an uploaded CSV file: None when all were assigned, else the problems."""
    upload = request.FILES.get("file")
    if upload is None:
        return [teams.CsvProblem(0, _("Choose a CSV file."))]
    try:
        text = strip_controls(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        return [
            teams.CsvProblem(
                0, _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")
            )
        ]
    count, problems = teams.import_assignments(text=text, by=request.user)  # type: ignore[arg-type]
    if problems:
        return problems
    messages.success(request, _("Assigned %(count)s teams.") % {"count": count})
    return None


def _assign(request: HttpRequest, form: TeamForm) -> bool:
    """Assign the valid form's team; False with the refusal on the form."""
    chosen = list(form.cleaned_data["assessment"])
    try:
        count = teams.assign_teams(
            assessments=chosen,
            lead=form.cleaned_data["lead"],
            members=list(form.cleaned_data["members"]),
            by=request.user,  # type: ignore[arg-type]
        )
    except ServiceError as error:
        form.add_error(None, str(error))
        return False
    if count == 1:
        message = _("Assigned the team for %(organisation)s.") % {
            "organisation": chosen[0].organisation.name
        }
    else:
        message = ngettext(
            "Assigned the team for %(count)s assessment.",
            "Assigned the team for %(count)s assessments.",
            count,
        ) % {"count": count}
    messages.success(request, message)
    return True


@admin_required
def assignments(request: HttpRequest) -> HttpResponse:
    form, csv_problems = TeamForm(), []
    if request.POST.get("form") == "csv":
        csv_problems = _import_csv(request)
        if csv_problems is None:
            return redirect(request.get_full_path())
    elif request.method == "POST":
        form = TeamForm(request.POST)
        if form.is_valid() and _assign(request, form):
            return redirect(request.get_full_path())
    filters = TeamFilterForm(request.GET)
    page, year = None, None
    if filters.is_valid():
        waiting = Assessment.objects.filter(status__in=teams.REVIEWABLE, is_synthetic=False)
        page = page_of(
            filters.apply(waiting)
            .select_related("organisation", "cycle")
            .prefetch_related(
                Prefetch("assignments", Assignment.objects.select_related("assessor"))
            )
            .order_by("-cycle__fiscal_year", "organisation__name_th", "pk"),
            request.GET.get("page"),
        )
        year = filters.year_shown()
    members = _assessors(lead=False)
    return render(
        request,
        "manage/assignments.html",
        {
            "filters": filters,
            "page": page,
            "form": form,
            "chosen": form.chosen(),
            "leads": _assessors(lead=True),
            "members": members,
            "workload_year": year,
            "workload": _workload(year, members),
            "csv_problems": csv_problems,
        },
        status=400 if csv_problems or form.errors or filters.errors else 200,
    )


@admin_required
def conflicts(request: HttpRequest, pk: int) -> HttpResponse:
    """Who may not verify this assessment, and why (shown before choosing a team)."""
    assessment = get_object_or_404(Assessment.objects.select_related("organisation"), pk=pk)
    rows = [
        (person, teams.conflicts_of_interest(person, assessment.organisation))
        for person in _assessors(lead=False)
    ]
    return render(
        request,
        "manage/conflicts.html",
        {"assessment": assessment, "rows": [(p, r) for p, r in rows if r]},
    )
