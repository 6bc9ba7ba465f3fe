"""The administrator's home figures per cycle: assessments by status and verified round-1 totals
by score group, aggregated in SQL and cached for closed cycles."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DecimalField,
    IntegerField,
    Max,
    Min,
    Model,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from pmqa.assessments.models import (
    Assessment,
    Cycle,
    Round,
    ScoreSnapshot,
    WindowExtension,
    published,
)
from pmqa.scoring import GroupStatistics, KpiRuleSet

# Statuses that no longer move once the rounds have closed: a draft cannot be submitted after
# its window, and a published assessment is final (a correction adds a snapshot, see the key).
SETTLED = (Assessment.Status.DRAFT, Assessment.Status.PUBLISHED)
CACHE_SECONDS = 24 * 3600
TOTALS = DecimalField(max_digits=12, decimal_places=2)


@dataclass(frozen=True)
class CycleFigures:
    statuses: dict[str, int]
    groups: list[GroupStatistics]
    verified: int


def _latest(field: str, model: type[Model], **filters: Any) -> Subquery:
    """The largest `field` of the cycle's rows of `model`, as a subquery."""
    return Subquery(
        model.objects.filter(**filters)
        .order_by()
        .values(next(iter(filters)))
        .annotate(m=Max(field))
        .values("m")[:1]
    )


def cycles_with_state() -> list[Cycle]:
    """Every cycle with its assessment count and what says whether its figures can change:
    the last day any round or extension is open, whether an assessment is between submission
    and publication, and the newest verified snapshot."""
    return list(
        Cycle.objects.select_related("edition")
        .annotate(
            assessment_count=Count("assessments"),
            published_count=Count("assessments", filter=published("assessments__")),
            last_open_day=_latest("closes_on", Round, cycle=OuterRef("pk")),
            last_extension_day=_latest("closes_on", WindowExtension, round__cycle=OuterRef("pk")),
            moving_count=Count("assessments", filter=~Q(assessments__status__in=SETTLED)),
            # The newest verified snapshot of any cycle: one look at the end of the table,
            # where the cycle's own would read all its snapshots. A verified figure is new
            # only at a consensus or a correction, so few keys are dropped for nothing.
            newest_verified=Subquery(
                ScoreSnapshot.objects.filter(source=ScoreSnapshot.Source.ASSESSOR, round_number=1)
                .order_by("-pk")
                .values("pk")[:1]
            ),
        )
        # The model's ordering does not reach a query that groups: newest first, said here.
        .order_by("-fiscal_year")
    )


def is_closed(cycle: Cycle, today: datetime.date | None = None) -> bool:
    """Whether the cycle's figures are settled: every round and extension has closed and no
    assessment is between submission and publication."""
    today = today or timezone.localdate()
    days = [d for d in (cycle.last_open_day, cycle.last_extension_day) if d is not None]
    return bool(days) and max(days) < today and not cycle.moving_count


def _key(cycle: Cycle, rules: KpiRuleSet) -> str:
    # The rule set's groups, the counts of assessments and of published ones, and the newest
    # verified snapshot: a new rule set version, a correction after publication (a new
    # snapshot) or an assessment deleted or published is a new key.
    groups = json.dumps([asdict(g) for g in rules.groups], sort_keys=True, default=str)
    state = (
        f"{cycle.pk}:{cycle.fiscal_year}:{cycle.assessment_count}:"
        f"{cycle.published_count}:{cycle.newest_verified}:{groups}"
    )
    return "pmqa:admin-home:" + hashlib.sha256(state.encode()).hexdigest()


def _group_of(bounds: tuple[tuple[int, int | None], ...]) -> Case:
    """The index of the group whose whole-number range holds the total rounded half up."""
    whens = []
    for index, (low, high) in enumerate(bounds):
        within = Q(total__gte=Decimal(low) - Decimal("0.5"))
        if high is not None:
            within &= Q(total__lt=Decimal(high) + Decimal("0.5"))
        whens.append(When(within, then=Value(index)))
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def _compute(cycles: list[Cycle], rules: dict[int, KpiRuleSet]) -> dict[int, CycleFigures]:
    """Two grouped queries for all these cycles, whatever the number of assessments."""
    if not cycles:
        return {}
    ids = [c.pk for c in cycles]
    statuses: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for row in (
        Assessment.objects.filter(cycle_id__in=ids)
        .values("cycle_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        statuses[row["cycle_id"]][row["status"]] = row["n"]
    # Each assessment's newest verified round-1 snapshot, in the score group its total,
    # rounded half up to a whole number, falls into (as scoring.group_statistics groups).
    # `current()` is an anti-join the planner runs in one pass; a correlated "= (newest)"
    # ran once per snapshot (0.4 s on PostgreSQL at 500 organisations × 11 years).
    # One CASE per set of group bounds (cycles mostly share them), chosen by the cycle: a
    # CASE over every cycle's groups tested up to 40 conditions per snapshot.
    by_bounds: dict[tuple[tuple[int, int | None], ...], list[int]] = {}
    for cycle in cycles:
        bounds = tuple((group.low, group.high) for group in rules[cycle.pk].groups)
        by_bounds.setdefault(bounds, []).append(cycle.pk)
    group = Case(
        *(
            When(assessment__cycle_id__in=pks, then=_group_of(bounds))
            for bounds, pks in by_bounds.items()
        ),
        default=Value(-1),
        output_field=IntegerField(),
    )
    rows = (
        ScoreSnapshot.objects.filter(
            assessment__cycle_id__in=ids,
            source=ScoreSnapshot.Source.ASSESSOR,
            round_number=1,
        )
        .current()
        .annotate(group=group)
        .values("assessment__cycle_id", "group")
        .annotate(
            n=Count("pk"),
            low=Min("total"),
            high=Max("total"),
            sum=Sum("total", output_field=TOTALS),
        )
        .order_by()
    )
    found: dict[tuple[int, int], dict[str, object]] = {}
    verified = dict.fromkeys(ids, 0)
    for row in rows:
        found[row["assessment__cycle_id"], row["group"]] = row
        verified[row["assessment__cycle_id"]] += row["n"]
    figures = {}
    for cycle in cycles:
        groups = []
        for index, group in enumerate(rules[cycle.pk].groups):
            row = found.get((cycle.pk, index))
            groups.append(
                GroupStatistics(group.label, 0, None, None, None)
                if row is None
                else GroupStatistics(
                    group.label,
                    row["n"],
                    row["low"],
                    row["high"],
                    row["sum"] / row["n"],
                )
            )
        figures[cycle.pk] = CycleFigures(statuses[cycle.pk], groups, verified[cycle.pk])
    return figures


def cycle_figures(
    cycles: list[Cycle], rules: dict[int, KpiRuleSet], today: datetime.date | None = None
) -> dict[int, CycleFigures]:
    """The figures of each cycle (from `cycles_with_state`) grouped by its rule set; a closed
    cycle's come from the cache when they are there."""
    closed = {c.pk: _key(c, rules[c.pk]) for c in cycles if is_closed(c, today)}
    figures: dict[int, CycleFigures] = {}
    cached = cache.get_many(list(closed.values())) if closed else {}
    for pk, key in closed.items():
        if key in cached:
            figures[pk] = cached[key]
    fresh = _compute([c for c in cycles if c.pk not in figures], rules)
    cache.set_many({closed[pk]: f for pk, f in fresh.items() if pk in closed}, CACHE_SECONDS)
    return figures | fresh
