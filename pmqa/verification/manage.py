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
from pmqa.audit.models import AuditEntry
from pmqa.verification import teams
from pmqa.verification.models import Assignment, ItemScore, Review


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
    members = forms.ModelMultipleChoiceField(
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
                text = upload.read().decode("utf-8-sig")
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


@admin_required
def audit_trail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.select_related("organisation", "cycle"), pk=pk
    )
    keys = _related_objects(assessment)
    query = Q()
    for object_type, ids in keys.items():
        query |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    entries = AuditEntry.objects.filter(query).select_related("actor").order_by("-at")[:1000]
    return render(request, "manage/audit.html", {"assessment": assessment, "entries": entries})


def _related_objects(assessment: Assessment) -> dict[str, list[int]]:
    """Every audited object that belongs to the assessment, by audit object type."""
    from django.apps import apps

    from pmqa.assessments.models import Evidence
    from pmqa.verification.models import (
        ApplicationReport,
        Clarification,
        ConsensusScore,
        Round2Score,
    )

    # The report lives in the app above this one: found by label, not imported.
    feedback = apps.get_model("feedback", "Feedback")
    owned = {
        feedback: {"assessment": assessment},
        apps.get_model("feedback", "ReportRevision"): {"feedback__assessment": assessment},
        Evidence: {"assessment": assessment},
        Review: {"assessment": assessment},
        ItemScore: {"review__assessment": assessment},
        Clarification: {"assessment": assessment},
        ConsensusScore: {"assessment": assessment},
        ApplicationReport: {"assessment": assessment},
        Round2Score: {"assessment": assessment},
    }
    found = {"assessments.assessment": [assessment.pk]}
    for model, lookup in owned.items():
        found[model._meta.label_lower] = list(
            model.objects.filter(**lookup).values_list("pk", flat=True)
        )
    return found
