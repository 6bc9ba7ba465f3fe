"""The agency-evaluation KPI rule (spec §4): targets from last year's verified total, the
interpolated KPI score, and group statistics. Targets and groups are data per fiscal year.

Where the seed is silent (spec §4): the KPI type and the standard target are judged on the prior
total as printed (two decimals, half-up); the advanced target is capped at 500; a fiscal year
before the first rule set is refused (`NoRuleSet`), never scored by another year's rule.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from importlib import resources
from types import MappingProxyType
from typing import Any

from pmqa.scoring.engine import MAX_SCORE, mean, q2

# The seed's minimum targets are last year's group means rounded down to a multiple of this.
MINIMUM_STEP = Decimal(5)


@dataclass(frozen=True)
class KpiType:
    number: int
    prior_from: Decimal | None  # inclusive lower bound of last year's total, None = no bound
    prior_below: Decimal | None  # exclusive upper bound, None = no bound
    minimum: Decimal
    standard_is_prior: bool
    advanced_fixed: Decimal | None
    advanced_factor: Decimal | None
    # The score group whose mean (last year's) gives this type's minimum target; None = set by hand.
    minimum_group: str | None = None

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
class Component:
    """A part of the agency evaluation framework and its weight (per cent); `pmqa` marks the
    PMQA 4.0 status KPI, whose weight is the rule set's `weight_percent`."""

    code: str
    name: str
    weight: Decimal
    pmqa: bool = False


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
    components: tuple[Component, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KpiRuleSet:
        def dec(value: Any) -> Decimal | None:
            return None if value is None else Decimal(str(value))

        types = []
        labels = {str(g["label"]) for g in data["groups"]}
        for row in data["types"]:
            advanced = row["advanced"]
            minimum_group = row.get("minimum_group")
            if minimum_group is not None and str(minimum_group) not in labels:
                raise RuleSetProblem(int(row["type"]), "minimum_group", str(minimum_group))
            types.append(
                KpiType(
                    number=int(row["type"]),
                    prior_from=dec(row.get("prior_from")),
                    prior_below=dec(row.get("prior_below")),
                    minimum=Decimal(str(row["minimum"])),
                    standard_is_prior=row.get("standard") == "prior",
                    advanced_fixed=dec(advanced.get("fixed")),
                    advanced_factor=dec(advanced.get("prior_times")),
                    minimum_group=None if minimum_group is None else str(minimum_group),
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
            components=tuple(
                Component(
                    str(c["code"]), str(c["name"]), Decimal(str(c["weight"])), bool(c.get("pmqa"))
                )
                for c in data.get("components") or []
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """The rule set as the data file writes it: `from_dict(to_dict())` is the same set."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "fiscal_year": self.fiscal_year,
            "weight_percent": str(self.weight_percent),
            "points": {
                "minimum": str(self.points_minimum),
                "standard": str(self.points_standard),
                "advanced": str(self.points_advanced),
            },
            "types": [
                {
                    "type": t.number,
                    "prior_from": text(t.prior_from),
                    "prior_below": text(t.prior_below),
                    "minimum": str(t.minimum),
                    "minimum_group": t.minimum_group,
                    "standard": "prior" if t.standard_is_prior else None,
                    "advanced": {"fixed": text(t.advanced_fixed)}
                    if t.advanced_fixed is not None
                    else {"prior_times": text(t.advanced_factor)},
                }
                for t in self.types
            ],
            "groups": [{"label": g.label, "low": g.low, "high": g.high} for g in self.groups],
            "components": [
                {"code": c.code, "name": c.name, "weight": str(c.weight), "pmqa": c.pmqa}
                for c in self.components
            ],
        }

    def check(self) -> None:
        """Refuse a rule set that cannot score every total: the types must cover 0 to 500 one
        after another, each with one advanced rule and a minimum within 0–500."""
        ordered = sorted(self.types, key=lambda t: t.prior_from or Decimal(0))
        low = Decimal(0)
        for t in ordered:
            if (t.prior_from or Decimal(0)) != low:
                raise RuleSetProblem(t.number, "prior_from", low)
            if t.prior_below is not None and t.prior_below <= low:
                raise RuleSetProblem(t.number, "prior_below", low)
            if not Decimal(0) <= t.minimum <= MAX_SCORE:
                raise RuleSetProblem(t.number, "minimum")
            if (t.advanced_fixed is None) == (t.advanced_factor is None):
                raise RuleSetProblem(t.number, "advanced")
            if t.advanced_fixed is not None and not t.minimum < t.advanced_fixed <= MAX_SCORE:
                raise RuleSetProblem(t.number, "advanced_fixed")
            if t.advanced_factor is not None and t.advanced_factor < 1:
                raise RuleSetProblem(t.number, "advanced_factor")
            start = t.prior_from or Decimal(0)
            if t.standard_is_prior and t.minimum > start:
                raise RuleSetProblem(t.number, "minimum_above_standard", start)
            if t.advanced_factor is not None:
                lowest_advanced = min(start * t.advanced_factor, MAX_SCORE)
                if t.minimum >= lowest_advanced:
                    raise RuleSetProblem(t.number, "minimum_above_advanced", lowest_advanced)
            low = t.prior_below if t.prior_below is not None else MAX_SCORE + 1
        if low <= MAX_SCORE:
            raise RuleSetProblem(None, "uncovered", low)
        labels = [g.label for g in self.groups]
        for label in labels:
            if labels.count(label) > 1:
                raise RuleSetProblem(None, "duplicate_group", label)
        expected = 0
        for group in self.groups:
            if group.low != expected or (group.high is not None and group.high < group.low):
                raise RuleSetProblem(None, "groups", Decimal(expected))
            expected = group.high + 1 if group.high is not None else int(MAX_SCORE) + 1
        if expected <= MAX_SCORE:
            raise RuleSetProblem(None, "groups", Decimal(expected))
        if self.components:
            if any(not c.weight.is_finite() or c.weight <= 0 for c in self.components):
                raise RuleSetProblem(None, "weights")
            if sum(c.weight for c in self.components) != 100:
                raise RuleSetProblem(None, "weights")
            pmqa = [c for c in self.components if c.pmqa]
            if len(pmqa) != 1 or pmqa[0].weight != self.weight_percent:
                raise RuleSetProblem(None, "pmqa_weight", self.weight_percent)


class RuleSetProblem(ValueError):
    """Why a rule set cannot be used: the type (None for the whole set), what is wrong, and the
    figure it concerns. The message is in the engine's `field: problem` style; pages say it in
    the user's language from `type` and `problem`."""

    MESSAGES = {
        "prior_from": "must be {value}, where the type before ends",
        "prior_below": "must be above {value}",
        "minimum": "must be between 0 and 500",
        "advanced": "give a fixed target or a factor, not both",
        "advanced_fixed": "must be above the minimum and at most 500",
        "advanced_factor": "must be at least 1",
        "uncovered": "totals from {value} to 500 have no type",
        "groups": "the score groups must run from 0 on, one after another; check at {value}",
        "weights": "the components' weights must be above 0 and add up to 100",
        "duplicate_group": "two score groups have the label {value!r}",
        "minimum_above_standard": "the minimum is above {value}, where the type starts",
        "minimum_above_advanced": "the minimum is not below the advanced target {value}",
        "pmqa_weight": "one component is the PMQA KPI, with the weight {value}",
        "minimum_group": "no score group {value!r}",
    }

    def __init__(
        self, type_number: int | None, problem: str, value: Decimal | str | None = None
    ) -> None:
        self.type_number = type_number
        self.problem = problem
        self.value = value
        where = "types" if type_number is None else f"types.{type_number}.{problem}"
        super().__init__(f"{where}: {self.MESSAGES[problem].format(value=value)}")


@functools.cache
def load_rule_sets() -> Mapping[int, KpiRuleSet]:
    """The rule sets shipped with the engine, keyed by the fiscal year they start applying.
    Read once per process: the what-if page asks for them on every keystroke."""
    text = resources.files("pmqa.scoring").joinpath("data/kpi_rules.json").read_text("utf-8")
    return MappingProxyType(
        {row["fiscal_year"]: KpiRuleSet.from_dict(row) for row in json.loads(text)}
    )


class NoRuleSet(ValueError):
    """No KPI rule set covers the fiscal year: it is before the first one. Such a year is refused,
    never scored by another year's rule. str() is the one "field: message" line."""

    def __init__(self, fiscal_year: int, first_year: int) -> None:
        super().__init__(
            f"fiscal-year: no KPI rule set for {fiscal_year}, the first starts in {first_year}"
        )
        self.fiscal_year = fiscal_year
        self.first_year = first_year

    def __reduce__(self) -> tuple[type[NoRuleSet], tuple[int, int]]:
        return type(self), (self.fiscal_year, self.first_year)


def rule_set_for(
    fiscal_year: int | None, rule_sets: Mapping[int, KpiRuleSet] | None = None
) -> KpiRuleSet:
    """The rule in force for a fiscal year: the latest set that starts on or before it (a set stays
    in force until a later one replaces it). None gives the latest set.

    Raises NoRuleSet for a year before the first set: there is no rule to fall back on.
    """
    sets = rule_sets if rule_sets is not None else load_rule_sets()
    if fiscal_year is None:
        return sets[max(sets)]
    eligible = [year for year in sets if year <= fiscal_year]
    if not eligible:
        raise NoRuleSet(fiscal_year, min(sets))
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
    """Next year's KPI type and targets from last year's verified total.

    The total is judged as printed, two decimals half-up (349.995 is 350.00, type 2), and that
    printed figure is the standard target. The advanced target is capped at 500, the top of the
    scale (prior 500 × 1.02 gives 500, not 510)."""
    if not prior.is_finite() or prior < 0 or prior > MAX_SCORE:
        raise ValueError(f"prior: last year's total must be between 0 and 500, got {prior}")
    printed = q2(prior)
    for kpi_type in rules.types:
        if kpi_type.matches(printed):
            if kpi_type.advanced_fixed is not None:
                advanced = kpi_type.advanced_fixed
            else:
                assert kpi_type.advanced_factor is not None
                advanced = printed * kpi_type.advanced_factor
            standard = printed if kpi_type.standard_is_prior else None
            return KpiTargets(
                kpi_type.number, kpi_type.minimum, standard, min(advanced, MAX_SCORE), rules
            )
    raise ValueError(f"prior: no KPI type covers a total of {printed}")


def kpi_score(actual: Decimal, targets: KpiTargets) -> Decimal:
    """0 below the minimum; linear 50→75 to the standard and 75→100 to the advanced target
    (type 1: 50→100 from minimum to advanced); 100 at or beyond the advanced target, so a perfect
    500 always scores 100 (when the standard is 500 too, 500 is both and scores 100)."""
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


def propose_rule_set(
    previous: KpiRuleSet, statistics: Iterable[GroupStatistics], fiscal_year: int
) -> KpiRuleSet:
    """A proposed rule set for `fiscal_year`: `previous` with each type's minimum target replaced
    by last year's mean of its score group (`minimum_group`), as printed (two decimals) and
    rounded down to a multiple of 5 — how seed 000's 240 / 325 / 370 came from the FY2563 means
    242.40 / 326.36 / 373.34. A group with no organisations, and a type without a group, keep the
    previous minimum. Everything else is kept; an administrator edits the proposal before use.

    `statistics` are last year's verified totals grouped by `previous`'s groups, as
    `group_statistics(totals, previous)[0]` gives them.
    """
    if fiscal_year <= previous.fiscal_year:
        raise ValueError(
            f"fiscal-year: a proposal must be for a year after {previous.fiscal_year}, "
            f"got {fiscal_year}"
        )
    labels = {group.label for group in previous.groups}
    means: dict[str, Decimal] = {}
    for row in statistics:
        if row.label not in labels:
            raise ValueError(f"groups.{row.label}: not a score group of the previous rule set")
        if row.count and row.mean is not None:
            means[row.label] = row.mean
    types = []
    for kpi_type in previous.types:
        group = kpi_type.minimum_group
        mean_of_group = None if group is None else means.get(group)
        if mean_of_group is None:
            types.append(kpi_type)
            continue
        steps = (q2(mean_of_group) / MINIMUM_STEP).to_integral_value(rounding=ROUND_FLOOR)
        types.append(dataclasses.replace(kpi_type, minimum=steps * MINIMUM_STEP))
    return dataclasses.replace(previous, fiscal_year=fiscal_year, types=tuple(types))
