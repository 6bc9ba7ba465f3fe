"""The scoring CLI's logic, kept pure: parse JSON input, score it, return JSON output.

Every problem raises InputError with one line that names the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pmqa import scoring
from pmqa.scoring.engine import CATEGORY_IDS
from pmqa.scoring.items import ItemRuleError, LevelTicks
from pmqa.scoring.kpi import KpiTargets, NoRuleSet, kpi_score, kpi_targets, rule_set_for
from pmqa.scoring.results import BandError, kpi_band_score, results_item_score

PMQA40_ITEMS: dict[str, tuple[str, ...]] = {
    **{str(c): tuple(f"{c}.{i}" for i in range(1, 5)) for c in range(1, 7)},
    "7": tuple(f"7.{i}" for i in range(1, 7)),
}
LEVEL_KEYS = ("basic", "advance", "significance")
# Checkpoint counts per item and level, when an edition is named: {"1.1": {"basic": 3, ...}}.
EditionCounts = Mapping[str, Mapping[str, int]]


class InputError(ValueError):
    """Bad input; str() is the one line the user sees."""


def parse_json(text: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as error:
        raise InputError(
            f"input: not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None


def number(
    field: str, raw: Any, *, low: Decimal | None = Decimal(0), high: Decimal | None = Decimal(500)
) -> Decimal:
    if isinstance(raw, bool) or raw is None or isinstance(raw, (list, dict)):
        raise InputError(f"{field}: expected a number, got {json.dumps(raw, default=str)}")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InputError(f"{field}: expected a number, got {json.dumps(str(raw))}") from None
    if not value.is_finite():
        raise InputError(f"{field}: expected a number, got {raw}")
    if low is not None and value < low or high is not None and value > high:
        raise InputError(f"{field}: must be between {low} and {high}, got {value}")
    return value


def _item_category(code: str, known: Mapping[str, tuple[str, ...]]) -> str:
    for category, codes in known.items():
        if code in codes:
            return category
    raise InputError(f"items.{code}: unknown item id")


def score_items(
    items: Any, counts: EditionCounts | None
) -> tuple[dict[str, Decimal], dict[str, dict[str, str]]]:
    if not isinstance(items, dict):
        raise InputError("items: expected an object of item id → answer")
    known = PMQA40_ITEMS
    if counts is not None:
        grouped: dict[str, list[str]] = {}
        for code in counts:
            grouped.setdefault(code.split(".")[0], []).append(code)
        known = {k: tuple(v) for k, v in grouped.items()}
    per_category: dict[str, dict[str, Decimal]] = {}
    item_out: dict[str, dict[str, str]] = {}
    for code, answer in items.items():
        category = _item_category(code, known)
        field = f"items.{code}"
        if not isinstance(answer, dict):
            raise InputError(f"{field}: expected an object")
        if category == "7":
            value, flagged = _results_item(field, answer)
            item_out[code] = {"score": f"{scoring.q2(value)}"}
            if flagged:
                item_out[code]["flag"] = "no KPI"
        elif "checkpoints" in answer:
            value, level = _process_item(
                field, answer["checkpoints"], counts.get(code) if counts else None
            )
            item_out[code] = {"score": f"{scoring.q2(value)}", "level": level}
        elif "score" in answer:
            value = number(f"{field}.score", answer["score"])
            item_out[code] = {"score": f"{scoring.q2(value)}"}
        else:
            raise InputError(f'{field}: give "checkpoints" or "score"')
        per_category.setdefault(category, {})[code] = value
    categories = {}
    for category, values in per_category.items():
        if len(values) == len(known[category]):
            categories[category] = scoring.category_score(values.values())
    return categories, item_out


def _process_item(
    field: str, checkpoints: Any, expected: Mapping[str, int] | None
) -> tuple[Decimal, str]:
    if not isinstance(checkpoints, dict):
        raise InputError(
            f"{field}.checkpoints: expected an object with basic, advance, significance"
        )
    ticks = {}
    for level in LEVEL_KEYS:
        flags = checkpoints.get(level)
        name = f"{field}.checkpoints.{level}"
        if not isinstance(flags, list) or not all(isinstance(f, bool) for f in flags):
            raise InputError(f"{name}: expected a list of true/false")
        if expected is not None and len(flags) != expected.get(level, 0):
            raise InputError(
                f"{name}: expected {expected.get(level, 0)} checkpoints, got {len(flags)}"
            )
        ticks[level] = LevelTicks.from_flags(flags)
    unknown = sorted(set(checkpoints) - set(LEVEL_KEYS))
    if unknown:
        raise InputError(f"{field}.checkpoints.{unknown[0]}: unknown level")
    try:
        value = scoring.gated_checklist(ticks["basic"], ticks["advance"], ticks["significance"])
    except ItemRuleError as error:
        raise InputError(f"{field}.checkpoints: {error}") from None
    return value, scoring.level_reached(ticks["basic"], ticks["advance"], ticks["significance"])


def _results_item(field: str, answer: dict[str, Any]) -> tuple[Decimal, bool]:
    kpis = answer.get("kpis", [])
    if not isinstance(kpis, list):
        raise InputError(f"{field}.kpis: expected a list")
    scores = []
    for index, kpi in enumerate(kpis):
        name = f"{field}.kpis[{index}]"
        if not isinstance(kpi, dict):
            raise InputError(f"{name}: expected an object with value and band")
        value = number(f"{name}.value", kpi.get("value"), low=None, high=None)
        band_raw = kpi.get("band")
        if not isinstance(band_raw, list) or not all(
            isinstance(p, list) and len(p) == 2 for p in band_raw
        ):
            raise InputError(f"{name}.band: expected a list of [value, score] pairs")
        band = [
            (
                number(f"{name}.band[{i}][0]", p[0], low=None, high=None),
                number(f"{name}.band[{i}][1]", p[1]),
            )
            for i, p in enumerate(band_raw)
        ]
        try:
            scores.append(kpi_band_score(value, band))
        except BandError as error:
            raise InputError(f"{name}.{error}") from None
    return results_item_score(scores)


def score_document(
    document: Any, counts: EditionCounts | None = None, thresholds: scoring.Thresholds | None = None
) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise InputError('input: expected a JSON object with "categories" or "items"')
    if "categories" in document and "items" in document:
        raise InputError('input: give either "categories" or "items", not both')
    items_out: dict[str, dict[str, str]] | None = None
    if "categories" in document:
        raw = document["categories"]
        if not isinstance(raw, dict):
            raise InputError("categories: expected an object of category → score")
        for key in raw:
            if key not in CATEGORY_IDS:
                raise InputError(f"categories.{key}: unknown category (expected 1–7)")
        categories = {key: number(f"categories.{key}", value) for key, value in raw.items()}
    elif "items" in document:
        categories, items_out = score_items(document["items"], counts)
    else:
        raise InputError('input: expected "categories" or "items"')
    result = scoring.score_categories(categories, thresholds or scoring.Thresholds())
    out = result.as_json()
    if items_out is not None:
        out["items"] = dict(sorted(items_out.items(), key=lambda kv: _sort_key(kv[0])))
    return out


def _sort_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", code))


def kpi_document(prior_raw: str, actual_raw: str | None, fiscal_year: int | None) -> dict[str, Any]:
    prior = number("prior", prior_raw)
    try:
        # A year before the first rule set is refused, not scored by a later year's rule.
        rules = rule_set_for(fiscal_year)
    except NoRuleSet as error:
        raise InputError(str(error)) from None
    try:
        targets: KpiTargets = kpi_targets(prior, rules)
    except ValueError as error:  # a rule set whose types leave a gap
        raise InputError(str(error)) from None
    out: dict[str, Any] = {
        "type": targets.type,
        "fiscal_year_rule": rules.fiscal_year,
        "targets": {
            "minimum": f"{scoring.q2(targets.minimum)}",
            "standard": None if targets.standard is None else f"{scoring.q2(targets.standard)}",
            "advanced": f"{scoring.q2(targets.advanced)}",
        },
    }
    if actual_raw is None:
        out["totals_for_scores"] = {
            key: f"{scoring.q2(value)}" for key, value in targets.totals_for_scores().items()
        }
    else:
        actual = number("actual", actual_raw)
        out["score"] = f"{scoring.q2(kpi_score(actual, targets))}"
    return out
