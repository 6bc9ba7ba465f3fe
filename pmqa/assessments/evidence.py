"""Evidence an agency offers: files checked by content, links, labels cited by narratives."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from pmqa.accounts.models import User
from pmqa.assessments import workflow
from pmqa.assessments.models import (
    Assessment,
    Evidence,
)
from pmqa.audit import services as audit
from pmqa.lib.errors import ServiceError
from pmqa.lib.uploads import UploadRefused, check_content, check_name


def evidence_limit() -> int:
    return int(settings.PMQA_EVIDENCE_MAX_MB) * 1_048_576


def _check_label(assessment: Assessment, label: str) -> str:
    label = " ".join(label.split())
    if not label:
        raise ServiceError(_("Give the evidence a short label, for example “Strategic plan 2568”."))
    if len(label) > 60:
        raise ServiceError(_("Keep the label to 60 characters or fewer."))
    if "[" in label or "]" in label:
        raise ServiceError(_("A label cannot contain square brackets."))
    if Evidence.objects.filter(assessment=assessment, label=label).exists():
        raise ServiceError(
            _("The label “%(label)s” is already used; choose another.") % {"label": label}
        )
    return label


def add_evidence_file(
    *,
    assessment: Assessment,
    upload: UploadedFile | None,
    raw_name: str | None,
    label: str,
    by: User,
    action: str = "answer.edit",
) -> Evidence:
    """Store an uploaded file as evidence of the assessment. `action` is what allows it: the
    answers' editing, or (a file sent with an answer to the assessors) answering them."""
    # Refused early, before the upload is read; checked again, locked, before it is saved.
    workflow.check(assessment, action, by=by)
    if upload is None:
        if raw_name is not None:
            check_name(raw_name)
        raise ServiceError(_("Choose a file to upload."))
    try:
        name = check_name(raw_name if raw_name is not None else upload.name or "")
        _kind, mime = check_content(name, upload, upload.size or 0, evidence_limit())
    except UploadRefused as error:
        raise ServiceError(str(error)) from None
    label = _check_label(assessment, label)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        assessment=assessment,
        label=label,
        kind=Evidence.Kind.FILE,
        original_name=name,
        content_type=mime,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    evidence.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            workflow.require(assessment, action, by=by)
            evidence.save()
            audit.record(actor=by, action="evidence.add", obj=evidence, new={"label": label})
    except IntegrityError:
        evidence.file.delete(save=False)
        raise ServiceError(
            _("The label “%(label)s” is already used; choose another.") % {"label": label}
        ) from None
    except ServiceError:
        evidence.file.delete(save=False)
        raise
    return evidence


def add_evidence_link(
    *,
    assessment: Assessment,
    url: str,
    label: str,
    by: User,
) -> Evidence:
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ServiceError(
            _("Enter a full web address that starts with https:// or http://.")
        ) from None
    with transaction.atomic():
        workflow.require(assessment, "answer.edit", by=by)
        label = _check_label(assessment, label)
        evidence = Evidence.objects.create(
            assessment=assessment, label=label, kind=Evidence.Kind.LINK, url=url, uploaded_by=by
        )
        audit.record(
            actor=by, action="evidence.add", obj=evidence, new={"label": label, "url": url}
        )
    return evidence


def citing_keys(evidence: Evidence) -> list[str]:
    """Items and sections whose current answer cites this evidence."""
    return [
        answer.key
        for answer in evidence.assessment.answers.all()
        if evidence.pk in ((answer.data or {}).get("evidence") or [])
    ]


def delete_evidence(*, evidence: Evidence, by: User) -> None:
    workflow.check(evidence.assessment, "answer.edit", by=by)
    cited = citing_keys(evidence)
    if cited:
        raise ServiceError(
            _("“%(label)s” is cited by %(items)s. Remove the citations first.")
            % {"label": evidence.label, "items": ", ".join(cited)}
        )
    if evidence.assessment.submissions.exists():
        raise ServiceError(
            _("Evidence of an assessment that has been submitted is kept; it cannot be deleted.")
        )
    with transaction.atomic():
        workflow.require(evidence.assessment, "answer.edit", by=by)
        audit.record(
            actor=by, action="evidence.delete", obj=evidence, old={"label": evidence.label}
        )
        stored = evidence.file.name if evidence.file else ""
        evidence.delete()
        if stored:
            transaction.on_commit(lambda: evidence.file.storage.delete(stored))
