"""The kinds of Feedback Report a cycle publishes, as data: the words of each (cover, headings,
labels) and what a report of that kind must hold before it goes for approval.

Seed 003 is a status assessment ("ผลการประเมินสถานะการเป็นระบบราชการ ๔.๐", short letter style:
strengths and points to develop per category); seed 000 is the award report ("รางวัลคุณภาพการ
บริหารจัดการภาครัฐ 4.0": opportunities for improvement per item, category 7, the pillars and a
conclusion). A layout (full or short) decides order and grouping; the kind decides the words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportKind:
    code: str
    # Cover or title block, line by line; "{year}" is the fiscal year.
    kicker: str
    title: tuple[str, ...]
    scores_heading: str
    self_column: str
    assessor_column: str
    total_label: str
    # "{organisation}" is the organisation's official name.
    rating_label: str
    prints_rating: bool
    prints_classes: bool
    # The section of the team's texts and the heading of each kind of text under it.
    texts_heading: str
    texts_heading_with_strengths: str
    strengths_heading: str
    ofis_heading: str
    # "{number}" and "{name}" of a category, as the kind's documents write them.
    category_label: str
    # The letter numbers its points and category headings in Thai numerals, as "๑."; the award
    # report numbers its points "1)". The short layout always numbers as the letter does.
    thai_points: bool
    point_format: str
    # The closing page's lines (OPDC's motto on the award report's back page).
    closing: tuple[str, ...]
    # What must be written before the report goes for approval (see `requirements`).
    needs_item_ofis: bool
    needs_category_texts: bool
    needs_pillars: bool
    needs_conclusion: bool


KINDS = {
    "status": ReportKind(
        code="status",
        kicker="รายงานผลป้อนกลับ (Feedback Report)",
        title=("ผลการประเมินสถานะการเป็นระบบราชการ 4.0", "ประจำปีงบประมาณ พ.ศ. {year}"),
        scores_heading="คะแนน PMQA 4.0 (*100)",
        self_column="ผลการประเมินตนเอง จากหน่วยงาน",
        assessor_column="ผลการประเมิน จากผู้ตรวจ",
        total_label="คะแนนรวม (500) คะแนน",
        rating_label="{organisation} เป็นระบบราชการ",
        prints_rating=True,
        prints_classes=True,
        texts_heading="สรุปภาพรวมผลการประเมิน : {organisation}",
        texts_heading_with_strengths="สรุปภาพรวมผลการประเมิน : {organisation}",
        strengths_heading="จุดแข็งที่แสดงถึงการเป็นระบบราชการ ๔.๐",
        ofis_heading="จุดที่ควรพัฒนาเพื่อนำไปสู่การเป็นระบบราชการ ๔.๐",
        category_label="หมวดที่ {number} {name}",
        thai_points=True,
        point_format="{n}.",
        closing=(),
        needs_item_ofis=False,
        needs_category_texts=True,
        needs_pillars=False,
        needs_conclusion=False,
    ),
    "award": ReportKind(
        code="award",
        kicker="FEEDBACK REPORT",
        title=("รางวัลคุณภาพการบริหารจัดการภาครัฐ 4.0", "ประจำปี พ.ศ. {year}"),
        scores_heading="คะแนนผลการประเมิน รอบที่ 1 การประเมินตนเอง",
        self_column="ผลการประเมินตนเองจาก หน่วยงาน",
        assessor_column="ผลการประเมินจากผู้ตรวจ",
        total_label="คะแนนรวม",
        rating_label="{organisation} เป็นระบบราชการ",
        prints_rating=False,
        prints_classes=False,
        texts_heading="โอกาสในการปรับปรุง",
        texts_heading_with_strengths="จุดแข็งและโอกาสในการปรับปรุง",
        strengths_heading="จุดแข็ง",
        ofis_heading="โอกาสในการปรับปรุง",
        category_label="หมวด {number} {name}",
        thai_points=False,
        point_format="{n})",
        closing=("พัฒนาระบบราชการ เพื่อชีวิตที่ดีขึ้นของประชาชน", "Good Governance for Better Life"),
        needs_item_ofis=True,
        needs_category_texts=False,
        needs_pillars=True,
        needs_conclusion=True,
    ),
}


def kind_of(code: str) -> ReportKind:
    return KINDS.get(code, KINDS["status"])
