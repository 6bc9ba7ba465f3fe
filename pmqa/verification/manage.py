"""Administrators' pages for verification: assessor teams (by hand or CSV), workload, report
approval and publication, and the audit trail of an assessment."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from pmqa.accounts.decorators import admin_required
from pmqa.accounts.models import ASSESSOR_ROLES, Membership, Role, User
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
    assessment = forms.ModelChoiceField(
        queryset=Assessment.objects.select_related("organisation"),
        error_messages={
            "required": _("Choose the assessment."),
            "invalid_choice": _("Choose the assessment."),
        },
    )
    lead = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        error_messages={
            "required": _("Choose the team lead."),
            "invalid_choice": _("Choose the team lead."),
        },
    )
    members = IdMultipleChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        error_messages={
            "invalid_choice": _("Choose the team members from the list."),
            "invalid_pk_value": _("Choose the team members from the list."),
        },
    )


def _assessors(*, lead: bool) -> list[User]:
    roles = [Role.LEAD_ASSESSOR] if lead else list(ASSESSOR_ROLES)
    ids = Membership.objects.current().filter(role__in=roles).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "username"))


@admin_required
def assignments(request: HttpRequest) -> HttpResponse:
    csv_problems: list[teams.CsvProblem] = []
    if request.method == "POST" and request.POST.get("form") == "csv":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file."))
        else:
            try:
                text = strip_controls(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                csv_problems = [
                    teams.CsvProblem(
                        0, _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")
                    )
                ]
            else:
                count, csv_problems = teams.import_assignments(text=text, by=request.user)  # type: ignore[arg-type]
                if not csv_problems:
                    messages.success(request, _("Assigned %(count)s teams.") % {"count": count})
                    return redirect("verification:assignments")
    elif request.method == "POST":
        form = TeamForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect("verification:assignments")
        assessment = form.cleaned_data["assessment"]
        try:
            teams.assign_team(
                assessment=assessment,
                lead=form.cleaned_data["lead"],
                members=list(form.cleaned_data["members"]),
                by=request.user,  # type: ignore[arg-type]
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Assigned the team for %(organisation)s.")
                % {"organisation": assessment.organisation.name},
            )
        return redirect("verification:assignments")
    waiting = list(
        Assessment.objects.filter(status__in=teams.REVIEWABLE, is_synthetic=False)
        .select_related("organisation", "cycle")
        .prefetch_related("assignments__assessor")
        .order_by("-cycle__fiscal_year", "organisation__name_th")
    )
    reviews = Review.objects.values("assessor_id").annotate(
        total=Count("id"), submitted=Count("id", filter=Q(submitted_at__isnull=False))
    )
    scored = dict(
        ItemScore.objects.exclude(score="")
        .values_list("review__assessor_id")
        .annotate(n=Count("id"))
    )
    per_assessor = {row["assessor_id"]: row for row in reviews}
    assigned_counts = dict(
        Assignment.objects.values_list("assessor_id").annotate(n=Count("id")).order_by()
    )
    workload = []
    for person in _assessors(lead=False):
        assigned = assigned_counts.get(person.pk, 0)
        stats = per_assessor.get(person.pk, {})
        workload.append(
            {
                "person": person,
                "assigned": assigned,
                "started": stats.get("total", 0),
                "submitted": stats.get("submitted", 0),
                "items_scored": scored.get(person.pk, 0),
            }
        )
    return render(
        request,
        "manage/assignments.html",
        {
            "waiting": waiting,
            "leads": _assessors(lead=True),
            "members": _assessors(lead=False),
            "workload": workload,
            "csv_problems": csv_problems,
        },
        status=400 if csv_problems else 200,
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
