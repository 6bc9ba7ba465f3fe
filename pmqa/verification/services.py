"""State changes of the assessor side: teams, independent reviews, clarification, consensus,
the Feedback Report's workflow and round 2. Every change is written to the audit trail."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.models import ASSESSOR_ROLES, Membership, Role, User
from pmqa.assessments import workflow
from pmqa.assessments.models import Assessment, ScoreSnapshot, Submission
from pmqa.assessments.services import (
    ServiceError,
    change_status,
    record_category_scores,
    round2_eligible,
    verified_total,
)
from pmqa.audit import services as audit
from pmqa.criteria.models import Category, Item, ItemRule, LevelCode
from pmqa.lib.thai import format_date_be
from pmqa.lib.uploads import UploadRefused, check_content, check_name
from pmqa.organisations.models import Organisation
from pmqa.reviews.models import (
    ApplicationReport,
    Assignment,
    Clarification,
    ConsensusScore,
    Feedback,
    FeedbackEntry,
    ItemScore,
    ReportRevision,
    Review,
    Round2Score,
)
from pmqa.scoring.engine import mean

SPREAD_FLAG = Decimal(100)
FAR_FROM_MEAN = Decimal(50)
REVIEWABLE = (
    Assessment.Status.SUBMITTED,
    Assessment.Status.IN_REVIEW,
    Assessment.Status.CLARIFICATION,
)


# ---------------------------------------------------------------------------------------------
# Teams


def conflicts_of_interest(assessor: User, organisation: Organisation) -> list[str]:
    """Why this assessor may not verify this organisation: every membership, past or present,
    at the organisation or its parent."""
    related = [organisation.pk] + ([organisation.parent_id] if organisation.parent_id else [])
    reasons = []
    for membership in (
        Membership.objects.filter(user=assessor, organisation_id__in=related)
        .select_related("organisation")
        .order_by("starts_on")
    ):
        period = (
            _("since %(start)s") % {"start": format_date_be(membership.starts_on)}
            if membership.ends_on is None
            else _("%(start)s to %(end)s")
            % {
                "start": format_date_be(membership.starts_on),
                "end": format_date_be(membership.ends_on),
            }
        )
        reasons.append(
            _("%(name)s is or was %(role)s at %(organisation)s (%(period)s).")
            % {
                "name": assessor.get_full_name() or assessor.username,
                "role": Role(membership.role).label,
                "organisation": membership.organisation.name_th,
                "period": period,
            }
        )
    return reasons


def _is_assessor(user: User, *, lead: bool) -> bool:
    roles = set(Membership.objects.current().filter(user=user).values_list("role", flat=True))
    if lead:
        return Role.LEAD_ASSESSOR in roles
    return bool(roles & ASSESSOR_ROLES)


def team_problems(assessment: Assessment, lead: User | None, members: list[User]) -> list[str]:
    problems: list[str] = []
    if assessment.status not in REVIEWABLE:
        problems.append(_("Only a submitted assessment can be given an assessor team."))
    if lead is None:
        problems.append(_("Choose the team lead."))
    elif not _is_assessor(lead, lead=True):
        problems.append(
            _("%(name)s is not a lead assessor.") % {"name": lead.get_full_name() or lead.username}
        )
    for member in members:
        if not _is_assessor(member, lead=False):
            problems.append(
                _("%(name)s is not an assessor.")
                % {"name": member.get_full_name() or member.username}
            )
    for person in ([lead] if lead else []) + members:
        problems += conflicts_of_interest(person, assessment.organisation)
    return problems


def assign_team(
    *, assessment: Assessment, lead: User | None, members: list[User], by: User
) -> list[Assignment]:
    """Replace the assessment's team; refused as a whole when any person cannot serve."""
    members = [m for m in dict.fromkeys(members) if m != lead]
    with transaction.atomic():
        workflow.require(assessment, "team.assign", by=by)
        problems = team_problems(assessment, lead, members)
        if problems:
            raise ServiceError(" ".join(problems))
        assert lead is not None
        old = sorted(assessment.assignments.values_list("assessor__username", flat=True))
        assessment.assignments.all().delete()
        rows = [
            Assignment.objects.create(
                assessment=assessment, assessor=lead, is_lead=True, assigned_by=by
            )
        ]
        rows += [
            Assignment.objects.create(assessment=assessment, assessor=m, assigned_by=by)
            for m in members
        ]
        audit.record(
            actor=by,
            action="assessment.team",
            obj=assessment,
            old=old,
            new={"lead": lead.username, "members": [m.username for m in members]},
        )
        if assessment.status == Assessment.Status.SUBMITTED:
            change_status(assessment=assessment, to=Assessment.Status.IN_REVIEW, by=by)
    return rows


@dataclass
class CsvProblem:
    row: int
    message: str


def import_assignments(*, text: str, by: User) -> tuple[int, list[CsvProblem]]:
    """Teams from CSV rows `organisation,fiscal_year,username,role` (role: lead or member).
    Every row is checked first; all teams are assigned, or none."""
    workflow.require_admin(by)
    problems: list[CsvProblem] = []
    teams: dict[int, dict[str, Any]] = {}
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return 0, [
            CsvProblem(
                0,
                _(
                    "The file could not be read as CSV (a field is too long or a quote is not "
                    "closed). Save it again as CSV UTF-8 and try again."
                ),
            )
        ]
    reader = iter(rows)
    header = next(reader, None)
    expected = ["organisation", "fiscal_year", "username", "role"]
    if header is None or [h.strip().lower() for h in header] != expected:
        return 0, [
            CsvProblem(1, _("The first row must be: %(header)s") % {"header": ",".join(expected)})
        ]
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            problems.append(
                CsvProblem(
                    number, _("Give four values: organisation, fiscal year, username, role.")
                )
            )
            continue
        code, year, username, role = (cell.strip() for cell in row)
        assessment = (
            Assessment.objects.filter(
                organisation__code=code, cycle__fiscal_year=year if year.isdigit() else -1
            )
            .select_related("organisation")
            .first()
        )
        if assessment is None:
            problems.append(
                CsvProblem(
                    number,
                    _("No assessment of %(code)s in fiscal year %(year)s.")
                    % {"code": code, "year": year},
                )
            )
            continue
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            problems.append(
                CsvProblem(number, _("No active user “%(username)s”.") % {"username": username})
            )
            continue
        if role not in ("lead", "member"):
            problems.append(CsvProblem(number, _("The role must be lead or member.")))
            continue
        team = teams.setdefault(
            assessment.pk, {"assessment": assessment, "lead": None, "members": [], "rows": []}
        )
        team["rows"].append(number)
        if role == "lead":
            if team["lead"] is not None:
                problems.append(
                    CsvProblem(number, _("This assessment already has a lead in this file."))
                )
                continue
            team["lead"] = user
        else:
            team["members"].append(user)
    for team in teams.values():
        for message in team_problems(team["assessment"], team["lead"], team["members"]):
            problems.append(
                CsvProblem(team["rows"][0], f"{team['assessment'].organisation.code}: {message}")
            )
    if problems:
        return 0, sorted(problems, key=lambda p: p.row)
    with transaction.atomic():
        for team in teams.values():
            assign_team(
                assessment=team["assessment"], lead=team["lead"], members=team["members"], by=by
            )
    return len(teams), []


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
    if review.assessor_id != by.pk:
        raise workflow.ActionRefused(_("Only the assessor who writes a review can change it."))
    if review.pk is not None:
        review.submitted_at = (
            Review.objects.filter(pk=review.pk).values_list("submitted_at", flat=True).first()
        )
    if review.submitted_at is not None:
        raise workflow.ActionRefused(
            _("Your review has been submitted; its scores can no longer change.")
        )


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
    return row


def answer(*, clarification: Clarification, text: str, by: User) -> Clarification:
    with transaction.atomic():
        workflow.require(clarification.assessment, "clarification.answer", by=by)
        if not text.strip():
            raise ServiceError(_("Write the answer."))
        old = clarification.answer
        clarification.answer = text.strip()
        clarification.answered_by = by
        clarification.answered_at = timezone.now()
        clarification.save(update_fields=["answer", "answered_by", "answered_at"])
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


def consensus_rows(assessment: Assessment, items: list[Item]) -> list[ConsensusRow]:
    """Every item with each submitted review's score, the mean and the spread; items with a
    spread of 100 or more first (the meeting agenda), then in criteria order."""
    by_item: dict[str, list[tuple[User, Decimal]]] = {}
    for row in ItemScore.objects.filter(
        review__assessment=assessment, review__submitted_at__isnull=False
    ).select_related("review__assessor"):
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
        _lead_review_submitted(assessment, by)
        return _set_consensus(assessment, items, given, by)


def _lead_review_submitted(assessment: Assessment, by: User) -> None:
    if not assessment.reviews.filter(assessor=by, submitted_at__isnull=False).exists():
        raise workflow.ActionRefused(
            _("Submit your own review first: the consensus opens to you after that.")
        )


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
    return {}


def finalise_consensus(*, assessment: Assessment, tree: list[Category], by: User) -> ScoreSnapshot:
    """Category, total, rating and level from the engine over the consensus item scores,
    stored as the verified snapshot with the rules version."""
    with transaction.atomic():
        workflow.require(assessment, "consensus.finalise", by=by)
        _lead_review_submitted(assessment, by)
        categories = _consensus_categories(assessment, tree)
        snapshot = record_category_scores(
            assessment=assessment, source="assessor", categories=categories, by=by
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
        if assessment.status in (Assessment.Status.IN_REVIEW, Assessment.Status.CLARIFICATION):
            if assessment.status == Assessment.Status.CLARIFICATION:
                change_status(assessment=assessment, to=Assessment.Status.IN_REVIEW, by=by)
            change_status(assessment=assessment, to=Assessment.Status.CONSENSUS, by=by)
        Feedback.objects.get_or_create(assessment=assessment)
    return snapshot


def _consensus_categories(assessment: Assessment, tree: list[Category]) -> dict[str, Decimal]:
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


# ---------------------------------------------------------------------------------------------
# The Feedback Report


def prefill_feedback(*, feedback: Feedback, by: User) -> int:
    """Start the report from the assessors' item comments (only where the report has none)."""
    created = 0
    with transaction.atomic():
        workflow.require(feedback.assessment, "report.draft", by=by)
        for row in ItemScore.objects.filter(
            review__assessment=feedback.assessment, review__submitted_at__isnull=False
        ).order_by("item_code", "review__assessor__full_name"):
            for kind, text in (("strength", row.strengths), ("ofi", row.ofis)):
                for paragraph in split_paragraphs(text):
                    if feedback.entries.filter(
                        scope="item", key=row.item_code, kind=kind, text=paragraph
                    ).exists():
                        continue
                    position = (
                        feedback.entries.filter(scope="item", key=row.item_code, kind=kind).count()
                        + 1
                    )
                    FeedbackEntry.objects.create(
                        feedback=feedback,
                        scope="item",
                        key=row.item_code,
                        kind=kind,
                        position=position,
                        text=paragraph,
                    )
                    created += 1
        audit.record(actor=by, action="feedback.prefill", obj=feedback, new={"entries": created})
    return created


def split_paragraphs(text: str) -> list[str]:
    parts = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n")]
    return [part for part in parts if part]


def save_feedback(
    *,
    feedback: Feedback,
    blocks: dict[tuple[str, str, str], str],
    themes: list[tuple[str, str]],
    conclusion: str,
    by: User,
) -> None:
    """Replace the report's texts. `blocks` maps (scope, key, kind) to paragraphs separated by
    a blank line; themes are (title, text)."""
    with transaction.atomic():
        workflow.require(feedback.assessment, "report.draft", by=by)
        old = _feedback_json(feedback)
        feedback.entries.filter(scope__in=["item", "category", "pillar"]).delete()
        for (scope, key, kind), text in blocks.items():
            for position, paragraph in enumerate(split_paragraphs(text), start=1):
                FeedbackEntry.objects.create(
                    feedback=feedback,
                    scope=scope,
                    key=key,
                    kind=kind,
                    position=position,
                    text=paragraph,
                )
        feedback.entries.filter(scope="overall", kind="theme").delete()
        for position, (title, text) in enumerate(
            [(t.strip(), x.strip()) for t, x in themes if t.strip() or x.strip()], start=1
        ):
            FeedbackEntry.objects.create(
                feedback=feedback,
                scope="overall",
                key="",
                kind="theme",
                position=position,
                title=title,
                text=text,
            )
        feedback.conclusion = conclusion.strip()
        feedback.save(update_fields=["conclusion"])
        new = _feedback_json(feedback)
        if old != new:
            audit.record(actor=by, action="feedback.edit", obj=feedback, old=old, new=new)


def _feedback_json(feedback: Feedback) -> dict[str, Any]:
    return {
        "conclusion": feedback.conclusion,
        "entries": [
            [e.scope, e.key, e.kind, e.position, e.title, e.text]
            for e in feedback.entries.order_by("scope", "key", "kind", "position")
        ],
    }


_FEEDBACK_STEPS = {
    # action: (from feedback statuses, to feedback status, assessment status to move to)
    "submit": (
        (Feedback.Status.DRAFT, Feedback.Status.RETURNED),
        Feedback.Status.SUBMITTED,
        Assessment.Status.REPORT_DRAFTED,
    ),
    "approve": (
        (Feedback.Status.SUBMITTED,),
        Feedback.Status.APPROVED,
        Assessment.Status.REPORT_APPROVED,
    ),
    "return": (
        (Feedback.Status.SUBMITTED, Feedback.Status.APPROVED),
        Feedback.Status.RETURNED,
        None,
    ),
    "publish": (
        (Feedback.Status.APPROVED,),
        Feedback.Status.PUBLISHED,
        Assessment.Status.PUBLISHED,
    ),
}


def feedback_step(
    *,
    feedback: Feedback,
    action: str,
    by: User,
    comment: str = "",
    today: datetime.date | None = None,
) -> Feedback:
    if action not in _FEEDBACK_STEPS:
        raise ServiceError(_("Unknown action."))
    allowed, target, assessment_status = _FEEDBACK_STEPS[action]
    assessment = feedback.assessment
    with transaction.atomic():
        workflow.require(assessment, f"report.{action}", by=by)
        feedback.status = (
            Feedback.objects.filter(pk=feedback.pk).values_list("status", flat=True).get()
        )
        if feedback.status not in allowed:
            raise ServiceError(
                _("A report that is “%(status)s” cannot be %(action)s.")
                % {
                    "status": Feedback.Status(feedback.status).label,
                    "action": _action_label(action),
                }
            )
        if action == "return" and not comment.strip():
            raise ServiceError(_("Say what the lead assessor should change."))
        old = feedback.status
        feedback.status = target
        fields = ["status"]
        if action == "return":
            feedback.return_comment = comment.strip()
            fields.append("return_comment")
        if action == "publish":
            feedback.published_on = today or timezone.localdate()
            fields.append("published_on")
        feedback.save(update_fields=fields)
        audit.record(
            actor=by,
            action=f"feedback.{action}",
            obj=feedback,
            old=old,
            new=target,
            reason=comment.strip(),
        )
        if action == "return":
            # Back to drafting: the assessment returns to consensus.
            if assessment.status == Assessment.Status.REPORT_APPROVED:
                change_status(
                    assessment=assessment,
                    to=Assessment.Status.REPORT_DRAFTED,
                    by=by,
                    reason=comment.strip(),
                )
            if assessment.status == Assessment.Status.REPORT_DRAFTED:
                change_status(
                    assessment=assessment,
                    to=Assessment.Status.CONSENSUS,
                    by=by,
                    reason=comment.strip(),
                )
        elif assessment_status and assessment.status != assessment_status:
            change_status(assessment=assessment, to=assessment_status, by=by)
    return feedback


def _action_label(action: str) -> str:
    return {
        "submit": _("submitted for approval"),
        "approve": _("approved"),
        "return": _("returned"),
        "publish": _("published"),
    }[action]


# ---------------------------------------------------------------------------------------------
# Round 2


def round2_final(assessment: Assessment) -> ScoreSnapshot | None:
    return verified_total(assessment, round_number=2)


def _round2_open(assessment: Assessment) -> None:
    if round2_final(assessment) is not None:
        raise workflow.ActionRefused(
            _("The round 2 score has been recorded; round 2 can no longer change.")
        )


def upload_application_report(
    *, assessment: Assessment, upload: Any, raw_name: str | None, limit: int, by: User
) -> ApplicationReport:
    with transaction.atomic():
        workflow.require(assessment, "round2.upload", by=by)
        _round2_open(assessment)
        if not round2_eligible(assessment):
            raise ServiceError(_("This assessment has not reached the round 2 threshold."))
    if upload is None:
        raise ServiceError(_("Choose a file to upload."))
    try:
        name = check_name(raw_name if raw_name is not None else upload.name or "")
        kind, _mime = check_content(name, upload, upload.size or 0, limit)
    except UploadRefused as error:
        raise ServiceError(str(error)) from None
    if kind not in ("pdf", "docx"):
        raise ServiceError(_("Upload the Application Report as PDF or Word."))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        workflow.require(assessment, "round2.upload", by=by)
        _round2_open(assessment)
        report = ApplicationReport.objects.filter(
            assessment=assessment
        ).first() or ApplicationReport(assessment=assessment)
        old = report.original_name or None
        report.original_name = name
        report.size = upload.size or 0
        report.sha256 = digest.hexdigest()
        report.uploaded_by = by
        report.file.save("upload", upload, save=False)
        report.save()
        audit.record(actor=by, action="round2.upload", obj=report, old=old, new=name)
    return report


def save_round2_score(
    *, assessment: Assessment, assessor: User, score: Decimal, comment: str
) -> Round2Score:
    with transaction.atomic():
        workflow.require(assessment, "round2.score", by=assessor)
        _round2_open(assessment)
        if not ApplicationReport.objects.filter(assessment=assessment).exists():
            raise ServiceError(_("The agency has not uploaded its Application Report."))
        if not score.is_finite() or score < 0 or score > 500:
            raise ServiceError(_("A score must be between 0 and 500."))
        existing = Round2Score.objects.filter(assessment=assessment, assessor=assessor).first()
        old = str(existing.score) if existing else None
        row, _created = Round2Score.objects.update_or_create(
            assessment=assessment,
            assessor=assessor,
            defaults={"score": score, "comment": comment.strip()},
        )
        audit.record(actor=assessor, action="round2.score", obj=row, old=old, new=str(score))
    return row


def finalise_round2(*, assessment: Assessment, by: User) -> ScoreSnapshot:
    with transaction.atomic():
        workflow.require(assessment, "round2.finalise", by=by)
        _round2_open(assessment)
        scores = [row.score for row in assessment.round2_scores.all()]
        if not scores:
            raise ServiceError(_("No assessor has scored the Application Report yet."))
        total = scoring.q2(mean(scores))
        snapshot = ScoreSnapshot.objects.create(
            assessment=assessment,
            source="assessor",
            round_number=2,
            categories={},
            total=total,
            rules_version=scoring.RULES_VERSION,
            created_by=by,
        )
        audit.record(actor=by, action="round2.finalise", obj=assessment, new=str(total))
    return snapshot


# ---------------------------------------------------------------------------------------------
# Corrections after publication


def revise_published_report(
    *,
    assessment: Assessment,
    tree: list[Category],
    scores: dict[str, Decimal],
    reason: str,
    by: User,
    today: datetime.date | None = None,
) -> ReportRevision:
    """Correct consensus item scores of a published report. The published figures are never
    overwritten: the new ones are a new verified snapshot, and the revision keeps the totals
    before and after, who, when and why; the report prints it."""
    with transaction.atomic():
        workflow.require(assessment, "report.revise", by=by)
        if not reason.strip():
            raise ServiceError(_("Give the reason for the correction; the report will print it."))
        for value in scores.values():
            if not value.is_finite() or value < 0 or value > 500:
                raise ServiceError(_("A score must be between 0 and 500."))
        current = {c.item_code: c for c in assessment.consensus_scores.all()}
        changes = {
            code: [current[code].score if code in current else None, str(value)]
            for code, value in scores.items()
            if code not in current or Decimal(current[code].score) != value
        }
        if not changes:
            raise ServiceError(_("No score was changed, so there is nothing to correct."))
        before = verified_total(assessment)
        for code in changes:
            row, _created = ConsensusScore.objects.update_or_create(
                assessment=assessment,
                item_code=code,
                defaults={"score": str(scores[code]), "reason": reason.strip(), "set_by": by},
            )
            audit.record(
                actor=by,
                action="consensus.item",
                obj=row,
                old=changes[code][0],
                new=row.score,
                reason=reason.strip(),
            )
        snapshot = record_category_scores(
            assessment=assessment,
            source="assessor",
            categories=_consensus_categories(assessment, tree),
            by=by,
        )
        feedback = Feedback.objects.get(assessment=assessment)
        revision = ReportRevision.objects.create(
            feedback=feedback,
            number=feedback.revisions.count() + 1,
            reason=reason.strip(),
            changes=changes,
            old_total=before.total if before else Decimal(0),
            new_total=snapshot.total,
            revised_on=today or timezone.localdate(),
            revised_by=by,
        )
        audit.record(
            actor=by,
            action="report.revise",
            obj=feedback,
            old=str(revision.old_total),
            new={"total": str(snapshot.total), "items": changes},
            reason=revision.reason,
        )
    return revision
