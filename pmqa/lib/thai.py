"""Thai conventions: Buddhist-era dates, fiscal years and Thai digits."""

from __future__ import annotations

import re
from datetime import date

BE_OFFSET = 543

MONTHS_TH = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
MONTHS_TH_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)

_ARABIC = "0123456789"
_THAI = "๐๑๒๓๔๕๖๗๘๙"
_TO_THAI = str.maketrans(_ARABIC, _THAI)
_TO_ARABIC = str.maketrans(_THAI, _ARABIC)

# B.E. years a user plausibly types: 2400 B.E. is 1857 CE, 2700 B.E. is 2157 CE.
MIN_BE_YEAR = 2400
MAX_BE_YEAR = 2700


class ThaiDateError(ValueError):
    """A typed date that cannot be read; the message is a whole Thai sentence for the user."""


def thai_digits(text: object) -> str:
    """Replace Arabic digits with Thai digits (๐–๙), leaving everything else as it is."""
    return str(text).translate(_TO_THAI)


def arabic_digits(text: str) -> str:
    """Replace Thai digits with Arabic digits."""
    return text.translate(_TO_ARABIC)


def be_year(ce_year: int) -> int:
    return ce_year + BE_OFFSET


def ce_year(be: int) -> int:
    return be - BE_OFFSET


def format_date_be(
    value: date, *, short: bool = False, digits: str = "arabic", two_digit_year: bool = False
) -> str:
    """`26 พฤศจิกายน 2568`, or `26 พ.ย. 2568` with short=True (`26 พ.ย. 68` with
    two_digit_year too, as official tables write it); digits="thai" gives ๒๖ … ๒๕๖๘."""
    months = MONTHS_TH_SHORT if short else MONTHS_TH
    year = be_year(value.year)
    shown_year = f"{year % 100:02d}" if two_digit_year else str(year)
    text = f"{value.day} {months[value.month - 1]} {shown_year}"
    return thai_digits(text) if digits == "thai" else text


def format_date_be_numeric(value: date) -> str:
    """`26/11/2568`: the form users type into date fields."""
    return f"{value.day:02d}/{value.month:02d}/{be_year(value.year)}"


_NUMERIC = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_WORDS = re.compile(r"^\s*(\d{1,2})\s+(\S+?)\s+(\d{4})\s*$")


def _month_from_name(name: str) -> int | None:
    cleaned = name.replace(" ", "")
    for index, (full, short) in enumerate(zip(MONTHS_TH, MONTHS_TH_SHORT, strict=True), start=1):
        if cleaned in (full, short, short.replace(".", "")):
            return index
    return None


def parse_date_be(text: str) -> date:
    """Read a date typed with a Buddhist-era year.

    Accepts `26/11/2568`, `26-11-2568`, `26.11.2568`, `26 พฤศจิกายน 2568`, `26 พ.ย. 2568`,
    in Arabic or Thai digits. The year is always B.E.: `26/11/2568` is 26 November 2025.
    """
    raw = arabic_digits(text or "").strip()
    if not raw:
        raise ThaiDateError("กรุณากรอกวันที่ในรูปแบบ วว/ดด/ปปปป (ปีพุทธศักราช) เช่น 26/11/2568")
    match = _NUMERIC.match(raw)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = _WORDS.match(raw)
        if not match:
            raise ThaiDateError(
                f"อ่านวันที่ “{text}” ไม่ได้ กรุณากรอกในรูปแบบ วว/ดด/ปปปป (ปีพุทธศักราช) เช่น 26/11/2568"
            )
        found = _month_from_name(match.group(2))
        if found is None:
            raise ThaiDateError(
                f"ไม่รู้จักชื่อเดือน “{match.group(2)}” กรุณาใช้ชื่อเดือนภาษาไทย เช่น พฤศจิกายน หรือ พ.ย."
            )
        day, month, year = int(match.group(1)), found, int(match.group(3))
    if not MIN_BE_YEAR <= year <= MAX_BE_YEAR:
        hint = f" (ปี ค.ศ. {year} คือ พ.ศ. {be_year(year)})" if 1857 <= year <= 2157 else ""
        raise ThaiDateError(f"ปี {year} ไม่ใช่ปีพุทธศักราช กรุณากรอกปีเป็น พ.ศ.{hint}")
    if not 1 <= month <= 12:
        raise ThaiDateError(f"เดือน {month} ไม่มีอยู่จริง เดือนต้องอยู่ระหว่าง 1 ถึง 12")
    try:
        return date(ce_year(year), month, day)
    except ValueError:
        raise ThaiDateError(
            f"วันที่ {day} {MONTHS_TH[month - 1]} {year} ไม่มีอยู่จริง กรุณาตรวจสอบวันที่อีกครั้ง"
        ) from None


def fiscal_year(value: date) -> int:
    """The B.E. fiscal year a date falls in: 1 October starts the next fiscal year."""
    return be_year(value.year + 1 if value.month >= 10 else value.year)


def fiscal_year_bounds(fiscal_year_be: int) -> tuple[date, date]:
    """First and last day of a B.E. fiscal year: FY2569 is 1 Oct 2025 – 30 Sep 2026."""
    end_year = ce_year(fiscal_year_be)
    return date(end_year - 1, 10, 1), date(end_year, 9, 30)
