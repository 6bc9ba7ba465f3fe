"""Cycles, their rounds and windows: when an organisation may answer, and extensions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from pmqa.accounts.models import User
from pmqa.assessments import workflow
from pmqa.assessments.models import (
    Cycle,
    Round,
    WindowExtension,
)
from pmqa.audit import services as audit
from pmqa.criteria.models import Edition
from pmqa.lib.errors import ServiceError
from pmqa.lib.thai import format_date_be
from pmqa.organisations.models import Organisation


def create_cycle(
    *,
    fiscal_year: int,
    edition: Edition,
    rounds: dict[int, tuple[datetime.date, datetime.date]],
    round2_threshold: Decimal | None,
    by: User,
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
    by: User,
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
    organisation: Organisation,
    closes_on: datetime.date,
    reason: str,
    by: User,
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


def set_evidence_retention(*, cycle: Cycle, years: int | None, by: User) -> None:
    """How long after the fiscal year the cycle's evidence files are kept (None: kept)."""
    workflow.require_admin(by)
    if years is not None and not 1 <= years <= 50:
        raise ServiceError(_("Give a number of years from 1 to 50, or leave it empty."))
    with transaction.atomic():
        old = (
            Cycle.objects.filter(pk=cycle.pk)
            .values_list("evidence_retention_years", flat=True)
            .get()
        )
        cycle.evidence_retention_years = years
        cycle.save(update_fields=["evidence_retention_years"])
        audit.record(actor=by, action="cycle.retention", obj=cycle, old=old, new=years)


REPORT_SETTINGS = ("report_type", "report_shows_level", "report_shows_gap", "report_shows_chart")


def set_report_settings(*, cycle: Cycle, by: User, **settings: object) -> None:
    """The kind of report the cycle publishes and the verdicts it prints. Refused once a report
    of the cycle is published: a published report never changes."""
    workflow.require_admin(by)
    with transaction.atomic():
        current = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if current.assessments.published().exists():
            raise ServiceError(
                _(
                    "A report of this cycle is published, so its report settings can no longer "
                    "change."
                )
            )
        old = {name: getattr(current, name) for name in REPORT_SETTINGS}
        new = {name: settings.get(name, old[name]) for name in REPORT_SETTINGS}
        if new == old:
            return
        for name, value in new.items():
            setattr(cycle, name, value)
        cycle.save(update_fields=list(REPORT_SETTINGS))
        audit.record(actor=by, action="cycle.report_settings", obj=cycle, old=old, new=new)
