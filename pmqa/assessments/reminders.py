"""What the daily run tells agencies: a draft's deadline near (14, 7 and 1 days before its
window closes), and round 2 open for those whose verified total reached it."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from pmqa.assessments import handoffs
from pmqa.assessments.models import (
    Assessment,
    ReminderSent,
    Round,
)
from pmqa.assessments.services import round2_eligible

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
            try:
                with transaction.atomic():
                    reminder = ReminderSent.objects.create(
                        round=round_,
                        organisation=assessment.organisation,
                        days_before=days,
                        closes_on=closes_on,
                    )
                    if not handoffs.deadline(
                        assessment, closes_on, days, key=f"reminder:{reminder.pk}"
                    ):
                        raise _NobodyToTell
            except (IntegrityError, _NobodyToTell):
                continue
            sent.append((assessment.organisation.code, days))
    return sent


class _NobodyToTell(Exception):
    """No one works at the organisation to be reminded: nothing is recorded as sent."""


def announce_round2(*, today: datetime.date | None = None) -> int:
    """Tell each agency whose verified total reached round 2 that the round is open, once, on
    or after the day it opens and while it is open. Returns how many were told."""
    today = today or timezone.localdate()
    told = 0
    rounds = Round.objects.filter(number=2, opens_on__lte=today, closes_on__gte=today)
    for round_ in rounds.select_related("cycle"):
        published = Assessment.objects.published().filter(cycle=round_.cycle, is_synthetic=False)
        for assessment in published.select_related("organisation", "cycle"):
            if round2_eligible(assessment) and handoffs.round2_opened(
                assessment, round_.opens_on, round_.closes_on
            ):
                told += 1
    return told
