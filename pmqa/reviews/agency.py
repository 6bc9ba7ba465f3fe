"""The agency's side of verification: answering assessors' questions, and round 2 upload."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.decorators import agency_required
from pmqa.accounts.roles import get_assessment_for_user
from pmqa.assessments.models import ScoreSnapshot
from pmqa.assessments.services import ServiceError
from pmqa.lib.uploads import keep_upload_names
from pmqa.reviews import services
from pmqa.reviews.models import Clarification


@agency_required
@require_POST
def answer_clarification(request: HttpRequest, pk: int, clarification_pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request, pk, write=True)
    clarification = get_object_or_404(Clarification, pk=clarification_pk, assessment=assessment)
    try:
        services.answer(
            clarification=clarification, text=request.POST.get("answer", ""), by=request.user
        )  # type: ignore[arg-type]
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Your answer was sent to the assessors."))
    return redirect("assessments:home", pk)


@keep_upload_names
@agency_required
def round2(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request, pk, write=request.method == "POST")
    eligible = services.round2_eligible(assessment) and (
        getattr(getattr(assessment, "feedback", None), "status", "") == "published"
        or request.method == "POST"
    )
    if request.method == "POST":
        names = getattr(request, "raw_upload_names", [])
        try:
            services.upload_application_report(
                assessment=assessment,
                upload=request.FILES.get("file"),
                raw_name=names[0] if names else None,
                limit=int(settings.PMQA_EVIDENCE_MAX_MB) * 1_048_576,
                by=request.user,  # type: ignore[arg-type]
            )
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The Application Report was uploaded."))
        return redirect("reviews_agency:round2", pk)
    final = (
        ScoreSnapshot.objects.filter(assessment=assessment, round_number=2)
        .order_by("-created_at")
        .first()
    )
    return render(
        request,
        "reviews/agency_round2.html",
        {
            "assessment": assessment,
            "eligible": eligible,
            "threshold": assessment.cycle.round2_threshold,
            "report": getattr(assessment, "application_report", None),
            "final": final
            if getattr(getattr(assessment, "feedback", None), "status", "") == "published"
            else None,
        },
    )
