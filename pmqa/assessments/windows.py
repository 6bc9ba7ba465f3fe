"""When an organisation may answer: a round's window for it today (its dates, its
organisation's extension) and the sentence that says so. Read by the action table, so it reads
only the models."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import DateField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa.assessments.models import Assessment, Round, WindowExtension
from pmqa.lib.thai import format_date_be


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
        annotated: Any = assessment
        if annotated.round1_opens_on is None:
            return None
        return (
            annotated.round1_opens_on,
            annotated.round1_closes_on,
            annotated.round1_extended_to,
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
