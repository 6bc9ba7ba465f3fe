"""The organisational profile as the Feedback Report prints it: five pages headed
"ลักษณะสำคัญขององค์การ (1)" … "(5)", each topic with the label and order of the official
report, whatever the order of the form the agency filled in.

Texts pass through untouched; only figures and dates are formatted here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pmqa.lib.thai import format_date_be

PARTNER_KINDS = {"supplier": "ผู้ส่งมอบ", "partner": "พันธมิตร", "collaborator": "ผู้ให้ความร่วมมือ"}
SIDES = (
    ("mission", "ด้านพันธกิจ"),
    ("operations", "ด้านปฏิบัติการ"),
    ("workforce", "ด้านบุคลากร"),
    ("social", "ด้านสังคม"),
)


@dataclass(frozen=True)
class Topic:
    """One topic: its label, and either one text on the label's line or lines below it."""

    label: str
    text: str = ""
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ProfilePage:
    heading: str
    topics: list[Topic]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def _figure(value: str, unit: str) -> str:
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError):
        return value
    return f"{number:,} {unit}"


def _is_zero(value: str) -> bool:
    try:
        return Decimal(value) == 0
    except (InvalidOperation, TypeError):
        return False


def _as_of(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):  # empty, or not a date the form would have stored
        return ""
    # Official tables write the date of a figure short: "ข้อมูล ณ 15 ม.ค. 63".
    return f" (ข้อมูล ณ {format_date_be(day, short=True, two_digit_year=True)})"


def _topic(label: str, value: str) -> list[Topic]:
    """A text topic: on the label's line when it is one line, below it when it is several."""
    lines = _lines(value)
    if not lines:
        return []
    if len(lines) == 1:
        return [Topic(label, lines[0])]
    return [Topic(label, lines=lines)]


def profile_pages(answers: dict[str, dict[str, Any]], short_name: str) -> list[ProfilePage]:
    """The report's profile pages from the saved profile sections (section code → data);
    topics left empty and pages with no topic are left out."""
    op1a = answers.get("OP1a") or {}
    op1b = answers.get("OP1b") or {}
    op2a = answers.get("OP2a") or {}
    op2b = answers.get("OP2b") or {}
    op2c = answers.get("OP2c") or {}

    first: list[Topic] = []
    first += (
        [Topic("พันธกิจ :", lines=_lines(op1a.get("mission", "")))] if op1a.get("mission") else []
    )
    first += _topic("วิสัยทัศน์ :", op1a.get("vision", ""))
    first += _topic("ค่านิยม :", op1a.get("values", ""))
    if op1a.get("budget"):
        budget = _figure(op1a["budget"], "บาท") + _as_of(op1a.get("budget_as_of", ""))
        first.append(Topic("งบประมาณ :", budget))
    revenue = op1a.get("revenue", "")
    if revenue != "":
        # An agency with no revenue of its own enters 0; the report says "ไม่มี" (none).
        shown = "ไม่มี" if _is_zero(revenue) else _figure(revenue, "บาท")
        first.append(Topic("รายได้ :", shown + _as_of(op1a.get("revenue_as_of", ""))))
    if op1a.get("headcount"):
        people = _figure(op1a["headcount"], "คน") + _as_of(op1a.get("headcount_as_of", ""))
        first.append(Topic("จำนวนบุคลากร :", people))
    first += _topic("ลักษณะบุคลากร :", op1a.get("workforce", ""))
    first += _topic("อาคารสถานที่ เทคโนโลยี และอุปกรณ์ :", op1a.get("assets", ""))
    if op1a.get("laws"):
        first.append(Topic("กฎหมาย ระเบียบ ข้อบังคับ :", lines=_lines(op1a["laws"])))
    first += _topic("ระบบการปรับปรุงผลการดำเนินงาน :", op2c.get("improvement_system", ""))

    second: list[Topic] = []
    partners = [p for p in op1b.get("partners") or [] if p.get("name")]
    if partners:
        names = []
        for p in partners:
            kind = PARTNER_KINDS.get(p.get("kind", ""), "")
            name = f"{kind}: {p['name']}" if kind else p["name"]
            names.append(f"{name} ({p['role']})" if p.get("role") else name)
        second.append(Topic("ผู้ส่งมอบ พันธมิตร และผู้ให้ความร่วมมือ :", lines=names))
        needs = [
            f"{PARTNER_KINDS.get(p.get('kind', ''), p['name'])}: {p['requirements']}"
            for p in partners
            if p.get("requirements")
        ]
        if needs:
            second.append(Topic("ความต้องการ :", lines=needs))
    for row in op1b.get("stakeholders") or []:
        if row.get("group"):
            second.append(Topic("ผู้มีส่วนได้ส่วนเสีย:", lines=[row["group"]]))
            second += _needs(row)
    for row in op1b.get("customers") or []:
        if row.get("group"):
            second.append(Topic("ผู้รับบริการ:", row["group"]))
            second += _needs(row)
    if op1a.get("core_competencies"):
        second.append(Topic("สมรรถนะหลักขององค์การ :", lines=_lines(op1a["core_competencies"])))
    second += _topic("แหล่งข้อมูลเชิงเปรียบเทียบ :", op2a.get("comparative_sources", ""))

    third: list[Topic] = []
    if op2a.get("competitive_changes"):
        third.append(
            Topic(
                "การเปลี่ยนแปลงความสามารถในการแข่งขัน :",
                lines=_lines(op2a["competitive_changes"]),
            )
        )
    for kind, label in (
        ("advantage", "ความได้เปรียบเชิงยุทธศาสตร์"),
        ("challenge", "ความท้าทายเชิงยุทธศาสตร์"),
    ):
        sides = [
            f"{name}: {op2b[f'{kind}_{key}']}" for key, name in SIDES if op2b.get(f"{kind}_{key}")
        ]
        if sides:
            third.append(Topic(f"{label} : (ด้านพันธกิจ ปฏิบัติการ บุคลากร สังคม)", lines=sides))

    fourth: list[Topic] = []
    services = [s for s in op1a.get("services") or [] if s.get("service")]
    if services:
        fourth.append(
            Topic(
                "ภารกิจ/บริการหลัก:",
                lines=[f"{i}. {s['service']}" for i, s in enumerate(services, start=1)],
            )
        )
        # One distinction shared by all services is entered once; each is printed once.
        distinctions = list(
            dict.fromkeys(s["distinction"] for s in services if s.get("distinction"))
        )
        if distinctions:
            fourth.append(Topic("คุณลักษณะโดดเด่นของภารกิจ/บริการ:", lines=distinctions))
    if op2a.get("competitive_environment"):
        fourth.append(Topic("สภาพแวดล้อมการแข่งขัน :", lines=_lines(op2a["competitive_environment"])))

    fifth: list[Topic] = []
    if op1b.get("structure"):
        who = short_name
        label = f"โครงสร้างการจัด {who}:" if who else "โครงสร้างองค์การ :"
        fifth.append(Topic(label, lines=_lines(op1b["structure"])))

    pages = [first, second, third, fourth, fifth]
    return [
        ProfilePage(f"ลักษณะสำคัญขององค์การ ({number})", topics)
        for number, topics in enumerate(pages, start=1)
        if topics
    ]


def _needs(row: dict[str, Any]) -> list[Topic]:
    lines = _lines(row.get("requirements", ""))
    return [Topic("ความต้องการ:", lines=lines)] if lines else []
