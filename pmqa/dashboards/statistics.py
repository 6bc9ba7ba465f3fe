"""The statistics of one cycle: the seed's group table, the distribution of verified totals,
levels and category classes, and the gaps between self-assessment and verification.

Read in a fixed number of queries, whatever the number of organisations; computed in Python
with the scoring engine, so the figures are those of the reports. The labelled synthetic
cohort is left out unless asked for; assessments without a verified total are left out and
counted.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import ngettext, pgettext

from pmqa import scoring
from pmqa.assessments.models import Assessment, Cycle, Round, ScoreSnapshot, published
from pmqa.evaluation.kpi import grouping_rules
from pmqa.lib.csvfile import csv_text
from pmqa.lib.templatetags.thai import classification_label, level_label
from pmqa.organisations.models import Organisation
from pmqa.scoring.engine import mean

CATEGORIES = tuple(str(n) for n in range(1, 8))
BIN = 50  # width of a bar of the distribution, in points


@dataclass(frozen=True)
class Filters:
    """Which organisations count: a type, a parent (ministry or province cluster), and
    whether the synthetic demonstration cohort is included."""

    kind: str = ""
    parent: Organisation | None = None
    include_synthetic: bool = False
    published_only: bool = False  # only assessments whose report is published
    synthetic_only: bool = False  # only the synthetic demonstration cohort


@dataclass(frozen=True)
class Row:
    """One organisation's assessment in the cycle, with its latest round-1 scores."""

    assessment_pk: int
    fiscal_year: int
    status: str
    organisation: str
    code: str
    kind: str
    parent: str
    parent_code: str
    parent_kind: str
    synthetic: bool
    self_total: Decimal | None
    verified_total: Decimal | None
    level: str
    self_categories: dict[str, Decimal]
    verified_categories: dict[str, Decimal]

    @property
    def gap(self) -> Decimal | None:
        if self.self_total is None or self.verified_total is None:
            return None
        return scoring.gap(self.self_total, self.verified_total)


@dataclass(frozen=True)
class CategoryFigures:
    number: str
    classes: dict[str, int]  # strength / develop / urgent → organisations
    mean_gap: Decimal | None  # self − assessor, over organisations with both
    over_rating: int  # organisations whose self score is above the verified one


@dataclass(frozen=True)
class Overdue:
    """A self-assessment still open for editing after its round 1 closed."""

    row: Row
    closes_on: datetime.date
    days: int


@dataclass(frozen=True)
class YearFigures:
    fiscal_year: int
    count: int
    mean: Decimal | None
    levels: list[int]  # organisations per level, in scoring.LEVELS order


@dataclass
class CycleStatistics:
    cycle: Cycle
    filters: Filters
    rows: list[Row]  # organisations with a verified total
    without_verified: int
    synthetic_left_out: int
    groups: list[scoring.GroupStatistics]
    grouped_by_year: int
    grouped_by_first_set: bool
    distribution: list[tuple[str, int]]
    levels: list[tuple[str, int]]
    categories: list[CategoryFigures]
    mean_gap: Decimal | None
    over_raters: list[Row] = field(default_factory=list)
    progress: list[tuple[str, int]] = field(default_factory=list)
    overdue: list[Overdue] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.rows)


def _decimals(categories: dict[str, Any]) -> dict[str, Decimal]:
    return {key: Decimal(str(value)) for key, value in (categories or {}).items()}


def _lookups(filters: Filters, prefix: str = "") -> Q:
    """The filters as a query on an assessment (reached through `prefix`); the synthetic
    cohort is left to the caller, which counts what it leaves out."""
    lookups: dict[str, Any] = {}
    if filters.kind:
        lookups[f"{prefix}organisation__kind"] = filters.kind
    if filters.parent is not None:
        lookups[f"{prefix}organisation__parent"] = filters.parent
    query = Q(**lookups)
    return query & published(prefix) if filters.published_only else query


def load_rows(cycle: Cycle | None, filters: Filters) -> tuple[list[Row], int]:
    """Every assessment of the cycle (of every cycle for None) the filters admit, in two
    queries, and how many synthetic ones were left out."""
    assessments = Assessment.objects.select_related("organisation__parent", "cycle")
    if cycle is not None:
        assessments = assessments.filter(cycle=cycle)
    assessments = assessments.filter(_lookups(filters))
    if filters.synthetic_only:
        assessments = assessments.filter(is_synthetic=True)
    found = list(assessments)
    kept = [
        a
        for a in found
        if filters.include_synthetic or filters.synthetic_only or not a.is_synthetic
    ]
    if not (filters.include_synthetic or filters.synthetic_only):
        assessments = assessments.filter(is_synthetic=False)
    snapshots = {
        (snapshot["assessment_id"], snapshot["source"]): snapshot
        for snapshot in ScoreSnapshot.objects.filter(
            assessment__in=assessments.values("pk"), round_number=1
        )
        .current()
        .order_by()
        .values("assessment_id", "source", "total", "level", "categories")
    }
    rows = []
    for a in kept:
        own = snapshots.get((a.pk, "self"))
        verified = snapshots.get((a.pk, "assessor"))
        organisation = a.organisation
        rows.append(
            Row(
                assessment_pk=a.pk,
                fiscal_year=a.cycle.fiscal_year,
                status=a.status,
                organisation=organisation.official_name_th,
                code=organisation.code,
                kind=organisation.kind,
                parent=organisation.parent.official_name_th if organisation.parent else "",
                parent_code=organisation.parent.code if organisation.parent else "",
                parent_kind=organisation.parent.kind if organisation.parent else "",
                synthetic=a.is_synthetic,
                self_total=own["total"] if own else None,
                verified_total=verified["total"] if verified else None,
                level=verified["level"] if verified else "",
                self_categories=_decimals(own["categories"]) if own else {},
                verified_categories=_decimals(verified["categories"]) if verified else {},
            )
        )
    return rows, len(found) - len(kept)


def _bin_label(low: int) -> str:
    high = min(low + BIN, 500)
    return f"{low}–{high}" if high == 500 else f"{low}–{high - Decimal('0.01')}"


def compute(cycle: Cycle, filters: Filters | None = None) -> CycleStatistics:
    filters = filters or Filters()
    all_rows, synthetic_left_out = load_rows(cycle, filters)
    rows = [r for r in all_rows if r.verified_total is not None]
    totals: list[Decimal | None] = [r.verified_total for r in rows]
    rules, first_set = grouping_rules(cycle.fiscal_year)
    groups, _missing = scoring.group_statistics(totals, rules)

    bins = dict.fromkeys(range(0, 500, BIN), 0)
    for r in rows:
        assert r.verified_total is not None
        bins[min(int(scoring.q2(r.verified_total) // BIN) * BIN, 500 - BIN)] += 1
    distribution = [(_bin_label(low), count) for low, count in bins.items()]

    level_counts = dict.fromkeys(scoring.LEVELS, 0)
    for r in rows:
        if r.level in level_counts:
            level_counts[r.level] += 1
    levels = [(level_label(level), count) for level, count in level_counts.items()]

    thresholds = cycle.edition.thresholds()
    categories = []
    for number in CATEGORIES:
        classes = dict.fromkeys(scoring.CLASSIFICATIONS, 0)
        gaps = []
        for r in rows:
            verified = r.verified_categories.get(number)
            if verified is None:
                continue
            classes[scoring.classify(verified, thresholds)] += 1
            own = r.self_categories.get(number)
            if own is not None:
                gaps.append(scoring.gap(own, verified))
        categories.append(
            CategoryFigures(
                number,
                classes,
                mean(gaps) if gaps else None,
                sum(1 for g in gaps if g > 0),
            )
        )
    gaps = [r.gap for r in rows if r.gap is not None]
    over_raters = sorted(
        (r for r in rows if r.gap is not None and r.gap > 0),
        key=lambda r: (-(r.gap or 0), r.code),
    )
    statuses = dict.fromkeys(Assessment.Status.values, 0)
    for r in all_rows:
        statuses[r.status] += 1
    progress = [
        (str(label), statuses[value])
        for value, label in Assessment.Status.choices
        if statuses[value]
    ]
    return CycleStatistics(
        progress=progress,
        overdue=overdue(cycle, all_rows),
        cycle=cycle,
        filters=filters,
        rows=sorted(rows, key=lambda r: (-(r.verified_total or 0), r.code)),
        without_verified=len(all_rows) - len(rows),
        synthetic_left_out=synthetic_left_out,
        groups=groups,
        grouped_by_year=rules.fiscal_year,
        grouped_by_first_set=first_set,
        distribution=distribution,
        levels=levels,
        categories=categories,
        mean_gap=mean(gaps) if gaps else None,
        over_raters=over_raters[:20],
    )


OPEN_FOR_EDITING = (Assessment.Status.DRAFT,)


def overdue(cycle: Cycle, rows: list[Row], today: datetime.date | None = None) -> list[Overdue]:
    """The self-assessments still a draft after round 1 closed for their organisation
    (extensions included), longest overdue first (two queries)."""
    today = today or timezone.localdate()
    round_ = Round.objects.filter(cycle=cycle, number=1).prefetch_related("extensions").first()
    if round_ is None:
        return []
    extended = {
        e.organisation.code: e.closes_on for e in round_.extensions.select_related("organisation")
    }
    found = []
    for r in rows:
        closes_on = extended.get(r.code, round_.closes_on)
        if r.status in OPEN_FOR_EDITING and closes_on < today:
            found.append(Overdue(r, closes_on, (today - closes_on).days))
    return sorted(found, key=lambda o: (-o.days, o.row.code))


def trends(filters: Filters) -> list[YearFigures]:
    """Verified totals across every cycle, oldest first, with the same filters: one query of
    totals and levels for all the years."""
    snapshots = ScoreSnapshot.objects.filter(
        _lookups(filters, "assessment__"), source="assessor", round_number=1
    )
    if not filters.include_synthetic:
        snapshots = snapshots.filter(assessment__is_synthetic=False)
    years: dict[int, list[tuple[Decimal, str]]] = {}
    for year, total, level in (
        snapshots.current()
        .order_by()
        .values_list("assessment__cycle__fiscal_year", "total", "level")
    ):
        years.setdefault(year, []).append((total, level))
    return [
        YearFigures(
            year,
            len(found),
            mean([total for total, _level in found]),
            [sum(1 for _total, lv in found if lv == level) for level in scoring.LEVELS],
        )
        for year, found in sorted(years.items())
    ]


def heat_class(score: Decimal | None, thresholds: scoring.Thresholds) -> str:
    return "" if score is None else f"heat-{scoring.classify(score, thresholds)}"


# ---------------------------------------------------------------------------------------------
# Exports: CSV (one row per organisation), JSON (everything), Excel (a sheet per table).


def _figure(value: Decimal | None) -> str:
    return "" if value is None else str(scoring.q2(value))


ROW_HEADER = [
    "code",
    "organisation",
    "type",
    "parent",
    "synthetic",
    "self_total",
    "verified_total",
    "gap",
    "level",
    *[f"verified_category_{n}" for n in CATEGORIES],
]


def _row_values(r: Row) -> list[str]:
    return [
        r.code,
        r.organisation,
        r.kind,
        r.parent,
        "yes" if r.synthetic else "no",
        _figure(r.self_total),
        _figure(r.verified_total),
        _figure(r.gap),
        r.level,
        *[_figure(r.verified_categories.get(n)) for n in CATEGORIES],
    ]


def csv_header() -> list[str]:
    """ROW_HEADER in the reader's language, for the CSV; the JSON keeps ROW_HEADER's keys."""
    return [
        pgettext("CSV column", "Code"),
        pgettext("CSV column", "Organisation"),
        pgettext("CSV column", "Type"),
        pgettext("CSV column", "Ministry or province cluster"),
        pgettext("CSV column", "Synthetic"),
        pgettext("CSV column", "Self-assessed total"),
        pgettext("CSV column", "Verified total"),
        pgettext("CSV column", "Gap"),
        pgettext("CSV column", "Level"),
        *[pgettext("CSV column", "Category %(n)s, verified") % {"n": n} for n in CATEGORIES],
    ]


def to_csv(stats: CycleStatistics) -> str:
    return csv_text(csv_header(), (_row_values(r) for r in stats.rows))


def to_json(stats: CycleStatistics) -> str:
    data = {
        "fiscal_year": stats.cycle.fiscal_year,
        "filters": {
            "type": stats.filters.kind,
            "parent": stats.filters.parent.code if stats.filters.parent else "",
            "include_synthetic": stats.filters.include_synthetic,
        },
        "organisations": stats.count,
        "without_verified_total": stats.without_verified,
        "synthetic_left_out": stats.synthetic_left_out,
        "groups_of_fiscal_year": stats.grouped_by_year,
        "groups": [
            {
                "group": g.label,
                "count": g.count,
                "min": _figure(g.minimum),
                "max": _figure(g.maximum),
                "mean": _figure(g.mean),
            }
            for g in stats.groups
        ],
        "distribution": [{"range": label, "count": n} for label, n in stats.distribution],
        "levels": dict(zip(scoring.LEVELS, (n for _label, n in stats.levels), strict=True)),
        "categories": [
            {
                "category": c.number,
                "classes": c.classes,
                "mean_gap": _figure(c.mean_gap),
                "over_rating": c.over_rating,
            }
            for c in stats.categories
        ],
        "mean_gap": _figure(stats.mean_gap),
        "rows": [dict(zip(ROW_HEADER, _row_values(r), strict=True)) for r in stats.rows],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_xlsx(stats: CycleStatistics) -> bytes:
    from pmqa.lib.xlsx import (
        figure,
        header,
        keep_text_as_text,
        new_workbook,
        print_all,
        score_cells,
        text_column,
    )

    book = new_workbook()
    sheet = book.active
    sheet.title = "กลุ่มคะแนน"
    header(sheet, ["กลุ่ม", "จำนวน", "ต่ำสุด", "สูงสุด", "ค่าเฉลี่ย"], [18, 10, 12, 12, 12])
    for g in stats.groups:
        sheet.append([g.label, g.count, *(figure(v) for v in (g.minimum, g.maximum, g.mean))])
    text_column(sheet)
    sheet = book.create_sheet("การกระจาย")
    header(sheet, ["ช่วงคะแนน", "จำนวน"], [18, 10])
    for label, count in stats.distribution:
        sheet.append([label, count])
    text_column(sheet)
    sheet = book.create_sheet("ระดับ")
    header(sheet, ["ระดับ", "จำนวน"], [24, 10])
    for label, count in stats.levels:
        sheet.append([label, count])
    sheet = book.create_sheet("รายหมวด")
    header(
        sheet,
        [
            "หมวด",
            *[classification_label(c) for c in scoring.CLASSIFICATIONS],
            "ส่วนต่างเฉลี่ย",
            "ประเมินตนเองสูงกว่า",
        ],
        [8, 14, 14, 14, 14, 14],
    )
    for c in stats.categories:
        sheet.append([c.number, *c.classes.values(), figure(c.mean_gap), c.over_rating])
    text_column(sheet)
    sheet = book.create_sheet("รายหน่วยงาน")
    header(
        sheet,
        [
            "รหัส",
            "หน่วยงาน",
            "ประเภท",
            "สังกัด",
            "สังเคราะห์",
            "ประเมินตนเอง",
            "ผู้ตรวจประเมิน",
            "ส่วนต่าง",
            "ระดับ",
            *[f"หมวด {n}" for n in CATEGORIES],
        ],
        [12, 36, 14, 24, 10, 12, 12, 10, 14, *[9] * len(CATEGORIES)],
    )
    for r in stats.rows:
        sheet.append(
            [
                r.code,
                r.organisation,
                str(Organisation.Kind(r.kind).label),
                r.parent,
                "ใช่" if r.synthetic else "",
                figure(r.self_total),
                figure(r.verified_total),
                figure(r.gap),
                level_label(r.level),
                *[figure(r.verified_categories.get(n)) for n in CATEGORIES],
            ]
        )
    text_column(sheet)
    for sheet in book.worksheets:
        score_cells(sheet)
    print_all(book)
    keep_text_as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def describe(stats: CycleStatistics) -> str:
    """One line on what the figures include, for pages and exports."""
    parts = [
        ngettext(
            "%(n)s organisation with a verified total",
            "%(n)s organisations with a verified total",
            stats.count,
        )
        % {"n": stats.count}
    ]
    if stats.without_verified:
        parts.append(
            ngettext(
                "%(n)s without one left out", "%(n)s without one left out", stats.without_verified
            )
            % {"n": stats.without_verified}
        )
    if stats.synthetic_left_out:
        parts.append(
            ngettext(
                "%(n)s synthetic left out", "%(n)s synthetic left out", stats.synthetic_left_out
            )
            % {"n": stats.synthetic_left_out}
        )
    return " · ".join(parts)
