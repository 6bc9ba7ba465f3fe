"""Category, total, Government rating, maturity level and classification (spec §3.3–3.8)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

# Stored with every persisted score; bump when any rule below changes a figure.
# r2: process items summed in exact fractions (1 of 3 checkpoints is 100, not 99.999…), which
# can move a printed figure by 0.01 from what r1 stored.
RULES_VERSION = "pmqa40-r2"

MAX_SCORE = Decimal(500)
RATING_DIVISOR = Decimal(125)
CENT = Decimal("0.01")

Level = Literal["below_basic", "basic", "advance", "significance"]
LEVELS: tuple[Level, ...] = ("below_basic", "basic", "advance", "significance")
Classification = Literal["strength", "develop", "urgent"]
CLASSIFICATIONS: tuple[Classification, ...] = ("strength", "develop", "urgent")
CATEGORY_IDS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7")


def q2(value: Decimal) -> Decimal:
    """Two decimals, half-up: the single rounding step at the engine's edge."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def mean(values: Iterable[Decimal]) -> Decimal:
    items = list(values)
    if not items:
        raise ValueError("mean of nothing")
    # Summing sorted values makes the result independent of the order the caller gave.
    return sum(sorted(items), Decimal(0)) / Decimal(len(items))


@dataclass(frozen=True)
class Thresholds:
    """Belong to the criteria edition: classification cut-offs and the level points."""

    strength: Decimal = Decimal(450)
    develop: Decimal = Decimal(300)
    basic: Decimal = Decimal(300)
    advance: Decimal = Decimal(400)
    significance: Decimal = Decimal(500)


DEFAULT_THRESHOLDS = Thresholds()


def category_score(item_scores: Iterable[Decimal]) -> Decimal:
    """Mean of the category's item scores (4 items in categories 1–6, 6 in category 7)."""
    return mean(item_scores)


def total_score(category_scores: Mapping[str, Decimal] | Iterable[Decimal]) -> Decimal:
    """Plain mean of the seven category scores (equal weights)."""
    values = (
        list(category_scores.values())
        if isinstance(category_scores, Mapping)
        else list(category_scores)
    )
    if len(values) != len(CATEGORY_IDS):
        raise ValueError(f"a total needs all 7 categories, got {len(values)}")
    return mean(values)


def rating(total: Decimal) -> Decimal:
    """Government rating ("เป็นระบบราชการ x.xx") = total / 125."""
    return total / RATING_DIVISOR


def maturity_level(total: Decimal, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Level:
    """Level of a total, judged on the figure as printed (two decimals)."""
    shown = q2(total)
    if shown >= thresholds.significance:
        return "significance"
    if shown >= thresholds.advance:
        return "advance"
    if shown >= thresholds.basic:
        return "basic"
    return "below_basic"


def classify(score: Decimal, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Classification:
    """Report classification of a category, judged on the figure as printed (two decimals)."""
    shown = q2(score)
    if shown >= thresholds.strength:
        return "strength"
    if shown >= thresholds.develop:
        return "develop"
    return "urgent"


def gap(self_score: Decimal, assessor_score: Decimal) -> Decimal:
    """Self − assessor: positive when the agency rated itself higher than the assessors."""
    return self_score - assessor_score


def check_range(name: str, value: Decimal) -> Decimal:
    if not value.is_finite() or value < 0 or value > MAX_SCORE:
        raise ValueError(f"{name}: a score must be between 0 and 500, got {value}")
    return value


@dataclass(frozen=True)
class AssessmentScore:
    """Every figure of one score set; `total` and the rest are None while categories are missing."""

    categories: dict[str, Decimal]
    missing: tuple[str, ...]
    classification: dict[str, Classification]
    total: Decimal | None
    rating: Decimal | None
    level: Level | None
    rules_version: str = field(default=RULES_VERSION)

    def as_json(self) -> dict[str, object]:
        """Numbers as strings with two decimals, as the CLI and stored snapshots carry them."""
        out: dict[str, object] = {
            "categories": {key: f"{q2(value)}" for key, value in self.categories.items()},
            "classification": dict(self.classification),
            "rules_version": self.rules_version,
        }
        if self.missing:
            out["missing"] = list(self.missing)
        else:
            assert self.total is not None and self.rating is not None
            out["total"] = f"{q2(self.total)}"
            out["rating"] = f"{q2(self.rating)}"
            out["level"] = self.level
        return out


def score_categories(
    categories: Mapping[str, Decimal], thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> AssessmentScore:
    """All figures from category scores; with some categories missing, no total."""
    unknown = sorted(set(categories) - set(CATEGORY_IDS))
    if unknown:
        raise ValueError(f"categories: unknown category {', '.join(unknown)} (expected 1–7)")
    ordered = {
        key: check_range(f"categories.{key}", categories[key])
        for key in CATEGORY_IDS
        if key in categories
    }
    missing = tuple(key for key in CATEGORY_IDS if key not in categories)
    classification = {key: classify(value, thresholds) for key, value in ordered.items()}
    if missing:
        return AssessmentScore(ordered, missing, classification, None, None, None)
    total = total_score(ordered)
    return AssessmentScore(
        ordered, (), classification, total, rating(total), maturity_level(total, thresholds)
    )
