"""Results (category 7) rules: a KPI's value through its score band, and the item mean."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from pmqa.scoring.engine import MAX_SCORE, mean

Band = Sequence[tuple[Decimal, Decimal]]


class BandError(ValueError):
    """A score band that cannot be used; the message says what is wrong."""


def check_band(band: Band) -> bool:
    """Validate a band and say whether higher values are better.

    Points run from the worst value to the best; values strictly monotonic, scores 0–500 and
    not decreasing. A single point means "at least this good scores this".
    """
    if not band:
        raise BandError("band: give at least one point (value, score)")
    for value, score in band:
        if not value.is_finite() or not score.is_finite():
            raise BandError("band: every point needs a number for value and score")
        if score < 0 or score > MAX_SCORE:
            raise BandError(f"band: score {score} is outside 0–500")
    scores = [score for _, score in band]
    if any(b < a for a, b in zip(scores, scores[1:], strict=False)):
        raise BandError("band: scores must not decrease from the worst value to the best")
    values = [value for value, _ in band]
    if len(values) == 1:
        return True
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    if all(step > 0 for step in steps):
        return True
    if all(step < 0 for step in steps):
        return False
    raise BandError("band: values must run strictly from the worst to the best")


def kpi_band_score(value: Decimal, band: Band) -> Decimal:
    """Map a KPI value through its band: 0 before the first point, linear between points,
    the last score beyond the last point. Works for lower-is-better KPIs (values descending)."""
    higher_better = check_band(band)
    sign = Decimal(1) if higher_better else Decimal(-1)
    x = value * sign
    points = [(v * sign, s) for v, s in band]
    if x < points[0][0]:
        return Decimal(0)
    for (x0, s0), (x1, s1) in zip(points, points[1:], strict=False):
        if x <= x1:
            return s0 + (s1 - s0) * (x - x0) / (x1 - x0)
    return points[-1][1]


def results_item_score(kpi_scores: Iterable[Decimal]) -> tuple[Decimal, bool]:
    """Mean of the item's KPI scores; an item with no KPI scores 0 and is flagged (True)."""
    scores = list(kpi_scores)
    if not scores:
        return Decimal(0), True
    return mean(scores), False
