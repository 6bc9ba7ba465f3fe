"""State changes of the Feedback Report: its text, its approval steps, its publication and
corrections after publication. Every change is written to the audit trail."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa.accounts.models import User
from pmqa.assessments import workflow
from pmqa.assessments.answers import criteria_tree
from pmqa.assessments.models import Assessment
from pmqa.assessments.services import (
    ServiceError,
    change_status,
    record_category_scores,
    verified_total,
)
from pmqa.audit import services as audit
from pmqa.criteria.models import Category, Pillar
from pmqa.feedback import handoffs
from pmqa.feedback.kinds import kind_of
from pmqa.feedback.models import Feedback, FeedbackEntry, KeptReportEdit, ReportRevision
from pmqa.feedback.signals import report_issued
from pmqa.lib import autosave
from pmqa.lib.text import strip_controls
from pmqa.verification.models import ConsensusScore
from pmqa.verification.services import consensus_categories, team_item_scores


def feedback_for(assessment: Assessment) -> Feedback:
    """The assessment's report, unsaved until its first change."""
    return Feedback.objects.filter(assessment=assessment).first() or Feedback(assessment=assessment)


def _stored(feedback: Feedback) -> Feedback:
    if feedback.pk is None:
        feedback, _created = Feedback.objects.get_or_create(assessment=feedback.assessment)
    return feedback


def prefill_feedback(*, feedback: Feedback, by: User) -> int:
    """Start the report from the assessors' item comments (only where the report has none)."""
    created = 0
    with transaction.atomic():
        workflow.require(feedback.assessment, "report.draft", by=by)
        feedback = _stored(feedback)
        for row in team_item_scores(feedback.assessment).order_by(
            "item_code", "review__assessor__full_name"
        ):
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
        if created:
            # New texts: a page still showing the ones before must not save over them.
            Feedback.objects.filter(pk=feedback.pk).update(
                version=F("version") + 1, updated_at=timezone.now(), updated_by=by
            )
        audit.record(actor=by, action="feedback.prefill", obj=feedback, new={"entries": created})
    return created


def split_paragraphs(text: str) -> list[str]:
    parts = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n")]
    return [part for part in parts if part]


class EditConflict(autosave.EditConflict):
    """Someone else saved the report's texts after this page loaded them; `kept` is what the
    page sent (KeptReportEdit)."""

    current: Feedback
    kept: KeptReportEdit


def save_feedback(
    *,
    feedback: Feedback,
    blocks: dict[tuple[str, str, str], str],
    themes: list[tuple[str, str]],
    conclusion: str,
    by: User,
    base_version: int | None = None,
) -> Feedback:
    """Replace the report's texts. `blocks` maps (scope, key, kind) to paragraphs separated by
    a blank line; themes are (title, text).

    With `base_version` (the version the page loaded), texts that someone else has changed
    since are not saved over: what was sent is kept and EditConflict raised. Saving the texts
    as they stand changes nothing."""
    conflict: EditConflict | None = None
    proposed = _proposed_json(blocks, themes, conclusion)
    with transaction.atomic():
        workflow.require(feedback.assessment, "report.draft", by=by)
        stored = _stored(feedback)
        current = Feedback.objects.select_for_update().get(pk=stored.pk)
        old = _feedback_json(current)
        if proposed == old:
            return current
        if base_version is not None and current.version != base_version:
            texts = {"blocks": [[*key, text] for key, text in blocks.items()], "themes": themes}
            texts["conclusion"] = conclusion
            conflict = EditConflict(current, _keep_refused(current, texts, by))
        else:
            _write_texts(current, proposed)
            current.version += 1
            current.updated_at, current.updated_by = timezone.now(), by
            current.save(update_fields=["conclusion", "version", "updated_at", "updated_by"])
            audit.record(actor=by, action="feedback.edit", obj=current, old=old, new=proposed)
    # Raised after the block so that the refused texts stay stored.
    if conflict is not None:
        raise conflict
    return current


def save_kept_edit(*, kept: KeptReportEdit, base_version: int, by: User) -> Feedback:
    """Save texts that were refused in a conflict over the version now stored, which the lead
    has seen (`base_version`); the newer texts stay in the audit trail."""
    texts = kept.texts
    feedback = save_feedback(
        feedback=kept.feedback,
        blocks={(scope, key, kind): text for scope, key, kind, text in texts["blocks"]},
        themes=[(title, text) for title, text in texts["themes"]],
        conclusion=texts["conclusion"],
        by=by,
        base_version=base_version,
    )
    kept.delete()
    return feedback


def _keep_refused(current: Feedback, texts: dict[str, Any], by: User) -> KeptReportEdit:
    kept, _created = KeptReportEdit.objects.update_or_create(
        feedback=current,
        against_version=current.version,
        saved_by=by,
        defaults={"texts": texts},
    )
    return kept


def _proposed_json(
    blocks: dict[tuple[str, str, str], str], themes: list[tuple[str, str]], conclusion: str
) -> dict[str, Any]:
    """The texts as `_feedback_json` reads them back once saved."""
    entries = [
        [scope, key, kind, position, "", paragraph]
        for (scope, key, kind), text in blocks.items()
        for position, paragraph in enumerate(split_paragraphs(strip_controls(text)), start=1)
    ]
    kept_themes = [
        (strip_controls(title).strip(), strip_controls(text).strip())
        for title, text in themes
        if title.strip() or text.strip()
    ]
    entries += [
        ["overall", "", "theme", position, title, text]
        for position, (title, text) in enumerate(kept_themes, start=1)
    ]
    return {"conclusion": strip_controls(conclusion).strip(), "entries": sorted(entries)}


def _write_texts(feedback: Feedback, texts: dict[str, Any]) -> None:
    feedback.entries.filter(scope__in=["item", "category", "pillar"]).delete()
    feedback.entries.filter(scope="overall", kind="theme").delete()
    FeedbackEntry.objects.bulk_create(
        FeedbackEntry(
            feedback=feedback,
            scope=scope,
            key=key,
            kind=kind,
            position=position,
            title=title,
            text=text,
        )
        for scope, key, kind, position, title, text in texts["entries"]
    )
    feedback.conclusion = texts["conclusion"]


def _feedback_json(feedback: Feedback) -> dict[str, Any]:
    entries = feedback.entries.filter(
        Q(scope__in=["item", "category", "pillar"]) | Q(scope="overall", kind="theme")
    )
    return {
        "conclusion": feedback.conclusion,
        "entries": sorted(
            [e.scope, e.key, e.kind, e.position, e.title, e.text] for e in entries.all()
        ),
    }


@dataclass(frozen=True)
class Gap:
    """Something the report's kind needs that is not written yet, and the box where it goes on
    the lead's page."""

    message: str
    field: str

    def __str__(self) -> str:
        return self.message


def report_gaps(feedback: Feedback) -> list[Gap]:
    """What the cycle's kind of report must hold and this one does not (pmqa.feedback.kinds):
    the award report an opportunity for improvement for every item 1.1–6.4 and for category 7,
    each pillar and a conclusion; the status assessment strengths and points to develop for
    every category (its own or its items')."""
    assessment = feedback.assessment
    kind = kind_of(assessment.cycle.report_type)
    written = {(e.scope, e.key, e.kind) for e in feedback.entries.all()} if feedback.pk else set()
    gaps: list[Gap] = []
    for category in criteria_tree(assessment.cycle.edition):
        number = str(category.number)
        codes = [item.code for item in category.items.all()]

        def has(text_kind: str, number: str = number, codes: list[str] = codes) -> bool:
            return ("category", number, text_kind) in written or any(
                ("item", code, text_kind) in written for code in codes
            )

        if kind.needs_category_texts:
            if not has("strength"):
                gaps.append(
                    Gap(
                        _("Category %(number)s has no strengths.") % {"number": number},
                        f"category-{number}-strength",
                    )
                )
            if not has("ofi"):
                gaps.append(
                    Gap(
                        _("Category %(number)s has no points to develop.") % {"number": number},
                        f"category-{number}-ofi",
                    )
                )
        if kind.needs_item_ofis:
            if category.kind == "process":
                gaps += [
                    Gap(
                        _("Item %(code)s has no opportunity for improvement.") % {"code": code},
                        f"item-{code}-ofi",
                    )
                    for code in codes
                    if ("item", code, "ofi") not in written
                ]
            elif not has("ofi"):
                gaps.append(
                    Gap(
                        _("Category %(number)s has no opportunity for improvement.")
                        % {"number": number},
                        f"category-{number}-ofi",
                    )
                )
    if kind.needs_pillars:
        gaps += [
            Gap(
                _("The pillar “%(pillar)s” has no outstanding achievement.")
                % {"pillar": pillar.name_th},
                f"pillar-{pillar.code}",
            )
            for pillar in Pillar.objects.filter(edition=assessment.cycle.edition).order_by(
                "position"
            )
            if ("pillar", pillar.code, "achievement") not in written
        ]
    if kind.needs_conclusion and not feedback.conclusion.strip():
        gaps.append(Gap(_("The overall conclusion is empty."), "conclusion"))
    return gaps


# The assessment status each step of the report moves to (the action table says from which);
# the report's status is read from it.
_MOVES_TO = {
    "submit": Assessment.Status.REPORT_DRAFTED,
    "approve": Assessment.Status.REPORT_APPROVED,
    "return": Assessment.Status.CONSENSUS,
    "publish": Assessment.Status.PUBLISHED,
}


def feedback_step(
    *,
    feedback: Feedback,
    action: str,
    by: User,
    comment: str = "",
    today: datetime.date | None = None,
) -> Feedback:
    if action not in _MOVES_TO:
        raise ServiceError(_("Unknown action."))
    assessment = feedback.assessment
    with transaction.atomic():
        workflow.require(assessment, f"report.{action}", by=by)
        feedback = _stored(feedback)
        feedback.assessment = assessment  # its status, just read under lock, is the report's
        feedback.return_comment = (
            Feedback.objects.filter(pk=feedback.pk).values_list("return_comment", flat=True).get()
        )
        if action == "return" and not comment.strip():
            raise ServiceError(_("Say what the lead assessor should change."))
        if action in ("submit", "approve") and (gaps := report_gaps(feedback)):
            raise ServiceError(
                _("The report is not complete: %(gaps)s")
                % {"gaps": " ".join(str(gap) for gap in gaps)}
            )
        old = feedback.status
        fields = []
        if action == "return":
            feedback.return_comment = comment.strip()
            fields.append("return_comment")
        if action == "publish":
            feedback.published_on = today or timezone.localdate()
            # Printed from now on as the organisation is called today, whatever it becomes.
            feedback.organisation_name = assessment.organisation.official_name_th
            feedback.organisation_short_name = assessment.organisation.short_name_th
            fields += ["published_on", "organisation_name", "organisation_short_name"]
        if fields:
            feedback.save(update_fields=fields)
        # A return goes back to consensus, for drafting. The comment is for the lead: it stays
        # on the report (which it marks returned) and in the audit trail, not in the status
        # history that the agency reads.
        if action == "return" and assessment.status == Assessment.Status.REPORT_APPROVED:
            change_status(assessment=assessment, to=Assessment.Status.REPORT_DRAFTED, by=by)
        change_status(assessment=assessment, to=_MOVES_TO[action], by=by)
        audit.record(
            actor=by,
            action=f"feedback.{action}",
            obj=feedback,
            old=old,
            new=feedback.status,
            reason=comment.strip(),
        )
        if action == "publish":
            _announce_issued(assessment)
        handoffs.report_step(
            assessment, action, comment.strip(), key=f"report:{action}:{_step_key(feedback)}", by=by
        )
    return feedback


def _step_key(feedback: Feedback) -> str:
    """This step as an event: the status change it has just made (a report is sent, returned
    and sent again; each is told)."""
    change = feedback.assessment.status_changes.order_by("-pk").values_list("pk", flat=True)
    return f"{feedback.assessment_id}:{change.first() or 0}"


def _announce_issued(assessment: Assessment) -> None:
    """Once committed, the report's files are printed and stored (in the background)."""
    # robust: the publication stands even if queueing fails; the download then prints.
    transaction.on_commit(
        lambda: report_issued.send(sender=Feedback, assessment_id=assessment.pk), robust=True
    )


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
            categories=consensus_categories(assessment, tree),
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
        _announce_issued(assessment)
        handoffs.report_corrected(
            assessment, revision.reason, key=f"report:revise:{revision.pk}", by=by
        )
    return revision
