"""The self-assessment's background tasks: delivering the e-mails it owes."""

from __future__ import annotations

import logging

from django.core.mail import send_mass_mail
from django.utils import timezone
from django_tasks import task

from pmqa.assessments.models import OutgoingMail

log = logging.getLogger(__name__)


@task()
def deliver_mail(mail_id: int) -> str:
    """Send one recorded e-mail, at most once."""
    if not OutgoingMail.objects.filter(pk=mail_id, handed_at__isnull=True).update(
        handed_at=timezone.now()
    ):
        return "already handed over"  # a second run of the task, or another worker's
    mail = OutgoingMail.objects.get(pk=mail_id)
    try:
        send_mass_mail([tuple(m) for m in mail.messages], fail_silently=False)
    except Exception:
        # Refused or unreachable: not handed over, so it may go later (queue_unsent).
        OutgoingMail.objects.filter(pk=mail_id).update(handed_at=None)
        raise
    OutgoingMail.objects.filter(pk=mail_id).update(sent_at=timezone.now())
    log.info("sent %s", mail.key)
    return "sent"
