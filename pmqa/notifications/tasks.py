"""Sending a notification's e-mail at once, after the hand-off commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django_tasks import task

from pmqa.notifications.models import Notification
from pmqa.notifications.services import mail_text, still_concerned


@task()
def deliver(notification_id: int) -> str:
    """Send one notification's e-mail, at most once, if the person may still be told."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None:
        return "gone"
    if not still_concerned(notification):
        Notification.objects.filter(pk=notification_id, mail=Notification.Mail.WAITING).update(
            mail=Notification.Mail.NONE
        )
        return "no longer concerned"
    # Handed over before it goes: a second run of the task finds it handed and sends nothing.
    if not Notification.objects.filter(pk=notification_id, mail=Notification.Mail.WAITING).update(
        mail=Notification.Mail.HANDED, mailed_at=timezone.now()
    ):
        return "already handed over"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            text = mail_text(notification)
        send_mail(
            notification.subject, text, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email]
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(
            mail=Notification.Mail.WAITING, mailed_at=None
        )
        raise
    Notification.objects.filter(pk=notification_id).update(mail=Notification.Mail.SENT)
    return "sent"
