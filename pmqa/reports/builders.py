"""The Feedback Report as plain data, built from the database in a fixed number of queries.

Templates and the Excel writer only read these objects; they never query. Figures are
formatted here (two decimals, B.E. dates); texts from the database pass through untouched.

Digits: the short layout, like the official letter it follows, numbers its points and
headings in Thai numerals; `thai=True` does so in the full layout too, and for dates and page
numbers. Figures in tables stay Arabic, as the letter prints them, unless `thai_tables=True`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest
from typing import Any

from pmqa import scoring
from pmqa.assessments.answers import criteria_tree
from pmqa.assessments.models import Assessment, ScoreSnapshot
from pmqa.criteria.models import Pillar
from pmqa.feedback.models import Feedback
from pmqa.lib.charts import radar_svg
from pmqa.lib.thai import format_date_be, thai_digits
from pmqa.reports.profile import ProfilePage, profile_pages
from pmqa.verification.models import ConsensusScore

LAYOUTS = ("full", "short")
LEVEL_NAMES = {
    "below_basic": "ยังไม่ผ่านระดับพื้นฐาน",
    "basic": "ระดับพื้นฐาน (Basic)",
    "advance": "ระดับก้าวหน้า (Advance)",
    "significance": "ระดับพัฒนาจนเกิดผล (Significance)",
}
CLASS_HEADINGS = {
    "strength": "หมวดที่เป็นจุดเด่นขององค์การ คือ",
    "develop": "หมวดที่ควรมีการพัฒนาต่อยอดให้ดียิ่งขึ้น คือ",
    "urgent": "หมวดที่ควรได้รับการพัฒนาอย่างเร่งด่วน คือ",
}


class NotReportable(ValueError):
    """The assessment has no verified scores, so there is no report to print."""


@dataclass(frozen=True)
class CategoryRow:
    number: str
    name: str
    self_score: str
    assessor_score: str
    gap: str


@dataclass(frozen=True)
class ClassBlock:
    heading: str
    self_rows: list[tuple[str, str]]
    assessor_rows: list[tuple[str, str]]

    @property
    def pairs(self) -> list[tuple[tuple[str, str], tuple[str, str]]]:
        """Self and assessor rows side by side, the shorter column padded."""
        return list(zip_longest(self.self_rows, self.assessor_rows, fillvalue=("", "")))


@dataclass(frozen=True)
class CategoryText:
    number: str
    name: str
    strengths: list[str]
    ofis: list[str]


@dataclass(frozen=True)
class ItemText:
    code: str
    title: str
    strengths: list[str]
    ofis: list[str]
    category: tuple[str, str] = ("", "")  # number and name, for the category headings


@dataclass(frozen=True)
class ReportData:
    layout: str
    thai: bool
    organisation: str
    organisation_code: str
    fiscal_year: str
    published_on: str
    categories: list[CategoryRow]
    self_total: str
    assessor_total: str
    gap_total: str
    self_rating: str
    assessor_rating: str
    self_level: str
    assessor_level: str
    classes: list[ClassBlock]
    category_texts: list[CategoryText]
    achievements: list[tuple[str, list[str]]]
    items: list[ItemText]
    category7_ofis: list[str]
    conclusion: str
    themes: list[tuple[str, str]]
    round2: str
    chart_svg: str
    profile_pages: list[ProfilePage] = field(default_factory=list)
    # Thai numerals for numbered points and headings; for figures in tables.
    thai_points: bool = False
    thai_tables: bool = False
    synthetic: bool = False
    published_date: Any = None
    item_scores: list[tuple[str, str, str, str, str]] = field(default_factory=list)
    kpis: list[dict[str, Any]] = field(default_factory=list)
    # Corrections after publication: (number, date, reason, total before, total after).
    revisions: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    @property
    def has_achievements(self) -> bool:
        return any(texts for _name, texts in self.achievements)


def _fmt(value: Decimal | None, thai: bool) -> str:
    if value is None:
        return "—"
    text = f"{scoring.q2(value)}"
    return thai_digits(text) if thai else text


def _latest(snapshots: list[ScoreSnapshot], source: str, round_number: int) -> ScoreSnapshot | None:
    found = [s for s in snapshots if s.source == source and s.round_number == round_number]
    return max(found, key=lambda s: (s.created_at, s.pk)) if found else None


def build(
    assessment: Assessment,
    layout: str = "full",
    *,
    thai: bool = False,
    thai_tables: bool = False,
) -> ReportData:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    points = thai or layout == "short"
    tables = thai_tables
    assessment = (
        Assessment.objects.select_related("organisation", "cycle__edition")
        .prefetch_related("scores")
        .get(pk=assessment.pk)
    )
    edition = assessment.cycle.edition
    thresholds = edition.thresholds()
    snapshots = list(assessment.scores.all())
    own = _latest(snapshots, "self", 1)
    verified = _latest(snapshots, "assessor", 1)
    if verified is None:
        raise NotReportable(f"{assessment}: no verified scores")
    round2 = _latest(snapshots, "assessor", 2)
    feedback = Feedback.objects.filter(assessment=assessment).first()
    entries = list(feedback.entries.all()) if feedback else []
    tree = criteria_tree(edition)
    own_scores = own.category_scores() if own else {}
    verified_scores = verified.category_scores()

    categories: list[CategoryRow] = []
    classes = {key: ClassBlock(CLASS_HEADINGS[key], [], []) for key in scoring.CLASSIFICATIONS}
    texts: list[CategoryText] = []
    items: list[ItemText] = []
    chart_rows = []
    for category in tree:
        key = str(category.number)
        name = category.name_th
        label = f"หมวด {_digits(key, tables)}: {name}"
        s, v = own_scores.get(key), verified_scores.get(key)
        categories.append(
            CategoryRow(
                _digits(key, tables),
                name,
                _fmt(s, tables),
                _fmt(v, tables),
                _fmt(scoring.gap(s, v), tables) if s is not None and v is not None else "—",
            )
        )
        if s is not None:
            classes[scoring.classify(s, thresholds)].self_rows.append((_fmt(s, tables), label))
        if v is not None:
            classes[scoring.classify(v, thresholds)].assessor_rows.append((_fmt(v, tables), label))
        chart_rows.append((f"หมวด {key}", s, v))
        texts.append(
            CategoryText(
                _digits(key, points),
                name,
                _texts(entries, "category", key, "strength"),
                _texts(entries, "category", key, "ofi"),
            )
        )
        if category.kind == "process":
            for item in category.items.all():
                items.append(
                    ItemText(
                        item.code,
                        item.report_title_th,
                        _texts(entries, "item", item.code, "strength"),
                        _texts(entries, "item", item.code, "ofi"),
                        (_digits(key, points), name),
                    )
                )
    pillars = Pillar.objects.filter(edition=edition).order_by("position")
    achievements = [(p.name_th, _texts(entries, "pillar", p.code, "achievement")) for p in pillars]
    themes = [
        (e.title, e.text)
        for e in sorted(entries, key=lambda e: e.position)
        if e.scope == "overall" and e.kind == "theme"
    ]
    consensus = {
        c.item_code: Decimal(c.score) for c in ConsensusScore.objects.filter(assessment=assessment)
    }
    submission = assessment.submissions.order_by("-number").first()
    frozen = submission.content if submission else {}
    item_scores = []
    for category in tree:
        for item in category.items.all():
            self_item = (frozen.get("items", {}).get(item.code) or {}).get("score")
            s = Decimal(self_item) if self_item else None
            v = consensus.get(item.code)
            item_scores.append(
                (
                    item.code,
                    item.report_title_th,
                    _fmt(s, tables) if s is not None else "—",
                    _fmt(v, tables) if v is not None else "—",
                    _fmt(scoring.gap(s, v), tables) if s is not None and v is not None else "—",
                )
            )
    kpis = []
    for code, answer in sorted((frozen.get("answers") or {}).items()):
        for kpi in (answer.get("data") or {}).get("kpis") or []:
            kpis.append({"item": code, **kpi})
    published = feedback.published_on if feedback and feedback.published_on else None
    pages = profile_pages(
        {a.key: a.data for a in assessment.answers.filter(kind="profile")},
        assessment.organisation,
    )
    return ReportData(
        layout=layout,
        thai=thai,
        organisation=assessment.organisation.official_name_th,
        organisation_code=assessment.organisation.code,
        fiscal_year=_digits(str(assessment.cycle.fiscal_year), thai),
        published_on=format_date_be(published, digits="thai" if thai else "arabic")
        if published
        else "",
        categories=categories,
        self_total=_fmt(own.total if own else None, tables),
        assessor_total=_fmt(verified.total, tables),
        gap_total=_fmt(own.total - verified.total, tables) if own else "—",
        self_rating=_fmt(own.rating if own else None, tables),
        assessor_rating=_fmt(verified.rating, tables),
        self_level=LEVEL_NAMES.get(own.level, "") if own else "",
        assessor_level=LEVEL_NAMES.get(verified.level, ""),
        classes=[b for b in classes.values() if b.self_rows or b.assessor_rows],
        category_texts=texts,
        achievements=achievements,
        items=items,
        category7_ofis=_texts(entries, "category", "7", "ofi"),
        conclusion=feedback.conclusion if feedback else "",
        themes=themes,
        round2=_fmt(round2.total, tables) if round2 else "",
        profile_pages=pages,
        thai_points=points,
        thai_tables=tables,
        chart_svg=radar_svg(chart_rows),
        synthetic=assessment.is_synthetic,
        published_date=published,
        item_scores=item_scores,
        kpis=kpis,
        revisions=[
            (
                _digits(str(r.number), thai),
                format_date_be(r.revised_on, digits="thai" if thai else "arabic"),
                r.reason,
                _fmt(r.old_total, tables),
                _fmt(r.new_total, tables),
            )
            for r in (feedback.revisions.all() if feedback else [])
        ],
    )


def _digits(text: str, thai: bool) -> str:
    return thai_digits(text) if thai else text


def _texts(entries: list[Any], scope: str, key: str, kind: str) -> list[str]:
    return [
        e.text
        for e in sorted(entries, key=lambda e: e.position)
        if e.scope == scope and e.key == key and e.kind == kind
    ]
