"""Administrators' pages for verification: assessor teams (by hand or CSV), workload, report
approval and publication, and the audit trail of an assessment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.decorators import admin_required
from pmqa.accounts.models import ASSESSOR_ROLES, Membership, Role, User
from pmqa.assessments import policy, workflow
from pmqa.assessments.models import Assessment
from pmqa.assessments.services import ServiceError, verified_total
from pmqa.audit.models import AuditEntry
from pmqa.reviews import services
from pmqa.reviews.models import Assignment, Feedback, ItemScore, Review
from pmqa.reviews.views import feedback_blocks


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
    csv_problems: list[services.CsvProblem] = []
    if request.method == "POST" and request.POST.get("form") == "csv":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a CSV file."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                csv_problems = [
                    services.CsvProblem(
                        0, _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again.")
                    )
                ]
            else:
                count, csv_problems = services.import_assignments(text=text, by=request.user)  # type: ignore[arg-type]
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
            services.assign_team(
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
        Assessment.objects.filter(status__in=services.REVIEWABLE, is_synthetic=False)
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
        (person, services.conflicts_of_interest(person, assessment.organisation))
        for person in _assessors(lead=False)
    ]
    return render(
        request,
        "manage/conflicts.html",
        {"assessment": assessment, "rows": [(p, r) for p, r in rows if r]},
    )


@admin_required
def reports(request: HttpRequest) -> HttpResponse:
    waiting = Feedback.objects.filter(
        status__in=[Feedback.Status.SUBMITTED, Feedback.Status.APPROVED]
    ).select_related("assessment__organisation", "assessment__cycle")
    return render(request, "manage/reports.html", {"waiting": waiting})


@admin_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_object_or_404(
        Feedback.objects.select_related("assessment__organisation", "assessment__cycle__edition"),
        assessment_id=pk,
    )
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action not in ("approve", "return"):
                # Publication has its own confirmation page.
                raise ServiceError(_("Unknown action."))
            services.feedback_step(
                feedback=feedback,
                action=action,
                comment=request.POST.get("comment", ""),
                by=request.user,  # type: ignore[arg-type]
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The report is now “%(status)s”.") % {"status": feedback.get_status_display()},
            )
        return redirect("verification:report", pk)
    return render(
        request,
        "manage/report.html",
        {
            "feedback": feedback,
            "assessment": feedback.assessment,
            "verified": verified_total(feedback.assessment),
            "sections": report_sections(feedback),
            "actions": _actions(request, feedback.assessment),
            "revisions": list(feedback.revisions.select_related("revised_by")),
        },
    )


def _actions(request: HttpRequest, assessment: Assessment) -> frozenset[str]:
    return workflow.allowed_actions(assessment, policy.standing(request, assessment))


def _admin_feedback(pk: int) -> Feedback:
    return get_object_or_404(
        Feedback.objects.select_related("assessment__organisation", "assessment__cycle__edition"),
        assessment_id=pk,
    )


@admin_required
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then publish: the report and its scores become the official record."""
    feedback = _admin_feedback(pk)
    assessment = feedback.assessment
    if request.method == "POST":
        try:
            services.feedback_step(feedback=feedback, action="publish", by=request.user)  # type: ignore[arg-type]
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The report is published; the agency can read it now."))
            return redirect("verification:report", pk)
    verified = verified_total(assessment)
    return render(
        request,
        "reviews/confirm.html",
        {
            "assessment": assessment,
            "title": _("Publish the Feedback Report"),
            "final": _(
                "The report, its texts and its verified total of %(total)s become the official "
                "record: the agency can read and download them, and they can no longer change. "
                "A later correction is a new revision with its reason, printed in the report."
            )
            % {"total": verified.total if verified else "—"},
            "problems": [],
            "allowed": "report.publish" in _actions(request, assessment),
            "button": _("Publish to the agency"),
            "back": reverse("verification:report", args=[pk]),
        },
        status=400 if request.method == "POST" else 200,
    )


@admin_required
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the consensus item scores of a published report, with a reason."""
    from pmqa.assessments.answers import criteria_tree

    feedback = _admin_feedback(pk)
    assessment = feedback.assessment
    tree = criteria_tree(assessment.cycle.edition)
    codes = [item.code for category in tree for item in category.items.all()]
    current = {c.item_code: c.score for c in assessment.consensus_scores.all()}
    form = ReviseForm(request.POST or None, codes=codes, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.revise_published_report(
                assessment=assessment,
                tree=tree,
                scores=form.scores(),
                reason=form.cleaned_data["reason"],
                by=request.user,  # type: ignore[arg-type]
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Revision %(number)s recorded: the verified total is now %(total)s.")
                % {"number": revision.number, "total": revision.new_total},
            )
            return redirect("verification:report", pk)
    return render(
        request,
        "manage/revise.html",
        {
            "feedback": feedback,
            "assessment": assessment,
            "form": form,
            "allowed": "report.revise" in _actions(request, assessment),
            "verified": verified_total(assessment),
        },
        status=400 if request.method == "POST" else 200,
    )


class ReviseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": _("Give the reason for the correction; the report will print it.")
        },
    )

    def __init__(
        self, *args: Any, codes: list[str], current: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.codes = codes
        for code in codes:
            self.fields[f"score-{code}"] = forms.DecimalField(
                label=code,
                min_value=0,
                max_value=500,
                decimal_places=2,
                initial=scoring.q2(Decimal(current[code])) if code in current else None,
                error_messages={
                    "required": _("Enter a score from 0 to 500."),
                    "invalid": _("Enter a score from 0 to 500."),
                    "min_value": _("Enter a score from 0 to 500."),
                    "max_value": _("Enter a score from 0 to 500."),
                    "max_decimal_places": _("Use at most two decimals."),
                    "max_digits": _("Enter a score from 0 to 500."),
                },
            )

    def scores(self) -> dict[str, Decimal]:
        return {code: self.cleaned_data[f"score-{code}"] for code in self.codes}


def report_sections(feedback: Feedback) -> list[dict[str, object]]:
    """The report's texts grouped for reading: pillars, categories with items, themes."""
    from pmqa.assessments.answers import criteria_tree
    from pmqa.criteria.models import Pillar

    edition = feedback.assessment.cycle.edition
    blocks = feedback_blocks(feedback)
    sections: list[dict[str, object]] = []
    pillars = [
        (p, blocks.get(("pillar", p.code, "achievement"), ""))
        for p in Pillar.objects.filter(edition=edition)
    ]
    if any(text for _p, text in pillars):
        sections.append({"kind": "pillars", "pillars": pillars})
    for category in criteria_tree(edition):
        items = [
            (
                item,
                blocks.get(("item", item.code, "strength"), ""),
                blocks.get(("item", item.code, "ofi"), ""),
            )
            for item in category.items.all()
        ]
        sections.append(
            {
                "kind": "category",
                "category": category,
                "strength": blocks.get(("category", str(category.number), "strength"), ""),
                "ofi": blocks.get(("category", str(category.number), "ofi"), ""),
                "items": [row for row in items if row[1] or row[2]],
            }
        )
    sections.append(
        {
            "kind": "conclusion",
            "conclusion": feedback.conclusion,
            "themes": list(
                feedback.entries.filter(scope="overall", kind="theme").order_by("position")
            ),
        }
    )
    return sections


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
    from pmqa.assessments.models import Evidence
    from pmqa.reviews.models import ApplicationReport, Clarification, ConsensusScore, Round2Score

    owned = {
        Evidence: {"assessment": assessment},
        Review: {"assessment": assessment},
        ItemScore: {"review__assessment": assessment},
        Clarification: {"assessment": assessment},
        ConsensusScore: {"assessment": assessment},
        Feedback: {"assessment": assessment},
        ApplicationReport: {"assessment": assessment},
        Round2Score: {"assessment": assessment},
    }
    found = {"assessments.assessment": [assessment.pk]}
    for model, lookup in owned.items():
        found[model._meta.label_lower] = list(
            model.objects.filter(**lookup).values_list("pk", flat=True)
        )
    return found
