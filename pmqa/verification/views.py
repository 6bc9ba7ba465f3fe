"""The assessor's workspace: assigned assessments, independent item scores, clarification,
consensus for the lead, round 2."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.decorators import assessor_required
from pmqa.assessments import answers as content
from pmqa.assessments import policy, workflow
from pmqa.assessments.answers import NARRATIVE_PARTS, profile_shown
from pmqa.assessments.models import Assessment, Evidence, Round
from pmqa.assessments.profile import SECTIONS
from pmqa.assessments.services import ServiceError, round2_eligible
from pmqa.assessments.views.workspace import CriteriaOf, serve_evidence, serve_file
from pmqa.audit import services as audit
from pmqa.criteria.models import Category
from pmqa.lib import autosave
from pmqa.lib.converters import is_id
from pmqa.verification import round2 as round2_services
from pmqa.verification import services
from pmqa.verification.forms import ItemScoreForm, QuestionForm, Round2ScoreForm
from pmqa.verification.models import Assignment, ItemScore, Review
from pmqa.verification.queue import assessor_queue


@dataclass
class Desk(CriteriaOf):
    """One assigned assessment as the assessor's pages need it."""

    request: HttpRequest
    assessment: Assessment

    @cached_property
    def review(self) -> Review:
        return services.review_for(assessment=self.assessment, assessor=self.request.user)  # type: ignore[arg-type]

    def scores(self) -> list[ItemScore]:
        """This assessor's item scores (none while the review is not stored yet)."""
        return list(self.review.item_scores.all()) if self.review.pk else []

    @cached_property
    def frozen(self) -> dict[str, Any]:
        return self.review.submission.content

    @property
    def rule(self) -> str:
        return self.assessment.cycle.edition.item_rule

    @property
    def standing(self) -> policy.Standing:
        return policy.standing(self.request, self.assessment)

    @property
    def is_lead(self) -> bool:
        """The lead's pages (consensus, report) and buttons, from the policy."""
        return self.standing.has(policy.LEAD)

    @property
    def sees_team_scores(self) -> bool:
        """The other assessors' scores, once one's own review is submitted (the policy's
        `results` need)."""
        return self.standing.has(policy.RESULTS)

    @cached_property
    def has_round2(self) -> bool:
        """Whether the cycle holds a round 2 at all (its tab is shown only then)."""
        return Round.objects.filter(
            cycle_id=self.assessment.cycle_id, number=Round.Number.APPLICATION_REPORT
        ).exists()

    @cached_property
    def actions(self) -> frozenset[str]:
        """What this assessor may do now, from the action table: the pages' buttons."""
        return workflow.allowed_actions(self.assessment, self.standing)


def desk_for(request: HttpRequest, pk: int, *, lead: bool = False) -> Desk:
    """The assessment if this user is on its team (the lead, with `lead`); otherwise 404."""
    assessment = policy.get_assessment(request, pk, policy.LEAD if lead else policy.REVIEW)
    return Desk(request, assessment)


@assessor_required
def home(request: HttpRequest) -> HttpResponse:
    assignments = list(
        Assignment.objects.filter(assessor=request.user)
        .select_related("assessment__cycle", "assessment__organisation")
        .order_by("-assessment__cycle__fiscal_year", "assessment__organisation__name_th")
    )
    reviews = {
        r.assessment_id: r
        for r in Review.objects.filter(assessor=request.user).annotate(
            scored=Count("item_scores", filter=~Q(item_scores__score=""))
        )
    }
    rows = [
        {"assignment": a, "review": reviews.get(a.assessment_id)}
        for a in assignments
        if policy.team_opens(a.assessment)
    ]
    # Named ahead: the organisation and year only, nothing of the draft, until it is submitted.
    ahead = [a for a in assignments if not policy.team_opens(a.assessment)]
    return render(
        request,
        "reviews/home.html",
        {"rows": rows, "ahead": ahead, "tasks": assessor_queue(request.user.pk)},
    )


@assessor_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    desk = desk_for(request, pk)
    own = {row.item_code: row for row in desk.scores()}
    others: dict[str, list[ItemScore]] = {}
    if desk.sees_team_scores:
        for row in (
            services.team_item_scores(desk.assessment)
            .exclude(review=desk.review)
            .select_related("review__assessor")
        ):
            others.setdefault(row.item_code, []).append(row)
    self_items = desk.frozen.get("items", {})
    rows = [
        {
            "item": item,
            "self": self_items.get(code, {}).get("score"),
            "own": own.get(code),
            "others": others.get(code, []),
        }
        for code, item in desk.items.items()
    ]
    return render(
        request,
        "reviews/overview.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "rows": rows,
            "unscored": services.unscored_items(desk.review, list(desk.items)),
            "clarifications": desk.assessment.clarifications.select_related(
                "asked_by", "answered_by"
            ),
            "team": desk.assessment.assignments.select_related("assessor"),
        },
    )


@assessor_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisational profile as the agency submitted it, read only: the context every
    item is scored in."""
    desk = desk_for(request, pk)
    answers = desk.frozen.get("answers", {})
    return render(
        request,
        "reviews/profile.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "sections": [
                profile_shown(section, (answers.get(section.code) or {}).get("data") or {})
                for section in SECTIONS
            ],
        },
    )


@assessor_required
def item(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    desk = desk_for(request, pk)
    item_ = desk.items.get(code)
    if item_ is None:
        raise Http404
    answer = (desk.frozen.get("answers", {}).get(code) or {}).get("data", {})
    row = next((r for r in desk.scores() if r.item_code == code), None)
    form = ItemScoreForm(
        request.POST if request.method == "POST" else None,
        item=item_,
        kpi_count=len(answer.get("kpis") or []),
    )
    if not form.is_bound:
        return _item_page(request, desk, item_, answer, row, form)
    valid = form.is_valid()
    outcome = autosave.attempt(
        lambda: services.save_item_score(
            review=desk.review,
            item=item_,
            rule=desk.rule,
            given=form.score_input(),
            by=request.user,  # type: ignore[arg-type]
        ),
        errors={} if valid else autosave.form_errors(form),
        savable=valid,
    )
    saved = outcome.saved or row
    return autosave.respond(
        request,
        outcome,
        status={"saved_at": timezone.localtime(saved.updated_at) if saved else None},
        page=lambda outcome: _item_page(request, desk, item_, answer, row, form),
        done=lambda outcome: _after_score(request, desk, code),
    )


def _after_score(request: HttpRequest, desk: Desk, code: str) -> HttpResponse:
    messages.success(request, _("Saved."))
    codes = list(desk.items)
    if request.POST.get("action") == "next" and codes.index(code) + 1 < len(codes):
        return redirect("reviews:item", desk.assessment.pk, codes[codes.index(code) + 1])
    return redirect("reviews:item", desk.assessment.pk, code)


def _item_page(
    request: HttpRequest,
    desk: Desk,
    item_: Any,
    answer: dict[str, Any],
    row: ItemScore | None,
    form: ItemScoreForm,
) -> HttpResponse:
    """The review page of one item: the agency's frozen answer beside this assessor's form,
    with what was posted when a save did not go through."""
    code = item_.code
    evidence_ids = set(answer.get("evidence") or [])
    codes = list(desk.items)
    index = codes.index(code)
    return render(
        request,
        "reviews/item.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "item": item_,
            "answer": answer,
            "levels": _levels(item_, answer, row, form),
            "kpi_rows": _kpi_rows(answer, row, form),
            "years": content.kpi_years(desk.assessment.cycle.fiscal_year),
            "bands": content.BAND_SCORES,
            "is_results": item_.category.kind == Category.Kind.RESULTS,
            "row": row,
            "self_score": (desk.frozen.get("items", {}).get(code) or {}).get("score"),
            "evidence": [e for e in desk.frozen.get("evidence", []) if e["id"] in evidence_ids],
            "clarifications": desk.assessment.clarifications.filter(item_code=code).select_related(
                "asked_by", "answered_by", "attachment"
            ),
            "previous": codes[index - 1] if index > 0 else None,
            "next": codes[index + 1] if index + 1 < len(codes) else None,
            # The form is open only while the table allows this assessor to score.
            "locked": "review.score" not in desk.actions or desk.review.submitted_at is not None,
            "form": form,
            "shown": _shown(form, row),
            "level_points": ["0", "300", "400", "500"],
        },
        status=400 if form.is_bound else 200,
    )


def _levels(
    item_: Any, answer: dict[str, Any], row: ItemScore | None, form: ItemScoreForm
) -> list[dict[str, Any]]:
    agency_ticks = answer.get("ticks") or {}
    if form.is_bound:
        own_ticks = {
            level: [int(v) for v in form.data.getlist(f"tick-{level}") if is_id(v)]
            for level in content.LEVELS
        }
    else:
        own_ticks = (row.ticks if row else {}) or {}
    return [
        {
            "level": level,
            "checkpoints": [
                {
                    "checkpoint": cp,
                    "agency": cp.position in (agency_ticks.get(level.level) or []),
                    "own": cp.position in (own_ticks.get(level.level) or []),
                }
                for cp in level.checkpoints.all()
            ],
            "narrative": [
                (label, ((answer.get("narrative") or {}).get(level.level) or {}).get(key, ""))
                for key, label in NARRATIVE_PARTS
            ],
        }
        for level in item_.levels.all()
    ]


def _kpi_rows(
    answer: dict[str, Any], row: ItemScore | None, form: ItemScoreForm
) -> list[dict[str, Any]]:
    rows = []
    for number, kpi in enumerate(answer.get("kpis") or [], start=1):
        own_value = row.kpi_scores[number - 1] if row and len(row.kpi_scores) >= number else None
        if form.is_bound:
            own_value = form.data.get(f"kpi-{number}", "")
        rows.append(
            {
                "number": number,
                "kpi": kpi,
                "figure": content.kpi_figure(kpi),
                "direction": dict(content.DIRECTIONS).get(kpi.get("direction", ""), "—"),
                "own": own_value,
                "error": (form.errors.get(f"kpi-{number}") or [""])[0],
            }
        )
    return rows


def _shown(form: ItemScoreForm, row: ItemScore | None) -> dict[str, Any]:
    """What the score form's text fields show: what was posted when it was refused (nothing
    typed is lost), else what is stored."""
    keys = ("points", "override", "override_reason", "strengths", "ofis")
    if form.is_bound:
        return {key: form.data.get(key, "") for key in keys}
    if row is None:
        return dict.fromkeys(keys, "")
    return {
        "points": "" if row.points is None else row.points,
        "override": "" if row.override is None else row.override,
        "override_reason": row.override_reason,
        "strengths": row.strengths,
        "ofis": row.ofis,
    }


@assessor_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then submit one's own review: its scores and comments become final."""
    desk = desk_for(request, pk)
    if request.method == "POST":
        try:
            services.submit_review(review=desk.review, codes=list(desk.items), by=request.user)  # type: ignore[arg-type]
        except ServiceError as error:
            messages.error(request, str(error))
        else:
            others = (
                desk.assessment.reviews.filter(submitted_at__isnull=False)
                .exclude(pk=desk.review.pk)
                .exists()
            )
            messages.success(
                request,
                _("Your review is submitted. The other assessors' scores are now shown.")
                if others
                else _(
                    "Your review is submitted. No other assessor has submitted yet; their "
                    "scores appear here as each of them submits."
                ),
            )
            return redirect("reviews:overview", pk)
    return render(
        request,
        "reviews/confirm.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "title": _("Submit your review"),
            "final": _(
                "Your item scores, overrides and comments become final: they can no longer "
                "change, and the other assessors and the lead can read them."
            ),
            "problems": [_("Items %(items)s have no score yet.") % {"items": ", ".join(missing)}]
            if (missing := services.unscored_items(desk.review, list(desk.items)))
            else [],
            "allowed": "review.submit" in desk.actions,
            "button": _("Submit my review"),
            "back": reverse("reviews:overview", args=[pk]),
        },
        status=400 if request.method == "POST" else 200,
    )


@assessor_required
@require_POST
def clarify(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    desk = desk_for(request, pk)
    if code not in desk.items:
        raise Http404
    form = QuestionForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(" ".join(form.errors["question"]))
        services.ask(
            assessment=desk.assessment,
            item_code=code,
            question=form.cleaned_data["question"],
            by=request.user,  # type: ignore[arg-type]
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The question was sent to the agency."))
    return redirect("reviews:item", pk, code)


@assessor_required
def evidence(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    desk = desk_for(request, pk)
    frozen_ids = {e["id"] for e in desk.frozen.get("evidence", [])}
    # What was submitted, and what the agency sent with an answer to the team's questions.
    if (
        evidence_pk not in frozen_ids
        and not desk.assessment.clarifications.filter(attachment_id=evidence_pk).exists()
    ):
        raise Http404
    item_ = get_object_or_404(Evidence, pk=evidence_pk, assessment=desk.assessment)
    if request.GET.get("raw") != "1":
        return render(
            request,
            "reviews/evidence.html",
            {"desk": desk, "assessment": desk.assessment, "evidence": item_},
        )
    if item_.kind == Evidence.Kind.LINK:
        return redirect(item_.url)
    response = serve_evidence(item_)
    audit.record_download(request, action="download.evidence", obj=item_)
    return response


# ---------------------------------------------------------------------------------------------
# Round 2


@assessor_required
def round2(request: HttpRequest, pk: int) -> HttpResponse:
    desk = desk_for(request, pk)
    report = getattr(desk.assessment, "application_report", None)
    form = Round2ScoreForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("action") != "finalise":
        if form.is_valid():
            try:
                round2_services.save_round2_score(
                    assessment=desk.assessment,
                    assessor=request.user,  # type: ignore[arg-type]
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ServiceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("reviews:round2", pk)
    elif request.method == "POST":
        try:
            if request.POST.get("action") == "finalise":
                if not desk.is_lead:  # the policy's lead need, as for the lead's pages
                    raise Http404
                snapshot = round2_services.finalise_round2(
                    assessment=desk.assessment, by=request.user
                )  # type: ignore[arg-type]
                messages.success(
                    request, _("Round 2 score recorded: %(total)s.") % {"total": snapshot.total}
                )
        except ServiceError as error:
            messages.error(request, str(error))
        return redirect("reviews:round2", pk)
    scores = list(desk.assessment.round2_scores.select_related("assessor"))
    own = next((s for s in scores if s.assessor_id == request.user.pk), None)
    final = round2_services.round2_final(desk.assessment)
    return render(
        request,
        "reviews/round2.html",
        {
            "desk": desk,
            "assessment": desk.assessment,
            "report": report,
            # Round 2 exists only after publication; before it, eligibility would tell a member
            # whose review is not submitted where the verified total stands.
            "eligible": workflow.status_allows(desk.assessment, "round2.score")
            and round2_eligible(desk.assessment),
            "actions": desk.actions,
            "scores": scores if own or desk.is_lead else [],
            "own": own,
            "final": final,
            "form": form,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@assessor_required
def round2_file(request: HttpRequest, pk: int) -> HttpResponse:
    desk = desk_for(request, pk)
    report = getattr(desk.assessment, "application_report", None)
    if report is None:
        raise Http404
    is_pdf = report.original_name.lower().endswith(".pdf")
    response = serve_file(
        report.file,
        name=report.original_name,
        content_type="application/pdf"
        if is_pdf
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    audit.record_download(request, action="download.application_report", obj=report)
    return response
