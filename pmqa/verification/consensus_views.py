"""The lead assessor's consensus: every assessor's score side by side, the team's score per
item, and the recorded result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa.accounts.decorators import assessor_required
from pmqa.assessments.services import ServiceError, verified_total
from pmqa.verification import services
from pmqa.verification.forms import ConsensusForm
from pmqa.verification.views import desk_for


@assessor_required
def consensus(request: HttpRequest, pk: int) -> HttpResponse:
    desk = desk_for(request, pk, lead=True)
    if not desk.sees_team_scores:
        # The lead scores independently too: no one sees the others' scores before their own.
        return render(
            request,
            "reviews/consensus_locked.html",
            {"desk": desk, "assessment": desk.assessment},
            status=403 if request.method == "POST" else 200,
        )
    items = list(desk.items.values())
    problems: dict[str, str] = {}
    if request.method == "POST":
        form = ConsensusForm(request.POST, codes=list(desk.items))
        problems = form.problems() if not form.is_valid() else {}
        given = form.given() if not problems else {}
        if not problems:
            try:
                problems = services.set_consensus(
                    assessment=desk.assessment, items=items, given=given, by=request.user
                )  # type: ignore[arg-type]
            except ServiceError as error:
                messages.error(request, str(error))
                return redirect("reviews:consensus", pk)
        if not problems:
            messages.success(request, _("Consensus scores saved."))
            if request.POST.get("action") == "finalise":
                return redirect("reviews:finalise", pk)
            return redirect("reviews:consensus", pk)
    rows = services.consensus_rows(desk.assessment, items)
    verified = verified_total(desk.assessment)
    submitted = desk.assessment.reviews.filter(submitted_at__isnull=False).select_related(
        "assessor"
    )
    return render(
        request,
        "reviews/consensus.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "rows": rows,
            # After the result is recorded the scores are shown, not offered for editing.
            "editable": "consensus.set" in desk.actions,
            "problems": problems,
            "posted": request.POST if request.method == "POST" else {},
            "verified": verified,
            "submitted_reviews": submitted,
            "flag": services.SPREAD_FLAG,
        },
        status=400 if problems else 200,
    )


@assessor_required
def finalise(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then record the consensus: the engine's verified figures become the team's."""
    desk = desk_for(request, pk, lead=True)
    if request.method == "POST":
        try:
            snapshot = services.finalise_consensus(
                assessment=desk.assessment, tree=desk.tree, by=request.user
            )  # type: ignore[arg-type]
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Consensus recorded: total %(total)s, rating %(rating)s.")
                % {"total": snapshot.total, "rating": snapshot.rating},
            )
            return redirect("reviews:consensus", pk)
    chosen = set(desk.assessment.consensus_scores.values_list("item_code", flat=True))
    missing = [code for code in desk.items if code not in chosen]
    return render(
        request,
        "reviews/confirm.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "title": _("Record the consensus"),
            "final": _(
                "The engine computes the category scores, the total and the rating from the "
                "consensus item scores and stores them as the verified result. The assessors' "
                "reviews close, and the report is written from this result."
            ),
            "problems": [
                _("Set a consensus score for items %(items)s first.")
                % {"items": ", ".join(missing)}
            ]
            if missing
            else [],
            "allowed": "consensus.finalise" in desk.actions,
            "button": _("Record the consensus"),
            "back": reverse("reviews:consensus", args=[pk]),
        },
        status=400 if request.method == "POST" else 200,
    )
