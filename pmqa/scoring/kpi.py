"""The agency-evaluation KPI rule (spec §4): targets from last year's verified total, the
interpolated KPI score, and group statistics. Targets and groups are data per fiscal year."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from types import MappingProxyType
from typing import Any

from pmqa.scoring.engine import MAX_SCORE, mean


@dataclass(frozen=True)
class KpiType:
    number: int
    prior_from: Decimal | None  # inclusive lower bound of last year's total, None = no bound
    prior_below: Decimal | None  # exclusive upper bound, None = no bound
    minimum: Decimal
    standard_is_prior: bool
    advanced_fixed: Decimal | None
    advanced_factor: Decimal | None

    def matches(self, prior: Decimal) -> bool:
        low_ok = self.prior_from is None or prior >= self.prior_from
        high_ok = self.prior_below is None or prior < self.prior_below
        return low_ok and high_ok


@dataclass(frozen=True)
class ScoreGroup:
    label: str
    low: int  # inclusive, on the total rounded to a whole number
    high: int | None  # inclusive; None = no upper bound


@dataclass(frozen=True)
class KpiRuleSet:
    """One fiscal year's rule: the KPI types, the KPI points of each target, the score groups."""

    fiscal_year: int
    types: tuple[KpiType, ...]
    points_minimum: Decimal
    points_standard: Decimal
    points_advanced: Decimal
    groups: tuple[ScoreGroup, ...]
    weight_percent: Decimal

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KpiRuleSet:
        def dec(value: Any) -> Decimal | None:
            return None if value is None else Decimal(str(value))

        types = []
        for row in data["types"]:
            advanced = row["advanced"]
            types.append(
                KpiType(
                    number=int(row["type"]),
                    prior_from=dec(row.get("prior_from")),
                    prior_below=dec(row.get("prior_below")),
                    minimum=Decimal(str(row["minimum"])),
                    standard_is_prior=row.get("standard") == "prior",
                    advanced_fixed=dec(advanced.get("fixed")),
                    advanced_factor=dec(advanced.get("prior_times")),
                )
            )
        points = data["points"]
        groups = tuple(
            ScoreGroup(
                str(g["label"]), int(g["low"]), None if g.get("high") is None else int(g["high"])
            )
            for g in data["groups"]
        )
        return cls(
            fiscal_year=int(data["fiscal_year"]),
            types=tuple(types),
            points_minimum=Decimal(str(points["minimum"])),
            points_standard=Decimal(str(points["standard"])),
            points_advanced=Decimal(str(points["advanced"])),
            groups=groups,
            weight_percent=Decimal(str(data.get("weight_percent", 15))),
        )


@functools.cache
def load_rule_sets() -> Mapping[int, KpiRuleSet]:
    """The rule sets shipped with the engine, keyed by the fiscal year they start applying.
    Read once per process: the what-if page asks for them on every keystroke."""
    text = resources.files("pmqa.scoring").joinpath("data/kpi_rules.json").read_text("utf-8")
    return MappingProxyType(
        {row["fiscal_year"]: KpiRuleSet.from_dict(row) for row in json.loads(text)}
    )


def rule_set_for(
    fiscal_year: int | None, rule_sets: Mapping[int, KpiRuleSet] | None = None
) -> KpiRuleSet:
    """The rule in force for a fiscal year: the latest set that starts on or before it."""
    sets = rule_sets if rule_sets is not None else load_rule_sets()
    if fiscal_year is None:
        return sets[max(sets)]
    eligible = [year for year in sets if year <= fiscal_year]
    if not eligible:
        first = min(sets)
        raise ValueError(f"fiscal-year: no KPI rule before {first} (got {fiscal_year})")
    return sets[max(eligible)]


@dataclass(frozen=True)
class KpiTargets:
    type: int
    minimum: Decimal
    standard: Decimal | None
    advanced: Decimal
    rules: KpiRuleSet

    def totals_for_scores(self) -> dict[str, Decimal]:
        """The totals that reach KPI scores 50, 75 and 100."""
        out = {"50": self.minimum, "100": self.advanced}
        out["75"] = (
            self.standard
            if self.standard is not None
            else _between(
                self.minimum,
                self.advanced,
                self.rules.points_minimum,
                self.rules.points_advanced,
                self.rules.points_standard,
            )
        )
        return {key: out[key] for key in ("50", "75", "100")}


def _between(x0: Decimal, x1: Decimal, s0: Decimal, s1: Decimal, target: Decimal) -> Decimal:
    return x0 + (x1 - x0) * (target - s0) / (s1 - s0)


def kpi_targets(prior: Decimal, rules: KpiRuleSet) -> KpiTargets:
    if not prior.is_finite() or prior < 0 or prior > MAX_SCORE:
        raise ValueError(f"prior: last year's total must be between 0 and 500, got {prior}")
    for kpi_type in rules.types:
        if kpi_type.matches(prior):
            if kpi_type.advanced_fixed is not None:
                advanced = kpi_type.advanced_fixed
            else:
                assert kpi_type.advanced_factor is not None
                advanced = prior * kpi_type.advanced_factor
            standard = prior if kpi_type.standard_is_prior else None
            return KpiTargets(kpi_type.number, kpi_type.minimum, standard, advanced, rules)
    raise ValueError(f"prior: no KPI type covers a total of {prior}")


def kpi_score(actual: Decimal, targets: KpiTargets) -> Decimal:
    """0 below the minimum; linear 50→75 to the standard and 75→100 to the advanced target
    (type 1: 50→100 from minimum to advanced); 100 at or beyond the advanced target."""
    if not actual.is_finite() or actual < 0 or actual > MAX_SCORE:
        raise ValueError(f"actual: this year's total must be between 0 and 500, got {actual}")
    rules = targets.rules
    if actual < targets.minimum:
        return Decimal(0)
    if actual >= targets.advanced:
        return rules.points_advanced
    if targets.standard is None or targets.standard <= targets.minimum:
        return _between(
            rules.points_minimum, rules.points_advanced, targets.minimum, targets.advanced, actual
        )
    if actual < targets.standard:
        return _between(
            rules.points_minimum, rules.points_standard, targets.minimum, targets.standard, actual
        )
    return _between(
        rules.points_standard, rules.points_advanced, targets.standard, targets.advanced, actual
    )


@dataclass(frozen=True)
class GroupStatistics:
    label: str
    count: int
    minimum: Decimal | None
    maximum: Decimal | None
    mean: Decimal | None


def group_statistics(
    totals: Iterable[Decimal | None], rules: KpiRuleSet
) -> tuple[list[GroupStatistics], int]:
    """Min, max and mean of verified totals per score group, grouping on the total rounded to a
    whole number. Missing totals are excluded and counted (second value)."""
    buckets: dict[str, list[Decimal]] = {group.label: [] for group in rules.groups}
    missing = 0
    for total in totals:
        if total is None:
            missing += 1
            continue
        whole = int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for group in rules.groups:
            if whole >= group.low and (group.high is None or whole <= group.high):
                buckets[group.label].append(total)
                break
    out = []
    for group in rules.groups:
        values = buckets[group.label]
        out.append(
            GroupStatistics(
                group.label,
                len(values),
                min(values) if values else None,
                max(values) if values else None,
                mean(values) if values else None,
            )
        )
    return out, missing
