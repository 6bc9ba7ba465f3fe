"""The Feedback Report as an Excel workbook: Thai sheet names, the Thai government's font, item
codes as text, scores as numbers with two decimals, B.E. dates as text, and A4 print setup."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from pmqa.lib.thai import arabic_digits, format_date_be
from pmqa.lib.xlsx import (
    HEADER_FONT,
    SCORE_FORMAT,
    TEXT_FORMAT,
    header,
    keep_text_as_text,
    new_workbook,
    print_all,
    text_column,
    wrap,
)
from pmqa.reports.builders import ReportData


def _number(text: str) -> Decimal | str:
    plain = arabic_digits(text)
    try:
        return Decimal(plain)
    except ArithmeticError:
        return text


def _sheet(book: Workbook, title: str, titles: list[str], widths: list[int]) -> Worksheet:
    return header(book.create_sheet(title), titles, widths)


def _put(sheet: Worksheet, code: str, values: Sequence[object]) -> None:
    """A row whose first cell is a code (kept as text) and whose other figures are numbers."""
    row: list[object] = [code]
    for value in values:
        if isinstance(value, str) and value not in ("", "—"):
            converted = _number(value)
            row.append(float(converted) if isinstance(converted, Decimal) else value)
        else:
            row.append("" if value == "—" else value)
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, float):
            cell.number_format = SCORE_FORMAT
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def build_workbook(data: ReportData, published_on: datetime.date | None) -> bytes:
    book = new_workbook()
    info = book.active
    info.title = "ข้อมูลรายงาน"
    info.column_dimensions["A"].width = 26
    info.column_dimensions["B"].width = 48
    info.append(["หน่วยงาน", data.organisation])
    info.append(["รหัสหน่วยงาน", data.organisation_code])
    info.append(["ปีงบประมาณ", int(arabic_digits(data.fiscal_year))])
    # Text in the Thai form (26 พฤศจิกายน 2561), not a date cell that Excel may show Gregorian.
    info.append(["วันที่เผยแพร่", format_date_be(published_on) if published_on else ""])
    info["B2"].number_format = info["B4"].number_format = TEXT_FORMAT
    info.append(
        ["คะแนนรวม ประเมินตนเอง", _number(data.self_total) if data.self_total != "—" else ""]
    )
    info.append(["คะแนนรวม ผู้ตรวจประเมิน", _number(data.assessor_total)])
    if data.prints_rating:
        info.append(["เป็นระบบราชการ (ผู้ตรวจประเมิน)", _number(data.assessor_rating)])
    if data.shows_level:
        info.append(["ระดับที่ผ่าน (ผู้ตรวจประเมิน)", data.assessor_level])
    if data.round2:
        info.append(["คะแนนรอบที่ 2", _number(data.round2)])
    for cells in info.iter_rows(min_row=5, max_col=2):
        if isinstance(cells[1].value, Decimal):
            cells[1].value = float(cells[1].value)
            cells[1].number_format = SCORE_FORMAT
    wrap(info, min_row=1)
    for label, value in info.iter_rows(max_col=2):
        label.font = HEADER_FONT
        value.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")

    # The verdicts the printed report leaves out (the gap, the classification, the rating)
    # are left out here too, unless the cycle turns them on.
    columns = [("หมวด", 6), ("ชื่อหมวด", 34), ("ประเมินตนเอง", 11), ("ผู้ตรวจประเมิน", 12)]
    if data.shows_gap:
        columns.append(("ส่วนต่าง", 9))
    if data.prints_classes:
        columns += [("กลุ่ม (ประเมินตนเอง)", 20), ("กลุ่ม (ผู้ตรวจประเมิน)", 20)]
    categories = _sheet(
        book, "คะแนนรายหมวด", [name for name, _w in columns], [w for _n, w in columns]
    )
    self_class = {label: block.heading for block in data.classes for _s, label in block.self_rows}
    assessor_class = {
        label: block.heading for block in data.classes for _s, label in block.assessor_rows
    }

    def row(name: str, own: str, verified: str, gap: str, classes: tuple[str, str]) -> list[str]:
        values = [name, own, verified]
        if data.shows_gap:
            values.append(gap)
        if data.prints_classes:
            values += list(classes)
        return values

    for c in data.categories:
        label = f"หมวด {c.number}: {c.name}"
        classes = (
            self_class.get(label, "").removesuffix(" คือ"),
            assessor_class.get(label, "").removesuffix(" คือ"),
        )
        _put(
            categories,
            arabic_digits(c.number),
            row(c.name, c.self_score, c.assessor_score, c.gap, classes),
        )
    _put(
        categories,
        "",
        row("คะแนนรวม (500)", data.self_total, data.assessor_total, data.gap_total, ("", "")),
    )
    if data.prints_rating:
        _put(
            categories,
            "",
            row("เป็นระบบราชการ", data.self_rating, data.assessor_rating, "", ("", "")),
        )
    text_column(categories)

    item_columns = [("ข้อ", 6), ("ชื่อข้อ", 41), ("ประเมินตนเอง", 9), ("ผู้ตรวจประเมิน (ฉันทามติ)", 10)]
    if data.shows_gap:
        item_columns.append(("ส่วนต่าง", 8))
    items = _sheet(
        book, "คะแนนรายข้อ", [name for name, _w in item_columns], [w for _n, w in item_columns]
    )
    for code, title, own, verified, gap in data.item_scores:
        _put(items, code, [title, own, verified, *([gap] if data.shows_gap else [])])
    if all(own == verified == "—" for _code, _title, own, verified, _gap in data.item_scores):
        # An assessment made before item scores were kept (the seed reports): said, not left
        # for the reader to take the empty cells for zeros.
        items.append(["", "ไม่มีคะแนนรายข้อของการประเมินนี้ในระบบ มีเฉพาะคะแนนรายหมวด"])
    text_column(items)

    texts = _sheet(
        book, "จุดแข็งและข้อเสนอแนะ", ["ส่วน", "หัวข้อ", "ประเภท", "ลำดับ", "ข้อความ"], [12, 24, 14, 6, 56]
    )
    words = data.words
    assert words is not None
    for section in data.sections:
        for block, where in [(section.own, f"หมวด {section.number}")] + [
            (item, f"ข้อ {item.code}") for item in section.items
        ]:
            for heading, points in (
                (words.strengths_heading, block.strengths),
                (words.ofis_heading, block.ofis),
            ):
                for position, (_n, text) in enumerate(points, start=1):
                    texts.append([where, block.label, heading, position, text])
    for name, points in data.achievements:
        for position, (_n, text) in enumerate(points, start=1):
            texts.append(["ผลงานที่โดดเด่น", name, "ผลงานที่โดดเด่น", position, text])
    if data.conclusion:
        texts.append(["ภาพรวม", "สรุปภาพรวม", "สรุป", 1, data.conclusion])
    for position, (title, text) in enumerate(data.themes, start=1):
        texts.append(["ภาพรวม", title, "ประเด็นการพัฒนา", position, text])
    wrap(texts)
    text_column(texts)

    if data.profile_pages:
        profile = _sheet(book, "ลักษณะสำคัญขององค์การ", ["หน้า", "หัวข้อ", "ข้อความ"], [26, 30, 70])
        for page in data.profile_pages:
            for topic in page.topics:
                for line in [topic.text] if topic.text else topic.lines:
                    profile.append([page.heading, topic.label, line])
        wrap(profile)
        text_column(profile)

    kpis = _sheet(
        book,
        "ตัวชี้วัดผลลัพธ์",
        ["ข้อ", "ตัวชี้วัด", "หน่วย", "ทิศทาง", "ผลรายปี", "เป้าหมาย", "ค่าเปรียบเทียบ", "แหล่งข้อมูลเปรียบเทียบ"],
        [6, 30, 9, 9, 22, 9, 11, 16],
    )
    for kpi in data.kpis:
        values = ", ".join(
            f"{year}: {value}" for year, value in sorted((kpi.get("values") or {}).items()) if value
        )
        kpis.append(
            [
                kpi["item"],
                kpi.get("name", ""),
                kpi.get("unit", ""),
                "ค่ามากดี" if kpi.get("direction") == "higher" else "ค่าน้อยดี",
                values,
                kpi.get("target", ""),
                kpi.get("comparison", ""),
                kpi.get("comparison_source", ""),
            ]
        )
    wrap(kpis)
    text_column(kpis)
    buffer = io.BytesIO()
    keep_text_as_text(print_all(book)).save(buffer)
    return buffer.getvalue()
