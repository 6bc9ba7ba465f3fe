"""Telling people at a hand-off: in the centre, and by e-mail as each chose.

`notify` is called by the service that makes the hand-off, inside its transaction, with the
people who act next as they stand at that moment; what it says is true then. The e-mail goes
after the transaction commits, once (`tasks.deliver`), or waits for the day's digest
(`send_digests`, from the daily command)."""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pmqa.accounts.models import AGENCY_ROLES, Membership, Role, User
from pmqa.lib.tasks import enqueue_on_commit
from pmqa.lib.thai import format_date_be
from pmqa.notifications.models import Delivery, Kind, Notification, Preference
from pmqa.organisations.models import Organisation

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


# What becomes of a notification's e-mail by the person's choice.
_MAIL_FOR: dict[str, str] = {
    Delivery.NOW: Notification.Mail.WAITING,
    Delivery.DIGEST: Notification.Mail.DIGEST,
}


@dataclass(frozen=True)
class Message:
    """What one event says: its subject and text (already in the person's language), and the
    page where the person acts."""

    subject: str
    body: str
    url: str


def notify(
    kind: str,
    key: str,
    recipients: Iterable[User],
    message: Message,
    *,
    organisation: Organisation | None = None,
    exclude: User | None = None,
) -> list[Notification]:
    """Tell each recipient (active, not `exclude`, the one who acted) once per event `key`."""
    skip = exclude.pk if exclude is not None else None
    people = {u.pk: u for u in recipients if u.is_active and u.pk != skip}
    if not people:
        return []
    choices = dict(
        Preference.objects.filter(user_id__in=people, kind=kind).values_list("user_id", "delivery")
    )
    told = []
    for pk, person in sorted(people.items()):
        delivery: str = choices.get(pk, Delivery.NOW)
        mail: str = _MAIL_FOR.get(delivery, Notification.Mail.NONE)
        if not person.email:
            mail = Notification.Mail.NONE
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=person,
                    kind=kind,
                    key=key,
                    organisation=organisation,
                    subject=message.subject[:255],
                    body=message.body,
                    url=message.url,
                    mail=mail,
                )
        except IntegrityError:
            continue  # this event was told to this person already
        User.objects.filter(pk=pk).update(unread_notifications=F("unread_notifications") + 1)
        if mail == Notification.Mail.WAITING:
            from pmqa.notifications.tasks import deliver

            enqueue_on_commit(deliver, notification.pk)
        told.append(notification)
    return told


# ---------------------------------------------------------------------------------------------
# Who is told


def agency_people(organisation: Organisation, roles: Iterable[str] = AGENCY_ROLES) -> list[User]:
    """The organisation's editors and approvers (or the roles given) as of today."""
    memberships = Membership.objects.current().filter(
        organisation=organisation, role__in=list(roles), user__is_active=True
    )
    return list({m.user_id: m.user for m in memberships.select_related("user")}.values())


def administrators() -> list[User]:
    memberships = Membership.objects.current().filter(role=Role.ADMINISTRATOR, user__is_active=True)
    return list({m.user_id: m.user for m in memberships.select_related("user")}.values())


# ---------------------------------------------------------------------------------------------
# Reading


def mark_read(user: User, notifications: Iterable[Notification] | None = None) -> int:
    """Mark the given notifications (or all) read; returns how many were unread."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notifications is not None:
        unread = unread.filter(pk__in=[n.pk for n in notifications])
    with transaction.atomic():
        count = unread.update(read_at=timezone.now())
        if count:
            User.objects.filter(pk=user.pk).update(
                unread_notifications=F("unread_notifications") - count
            )
    # The row may have been counted by another request meanwhile: count again if it drifted.
    if count:
        fresh = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        User.objects.filter(pk=user.pk).exclude(unread_notifications=fresh).update(
            unread_notifications=fresh
        )
    return count


# ---------------------------------------------------------------------------------------------
# E-mail


def still_concerned(notification: Notification) -> bool:
    """Whether the person may still be told: active, and for news about an organisation,
    still working there."""
    person = notification.recipient
    if not person.is_active or not person.email:
        return False
    if notification.organisation_id is None:
        return True
    return (
        Membership.objects.current()
        .filter(user=person, organisation_id=notification.organisation_id)
        .exists()
    )


def _footer() -> str:
    where = settings.PMQA_SITE_URL + reverse("notifications:settings")
    return _(
        "You are told this because of your role in the PMQA 4.0 system. Choose how: %(url)s"
    ) % {"url": where}


def mail_text(notification: Notification) -> str:
    link = settings.PMQA_SITE_URL + notification.url
    return f"{notification.body}\n\n{link}\n\n-- \n{_footer()}\n"


def send_digests(*, today: datetime.date | None = None) -> int:
    """Send each person one e-mail with every notification waiting for the digest (those
    they may no longer be told are left out). Returns how many e-mails were sent."""
    day = today or timezone.localdate()
    sent = 0
    waiting = Notification.objects.filter(mail=Notification.Mail.DIGEST).select_related("recipient")
    by_person: dict[int, list[Notification]] = {}
    for notification in waiting.order_by("recipient_id", "created_at", "id"):
        by_person.setdefault(notification.recipient_id, []).append(notification)
    for notifications in by_person.values():
        person = notifications[0].recipient
        told = [n for n in notifications if still_concerned(n)]
        dropped = [n.pk for n in notifications if n not in told]
        Notification.objects.filter(pk__in=dropped).update(mail=Notification.Mail.NONE)
        if not told:
            continue
        # Handed over first: a run repeated after a crash never sends the same digest twice.
        handed = Notification.objects.filter(
            pk__in=[n.pk for n in told], mail=Notification.Mail.DIGEST
        ).update(mail=Notification.Mail.HANDED, mailed_at=timezone.now())
        if not handed:
            continue
        subject = _("PMQA 4.0: %(count)s things for you, %(day)s") % {
            "count": len(told),
            "day": format_date_be(day),
        }
        parts = [f"{n.subject}\n{settings.PMQA_SITE_URL + n.url}" for n in told]
        body = "\n\n".join(parts) + f"\n\n-- \n{_footer()}\n"
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        Notification.objects.filter(pk__in=[n.pk for n in told]).update(mail=Notification.Mail.SENT)
        sent += 1
        log.info("sent a digest of %s to user %s", len(told), person.pk)
    return sent


def set_preferences(user: User, choices: dict[str, str]) -> None:
    """Keep the person's choice per kind (at once is the default and is not stored)."""
    with transaction.atomic():
        for kind, delivery in choices.items():
            if kind not in Kind.values or delivery not in Delivery.values:
                continue
            if delivery == Delivery.NOW:
                Preference.objects.filter(user=user, kind=kind).delete()
            else:
                Preference.objects.update_or_create(
                    user=user, kind=kind, defaults={"delivery": delivery}
                )


def in_site_language(compose: Callable[P, R]) -> Callable[P, R]:
    """Compose a message in the site's language (Thai), whatever language the person who
    caused the hand-off reads the pages in: it is read by others."""

    @functools.wraps(compose)
    def composed(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override(settings.LANGUAGE_CODE):
            return compose(*args, **kwargs)

    return composed
