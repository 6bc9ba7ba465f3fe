"""Open data: published results of each cycle, aggregated, for anyone without logging in.

Only assessments whose report is published count; the synthetic demonstration cohort never
does. Nothing names a person or an organisation's own figures: results are given for all
organisations, per type, per ministry and per province cluster, and any group of fewer than
three organisations is suppressed (its figures left empty).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from pmqa import scoring
from pmqa.assessments.models import Cycle, published
from pmqa.dashboards.statistics import CATEGORIES, Filters, Row, load_rows
from pmqa.lib.csvfile import csv_text
from pmqa.lib.templatetags.thai import level_label
from pmqa.organisations.models import Organisation
from pmqa.scoring.engine import mean

MINIMUM_GROUP = 3

FIELDS = (
    ("fiscal_year", _("Fiscal year (B.E.) of the assessment cycle.")),
    ("dimension", _("How the organisations are grouped: all, type, ministry or province_cluster.")),
    (
        "group_code",
        _("Code of the group: the type, or the code of the ministry or province cluster."),
    ),
    ("group_name", _("Name of the group, in Thai.")),
    (
        "organisations",
        _("Organisations in the group with a published result; empty when suppressed."),
    ),
    (
        "suppressed",
        _("yes when the group has fewer than 3 organisations, so its figures are left empty."),
    ),
    ("mean_total", _("Mean of the verified round-1 totals (0–500), two decimals.")),
    *(
        (f"level_{level}", _("Organisations whose verified total reached this level."))
        for level in scoring.LEVELS
    ),
    *(
        (f"mean_category_{n}", _("Mean of the verified scores of this category (0–500)."))
        for n in CATEGORIES
    ),
)
HEADER = [name for name, _help in FIELDS]


def csv_header() -> list[str]:
    """The CSV's column names, in the reader's language; the JSON keeps HEADER's names."""
    return [
        pgettext("CSV column", "Fiscal year"),
        pgettext("CSV column", "Grouped by"),
        pgettext("CSV column", "Group code"),
        pgettext("CSV column", "Group name"),
        pgettext("CSV column", "Organisations"),
        pgettext("CSV column", "Suppressed"),
        pgettext("CSV column", "Mean total"),
        *[
            pgettext("CSV column", "Organisations at level %(level)s") % {"level": level_label(v)}
            for v in scoring.LEVELS
        ],
        *[pgettext("CSV column", "Mean of category %(n)s") % {"n": n} for n in CATEGORIES],
    ]


@dataclass
class Aggregate:
    dimension: str
    code: str
    name: str
    rows: list[Row]
    suppressed: bool = False

    def values(self, fiscal_year: int) -> list[str]:
        head = [str(fiscal_year), self.dimension, self.code, self.name]
        if self.suppressed:
            return [*head, "", "yes", *[""] * (len(HEADER) - 6)]
        totals = [r.verified_total for r in self.rows if r.verified_total is not None]
        levels = [sum(1 for r in self.rows if r.level == level) for level in scoring.LEVELS]
        categories = []
        for n in CATEGORIES:
            found = [r.verified_categories[n] for r in self.rows if n in r.verified_categories]
            categories.append(_figure(mean(found)) if found else "")
        return [
            *head,
            str(len(self.rows)),
            "no",
            _figure(mean(totals)),
            *(str(n) for n in levels),
            *categories,
        ]


def _figure(value: Decimal) -> str:
    return str(scoring.q2(value))


def _suppress(parent: Aggregate, children: list[Aggregate]) -> None:
    """Children partition their parent exactly. A child under the minimum is suppressed, and so
    is the next smallest while the suppressed children together hold 1 or 2 organisations: the
    parent's figures minus the shown children must never give a small group's."""
    if parent.suppressed:
        for child in children:
            child.suppressed = True
        return
    for child in children:
        child.suppressed = len(child.rows) < MINIMUM_GROUP
    while 0 < sum(len(c.rows) for c in children if c.suppressed) < MINIMUM_GROUP:
        shown = [c for c in children if not c.suppressed]
        if not shown:
            break
        min(shown, key=lambda c: (len(c.rows), c.code)).suppressed = True


def aggregates(cycle: Cycle) -> list[Aggregate]:
    """All organisations; each type; within each type, each ministry or province cluster and
    the members with neither. Groups nest, so every figure is checked against its parent."""
    rows, _synthetic = load_rows(cycle, Filters(published_only=True))
    rows = [r for r in rows if r.verified_total is not None]
    with translation.override("th"):
        everyone = Aggregate("all", "", str(_("All organisations")), rows)
        everyone.suppressed = len(rows) < MINIMUM_GROUP
        types = [
            Aggregate("type", kind, str(label), [r for r in rows if r.kind == kind])
            for kind, label in Organisation.Kind.choices
            if any(r.kind == kind for r in rows)
        ]
        _suppress(everyone, types)
        out = [everyone, *types]
        for group in types:
            parents: dict[str, list[Row]] = {}
            names: dict[str, str] = {}
            for r in group.rows:
                parents.setdefault(r.parent_code, []).append(r)
                names[r.parent_code] = r.parent or str(_("No ministry or province cluster"))
            children = [
                Aggregate(
                    "province_cluster" if group.code == Organisation.Kind.PROVINCE else "ministry",
                    f"{group.code}:{code}",
                    names[code],
                    found,
                )
                for code, found in sorted(parents.items())
            ]
            _suppress(group, children)
            out += children
    return out


def published_cycles(today: datetime.date | None = None) -> list[Cycle]:
    """Cycles whose last round has closed and which have a published result. A cycle still
    publishing would show each new report's effect between two downloads."""
    today = today or timezone.localdate()
    cycles = (
        Cycle.objects.filter(published("assessments__"), assessments__is_synthetic=False)
        .annotate(last_close=Max("rounds__closes_on"))
        .distinct()
        .order_by("-fiscal_year")
    )
    return [c for c in cycles if c.last_close is not None and c.last_close < today]


def to_csv(cycle: Cycle) -> str:
    return csv_text(csv_header(), (a.values(cycle.fiscal_year) for a in aggregates(cycle)))


def to_json(cycle: Cycle) -> str:
    rows = [dict(zip(HEADER, a.values(cycle.fiscal_year), strict=True)) for a in aggregates(cycle)]
    return json.dumps(
        {
            "fiscal_year": cycle.fiscal_year,
            "minimum_group_size": MINIMUM_GROUP,
            "fields": {name: str(text) for name, text in FIELDS},
            "rows": rows,
        },
        ensure_ascii=False,
        indent=2,
    )
