"""The agency's side of verification: answering assessors' questions, and round 2 upload."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.decorators import agency_required
from pmqa.assessments import policy, workflow
from pmqa.assessments.services import ServiceError, round2_eligible
from pmqa.lib.uploads import keep_upload_names
from pmqa.verification import round2 as round2_services
from pmqa.verification import services
from pmqa.verification.forms import AnswerForm
from pmqa.verification.models import Clarification


@keep_upload_names
@agency_required
@require_POST
def answer_clarification(request: HttpRequest, pk: int, clarification_pk: int) -> HttpResponse:
    assessment = policy.get_assessment(request, pk, policy.EDIT)
    clarification = get_object_or_404(Clarification, pk=clarification_pk, assessment=assessment)
    form = AnswerForm(request.POST, request.FILES)
    form.is_valid()
    names = getattr(request, "raw_upload_names", [])
    try:
        services.answer(
            clarification=clarification,
            text=form.cleaned_data.get("answer") or "",
            by=request.user,  # type: ignore[arg-type]
            upload=form.cleaned_data.get("file"),
            raw_name=names[0] if names else None,
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your answer was sent to the assessors."))
    return redirect("assessments:home", pk)


@keep_upload_names
@agency_required
def round2(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = policy.get_assessment(request, pk, policy.EDIT)
    # Nothing about the verified total, not even whether it reached the threshold, is said
    # before the report is published.
    standing = policy.standing(request, assessment)
    sees_results = standing.has(policy.RESULTS)
    eligible = sees_results and round2_eligible(assessment)
    if request.method == "POST":
        names = getattr(request, "raw_upload_names", [])
        try:
            round2_services.upload_application_report(
                assessment=assessment,
                upload=request.FILES.get("file"),
                raw_name=names[0] if names else None,
                limit=int(settings.PMQA_EVIDENCE_MAX_MB) * 1_048_576,
                by=request.user,  # type: ignore[arg-type]
            )
        except workflow.ActionRefused:
            messages.error(request, _("Round 2 is not open to this assessment."))
        except ServiceError as error:
            messages.error(
                request, str(error) if eligible else _("Round 2 is not open to this assessment.")
            )
        else:
            messages.success(request, _("The Application Report was uploaded."))
        return redirect("reviews_agency:round2", pk)
    return render(
        request,
        "reviews/agency_round2.html",
        {
            "assessment": assessment,
            "eligible": eligible,
            "threshold": assessment.cycle.round2_threshold,
            "report": getattr(assessment, "application_report", None),
            "final": round2_services.round2_final(assessment) if sees_results else None,
        },
    )
