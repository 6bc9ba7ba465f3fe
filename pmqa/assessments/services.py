"""State changes of assessments: windows, answers and their versions, evidence, submission.

Every function here is keyword-only, validates, saves, and records who did it. Views call
these; nothing else writes these tables.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.models import AGENCY_ROLES, Membership, Role
from pmqa.accounts.roles import access_for
from pmqa.assessments import answers as content
from pmqa.assessments import workflow
from pmqa.assessments.models import (
    TRANSITIONS,
    Answer,
    Assessment,
    Cycle,
    Evidence,
    Revision,
    Round,
    ScoreSnapshot,
    StatusChange,
    Submission,
    WindowExtension,
)
from pmqa.assessments.profile import SECTIONS
from pmqa.audit import services as audit
from pmqa.criteria.models import Category
from pmqa.lib.errors import ServiceError
from pmqa.lib.text import strip_controls
from pmqa.lib.thai import format_date_be
from pmqa.lib.uploads import UploadRefused, check_content, check_name


def record_category_scores(
    *,
    assessment: Assessment,
    source: str,
    categories: dict[str, Decimal],
    by=None,  # type: ignore[no-untyped-def]
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
# Cycles and windows


def create_cycle(
    *,
    fiscal_year: int,
    edition,  # type: ignore[no-untyped-def]
    rounds: dict[int, tuple[datetime.date, datetime.date]],
    round2_threshold: Decimal | None,
    by,  # type: ignore[no-untyped-def]
    review_due_on: datetime.date | None = None,
) -> Cycle:
    workflow.require_admin(by)
    if Cycle.objects.filter(fiscal_year=fiscal_year).exists():
        raise ServiceError(
            _("A cycle for fiscal year %(year)s already exists.") % {"year": fiscal_year}
        )
    with transaction.atomic():
        cycle = Cycle.objects.create(
            fiscal_year=fiscal_year,
            edition=edition,
            round2_threshold=round2_threshold,
            review_due_on=review_due_on,
        )
        for number, (opens_on, closes_on) in sorted(rounds.items()):
            Round.objects.create(cycle=cycle, number=number, opens_on=opens_on, closes_on=closes_on)
        audit.record(
            actor=by,
            action="cycle.create",
            obj=cycle,
            new={
                "fiscal_year": fiscal_year,
                "edition": edition.code,
                "rounds": {str(n): [o.isoformat(), c.isoformat()] for n, (o, c) in rounds.items()},
            },
        )
    return cycle


def update_round(
    *,
    cycle: Cycle,
    number: int,
    opens_on: datetime.date,
    closes_on: datetime.date,
    by,  # type: ignore[no-untyped-def]
) -> Round:
    workflow.require_admin(by)
    with transaction.atomic():
        round_, created = Round.objects.select_for_update().get_or_create(
            cycle=cycle, number=number, defaults={"opens_on": opens_on, "closes_on": closes_on}
        )
        old = None if created else [round_.opens_on.isoformat(), round_.closes_on.isoformat()]
        round_.opens_on, round_.closes_on = opens_on, closes_on
        round_.save(update_fields=["opens_on", "closes_on"])
        audit.record(
            actor=by,
            action="round.update",
            obj=round_,
            old=old,
            new=[opens_on.isoformat(), closes_on.isoformat()],
        )
    return round_


def grant_extension(
    *,
    round_: Round,
    organisation,  # type: ignore[no-untyped-def]
    closes_on: datetime.date,
    reason: str,
    by,  # type: ignore[no-untyped-def]
) -> WindowExtension:
    workflow.require_admin(by)
    if closes_on <= round_.closes_on:
        raise ServiceError(
            _("An extension must end after the round closes (%(day)s).")
            % {"day": format_date_be(round_.closes_on)}
        )
    if not reason.strip():
        raise ServiceError(_("Give the reason for the extension."))
    with transaction.atomic():
        existing = WindowExtension.objects.filter(round=round_, organisation=organisation).first()
        old = existing.closes_on.isoformat() if existing else None
        extension, _created = WindowExtension.objects.update_or_create(
            round=round_,
            organisation=organisation,
            defaults={"closes_on": closes_on, "reason": reason.strip(), "granted_by": by},
        )
        audit.record(
            actor=by,
            action="round.extend",
            obj=extension,
            old=old,
            new=closes_on.isoformat(),
            reason=reason.strip(),
        )
    return extension


@dataclass(frozen=True)
class Window:
    """Whether an organisation may edit in a round today, and the sentence that says so."""

    is_open: bool
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    extended: bool
    message: str

    @property
    def days_left(self) -> int | None:
        if not self.is_open or self.closes_on is None:
            return None
        return (self.closes_on - timezone.localdate()).days


def window_for(
    assessment: Assessment, *, number: int = 1, today: datetime.date | None = None
) -> Window:
    today = today or timezone.localdate()
    round_ = next((r for r in assessment.cycle.rounds.all() if r.number == number), None)
    if round_ is None:
        return Window(False, None, None, False, _("No dates have been set for this round yet."))
    extension = next(
        (e for e in round_.extensions.all() if e.organisation_id == assessment.organisation_id),
        None,
    )
    closes_on = extension.closes_on if extension else round_.closes_on
    if today < round_.opens_on:
        return Window(
            False,
            round_.opens_on,
            closes_on,
            bool(extension),
            _("This round opens on %(day)s. Until then the answers can be read but not changed.")
            % {"day": format_date_be(round_.opens_on)},
        )
    if today > closes_on:
        return Window(
            False,
            round_.opens_on,
            closes_on,
            bool(extension),
            _("This round closed on %(day)s. The answers can be read but no longer changed.")
            % {"day": format_date_be(closes_on)},
        )
    if extension:
        message = _("Open until %(day)s (extended for your organisation).") % {
            "day": format_date_be(closes_on)
        }
    else:
        message = _("Open until %(day)s.") % {"day": format_date_be(closes_on)}
    return Window(True, round_.opens_on, closes_on, bool(extension), message)


# ---------------------------------------------------------------------------------------------
# Starting and answering


def answer_keys(assessment: Assessment) -> list[tuple[str, str]]:
    keys = [(Answer.Kind.PROFILE, section.code) for section in SECTIONS]
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
    organisation,  # type: ignore[no-untyped-def]
    by,  # type: ignore[no-untyped-def]
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


class EditConflict(Exception):
    """Someone else saved this answer after the editor loaded it."""

    def __init__(self, current: Answer, refused: Revision) -> None:
        super().__init__("edit conflict")
        self.current = current
        self.refused = refused


def save_answer(
    *,
    answer: Answer,
    data: dict[str, Any],
    base_version: int,
    by,  # type: ignore[no-untyped-def]
    note: str = "",
) -> Answer:
    """Save new content if nobody saved since `base_version`; else keep the refused content as a
    revision and raise EditConflict. Saving unchanged content does nothing."""
    conflict: EditConflict | None = None
    data = strip_controls(data)
    with transaction.atomic():
        workflow.require(answer.assessment, "answer.edit", by=by)
        current = Answer.objects.select_for_update().get(pk=answer.pk)
        if current.data == data:
            return current
        if current.version != base_version:
            conflict = EditConflict(current, _keep_refused(current, data, by))
        else:
            Answer.objects.filter(pk=current.pk).update(
                data=data, version=F("version") + 1, updated_at=timezone.now(), updated_by=by
            )
            current.refresh_from_db()
            Revision.objects.create(
                answer=current, version=current.version, data=data, saved_by=by, note=note
            )
    # Raised after the block so that the refused edit stays stored.
    if conflict is not None:
        raise conflict
    return current


def _keep_refused(current: Answer, data: dict[str, Any], by) -> Revision:  # type: ignore[no-untyped-def]
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
    by,  # type: ignore[no-untyped-def]
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
# Evidence


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
    by,  # type: ignore[no-untyped-def]
) -> Evidence:
    if upload is None:
        if raw_name is not None:
            check_name(raw_name)
        raise ServiceError(_("Choose a file to upload."))
    try:
        name = check_name(raw_name if raw_name is not None else upload.name or "")
        _kind, mime = check_content(name, upload, upload.size or 0, evidence_limit())
    except UploadRefused as error:
        raise ServiceError(str(error)) from None
    with transaction.atomic():
        workflow.require(assessment, "answer.edit", by=by)
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
            workflow.require(assessment, "answer.edit", by=by)
            evidence.save()
            audit.record(actor=by, action="evidence.add", obj=evidence, new={"label": label})
    except IntegrityError:
        evidence.file.delete(save=False)
        raise ServiceError(
            _("The label “%(label)s” is already used; choose another.") % {"label": label}
        ) from None
    return evidence


def add_evidence_link(
    *,
    assessment: Assessment,
    url: str,
    label: str,
    by,  # type: ignore[no-untyped-def]
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


def delete_evidence(*, evidence: Evidence, by) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        workflow.require(evidence.assessment, "answer.edit", by=by)
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


# ---------------------------------------------------------------------------------------------
# Status, submission, reopening


def change_status(
    *,
    assessment: Assessment,
    to: str,
    by,  # type: ignore[no-untyped-def]
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


def _agency_addresses(assessment: Assessment) -> list[str]:
    members = Membership.objects.current().filter(
        organisation=assessment.organisation, role__in=AGENCY_ROLES, user__is_active=True
    )
    return sorted({m.user.email for m in members.select_related("user") if m.user.email})


def _assessor_addresses(assessment: Assessment) -> list[str]:
    return sorted(
        {
            a.assessor.email
            for a in assessment.assignments.select_related("assessor")
            if a.assessor.email and a.assessor.is_active
        }
    )


def submit_assessment(
    *, assessment: Assessment, by, today: datetime.date | None = None
) -> Submission:  # type: ignore[no-untyped-def]
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
        transaction.on_commit(lambda: _send_submission_mail(assessment, by))
    return submission


def _send_submission_mail(assessment: Assessment, by) -> None:  # type: ignore[no-untyped-def]
    link = settings.PMQA_SITE_URL + reverse("assessments:home", args=[assessment.pk])
    context = {
        "organisation": assessment.organisation.name_th,
        "year": assessment.cycle.fiscal_year,
        "who": by.get_full_name() or by.get_username(),
        "when": format_date_be(timezone.localdate()),
        "link": link,
    }
    subject = (
        _("%(organisation)s submitted its PMQA 4.0 self-assessment for fiscal year %(year)s")
        % context
    )
    body = (
        _(
            "%(who)s submitted the PMQA 4.0 self-assessment of %(organisation)s for fiscal year "
            "%(year)s on %(when)s.\n\nThe submitted answers are frozen; assessors review this "
            "version.\n\n%(link)s\n"
        )
        % context
    )
    messages = []
    agency = _agency_addresses(assessment)
    if agency:
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, agency))
    assessors = _assessor_addresses(assessment)
    if assessors:
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, assessors))
    if messages:
        send_mass_mail(messages, fail_silently=False)


def reopen_assessment(*, assessment: Assessment, reason: str, by) -> StatusChange:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        workflow.require(assessment, "assessment.reopen", by=by)
        if not reason.strip():
            raise ServiceError(_("Give the reason for reopening; the agency will see it."))
        return change_status(
            assessment=assessment, to=Assessment.Status.DRAFT, by=by, reason=reason.strip()
        )


def return_to_editors(*, assessment: Assessment, reason: str, by) -> StatusChange:  # type: ignore[no-untyped-def]
    """The approver sends the draft back to the editors with what to change; it stays a draft
    and the editors are told by e-mail."""
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
        transaction.on_commit(lambda: _send_return_mail(assessment, reason.strip(), by))
    return change


def _send_return_mail(assessment: Assessment, reason: str, by) -> None:  # type: ignore[no-untyped-def]
    editors = sorted(
        {
            m.user.email
            for m in Membership.objects.current()
            .filter(
                organisation=assessment.organisation,
                role=Role.AGENCY_EDITOR,
                user__is_active=True,
            )
            .select_related("user")
            if m.user.email
        }
    )
    if not editors:
        return
    context = {
        "organisation": assessment.organisation.name_th,
        "year": assessment.cycle.fiscal_year,
        "who": by.get_full_name() or by.get_username(),
        "reason": reason,
        "link": settings.PMQA_SITE_URL + reverse("assessments:home", args=[assessment.pk]),
    }
    subject = (
        _("The PMQA 4.0 self-assessment of %(organisation)s was returned to the editors") % context
    )
    body = (
        _(
            "%(who)s returned the PMQA 4.0 self-assessment of %(organisation)s for fiscal year "
            "%(year)s to the editors.\n\nWhat to change:\n%(reason)s\n\n%(link)s\n"
        )
        % context
    )
    send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, editors)], fail_silently=False)


def verified_total(assessment: Assessment, *, round_number: int = 1) -> ScoreSnapshot | None:
    """The newest verified snapshot of a round, or None."""
    return (
        ScoreSnapshot.objects.filter(
            assessment=assessment, source="assessor", round_number=round_number
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def round2_eligible(assessment: Assessment) -> bool:
    """Whether the verified round-1 total reached the cycle's round 2 threshold. Only ask it
    where the verified total may be seen: after publication, or on the assessors' side."""
    threshold = assessment.cycle.round2_threshold
    verified = verified_total(assessment) if threshold is not None else None
    return verified is not None and threshold is not None and verified.total >= threshold


# ---------------------------------------------------------------------------------------------
# Reminders


REMINDER_DAYS = (14, 7, 1)


def send_reminders(*, today: datetime.date | None = None) -> list[tuple[str, int]]:
    """E-mail agencies whose round-1 answers are still a draft 14, 7 and 1 days before their
    window closes. Each reminder is sent once; returns (organisation code, days) sent."""
    from pmqa.assessments.models import ReminderSent

    today = today or timezone.localdate()
    sent: list[tuple[str, int]] = []
    rounds = Round.objects.filter(number=1, closes_on__gte=today - datetime.timedelta(days=400))
    for round_ in rounds.select_related("cycle").prefetch_related("extensions"):
        extensions = {e.organisation_id: e.closes_on for e in round_.extensions.all()}
        drafts = Assessment.objects.filter(
            cycle=round_.cycle, status=Assessment.Status.DRAFT, is_synthetic=False
        ).select_related("organisation", "cycle")
        for assessment in drafts:
            closes_on = extensions.get(assessment.organisation_id, round_.closes_on)
            days = (closes_on - today).days
            if days not in REMINDER_DAYS or today < round_.opens_on:
                continue
            addresses = _agency_addresses(assessment)
            if not addresses:
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(
                        round=round_,
                        organisation=assessment.organisation,
                        days_before=days,
                        closes_on=closes_on,
                    )
            except IntegrityError:
                continue
            _send_reminder(assessment, closes_on, days, addresses)
            sent.append((assessment.organisation.code, days))
    return sent


def _send_reminder(
    assessment: Assessment, closes_on: datetime.date, days: int, to: list[str]
) -> None:
    context = {
        "organisation": assessment.organisation.name_th,
        "year": assessment.cycle.fiscal_year,
        "day": format_date_be(closes_on),
        "days": days,
        "link": settings.PMQA_SITE_URL + reverse("assessments:home", args=[assessment.pk]),
    }
    subject = _("%(days)s days left: PMQA 4.0 self-assessment of %(organisation)s") % context
    body = (
        _(
            "The PMQA 4.0 self-assessment of %(organisation)s for fiscal year %(year)s is still a "
            "draft. The round closes on %(day)s, in %(days)s days. Only the approver can submit "
            "it.\n\n%(link)s\n"
        )
        % context
    )
    send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, to)], fail_silently=False)
