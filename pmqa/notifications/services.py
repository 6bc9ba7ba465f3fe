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
from pmqa.notifications.models import ADMIN_KINDS, Delivery, Kind, Notification, Preference
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
    assessment_id: int | None = None,
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
                    assessment_id=assessment_id,
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
    # The row may have been counted by another request meanwhile, or notifications removed
    # with what they were about: count again when it may have drifted.
    if count or notifications is None:
        fresh = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        User.objects.filter(pk=user.pk).exclude(unread_notifications=fresh).update(
            unread_notifications=fresh
        )
    return count


# ---------------------------------------------------------------------------------------------
# E-mail


# Checks the apps that know an audience register for its kinds (verification: an assessor
# still on the team, the lead still its lead); see register_concern.
_CONCERNED: dict[str, Callable[[Notification], bool]] = {}


def register_concern(kinds: Iterable[str], check: Callable[[Notification], bool]) -> None:
    for kind in kinds:
        _CONCERNED[kind] = check


def still_concerned(
    notification: Notification, current: set[tuple[str, int]] | None = None
) -> bool:
    """Whether the person may still be told: active, with an address, and still where the
    news concerns them: at the organisation it is about, an administrator for OPDC's kinds,
    on the team for the team's. `current` is the person's current (role, organisation)s when
    the caller has read them."""
    person = notification.recipient
    if not person.is_active or not person.email:
        return False
    if current is None:
        current = set(
            Membership.objects.current().filter(user=person).values_list("role", "organisation_id")
        )
    if notification.kind in ADMIN_KINDS and not any(r == Role.ADMINISTRATOR for r, _o in current):
        return False
    if notification.organisation_id is not None and not any(
        o == notification.organisation_id for _r, o in current
    ):
        return False
    check = _CONCERNED.get(notification.kind)
    return check(notification) if check is not None else True


def queue_waiting(*, older_than: datetime.timedelta = datetime.timedelta(minutes=10)) -> int:
    """Queue again the e-mails never handed to the mail server (it was down, or the queue lost
    the task); the daily run calls it. Returns how many."""
    from pmqa.notifications.tasks import deliver

    waiting = Notification.objects.filter(
        mail=Notification.Mail.WAITING, created_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    count = 0
    for pk in waiting:
        deliver.enqueue(pk)
        count += 1
    return count


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
    they may no longer be told are left out). Returns how many e-mails were sent. Two runs at
    once each send only what they marked themselves; a refused e-mail waits for the next."""
    day = today or timezone.localdate()
    sent = 0
    waiting = Notification.objects.filter(mail=Notification.Mail.DIGEST).select_related("recipient")
    by_person: dict[int, list[Notification]] = {}
    for notification in waiting.order_by("recipient_id", "created_at", "id"):
        by_person.setdefault(notification.recipient_id, []).append(notification)
    for notifications in by_person.values():
        person = notifications[0].recipient
        current = set(
            Membership.objects.current().filter(user=person).values_list("role", "organisation_id")
        )
        told = [n.pk for n in notifications if still_concerned(n, current)]
        dropped = [n.pk for n in notifications if n.pk not in told]
        Notification.objects.filter(pk__in=dropped, mail=Notification.Mail.DIGEST).update(
            mail=Notification.Mail.NONE
        )
        # Handed over first, under this run's own stamp: a run repeated after a crash, or one
        # running beside it, never sends the same notification twice.
        stamp = timezone.now()
        Notification.objects.filter(pk__in=told, mail=Notification.Mail.DIGEST).update(
            mail=Notification.Mail.HANDED, mailed_at=stamp
        )
        mine = list(
            Notification.objects.filter(
                pk__in=told, mail=Notification.Mail.HANDED, mailed_at=stamp
            ).order_by("created_at", "id")
        )
        if not mine:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("PMQA 4.0: %(count)s things for you, %(day)s") % {
                "count": len(mine),
                "day": format_date_be(day),
            }
            parts = [f"{n.subject}\n{settings.PMQA_SITE_URL + n.url}" for n in mine]
            body = "\n\n".join(parts) + f"\n\n-- \n{_footer()}\n"
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        except Exception:
            # Refused or unreachable: back in the digest, for the next run.
            Notification.objects.filter(pk__in=[n.pk for n in mine]).update(
                mail=Notification.Mail.DIGEST, mailed_at=None
            )
            log.exception("the digest to user %s was not sent", person.pk)
            continue
        Notification.objects.filter(pk__in=[n.pk for n in mine]).update(mail=Notification.Mail.SENT)
        sent += 1
        log.info("sent a digest of %s to user %s", len(mine), person.pk)
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
