"""The Feedback Report as plain data, built from the database in a fixed number of queries.

Templates and the Excel writer only read these objects; they never query. Figures are
formatted here (two decimals, B.E. dates); texts from the database pass through untouched.

Digits: the short layout, like the official letter it follows, numbers its points and
headings in Thai numerals; `thai=True` does so in the full layout too, and for dates and page
numbers. Figures in tables stay Arabic, as the letter prints them, unless `thai_tables=True`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import zip_longest
from typing import Any

from pmqa import scoring
from pmqa.assessments.answers import criteria_tree
from pmqa.assessments.models import Assessment, newest_snapshots
from pmqa.criteria.models import Pillar
from pmqa.feedback.kinds import kind_of
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
class TextBlock:
    """The texts of one category or one item: its strengths and its opportunities for
    improvement, each point with its number as printed."""

    code: str
    label: str
    strengths: list[tuple[str, str]]
    ofis: list[tuple[str, str]]

    @property
    def has_text(self) -> bool:
        return bool(self.strengths or self.ofis)


@dataclass(frozen=True)
class CategorySection:
    """A category's own texts and those of its items that have any, for every layout."""

    number: str
    name: str
    label: str
    heading: str
    own: TextBlock
    items: list[TextBlock]
    # The full layout prints the section's heading where it changes, not above every category.
    opens_heading: bool = True

    @property
    def has_text(self) -> bool:
        return self.own.has_text or bool(self.items)

    @property
    def has_strengths(self) -> bool:
        return bool(self.own.strengths) or any(item.strengths for item in self.items)


@dataclass(frozen=True)
class Words:
    """The report kind's words, with the document's numerals (pmqa.feedback.kinds)."""

    kicker: str
    title: list[str]
    scores_heading: str
    self_column: str
    assessor_column: str
    total_label: str
    rating_label: str
    strengths_heading: str
    ofis_heading: str
    texts_heading: str
    closing: tuple[str, ...]


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
    sections: list[CategorySection]
    achievements: list[tuple[str, list[tuple[str, str]]]]
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
    kind: str = "status"
    words: Words | None = None
    prints_rating: bool = True
    prints_classes: bool = True
    shows_level: bool = False
    shows_gap: bool = False
    shows_chart: bool = False

    @property
    def has_achievements(self) -> bool:
        return any(texts for _name, texts in self.achievements)

    @property
    def has_texts(self) -> bool:
        return any(section.has_text for section in self.sections)

    @property
    def has_strengths(self) -> bool:
        return any(section.has_strengths for section in self.sections)

    @property
    def has_ofis(self) -> bool:
        return any(
            section.own.ofis or any(item.ofis for item in section.items)
            for section in self.sections
        )


def _fmt(value: Decimal | None, thai: bool) -> str:
    if value is None:
        return "—"
    text = f"{scoring.q2(value)}"
    return thai_digits(text) if thai else text


def build(
    assessment: Assessment,
    layout: str = "full",
    *,
    thai: bool = False,
    thai_tables: bool = False,
) -> ReportData:
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    assessment = (
        Assessment.objects.select_related("organisation", "cycle__edition")
        .prefetch_related("scores")
        .get(pk=assessment.pk)
    )
    cycle = assessment.cycle
    kind = kind_of(cycle.report_type)
    # Thai numerals in the text (titles, headings, dates): the letter's own (status kind) or
    # asked for; for numbered points also in the short layout, the letter's form; in tables
    # and the chart only when asked for.
    text_thai = thai or kind.thai_points
    points = text_thai or layout == "short"
    tables = thai_tables
    point_format = "{n}." if layout == "short" else kind.point_format
    edition = cycle.edition
    thresholds = edition.thresholds()
    snapshots = newest_snapshots(assessment.scores.all())
    own = snapshots.get(("self", 1))
    verified = snapshots.get(("assessor", 1))
    if verified is None:
        raise NotReportable(f"{assessment}: no verified scores")
    round2 = snapshots.get(("assessor", 2))
    feedback = Feedback.objects.filter(assessment=assessment).first()
    entries = list(feedback.entries.all()) if feedback else []
    tree = criteria_tree(edition)
    own_scores = own.category_scores() if own else {}
    verified_scores = verified.category_scores()
    # A published report prints the names kept at publication; a draft, today's.
    organisation, short_name = (
        (feedback.organisation_name, feedback.organisation_short_name)
        if feedback is not None and feedback.organisation_name
        else (assessment.organisation.official_name_th, assessment.organisation.short_name_th)
    )

    def numbered(texts: list[str], start: int = 1) -> list[tuple[str, str]]:
        return [
            (_digits(point_format.format(n=n), points), text)
            for n, text in enumerate(texts, start=start)
        ]

    categories: list[CategoryRow] = []
    classes = {key: ClassBlock(CLASS_HEADINGS[key], [], []) for key in scoring.CLASSIFICATIONS}
    sections: list[CategorySection] = []
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
        chart_rows.append((f"หมวด {_digits(key, tables)}", s, v))
        # The short layout numbers a category's points on from its own to its items', as the
        # letter numbers one cell; the full layout numbers each block from one.
        own_ofis = _texts(entries, "category", key, "ofi")
        following = len(own_ofis) + 1
        items: list[TextBlock] = []
        for item in category.items.all():
            strengths = _texts(entries, "item", item.code, "strength")
            ofis = _texts(entries, "item", item.code, "ofi")
            if not (strengths or ofis):
                continue
            items.append(
                TextBlock(
                    _digits(item.code, text_thai),
                    item.report_title_th,
                    numbered(strengths),
                    numbered(ofis, following if layout == "short" else 1),
                )
            )
            if layout == "short":
                following += len(ofis)
        number = _digits(key, text_thai)
        own_block = TextBlock(
            number,
            kind.category_label.format(number=number, name=name),
            numbered(_texts(entries, "category", key, "strength")),
            numbered(own_ofis),
        )
        has_strengths = bool(own_block.strengths) or any(i.strengths for i in items)
        heading = (
            kind.texts_heading_with_strengths if has_strengths else kind.texts_heading
        ).format(organisation=organisation)
        printed = [s.heading for s in sections if s.has_text]
        section = CategorySection(number, name, own_block.label, heading, own_block, items)
        sections.append(replace(section, opens_heading=not printed or printed[-1] != heading))
    pillars = Pillar.objects.filter(edition=edition).order_by("position")
    achievements = [
        (p.name_th, numbered(_texts(entries, "pillar", p.code, "achievement"))) for p in pillars
    ]
    year = _digits(str(cycle.fiscal_year), text_thai)
    words = Words(
        kicker=kind.kicker,
        title=[_digits(line.format(year=year), text_thai) for line in kind.title],
        scores_heading=_digits(kind.scores_heading, tables),
        self_column=kind.self_column,
        assessor_column=kind.assessor_column,
        total_label=_digits(kind.total_label, tables),
        rating_label=kind.rating_label.format(organisation=organisation),
        strengths_heading=kind.strengths_heading,
        ofis_heading=kind.ofis_heading,
        texts_heading=kind.texts_heading.format(organisation=organisation),
        closing=kind.closing,
    )
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
        {a.key: a.data for a in assessment.answers.filter(kind="profile")}, short_name
    )
    return ReportData(
        layout=layout,
        thai=text_thai,
        organisation=organisation,
        organisation_code=assessment.organisation.code,
        fiscal_year=year,
        published_on=format_date_be(published, digits="thai" if text_thai else "arabic")
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
        sections=sections,
        achievements=achievements,
        conclusion=feedback.conclusion if feedback else "",
        themes=themes,
        round2=_fmt(round2.total, tables) if round2 else "",
        profile_pages=pages,
        thai_points=points,
        thai_tables=tables,
        chart_svg=radar_svg(chart_rows, thai=tables) if cycle.report_shows_chart else "",
        synthetic=assessment.is_synthetic,
        published_date=published,
        item_scores=item_scores,
        kpis=kpis,
        revisions=[
            (
                _digits(str(r.number), text_thai),
                format_date_be(r.revised_on, digits="thai" if text_thai else "arabic"),
                r.reason,
                _fmt(r.old_total, tables),
                _fmt(r.new_total, tables),
            )
            for r in (feedback.revisions.all() if feedback else [])
        ],
        kind=kind.code,
        words=words,
        prints_rating=kind.prints_rating,
        prints_classes=kind.prints_classes,
        shows_level=cycle.report_shows_level,
        shows_gap=cycle.report_shows_gap,
        shows_chart=cycle.report_shows_chart,
    )


def _digits(text: str, thai: bool) -> str:
    return thai_digits(text) if thai else text


def _texts(entries: list[Any], scope: str, key: str, kind: str) -> list[str]:
    return [
        e.text
        for e in sorted(entries, key=lambda e: e.position)
        if e.scope == scope and e.key == key and e.kind == kind
    ]
