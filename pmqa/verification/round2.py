"""Round 2: the Application Report an agency uploads, its scores and the recorded result."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.models import User
from pmqa.assessments import workflow
from pmqa.assessments.models import Assessment, ScoreSnapshot
from pmqa.assessments.services import (
    ServiceError,
    round2_eligible,
    verified_total,
)
from pmqa.audit import services as audit
from pmqa.lib.uploads import UploadRefused, check_content, check_name
from pmqa.scoring.engine import mean
from pmqa.verification.models import (
    ApplicationReport,
    Round2Score,
)


def round2_final(assessment: Assessment) -> ScoreSnapshot | None:
    return verified_total(assessment, round_number=2)


def _round2_open(assessment: Assessment) -> None:
    if round2_final(assessment) is not None:
        raise workflow.ActionRefused(
            _("The round 2 score has been recorded; round 2 can no longer change.")
        )


def _upload_problem(assessment: Assessment) -> None:
    _round2_open(assessment)
    if Round2Score.objects.filter(assessment=assessment).exists():
        raise workflow.ActionRefused(
            _(
                "The assessors have started scoring the Application Report, so it can no "
                "longer be replaced."
            )
        )
    if not round2_eligible(assessment):
        raise ServiceError(_("This assessment has not reached the round 2 threshold."))


def upload_application_report(
    *, assessment: Assessment, upload: Any, raw_name: str | None, limit: int, by: User
) -> ApplicationReport:
    # Refused early, before the upload is read; checked again, locked, before anything is saved.
    workflow.check(assessment, "round2.upload", by=by)
    _upload_problem(assessment)
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
    stored = ""
    try:
        with transaction.atomic():
            workflow.require(assessment, "round2.upload", by=by)
            _upload_problem(assessment)
            report = ApplicationReport.objects.filter(
                assessment=assessment
            ).first() or ApplicationReport(assessment=assessment)
            old, replaced = report.original_name or None, report.file.name if report.pk else ""
            report.original_name = name
            report.size = upload.size or 0
            report.sha256 = digest.hexdigest()
            report.uploaded_by = by
            report.file.save("upload", upload, save=False)
            stored = report.file.name
            report.save()
            audit.record(actor=by, action="round2.upload", obj=report, old=old, new=name)
            if replaced:
                transaction.on_commit(lambda: report.file.storage.delete(replaced))
    except Exception:
        # Nothing was recorded, so the file just written must not stay behind.
        if stored:
            report.file.storage.delete(stored)
        raise
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
