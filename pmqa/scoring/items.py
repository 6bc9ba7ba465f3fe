"""Process item rules (spec §3.1): gated checklist, level pick, numeric, and override."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from pmqa.scoring.engine import MAX_SCORE, Level

LEVEL_PICKS = (Decimal(0), Decimal(300), Decimal(400), Decimal(500))
BASIC_POINTS = 300
STEP_POINTS = 100


class ItemRuleError(ValueError):
    """An answer that the item's rule cannot score; the message names the field."""


@dataclass(frozen=True)
class LevelTicks:
    """Checkpoints met (`met`) out of the checkpoints the level has (`count`)."""

    met: int
    count: int

    @classmethod
    def from_flags(cls, flags: Sequence[bool]) -> LevelTicks:
        return cls(sum(1 for flag in flags if flag), len(flags))

    def check(self, name: str) -> None:
        if self.count < 0 or self.met < 0:
            raise ItemRuleError(f"{name}: checkpoint counts cannot be negative")
        if self.met > self.count:
            raise ItemRuleError(
                f"{name}: {self.met} checkpoints met but the level has {self.count}"
            )

    @property
    def fraction(self) -> Fraction:
        # A level without checkpoints asks nothing, so it is complete.
        if self.count == 0:
            return Fraction(1)
        return Fraction(self.met, self.count)

    @property
    def complete(self) -> bool:
        return self.met == self.count


def gated_checklist(basic: LevelTicks, advance: LevelTicks, significance: LevelTicks) -> Decimal:
    """300·b/B + [b=B]·100·a/A + [b=B ∧ a=A]·100·s/S, summed as exact fractions and divided
    out once: 1 of 3 basic checkpoints is exactly 100, not 99.999… (a third, times 300)."""
    basic.check("basic")
    advance.check("advance")
    significance.check("significance")
    score = BASIC_POINTS * basic.fraction
    if basic.complete:
        score += STEP_POINTS * advance.fraction
        if advance.complete:
            score += STEP_POINTS * significance.fraction
    return Decimal(score.numerator) / Decimal(score.denominator)


def level_reached(basic: LevelTicks, advance: LevelTicks, significance: LevelTicks) -> Level:
    """The highest level whose checkpoints, and those of every level below, are all met."""
    if not basic.complete:
        return "below_basic"
    if not advance.complete:
        return "basic"
    if not significance.complete:
        return "advance"
    return "significance"


def level_pick(points: Decimal | int | str) -> Decimal:
    """The assessor picks 0, 300, 400 or 500."""
    value = _decimal("level", points)
    if value not in LEVEL_PICKS:
        raise ItemRuleError("level: pick one of 0, 300, 400 or 500")
    return value


def numeric(points: Decimal | int | str) -> Decimal:
    """A score entered by the assessor, 0–500 with at most two decimals."""
    value = _decimal("score", points)
    if value < 0 or value > MAX_SCORE:
        raise ItemRuleError(f"score: must be between 0 and 500, got {value}")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ItemRuleError("score: at most two decimals")
    return value


def override(points: Decimal | int | str, reason: str) -> Decimal:
    """An assessor's override of the computed score always carries a reason."""
    if not reason.strip():
        raise ItemRuleError("reason: an override needs a reason")
    return numeric(points)


def _decimal(name: str, raw: Decimal | int | str) -> Decimal:
    if isinstance(raw, bool):
        raise ItemRuleError(f"{name}: expected a number")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ItemRuleError(f"{name}: expected a number, got {raw!r}") from None
    if not value.is_finite():
        raise ItemRuleError(f"{name}: expected a number, got {raw!r}")
    return value
