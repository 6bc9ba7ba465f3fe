"""Administrators' pages for the Feedback Report: reports awaiting approval, approval and
return, publication, and corrections after publication."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.decorators import admin_required
from pmqa.assessments import policy, workflow
from pmqa.assessments.answers import criteria_tree
from pmqa.assessments.models import Assessment
from pmqa.assessments.services import ServiceError, verified_total
from pmqa.feedback import services
from pmqa.feedback.models import Feedback
from pmqa.feedback.sections import report_sections


@admin_required
def reports(request: HttpRequest) -> HttpResponse:
    # Submitted for approval, or approved and waiting for publication.
    waiting = Feedback.objects.filter(
        assessment__status__in=[Assessment.Status.REPORT_DRAFTED, Assessment.Status.REPORT_APPROVED]
    ).select_related("assessment__organisation", "assessment__cycle")
    return render(request, "feedback/reports.html", {"waiting": waiting})


@admin_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _admin_feedback(pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action != "return":
                # Approval and publication have their own confirmation pages.
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
        return redirect("feedback:report", pk)
    return render(
        request,
        "feedback/report.html",
        {
            "feedback": feedback,
            "assessment": feedback.assessment,
            "verified": verified_total(feedback.assessment),
            "sections": report_sections(feedback),
            "actions": _actions(request, feedback.assessment),
            "revisions": list(feedback.revisions.select_related("revised_by")),
            "gaps": services.report_gaps(feedback),
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
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then approve the report; an incomplete one lists what it lacks instead."""
    feedback = _admin_feedback(pk)
    assessment = feedback.assessment
    if request.method == "POST":
        try:
            services.feedback_step(feedback=feedback, action="approve", by=request.user)  # type: ignore[arg-type]
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The report is approved; it can now be published."))
            return redirect("feedback:report", pk)
    gaps = services.report_gaps(feedback)
    return render(
        request,
        "reviews/confirm.html",
        {
            "assessment": assessment,
            "title": _("Approve the Feedback Report"),
            "final": _(
                "The report's texts can no longer be edited by the lead assessor; it waits for "
                "publication. Until it is published it can still be returned with comments."
            ),
            "problems": [{"text": str(gap), "url": ""} for gap in gaps],
            "problems_intro": _("The report cannot be approved yet. Still to write:"),
            "preview": reverse("reports:page", args=[pk]),
            "allowed": "report.approve" in _actions(request, assessment),
            "button": _("Approve"),
            "back": reverse("feedback:report", args=[pk]),
        },
        status=400 if request.method == "POST" else 200,
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
            return redirect("feedback:report", pk)
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
            "busy": _(
                "Publishing: the report's PDF and Excel files are printed and kept, which can "
                "take several seconds. Please wait on this page."
            ),
            "back": reverse("feedback:report", args=[pk]),
        },
        status=400 if request.method == "POST" else 200,
    )


@admin_required
def revise(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the consensus item scores of a published report, with a reason."""
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
            return redirect("feedback:report", pk)
    return render(
        request,
        "feedback/revise.html",
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
