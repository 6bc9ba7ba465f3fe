"""Personal data under the PDPA (B.E. 2562): what the system holds about a person, for them
to download, and erasure that pseudonymises a person while the audit trail and published
reports stay whole."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa.accounts.models import Membership, User
from pmqa.assessments import workflow
from pmqa.assessments.models import Evidence, OutgoingMail, Revision
from pmqa.audit import services as audit
from pmqa.audit.models import AuditEntry
from pmqa.lib.errors import ServiceError
from pmqa.notifications.models import Notification, Preference
from pmqa.verification.models import Assignment, Clarification, Review

ERASED_PREFIX = "erased-"


def _day(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _assessment(a: Any) -> dict[str, Any]:
    return {"fiscal_year": a.cycle.fiscal_year, "organisation": a.organisation.code}


def personal_data(user: User) -> dict[str, Any]:
    """Everything stored about `user` as a person: the account, roles, and what they did.
    The content of answers and reports belongs to the organisations and is not personal data
    of whoever typed it; which answers they saved, and when, is."""
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    revisions = Revision.objects.filter(saved_by=user).select_related(
        "answer__assessment__cycle", "answer__assessment__organisation"
    )
    evidence = Evidence.objects.filter(uploaded_by=user).select_related(
        "assessment__cycle", "assessment__organisation"
    )
    reviews = Review.objects.filter(assessor=user).select_related(
        "assessment__cycle", "assessment__organisation"
    )
    teams = Assignment.objects.filter(assessor=user).select_related(
        "assessment__cycle", "assessment__organisation"
    )
    questions = Clarification.objects.filter(asked_by=user).select_related(
        "assessment__cycle", "assessment__organisation"
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.get_username(),
            "full_name": user.full_name,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "active": user.is_active,
            "joined": _day(user.date_joined),
            "last_login": _day(user.last_login),
        },
        "roles": [
            {
                "role": m.role,
                "organisation": m.organisation.code if m.organisation else None,
                "from": _day(m.starts_on),
                "until": _day(m.ends_on),
            }
            for m in memberships
        ],
        "answers_saved": [
            {
                **_assessment(r.answer.assessment),
                "part": r.answer.key,
                "version": r.version,
                "saved_at": _day(r.saved_at),
            }
            for r in revisions.order_by("saved_at")
        ],
        "evidence_added": [
            {
                **_assessment(e.assessment),
                "label": e.label,
                "file": e.original_name,
                "at": _day(e.uploaded_at),
            }
            for e in evidence.order_by("uploaded_at")
        ],
        "assessor_teams": [{**_assessment(t.assessment), "lead": t.is_lead} for t in teams],
        "reviews": [
            {**_assessment(r.assessment), "submitted_at": _day(r.submitted_at)} for r in reviews
        ],
        "questions_asked": [
            {**_assessment(q.assessment), "item": q.item_code, "asked_at": _day(q.asked_at)}
            for q in questions
        ],
        "notifications": [
            {"at": _day(n.created_at), "subject": n.subject, "read_at": _day(n.read_at)}
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "id")
        ],
        "notification_choices": dict(
            Preference.objects.filter(user=user).values_list("kind", "delivery")
        ),
        "activity": [
            {
                "at": _day(e.at),
                "action": e.action,
                "object": f"{e.object_type}:{e.object_id}",
                "address": e.ip,
            }
            for e in AuditEntry.objects.filter(actor=user).order_by("at")
        ],
        # What others (or failed logins under this name) did to the account.
        "about_the_account": [
            {"at": _day(e.at), "action": e.action, "by": e.actor_id, "address": e.ip}
            for e in AuditEntry.objects.filter(
                Q(object_type="accounts.user", object_id=str(user.pk))
                | Q(
                    action__in=("auth.login_failed", "auth.lockout"),
                    new__username_hash=audit.typed_identifier(user.username),
                )
            )
            .exclude(actor=user)
            .order_by("at")
        ],
        "api_tokens": _rows(
            "accounts.ApiToken", user, ("name", "prefix", "created_at", "revoked_at")
        ),
        "two_factor_devices": _rows("otp_totp.TOTPDevice", user, ("name", "confirmed")),
        "e_mails_sent_to_you": [
            {"subject": m[0], "queued": _day(mail.created_at), "sent": _day(mail.sent_at)}
            for mail in OutgoingMail.objects.filter(messages__icontains=user.email)
            if user.email
            for m in mail.messages
            if user.email in m[3]
        ],
    }


def _rows(label: str, user: User, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The person's rows of an app's model, if the app is installed."""
    try:
        model = apps.get_model(label)
    except LookupError:
        return []
    names = [f for f in fields if any(field.name == f for field in model._meta.fields)]
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in model.objects.filter(user=user).values(*names)
    ]


def _replace(text: str, words: list[tuple[str, str]]) -> str:
    for old, new in words:
        text = text.replace(old, new)
    return text


def erase_person(*, person: User, reason: str, by: Any) -> User:
    """Pseudonymise `person` on their request: name, e-mail and login go; the account can no
    longer be used; roles end today. The rows that say what they did stay, now naming the
    pseudonym, so the audit trail, reviews and published reports are unchanged."""
    workflow.require_admin(by)
    if not reason.strip():
        raise ServiceError(_("Give the reason for the erasure (the person's request)."))
    if person.pk == getattr(by, "pk", None):
        raise ServiceError(_("Another administrator must erase your own account."))
    if person.username.startswith(ERASED_PREFIX):
        raise ServiceError(_("This person's data has already been erased."))
    old_username, old_email, old_name = person.username, person.email, person.full_name
    # How messages name a person without a full name: first and last (get_full_name).
    old_plain = f"{person.first_name} {person.last_name}".strip()
    with transaction.atomic():
        person.username = f"{ERASED_PREFIX}{person.pk}"
        person.full_name = _("Erased person %(number)s") % {"number": person.pk}
        person.first_name = person.last_name = person.email = ""
        person.is_active = False
        person.set_unusable_password()
        person.save()
        # Roles end yesterday, so none is current today; a role begun today ends as it began
        # (the account is closed either way). The rows stay: they are how a conflict of
        # interest ("belongs or belonged") is found.
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        current = Membership.objects.filter(user=person).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=yesterday)
        )
        current.filter(starts_on__lte=yesterday).update(ends_on=yesterday)
        current.filter(starts_on__gt=yesterday).update(ends_on=F("starts_on"))
        for label in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
            with contextlib.suppress(LookupError):  # the app is not installed
                apps.get_model(label).objects.filter(user=person).delete()
        try:
            tokens = apps.get_model("accounts", "ApiToken")
        except LookupError:
            tokens = None
        if tokens is not None:
            tokens.objects.filter(user=person).delete()
        # django-axes' records of login attempts under the old name (address, browser), in
        # whatever case it was typed.
        for label in ("axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog"):
            with contextlib.suppress(LookupError):
                apps.get_model(label).objects.filter(username__iexact=old_username).delete()
        # Recorded e-mails keep no address of theirs, and name the pseudonym where they named
        # them (a submission "by" them; stored as JSON, Thai is escaped, so every mail is read).
        words = [
            (w, n)
            for w, n in (
                (old_username, person.username),
                (old_name, person.full_name),
                (old_plain, person.full_name),
            )
            if w
        ]
        for mail in OutgoingMail.objects.iterator():
            messages = [
                [*(_replace(part, words) for part in m[:3]), [a for a in m[3] if a != old_email]]
                for m in mail.messages
            ]
            if messages != mail.messages:
                mail.messages = messages
                mail.save(update_fields=["messages"])
        # What they were told goes; what others were told names the pseudonym where it named
        # them (a return "by" them, a review they submitted).
        Notification.objects.filter(recipient=person).delete()
        Preference.objects.filter(user=person).delete()
        User.objects.filter(pk=person.pk).update(unread_notifications=0)
        for word, pseudonym in words:
            for notification in Notification.objects.filter(
                Q(subject__contains=word) | Q(body__contains=word)
            ):
                notification.subject = notification.subject.replace(word, pseudonym)
                notification.body = notification.body.replace(word, pseudonym)
                notification.save(update_fields=["subject", "body"])
        audit.record(actor=by, action="person.erase", obj=person, reason=reason.strip())
    return person
