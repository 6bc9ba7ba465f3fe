"""PMQA 4.0 scoring rules as pure functions: rules and answers in, Decimal figures out.

Nothing here imports Django. Figures keep full precision; `q2` is the one rounding step, applied
where a figure leaves the engine (display, storage, classification).
"""

from pmqa.scoring.engine import (
    CLASSIFICATIONS,
    LEVELS,
    RULES_VERSION,
    AssessmentScore,
    Classification,
    Level,
    Thresholds,
    category_score,
    classify,
    gap,
    maturity_level,
    q2,
    rating,
    score_categories,
    total_score,
)
from pmqa.scoring.items import (
    ItemRuleError,
    LevelTicks,
    gated_checklist,
    level_pick,
    level_reached,
    numeric,
    override,
)
from pmqa.scoring.kpi import (
    GroupStatistics,
    KpiRuleSet,
    KpiTargets,
    NoRuleSet,
    group_statistics,
    kpi_score,
    kpi_targets,
    propose_rule_set,
    rule_set_for,
)
from pmqa.scoring.results import BandError, kpi_band_score, results_item_score

__all__ = [
    "CLASSIFICATIONS",
    "LEVELS",
    "RULES_VERSION",
    "AssessmentScore",
    "BandError",
    "Classification",
    "GroupStatistics",
    "ItemRuleError",
    "KpiRuleSet",
    "KpiTargets",
    "Level",
    "LevelTicks",
    "NoRuleSet",
    "Thresholds",
    "category_score",
    "classify",
    "gap",
    "gated_checklist",
    "group_statistics",
    "kpi_band_score",
    "kpi_score",
    "kpi_targets",
    "level_pick",
    "level_reached",
    "maturity_level",
    "numeric",
    "override",
    "propose_rule_set",
    "q2",
    "rating",
    "results_item_score",
    "rule_set_for",
    "score_categories",
    "total_score",
]
