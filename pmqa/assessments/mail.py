"""The e-mail the self-assessment sends itself: the submission receipt. (Hand-offs and
deadlines are told through pmqa.notifications.)

Each is recorded (OutgoingMail) in the transaction of the change that causes it, and a task
sends it once that transaction has committed (pmqa.assessments.tasks.deliver_mail)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa.accounts.models import AGENCY_ROLES, Membership, User
from pmqa.assessments.models import (
    Assessment,
    OutgoingMail,
)
from pmqa.lib.tasks import enqueue_on_commit
from pmqa.lib.thai import format_date_be

Message = tuple[str, str, str, list[str]]


def queue_mail(key: str, messages: list[Message]) -> None:
    """Record the e-mails and send them once the current transaction commits. A key already
    recorded queues nothing: the same event never mails twice."""
    from pmqa.assessments.tasks import deliver_mail

    # One row per message, so that one refused message never sends another twice.
    for number, message in enumerate(messages, start=1):
        mail, created = OutgoingMail.objects.get_or_create(
            key=key if len(messages) == 1 else f"{key}:{number}",
            defaults={"messages": [list(message)]},
        )
        if created:
            enqueue_on_commit(deliver_mail, mail.pk)


def agency_addresses(assessment: Assessment) -> list[str]:
    members = Membership.objects.current().filter(
        organisation=assessment.organisation, role__in=AGENCY_ROLES, user__is_active=True
    )
    return sorted({m.user.email for m in members.select_related("user") if m.user.email})


def queue_unsent(*, older_than: datetime.timedelta = datetime.timedelta(minutes=10)) -> int:
    """Queue again the recorded e-mails never handed to the mail server (it was down, or the
    queue lost the task); the daily `send_reminders` run calls it. Returns how many."""
    from pmqa.assessments.tasks import deliver_mail

    waiting = OutgoingMail.objects.filter(
        handed_at__isnull=True, created_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    count = 0
    for pk in waiting:
        deliver_mail.enqueue(pk)
        count += 1
    return count


def send_submission_mail(assessment: Assessment, by: User, *, key: str) -> None:
    link = settings.PMQA_SITE_URL + reverse("assessments:home", args=[assessment.pk])
    context = {
        "organisation": assessment.organisation.official_name_th,
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
    agency = agency_addresses(assessment)
    if agency:
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, agency))
    queue_mail(key, messages)
