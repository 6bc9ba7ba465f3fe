"""State changes of assessments: windows, answers and their versions, evidence, submission.

Every function here is keyword-only, validates, saves, and records who did it. Views call
these; nothing else writes these tables.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.models import User
from pmqa.accounts.roles import access_for
from pmqa.assessments import answers as content
from pmqa.assessments import handoffs, mail, workflow
from pmqa.assessments.models import (
    TRANSITIONS,
    Answer,
    Assessment,
    Cycle,
    Revision,
    ScoreSnapshot,
    StatusChange,
    Submission,
)
from pmqa.assessments.profile import SECTIONS
from pmqa.audit import services as audit
from pmqa.criteria.models import Category
from pmqa.lib import autosave

# Re-exported: the views catch services.ServiceError.
from pmqa.lib.errors import ServiceError as ServiceError
from pmqa.lib.text import strip_controls
from pmqa.organisations.models import Organisation


def record_category_scores(
    *,
    assessment: Assessment,
    source: str,
    categories: dict[str, Decimal],
    by: User | None = None,
) -> ScoreSnapshot:
    """Store the engine's figures for a full set of category scores."""
    result = scoring.score_categories(categories, assessment.cycle.edition.thresholds())
    if result.missing:
        raise ValueError(f"categories missing: {', '.join(result.missing)}")
    assert result.total is not None and result.rating is not None
    return ScoreSnapshot.objects.create(
        assessment=assessment,
        source=source,
        round_number=1,
        categories={key: str(scoring.q2(value)) for key, value in result.categories.items()},
        total=scoring.q2(result.total),
        rating=scoring.q2(result.rating),
        level=result.level or "",
        rules_version=result.rules_version,
        created_by=by,
    )


# ---------------------------------------------------------------------------------------------
# Starting and answering


def answer_keys(assessment: Assessment) -> list[tuple[str, str]]:
    keys: list[tuple[str, str]] = [(Answer.Kind.PROFILE, section.code) for section in SECTIONS]
    for code, kind in (
        Category.objects.filter(edition=assessment.cycle.edition)
        .values_list("items__code", "kind")
        .order_by("number", "items__position")
    ):
        keys.append((Answer.Kind.RESULTS if kind == "results" else Answer.Kind.PROCESS, code))
    return keys


def ensure_answers(*, assessment: Assessment) -> None:
    """Create the empty answer rows an assessment needs (idempotent)."""
    Answer.objects.bulk_create(
        [
            Answer(assessment=assessment, kind=kind, key=key)
            for kind, key in answer_keys(assessment)
        ],
        ignore_conflicts=True,
    )


def start_assessment(
    *,
    cycle: Cycle,
    organisation: Organisation,
    by: User,
    today: datetime.date | None = None,
) -> Assessment:
    """The organisation's assessment of the cycle, started by one of its editors or approvers
    while round 1 has not closed for it."""
    if not access_for(by).may_edit(organisation.pk):
        raise workflow.ActionRefused(
            _("Only the organisation's editors and approvers can start its self-assessment.")
        )
    existing = Assessment.objects.filter(cycle=cycle, organisation=organisation).first()
    if existing is not None:
        return existing
    round1 = cycle.rounds.filter(number=1).first()
    extension = round1.extensions.filter(organisation=organisation).first() if round1 else None
    closes_on = extension.closes_on if extension else (round1.closes_on if round1 else None)
    if closes_on is None or closes_on < (today or timezone.localdate()):
        raise ServiceError(_("This cycle is not open for self-assessment."))
    with transaction.atomic():
        assessment, created = Assessment.objects.get_or_create(
            cycle=cycle, organisation=organisation
        )
        if created:
            audit.record(actor=by, action="assessment.start", obj=assessment)
        ensure_answers(assessment=assessment)
    return assessment


class EditConflict(autosave.EditConflict):
    """Someone else saved this answer after the editor loaded it; `kept` is the refused edit,
    a Revision without a version."""

    current: Answer
    kept: Revision


def save_answer(
    *,
    answer: Answer,
    data: dict[str, Any],
    base_version: int,
    by: User,
    note: str = "",
) -> Answer:
    """Save new content if nobody saved since `base_version`; else keep the refused content as a
    revision and raise EditConflict. Saving unchanged content does nothing.

    `answer` is the row as the caller read it in this request; the UPDATE itself checks that
    its version is still `base_version`, so the row is read again only on a conflict."""
    conflict: EditConflict | None = None
    data = strip_controls(data)
    with transaction.atomic():
        workflow.require(answer.assessment, "answer.edit", by=by)
        if answer.version == base_version and answer.data == data:
            return answer
        now = timezone.now()
        saved = answer.pk is not None and Answer.objects.filter(
            pk=answer.pk, assessment_id=answer.assessment_id, version=base_version
        ).update(data=data, version=base_version + 1, updated_at=now, updated_by=by)
        if saved:
            answer.data, answer.version = data, base_version + 1
            answer.updated_at, answer.updated_by = now, by
            Revision.objects.create(
                answer=answer, version=answer.version, data=data, saved_by=by, note=note
            )
        else:
            current = Answer.objects.select_for_update().get(pk=answer.pk)
            if current.data == data:
                return current
            conflict = EditConflict(current, _keep_refused(current, data, by))
    # Raised after the block so that the refused edit stays stored.
    if conflict is not None:
        raise conflict
    return answer


def _keep_refused(current: Answer, data: dict[str, Any], by: User) -> Revision:
    """Store a refused edit; autosave keeps refusing while the editor decides, so later refusals
    of the same person against the same version update one revision instead of piling up."""
    note = _("Refused: version %(version)s was saved by someone else first.") % {
        "version": current.version
    }
    latest = current.revisions.order_by("-saved_at", "-id").first()
    if (
        latest is not None
        and latest.version is None
        and latest.saved_by_id == getattr(by, "pk", None)
        and latest.note == note
    ):
        latest.data = data
        latest.save(update_fields=["data"])
        return latest
    return Revision.objects.create(answer=current, version=None, data=data, saved_by=by, note=note)


def restore_revision(
    *,
    revision: Revision,
    base_version: int,
    by: User,
) -> Answer:
    if revision.version is None:
        note = _("Kept the edit that was refused at %(time)s.") % {
            "time": timezone.localtime(revision.saved_at).strftime("%H:%M")
        }
    else:
        note = _("Restored version %(version)s.") % {"version": revision.version}
    return save_answer(
        answer=revision.answer, data=revision.data, base_version=base_version, by=by, note=note
    )


# ---------------------------------------------------------------------------------------------
# Status, submission, reopening


def change_status(
    *,
    assessment: Assessment,
    to: str,
    by: User,
    reason: str = "",
) -> StatusChange:
    """The one place a status changes: only along TRANSITIONS, always recorded."""
    current = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if to not in TRANSITIONS.get(current.status, frozenset()):
        raise ServiceError(
            _("An assessment that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": Assessment.Status(current.status).label,
                "to": Assessment.Status(to).label,
            }
        )
    change = StatusChange.objects.create(
        assessment=current, from_status=current.status, to_status=to, by=by, reason=reason
    )
    Assessment.objects.filter(pk=current.pk).update(status=to)
    assessment.status = to
    audit.record(
        actor=by,
        action="assessment.status",
        obj=assessment,
        old=current.status,
        new=to,
        reason=reason,
    )
    return change


@dataclass(frozen=True)
class Missing:
    key: str
    title: str
    problems: list[str]


def missing_for_submission(
    assessment: Assessment, answers: dict[str, Answer], tree: list[Category] | None = None
) -> list[Missing]:
    """Everything a submission still needs, in the order of the forms."""
    found: list[Missing] = []
    for section in SECTIONS:
        data = answers[section.code].data if section.code in answers else {}
        problems = content.missing_profile(section, data)
        if problems:
            found.append(Missing(section.code, str(section.title), problems))
    edition = assessment.cycle.edition
    for category in tree if tree is not None else content.criteria_tree(edition):
        for item in category.items.all():
            data = answers[item.code].data if item.code in answers else {}
            if category.kind == Category.Kind.RESULTS:
                problems = content.missing_results(data)
            else:
                problems = content.missing_process(item, data, edition.item_rule)
            if problems:
                found.append(Missing(item.code, f"{item.code} {item.report_title}", problems))
    return found


def frozen_content(assessment: Assessment, answers: dict[str, Answer]) -> dict[str, Any]:
    """What assessors will read: every answer with its version, and the evidence it can cite."""
    return {
        "fiscal_year": assessment.cycle.fiscal_year,
        "edition": assessment.cycle.edition.code,
        "organisation": assessment.organisation.code,
        "answers": {
            key: {"kind": answer.kind, "version": answer.version, "data": answer.data}
            for key, answer in sorted(answers.items())
        },
        "evidence": [
            {
                "id": evidence.pk,
                "label": evidence.label,
                "kind": evidence.kind,
                "name": evidence.original_name,
                "url": evidence.url,
                "size": evidence.size,
                "sha256": evidence.sha256,
            }
            for evidence in assessment.evidence.order_by("label")
        ],
    }


def submit_assessment(
    *, assessment: Assessment, by: User, today: datetime.date | None = None
) -> Submission:
    """Freeze what the agency declared, store its self-score, and tell agency and assessors."""
    with transaction.atomic():
        workflow.require(assessment, "assessment.submit", by=by, today=today)
        answers = {answer.key: answer for answer in assessment.answers.all()}
        missing = missing_for_submission(assessment, answers)
        if missing:
            raise ServiceError(
                _("The assessment cannot be submitted yet: %(count)s parts are incomplete.")
                % {"count": len(missing)}
            )
        edition = assessment.cycle.edition
        figures = content.self_figures(
            edition,
            content.criteria_tree(edition),
            {key: answer.data for key, answer in answers.items()},
        )
        snapshot = record_category_scores(
            assessment=assessment, source="self", categories=figures.categories, by=by
        )
        number = (
            assessment.submissions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        data = frozen_content(assessment, answers)
        data["items"] = {
            code: {"score": str(figure.score), "level": figure.level}
            for code, figure in figures.items.items()
        }
        submission = Submission.objects.create(
            assessment=assessment, number=number, content=data, self_score=snapshot, submitted_by=by
        )
        change_status(assessment=assessment, to=Assessment.Status.SUBMITTED, by=by)
        team = list(assessment.assignments.select_related("assessor"))
        if team:
            # A team named ahead (or kept from before a reopening) begins the review now.
            change_status(assessment=assessment, to=Assessment.Status.IN_REVIEW, by=by)
        mail.send_submission_mail(assessment, by, key=f"submission:{submission.pk}")
        handoffs.submitted(
            assessment, [row.assessor for row in team], key=f"submission:{submission.pk}", by=by
        )
    return submission


def reopen_assessment(*, assessment: Assessment, reason: str, by: User) -> StatusChange:
    with transaction.atomic():
        workflow.require(assessment, "assessment.reopen", by=by)
        if assessment.reviews.filter(submitted_at__isnull=False).exists():
            raise ServiceError(
                _(
                    "An assessor has already submitted a review of this submission, so it can no "
                    "longer be reopened; ask the agency through a clarification instead."
                )
            )
        if not reason.strip():
            raise ServiceError(_("Give the reason for reopening; the agency will see it."))
        return change_status(
            assessment=assessment, to=Assessment.Status.DRAFT, by=by, reason=reason.strip()
        )


def tell_ready(*, assessment: Assessment, note: str, by: User) -> None:
    """An editor tells the approvers the draft is ready to submit (once a day each)."""
    with transaction.atomic():
        workflow.require(assessment, "assessment.ready", by=by)
        if len(note) > READY_NOTE_MAX:
            raise ServiceError(
                _("Keep the note to %(limit)s characters or fewer.") % {"limit": READY_NOTE_MAX}
            )
        audit.record(actor=by, action="assessment.ready", obj=assessment, reason=note.strip())
        handoffs.ready(
            assessment,
            note.strip(),
            key=f"ready:{assessment.pk}:{by.pk}:{timezone.localdate().isoformat()}",
            by=by,
        )


READY_NOTE_MAX = 2000


def return_to_editors(*, assessment: Assessment, reason: str, by: User) -> StatusChange:
    """The approver sends the draft back to the editors with what to change; it stays a draft
    and the editors are told (pmqa.notifications: in the product, and by e-mail as they chose)."""
    with transaction.atomic():
        workflow.require(assessment, "assessment.return", by=by)
        if not reason.strip():
            raise ServiceError(_("Say what the editors should change."))
        change = StatusChange.objects.create(
            assessment=assessment,
            from_status=assessment.status,
            to_status=assessment.status,
            by=by,
            reason=reason.strip(),
        )
        audit.record(actor=by, action="assessment.return", obj=assessment, reason=reason.strip())
        handoffs.returned(assessment, reason.strip(), key=f"return:{change.pk}", by=by)
    return change


def verified_total(assessment: Assessment, *, round_number: int = 1) -> ScoreSnapshot | None:
    """The verified snapshot of a round that counts, or None."""
    return ScoreSnapshot.objects.filter(assessment=assessment).newest("assessor", round_number)


def round2_eligible(assessment: Assessment) -> bool:
    """Whether the verified round-1 total reached the cycle's round 2 threshold. Only ask it
    where the verified total may be seen: after publication, or on the assessors' side."""
    threshold = assessment.cycle.round2_threshold
    verified = verified_total(assessment) if threshold is not None else None
    return verified is not None and threshold is not None and verified.total >= threshold
