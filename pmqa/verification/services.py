"""State changes of the assessor side: independent reviews, clarification, consensus and
round 2. Every change is written to the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.models import User
from pmqa.assessments import workflow
from pmqa.assessments.answers import criteria_tree
from pmqa.assessments.evidence import add_evidence_file
from pmqa.assessments.models import Assessment, ScoreSnapshot, Submission
from pmqa.assessments.services import (
    ServiceError,
    change_status,
    record_category_scores,
)
from pmqa.audit import services as audit
from pmqa.criteria.models import Category, Item, ItemRule, LevelCode
from pmqa.scoring.engine import mean
from pmqa.verification import handoffs
from pmqa.verification.models import (
    Clarification,
    ConsensusScore,
    ItemScore,
    Review,
)

SPREAD_FLAG = Decimal(100)
FAR_FROM_MEAN = Decimal(50)


# ---------------------------------------------------------------------------------------------
# Independent reviews


def latest_submission(assessment: Assessment) -> Submission | None:
    return assessment.submissions.order_by("-number").first()


def review_for(*, assessment: Assessment, assessor: User) -> Review:
    """The assessor's review of the newest submission; unsaved until the first score is saved,
    so that opening a page writes nothing."""
    submission = latest_submission(assessment)
    if submission is None:
        raise ServiceError(_("This assessment has not been submitted."))
    review = Review.objects.filter(assessment=assessment, assessor=assessor).first()
    if review is None:
        return Review(assessment=assessment, assessor=assessor, submission=submission)
    if review.submission_id != submission.pk and review.submitted_at is None:
        # Reopened and submitted again: an unsubmitted review follows the newest submission,
        # stored with its next save.
        review.submission = submission
        review.moved_to_newer_submission = True  # type: ignore[attr-defined]
    return review


def _stored(review: Review) -> Review:
    if review.pk is None:
        review.save()
    elif getattr(review, "moved_to_newer_submission", False):
        review.save(update_fields=["submission"])
    return review


@dataclass
class ScoreInput:
    ticks: dict[str, list[int]] = field(default_factory=dict)
    points: Decimal | None = None
    kpi_scores: list[Decimal | None] = field(default_factory=list)
    override: Decimal | None = None
    override_reason: str = ""
    strengths: str = ""
    ofis: str = ""


def compute_item_score(item: Item, rule: str, given: ScoreInput) -> Decimal | None:
    """The item's score from the assessor's inputs by the edition's rule; None if not scored."""
    if given.override is not None:
        return scoring.override(given.override, given.override_reason)
    if item.category.kind == Category.Kind.RESULTS:
        scores = [value for value in given.kpi_scores if value is not None]
        if not given.kpi_scores or len(scores) != len(given.kpi_scores):
            return None
        return scoring.results_item_score(scores)[0]
    if rule == ItemRule.LEVEL_PICK:
        return None if given.points is None else scoring.level_pick(given.points)
    if rule == ItemRule.NUMERIC:
        return None if given.points is None else scoring.numeric(given.points)
    counts = {level.level: len(level.checkpoints.all()) for level in item.levels.all()}
    ticks = {
        level: scoring.LevelTicks(
            min(len(given.ticks.get(level, [])), counts.get(level, 0)), counts.get(level, 0)
        )
        for level in (LevelCode.BASIC, LevelCode.ADVANCE, LevelCode.SIGNIFICANCE)
    }
    return scoring.gated_checklist(
        ticks[LevelCode.BASIC], ticks[LevelCode.ADVANCE], ticks[LevelCode.SIGNIFICANCE]
    )


def save_item_score(
    *, review: Review, item: Item, rule: str, given: ScoreInput, by: User
) -> ItemScore:
    """Store the assessor's inputs and the score they give (empty while the rule lacks an
    input, such as a KPI without a score)."""
    with transaction.atomic():
        workflow.require(review.assessment, "review.score", by=by)
        _own_open_review(review, by)
        if given.override is not None and not given.override_reason.strip():
            raise ServiceError(_("Give the reason for overriding the computed score."))
        try:
            score = compute_item_score(item, rule, given)
        except (scoring.ItemRuleError, ValueError) as error:
            raise ServiceError(str(error)) from None
        review = _stored(review)
        row, _created = ItemScore.objects.select_for_update().get_or_create(
            review=review, item_code=item.code
        )
        old = {"score": row.score, "strengths": row.strengths, "ofis": row.ofis}
        row.ticks = given.ticks
        row.points = given.points
        row.kpi_scores = [None if v is None else str(v) for v in given.kpi_scores]
        row.override = given.override
        row.override_reason = given.override_reason.strip()
        row.score = "" if score is None else str(score)
        row.strengths = given.strengths.strip()
        row.ofis = given.ofis.strip()
        row.save()
        new = {"score": row.score, "strengths": row.strengths, "ofis": row.ofis}
        if old != new:
            audit.record(
                actor=by,
                action="review.item",
                obj=row,
                old=old,
                new=new,
                reason=row.override_reason,
            )
    return row


def _own_open_review(review: Review, by: User) -> None:
    # That the review is still open is the action table's to say (`require`).
    if review.assessor_id != by.pk:
        raise workflow.ActionRefused(_("Only the assessor who writes a review can change it."))


def unscored_items(review: Review, codes: list[str]) -> list[str]:
    scored = (
        {row.item_code for row in review.item_scores.all() if row.score} if review.pk else set()
    )
    return [code for code in codes if code not in scored]


def submit_review(*, review: Review, codes: list[str], by: User) -> Review:
    with transaction.atomic():
        workflow.require(review.assessment, "review.submit", by=by)
        _own_open_review(review, by)
        missing = unscored_items(review, codes)
        if missing:
            raise ServiceError(
                _("The review cannot be submitted: items %(items)s have no score.")
                % {"items": ", ".join(missing)}
            )
        review = _stored(review)
        review.submitted_at = timezone.now()
        review.save(update_fields=["submitted_at"])
        audit.record(actor=by, action="review.submit", obj=review)
        handoffs.review_submitted(review, by=by)
    return review


# ---------------------------------------------------------------------------------------------
# Clarification


def ask(*, assessment: Assessment, item_code: str, question: str, by: User) -> Clarification:
    with transaction.atomic():
        workflow.require(assessment, "clarification.ask", by=by)
        if not question.strip():
            raise ServiceError(_("Write the question."))
        row = Clarification.objects.create(
            assessment=assessment, item_code=item_code, question=question.strip(), asked_by=by
        )
        audit.record(actor=by, action="clarification.ask", obj=row, new=row.question)
        if assessment.status == Assessment.Status.IN_REVIEW:
            change_status(assessment=assessment, to=Assessment.Status.CLARIFICATION, by=by)
        handoffs.question_asked(row, by=by)
    return row


def answer(
    *,
    clarification: Clarification,
    text: str,
    by: User,
    upload: UploadedFile | None = None,
    raw_name: str | None = None,
) -> Clarification:
    """The agency's answer to a question, with a document if it sends one (kept as evidence:
    the assessors asked for it)."""
    with transaction.atomic():
        workflow.require(clarification.assessment, "clarification.answer", by=by)
        if Clarification.objects.filter(pk=clarification.pk, answered_at__isnull=False).exists():
            raise ServiceError(_("This question has been answered; the answer stays as sent."))
        if not text.strip():
            raise ServiceError(_("Write the answer."))
        old = clarification.answer
        if upload is not None or raw_name is not None:
            clarification.attachment = add_evidence_file(
                assessment=clarification.assessment,
                upload=upload,
                raw_name=raw_name,
                label=_("Answer on %(item)s, question %(number)s")
                % {"item": clarification.item_code, "number": clarification.pk},
                by=by,
                action="clarification.answer",
            )
        clarification.answer = text.strip()
        clarification.answered_by = by
        clarification.answered_at = timezone.now()
        clarification.save(update_fields=["answer", "answered_by", "answered_at", "attachment"])
        audit.record(
            actor=by,
            action="clarification.answer",
            obj=clarification,
            old=old,
            new=clarification.answer,
        )
        assessment = clarification.assessment
        still_open = assessment.clarifications.filter(answered_at__isnull=True).exists()
        if assessment.status == Assessment.Status.CLARIFICATION and not still_open:
            change_status(assessment=assessment, to=Assessment.Status.IN_REVIEW, by=by)
        handoffs.question_answered(clarification, by=by)
    return clarification


# ---------------------------------------------------------------------------------------------
# Consensus


@dataclass
class ConsensusRow:
    item: Item
    scores: list[tuple[User, Decimal]]
    mean: Decimal | None
    spread: Decimal | None
    consensus: ConsensusScore | None

    @property
    def flagged(self) -> bool:
        return self.spread is not None and self.spread >= SPREAD_FLAG


def team_item_scores(assessment: Assessment) -> QuerySet[ItemScore]:
    """The item scores of the submitted reviews of the assessment's current team: an assessor
    taken off the team no longer counts in the consensus or the report."""
    return ItemScore.objects.filter(
        review__assessment=assessment,
        review__submitted_at__isnull=False,
        review__assessor__in=assessment.assignments.values("assessor"),
    )


def consensus_rows(assessment: Assessment, items: list[Item]) -> list[ConsensusRow]:
    """Every item with each submitted review's score, the mean and the spread; items with a
    spread of 100 or more first (the meeting agenda), then in criteria order."""
    by_item: dict[str, list[tuple[User, Decimal]]] = {}
    for row in team_item_scores(assessment).select_related("review__assessor"):
        if row.score:
            by_item.setdefault(row.item_code, []).append((row.review.assessor, Decimal(row.score)))
    chosen = {c.item_code: c for c in assessment.consensus_scores.all()}
    rows = []
    for item in items:
        scores = by_item.get(item.code, [])
        values = [value for _user, value in scores]
        rows.append(
            ConsensusRow(
                item,
                scores,
                mean(values) if values else None,
                (max(values) - min(values)) if values else None,
                chosen.get(item.code),
            )
        )
    return sorted(rows, key=lambda r: (not r.flagged,))


def set_consensus(
    *, assessment: Assessment, items: list[Item], given: dict[str, tuple[Decimal, str]], by: User
) -> dict[str, str]:
    """Store the lead's item scores; a score more than 50 from the mean needs a reason.
    Returns problems by item code; nothing is stored when there is any."""
    with transaction.atomic():
        workflow.require(assessment, "consensus.set", by=by)
        return _set_consensus(assessment, items, given, by)


def _set_consensus(
    assessment: Assessment, items: list[Item], given: dict[str, tuple[Decimal, str]], by: User
) -> dict[str, str]:
    rows = {row.item.code: row for row in consensus_rows(assessment, items)}
    problems: dict[str, str] = {}
    for code, (value, reason) in given.items():
        if not value.is_finite() or value < 0 or value > 500:
            problems[code] = _("A score must be between 0 and 500.")
            continue
        mean = rows[code].mean
        if mean is not None and abs(value - mean) > FAR_FROM_MEAN and not reason.strip():
            problems[code] = _(
                "%(score)s is more than 50 from the assessors' mean of %(mean)s; give the reason."
            ) % {"score": scoring.q2(value), "mean": scoring.q2(mean)}
    if problems:
        return problems
    changed = False
    for code, (value, reason) in given.items():
        existing = ConsensusScore.objects.filter(assessment=assessment, item_code=code).first()
        old = existing.score if existing else None
        if existing and Decimal(existing.score) == value and existing.reason == reason.strip():
            continue
        row, _created = ConsensusScore.objects.update_or_create(
            assessment=assessment,
            item_code=code,
            defaults={"score": str(value), "reason": reason.strip(), "set_by": by},
        )
        audit.record(
            actor=by,
            action="consensus.item",
            obj=row,
            old=old,
            new=row.score,
            reason=row.reason,
        )
        changed = True
    if changed and assessment.status == Assessment.Status.CONSENSUS:
        # The result is recorded already: it follows the scores, so that the report never
        # shows item scores that disagree with its totals.
        _record_result(assessment, criteria_tree(assessment.cycle.edition), by)
    return {}


def finalise_consensus(*, assessment: Assessment, tree: list[Category], by: User) -> ScoreSnapshot:
    """Category, total, rating and level from the engine over the consensus item scores,
    stored as the verified snapshot with the rules version."""
    with transaction.atomic():
        workflow.require(assessment, "consensus.finalise", by=by)
        snapshot = _record_result(assessment, tree, by)
        if assessment.status == Assessment.Status.IN_REVIEW:
            change_status(assessment=assessment, to=Assessment.Status.CONSENSUS, by=by)
    return snapshot


def _record_result(assessment: Assessment, tree: list[Category], by: User) -> ScoreSnapshot:
    snapshot = record_category_scores(
        assessment=assessment,
        source="assessor",
        categories=consensus_categories(assessment, tree),
        by=by,
    )
    audit.record(
        actor=by,
        action="consensus.finalise",
        obj=assessment,
        new={
            "total": str(snapshot.total),
            "rating": str(snapshot.rating),
            "rules": snapshot.rules_version,
        },
    )
    return snapshot


def consensus_categories(assessment: Assessment, tree: list[Category]) -> dict[str, Decimal]:
    chosen = {c.item_code: Decimal(c.score) for c in assessment.consensus_scores.all()}
    missing = [
        item.code for category in tree for item in category.items.all() if item.code not in chosen
    ]
    if missing:
        raise ServiceError(
            _("Set a consensus score for items %(items)s first.") % {"items": ", ".join(missing)}
        )
    return {
        str(category.number): scoring.category_score(
            [chosen[item.code] for item in category.items.all()]
        )
        for category in tree
    }
