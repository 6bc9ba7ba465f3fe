"""The Feedback Report as an Excel workbook with Thai sheet names and B.E. date formats."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment

from pmqa.lib.thai import arabic_digits
from pmqa.lib.xlsx import header, keep_text_as_text, wrap
from pmqa.reports.builders import ReportData

# Excel's Thai Buddhist calendar (locale 1070000): 26 พฤศจิกายน 2568.
BE_DATE_FORMAT = "[$-1070000]d mmmm yyyy;@"


def _number(text: str) -> Decimal | str:
    plain = arabic_digits(text)
    try:
        return Decimal(plain)
    except ArithmeticError:
        return text


def _sheet(book: Workbook, title: str, titles: list[str], widths: list[int]):  # type: ignore[no-untyped-def]
    return header(book.create_sheet(title), titles, widths)


def _put(sheet, values: list[object]) -> None:  # type: ignore[no-untyped-def]
    row = []
    for value in values:
        if isinstance(value, str) and value not in ("", "—"):
            converted = _number(value)
            row.append(float(converted) if isinstance(converted, Decimal) else value)
        else:
            row.append("" if value == "—" else value)
    sheet.append(row)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, float):
            cell.number_format = "0.00"
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def build_workbook(data: ReportData, published_on: datetime.date | None) -> bytes:
    book = Workbook()
    info = book.active
    info.title = "ข้อมูลรายงาน"
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 60
    info.append(["หน่วยงาน", data.organisation])
    info.append(["รหัสหน่วยงาน", data.organisation_code])
    info.append(["ปีงบประมาณ", int(arabic_digits(data.fiscal_year))])
    info.append(["วันที่เผยแพร่", published_on])
    if published_on:
        info["B4"].number_format = BE_DATE_FORMAT
    info.append(
        ["คะแนนรวม ประเมินตนเอง", _number(data.self_total) if data.self_total != "—" else ""]
    )
    info.append(["คะแนนรวม ผู้ตรวจประเมิน", _number(data.assessor_total)])
    info.append(["เป็นระบบราชการ (ผู้ตรวจประเมิน)", _number(data.assessor_rating)])
    info.append(["ระดับที่ผ่าน (ผู้ตรวจประเมิน)", data.assessor_level])
    if data.round2:
        info.append(["คะแนนรอบที่ 2", _number(data.round2)])
    for row in info.iter_rows(min_row=5, max_col=2):
        if isinstance(row[1].value, Decimal):
            row[1].value = float(row[1].value)
            row[1].number_format = "0.00"

    categories = _sheet(
        book,
        "คะแนนรายหมวด",
        [
            "หมวด",
            "ชื่อหมวด",
            "ประเมินตนเอง",
            "ผู้ตรวจประเมิน",
            "ส่วนต่าง",
            "กลุ่ม (ประเมินตนเอง)",
            "กลุ่ม (ผู้ตรวจประเมิน)",
        ],
        [8, 50, 14, 14, 12, 36, 36],
    )
    self_class = {label: block.heading for block in data.classes for _s, label in block.self_rows}
    assessor_class = {
        label: block.heading for block in data.classes for _s, label in block.assessor_rows
    }
    for c in data.categories:
        label = f"หมวด {c.number}: {c.name}"
        _put(
            categories,
            [
                int(arabic_digits(c.number)),
                c.name,
                c.self_score,
                c.assessor_score,
                c.gap,
                self_class.get(label, "").removesuffix(" คือ"),
                assessor_class.get(label, "").removesuffix(" คือ"),
            ],
        )
    _put(
        categories,
        ["", "คะแนนรวม (500)", data.self_total, data.assessor_total, data.gap_total, "", ""],
    )
    _put(categories, ["", "เป็นระบบราชการ", data.self_rating, data.assessor_rating, "", "", ""])

    items = _sheet(
        book,
        "คะแนนรายข้อ",
        ["ข้อ", "ชื่อข้อ", "ประเมินตนเอง", "ผู้ตรวจประเมิน (ฉันทามติ)", "ส่วนต่าง"],
        [8, 60, 14, 22, 12],
    )
    for code, title, own, verified, gap in data.item_scores:
        _put(items, [code, title, own, verified, gap])

    texts = _sheet(
        book, "จุดแข็งและข้อเสนอแนะ", ["ส่วน", "หัวข้อ", "ประเภท", "ลำดับ", "ข้อความ"], [18, 40, 22, 8, 100]
    )
    for t in data.category_texts:
        for kind, entries in (("จุดแข็ง", t.strengths), ("โอกาสในการปรับปรุง", t.ofis)):
            for position, text in enumerate(entries, start=1):
                texts.append([f"หมวด {t.number}", t.name, kind, position, text])
    for item in data.items:
        for kind, entries in (("จุดแข็ง", item.strengths), ("โอกาสในการปรับปรุง", item.ofis)):
            for position, text in enumerate(entries, start=1):
                texts.append([f"ข้อ {item.code}", item.title, kind, position, text])
    for name, entries in data.achievements:
        for position, text in enumerate(entries, start=1):
            texts.append(["ผลงานที่โดดเด่น", name, "ผลงานที่โดดเด่น", position, text])
    if data.conclusion:
        texts.append(["ภาพรวม", "สรุปภาพรวม", "สรุป", 1, data.conclusion])
    for position, (title, text) in enumerate(data.themes, start=1):
        texts.append(["ภาพรวม", title, "ประเด็นการพัฒนา", position, text])
    wrap(texts)

    kpis = _sheet(
        book,
        "ตัวชี้วัดผลลัพธ์",
        ["ข้อ", "ตัวชี้วัด", "หน่วย", "ทิศทาง", "ผลรายปี", "เป้าหมาย", "ค่าเปรียบเทียบ", "แหล่งข้อมูลเปรียบเทียบ"],
        [8, 50, 12, 12, 40, 12, 14, 30],
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
    buffer = io.BytesIO()
    keep_text_as_text(book).save(buffer)
    return buffer.getvalue()
