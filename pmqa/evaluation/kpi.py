"""The agency evaluation's PMQA KPI for every organisation, and its rule sets as data.

The rule sets shipped with the engine (`pmqa/scoring/data/kpi_rules.json`) hold unless an
administrator has saved a version for that year; every save is a new numbered version with a
reason, kept with the earlier ones. A year's rule set can be proposed from the previous year's
statistics (the seed's minimum targets are last year's group means, rounded down to 5).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pmqa import scoring
from pmqa.assessments import workflow
from pmqa.assessments.models import Assessment, ScoreSnapshot
from pmqa.audit import services as audit
from pmqa.evaluation.models import KpiRuleSetVersion
from pmqa.lib.csvfile import csv_text
from pmqa.lib.errors import ServiceError
from pmqa.scoring.kpi import (
    KpiRuleSet,
    NoRuleSet,
    RuleSetProblem,
    group_statistics,
    kpi_score,
    kpi_targets,
    load_rule_sets,
    propose_rule_set,
    rule_set_for,
)


def rule_sets() -> Mapping[int, KpiRuleSet]:
    """Every year's rule set in force: the shipped ones, replaced by the latest version an
    administrator saved for the year (one query)."""
    sets = dict(load_rule_sets())
    for version in KpiRuleSetVersion.objects.order_by("fiscal_year", "number"):
        sets[version.fiscal_year] = KpiRuleSet.from_dict(version.data)
    return sets


def grouping_rules(
    fiscal_year: int, sets: Mapping[int, KpiRuleSet] | None = None
) -> tuple[KpiRuleSet, bool]:
    """The rule set whose score groups a cycle's totals fall into: that of the year the totals
    set targets for (the next one). Before the first rule set, the first one groups them, and
    the second value says so; group statistics are shown for every cycle (spec §4)."""
    sets = sets if sets is not None else rule_sets()
    try:
        return rule_set_for(fiscal_year + 1, sets), False
    except NoRuleSet as error:
        return sets[error.first_year], True


def versions(fiscal_year: int) -> list[KpiRuleSetVersion]:
    return list(
        KpiRuleSetVersion.objects.filter(fiscal_year=fiscal_year)
        .select_related("created_by")
        .order_by("-number")
    )


def save_rule_set(*, data: dict[str, Any], reason: str, by: Any) -> KpiRuleSetVersion:
    """A new version of a year's rule set; refused unless by an administrator, with a reason,
    and for a rule set that scores every total."""
    workflow.require_admin(by)
    if not reason.strip():
        raise ServiceError(_("Give the reason for this change."))
    try:
        rules = KpiRuleSet.from_dict(data)
        rules.check()
    except RuleSetProblem as problem:
        raise ServiceError(problem_text(problem)) from None
    except (KeyError, TypeError, ValueError, ArithmeticError):
        raise ServiceError(
            _("The rule set cannot be used: a figure is missing or is not a number.")
        ) from None
    try:
        return _save_version(rules, reason.strip(), by)
    except IntegrityError:  # two first versions of a year saved at the same moment
        raise ServiceError(
            _("Someone saved this year's rule set at the same moment; open it again.")
        ) from None


def _save_version(rules: KpiRuleSet, reason: str, by: Any) -> KpiRuleSetVersion:
    with transaction.atomic():
        latest = (
            KpiRuleSetVersion.objects.select_for_update()
            .filter(fiscal_year=rules.fiscal_year)
            .order_by("-number")
            .first()
        )
        old = latest.data if latest else None
        version = KpiRuleSetVersion.objects.create(
            fiscal_year=rules.fiscal_year,
            number=(latest.number + 1) if latest else 1,
            data=rules.to_dict(),
            reason=reason,
            created_by=by,
        )
        audit.record(
            actor=by,
            action="kpi.rule_set",
            obj=version,
            old=old,
            new=version.data,
            reason=version.reason,
        )
    return version


def problem_text(problem: RuleSetProblem) -> str:
    """What is wrong with a rule set, in the user's language."""
    value = problem.value
    value = str(scoring.q2(value)) if isinstance(value, Decimal) else (value or "")
    texts = {
        "prior_from": _("Type %(type)s must start at %(value)s, where the type before ends."),
        "prior_below": _("Type %(type)s must end above %(value)s."),
        "minimum": _("The minimum target of type %(type)s must be between 0 and 500."),
        "advanced": _(
            "Type %(type)s needs one advanced target: a fixed total or a factor, not both."
        ),
        "advanced_fixed": _(
            "The fixed advanced target of type %(type)s must be above its minimum and at most 500."
        ),
        "advanced_factor": _("The factor of type %(type)s must be at least 1."),
        "uncovered": _("Totals from %(value)s to 500 belong to no type."),
        "groups": _(
            "The score groups must run from 0 to 500 one after another; look at %(value)s."
        ),
        "weights": _("The weights of the components must add up to 100."),
        "pmqa_weight": _("Exactly one component must be marked PMQA, the PMQA 4.0 status KPI."),
        "duplicate_group": _("Two score groups have the same label, “%(value)s”."),
        "minimum_above_standard": _(
            "The minimum target of type %(type)s is above where the type starts (%(value)s), "
            "its standard target."
        ),
        "minimum_above_advanced": _(
            "The minimum target of type %(type)s is not below its advanced target (%(value)s)."
        ),
        "minimum_group": _(
            "Type %(type)s takes its minimum target from the score group “%(value)s”, which is no "
            "longer listed; keep that group's label."
        ),
    }
    return texts[problem.problem] % {"type": problem.type_number, "value": value}


def verified_totals(fiscal_year: int) -> dict[int, tuple[Assessment, Decimal]]:
    """Organisation id → (assessment, latest verified round-1 total) of a cycle, the labelled
    synthetic cohort left out (two queries)."""
    assessments = {
        a.pk: a
        for a in Assessment.objects.filter(
            cycle__fiscal_year=fiscal_year, is_synthetic=False
        ).select_related("organisation")
    }
    totals: dict[int, tuple[Assessment, Decimal]] = {}
    for row in (
        ScoreSnapshot.objects.filter(
            assessment__in=list(assessments), source="assessor", round_number=1
        )
        .current()
        .order_by("pk")
        .values("assessment_id", "total")
    ):
        assessment = assessments[row["assessment_id"]]
        totals[assessment.organisation_id] = (assessment, row["total"])
    return totals


def years_with_targets() -> list[int]:
    """The fiscal years that have targets, newest first: each year after one in which an
    organisation (the synthetic cohort left out) has a verified total, a cycle of its own or
    not yet."""
    verified = (
        ScoreSnapshot.objects.filter(
            source="assessor", round_number=1, assessment__is_synthetic=False
        )
        .order_by()
        .values_list("assessment__cycle__fiscal_year", flat=True)
        .distinct()
    )
    return sorted({year + 1 for year in verified}, reverse=True)


def propose(fiscal_year: int) -> KpiRuleSet:
    """The rule set in force for `fiscal_year` (its own, or an earlier one; before the first,
    the first) with each minimum target from the previous year's group means. The previous
    year's totals are grouped by these same groups, as the statistics page groups them."""
    sets = rule_sets()
    try:
        base = rule_set_for(fiscal_year, sets)
    except NoRuleSet as error:
        base = sets[error.first_year]
    start = KpiRuleSet.from_dict(base.to_dict() | {"fiscal_year": fiscal_year - 1})
    totals = [total for _a, total in verified_totals(fiscal_year - 1).values()]
    groups, _missing = group_statistics(totals, start)
    return propose_rule_set(start, groups, fiscal_year)


@dataclass(frozen=True)
class OrganisationKpi:
    organisation: str
    code: str
    prior: Decimal  # last year's verified total, as printed
    type: int
    minimum: Decimal
    standard: Decimal | None
    advanced: Decimal
    reaches: dict[str, Decimal]  # the totals that reach KPI scores 50, 75 and 100
    actual: Decimal | None  # this year's verified total, once there is one
    score: Decimal | None


def organisation_kpis(fiscal_year: int) -> tuple[KpiRuleSet, list[OrganisationKpi]]:
    """Every organisation with a verified total last year: its KPI type and targets for
    `fiscal_year`, and its KPI score once this year's total is verified. Raises NoRuleSet for a
    year without a rule set."""
    rules = rule_set_for(fiscal_year, rule_sets())
    prior = verified_totals(fiscal_year - 1)
    actual = verified_totals(fiscal_year)
    rows = []
    for organisation_id, (assessment, total) in prior.items():
        targets = kpi_targets(scoring.q2(total), rules)
        this_year = actual.get(organisation_id)
        rows.append(
            OrganisationKpi(
                organisation=assessment.organisation.official_name_th,
                code=assessment.organisation.code,
                prior=scoring.q2(total),
                type=targets.type,
                minimum=targets.minimum,
                standard=targets.standard,
                advanced=targets.advanced,
                reaches=targets.totals_for_scores(),
                actual=this_year[1] if this_year else None,
                score=kpi_score(this_year[1], targets) if this_year else None,
            )
        )
    rows.sort(key=lambda r: (r.type, r.code))
    return rules, rows


def _figure(value: Decimal | None) -> str:
    return "" if value is None else str(scoring.q2(value))


def _values(row: OrganisationKpi) -> list[str]:
    return [
        row.code,
        row.organisation,
        _figure(row.prior),
        str(row.type),
        _figure(row.minimum),
        _figure(row.standard),
        _figure(row.advanced),
        *(_figure(row.reaches[key]) for key in ("50", "75", "100")),
        _figure(row.actual),
        _figure(row.score),
    ]


def csv_header() -> list[str]:
    """The CSV's column names, in the reader's language (the API names its fields in English)."""
    return [
        pgettext("CSV column", "Code"),
        pgettext("CSV column", "Organisation"),
        pgettext("CSV column", "Prior year's total"),
        pgettext("CSV column", "KPI type"),
        pgettext("CSV column", "Minimum target"),
        pgettext("CSV column", "Standard target"),
        pgettext("CSV column", "Advanced target"),
        *[
            pgettext("CSV column", "Total for a KPI score of %(score)s") % {"score": score}
            for score in ("50", "75", "100")
        ],
        pgettext("CSV column", "This year's total"),
        pgettext("CSV column", "KPI score"),
    ]


def to_csv(rows: list[OrganisationKpi]) -> str:
    return csv_text(csv_header(), (_values(r) for r in rows))


def to_xlsx(fiscal_year: int, rows: list[OrganisationKpi]) -> bytes:
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
    sheet.title = f"ตัวชี้วัด {fiscal_year}"
    header(
        sheet,
        [
            "รหัส",
            "หน่วยงาน",
            "คะแนนปีก่อน",
            "แบบ",
            "เป้าหมายขั้นต่ำ",
            "เป้าหมายมาตรฐาน",
            "เป้าหมายขั้นสูง",
            "คะแนนที่ได้ 50",
            "คะแนนที่ได้ 75",
            "คะแนนที่ได้ 100",
            "คะแนนปีนี้",
            "คะแนนตัวชี้วัด",
        ],
        [12, 36, 12, 6, 12, 12, 12, 12, 12, 12, 12, 12],
    )
    for r in rows:
        figures = (
            r.minimum,
            r.standard,
            r.advanced,
            r.reaches["50"],
            r.reaches["75"],
            r.reaches["100"],
            r.actual,
            r.score,
        )
        sheet.append([r.code, r.organisation, figure(r.prior), r.type, *map(figure, figures)])
    text_column(sheet)
    score_cells(sheet)
    print_all(book)
    keep_text_as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
