"""An agency's own dashboard figures: where its latest published total stands among its peers
(organisations of its type, and of its ministry or province cluster), and next year's KPI.

Only published results of others are used, and no other organisation is named: a peer group
of fewer than three organisations is not shown, as in the open data; nor is a group that differs
from one shown before it by fewer than three organisations, whose total would follow by
subtraction (or by the same organisations: it would say nothing new).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.assessments.models import Assessment
from pmqa.dashboards.opendata import MINIMUM_GROUP
from pmqa.dashboards.statistics import Filters, load_rows
from pmqa.evaluation.kpi import rule_sets
from pmqa.scoring.engine import mean
from pmqa.scoring.kpi import KpiTargets, NoRuleSet, kpi_targets, rule_set_for


@dataclass(frozen=True)
class PeerPosition:
    group: str  # which peers, in words
    count: int  # the other organisations of the group (the user's own left out)
    mean: Decimal  # their mean verified total
    below: int  # how many of them have a lower total than this organisation

    @property
    def percentile(self) -> int:
        """The share of the other organisations of the group whose total is lower."""
        return round(100 * self.below / self.count)


@dataclass(frozen=True)
class AgencyPosition:
    assessment: Assessment
    total: Decimal
    peers: list[PeerPosition]
    next_year: int
    targets: KpiTargets | None
    no_rule_set: str


def _differenced(group: set[str], shown: list[set[str]]) -> bool:
    """Whether the group, beside one already shown, would tell the total of fewer than
    MINIMUM_GROUP organisations: their sum is one group's sum less the other's."""
    return any(
        group == other
        or any(0 < len(rest) < MINIMUM_GROUP for rest in (group - other, other - group))
        for other in shown
    )


def position(
    assessment: Assessment, total: Decimal, own_codes: frozenset[str] = frozenset()
) -> AgencyPosition:
    """`assessment` is published and `total` its verified round-1 total. Peers are the other
    organisations with a published result, the user's own (`own_codes`) left out; a synthetic
    demonstration agency is compared within the synthetic cohort only, a real one with real
    results only."""
    organisation = assessment.organisation
    own_codes = own_codes | {organisation.code}
    synthetic = assessment.is_synthetic
    groups: list[tuple[str, Filters]] = [
        (
            _("%(type)s organisations") % {"type": organisation.get_kind_display()},
            Filters(kind=organisation.kind, published_only=True, synthetic_only=synthetic),
        )
    ]
    if organisation.parent is not None:
        groups.append(
            (
                _("organisations of %(parent)s") % {"parent": organisation.parent.name},
                Filters(parent=organisation.parent, published_only=True, synthetic_only=synthetic),
            )
        )
    peers = []
    shown: list[set[str]] = []
    for label, filters in groups:
        rows, _left_out = load_rows(assessment.cycle, filters)
        others = {
            r.code: r.verified_total
            for r in rows
            if r.verified_total is not None and r.code not in own_codes
        }
        if len(others) < MINIMUM_GROUP or _differenced(set(others), shown):
            continue  # too few others to say anything of them, alone or by subtraction
        shown.append(set(others))
        totals = list(others.values())
        peers.append(
            PeerPosition(label, len(totals), mean(totals), sum(1 for t in totals if t < total))
        )
    next_year = assessment.cycle.fiscal_year + 1
    targets = None
    refused = ""
    try:
        targets = kpi_targets(scoring.q2(total), rule_set_for(next_year, rule_sets()))
    except NoRuleSet as error:
        refused = _(
            "No KPI rule set covers fiscal year %(year)s yet: the first starts in %(first)s."
        ) % {"year": error.fiscal_year, "first": error.first_year}
    return AgencyPosition(assessment, total, peers, next_year, targets, refused)
