"""Deadline reminders to agencies whose round-1 answers are still a draft."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from pmqa.assessments.mail import agency_addresses, send_reminder
from pmqa.assessments.models import (
    Assessment,
    ReminderSent,
    Round,
)

REMINDER_DAYS = (14, 7, 1)


def send_reminders(*, today: datetime.date | None = None) -> list[tuple[str, int]]:
    """E-mail agencies whose round-1 answers are still a draft 14, 7 and 1 days before their
    window closes. Each reminder is sent once; returns (organisation code, days) sent."""
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
            addresses = agency_addresses(assessment)
            if not addresses:
                continue
            try:
                with transaction.atomic():
                    reminder = ReminderSent.objects.create(
                        round=round_,
                        organisation=assessment.organisation,
                        days_before=days,
                        closes_on=closes_on,
                    )
                    send_reminder(
                        assessment, closes_on, days, addresses, key=f"reminder:{reminder.pk}"
                    )
            except IntegrityError:
                continue
            sent.append((assessment.organisation.code, days))
    return sent
