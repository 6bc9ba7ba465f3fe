"""Cycles, their rounds and windows: when an organisation may answer, and extensions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DateField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa.accounts.models import User
from pmqa.assessments import workflow
from pmqa.assessments.models import (
    Assessment,
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


def with_round1(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Assessments with their first round's window read in the same query: its dates and the
    closing day of their organisation's extension, if any. The workspace reads it on every
    page and autosave; window_for() uses it instead of the cycle's rounds.

    Written as SQL because the ORM's three correlated subqueries took 1.4 ms a request to
    compile, more than the query they save (bench/bench_workspace.py)."""
    q = connection.ops.quote_name
    assessment, round_, extension = (
        q(model._meta.db_table) for model in (Assessment, Round, WindowExtension)
    )
    round1 = f"FROM {round_} r WHERE r.cycle_id = {assessment}.cycle_id AND r.number = 1"
    return queryset.annotate(
        round1_opens_on=RawSQL(f"SELECT r.opens_on {round1}", (), output_field=DateField()),  # noqa: S611
        round1_closes_on=RawSQL(f"SELECT r.closes_on {round1}", (), output_field=DateField()),  # noqa: S611
        round1_extended_to=RawSQL(  # noqa: S611
            f"SELECT e.closes_on FROM {extension} e JOIN {round_} r ON e.round_id = r.id "  # noqa: S608 (table names, no input)
            f"WHERE r.cycle_id = {assessment}.cycle_id AND r.number = 1 "
            f"AND e.organisation_id = {assessment}.organisation_id",
            (),
            output_field=DateField(),
        ),
    )


def _round_dates(
    assessment: Assessment, number: int
) -> tuple[datetime.date, datetime.date, datetime.date | None] | None:
    """(opens, closes, closes for this organisation by extension) of a round, or None."""
    if number == 1 and hasattr(assessment, "round1_opens_on"):  # read by with_round1()
        if assessment.round1_opens_on is None:
            return None
        return (
            assessment.round1_opens_on,
            assessment.round1_closes_on,
            assessment.round1_extended_to,
        )
    round_ = next((r for r in assessment.cycle.rounds.all() if r.number == number), None)
    if round_ is None:
        return None
    extended_to = next(
        (
            e.closes_on
            for e in round_.extensions.all()
            if e.organisation_id == assessment.organisation_id
        ),
        None,
    )
    return round_.opens_on, round_.closes_on, extended_to


def window_for(
    assessment: Assessment, *, number: int = 1, today: datetime.date | None = None
) -> Window:
    today = today or timezone.localdate()
    dates = _round_dates(assessment, number)
    if dates is None:
        return Window(False, None, None, False, _("No dates have been set for this round yet."))
    opens_on, round_closes_on, extended_to = dates
    extension = extended_to is not None
    closes_on = extended_to or round_closes_on
    if today < opens_on:
        return Window(
            False,
            opens_on,
            closes_on,
            extension,
            _("This round opens on %(day)s. Until then the answers can be read but not changed.")
            % {"day": format_date_be(opens_on)},
        )
    if today > closes_on:
        return Window(
            False,
            opens_on,
            closes_on,
            extension,
            _("This round closed on %(day)s. The answers can be read but no longer changed.")
            % {"day": format_date_be(closes_on)},
        )
    if extension:
        message = _("Open until %(day)s (extended for your organisation).") % {
            "day": format_date_be(closes_on)
        }
    else:
        message = _("Open until %(day)s.") % {"day": format_date_be(closes_on)}
    return Window(True, opens_on, closes_on, extension, message)
