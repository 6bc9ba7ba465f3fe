"""B.E. dates, fiscal years and Thai digits, at their boundaries."""

from datetime import date

import pytest

from pmqa.lib.thai import (
    ThaiDateError,
    fiscal_year,
    fiscal_year_bounds,
    format_date_be,
    format_date_be_numeric,
    parse_date_be,
    thai_digits,
)


def test_it_formats_dates_in_buddhist_era():
    assert format_date_be(date(2025, 11, 26)) == "26 พฤศจิกายน 2568"
    assert format_date_be(date(2025, 11, 26), short=True) == "26 พ.ย. 2568"
    assert format_date_be(date(2025, 11, 26), digits="thai") == "๒๖ พฤศจิกายน ๒๕๖๘"
    assert format_date_be_numeric(date(2025, 1, 5)) == "05/01/2568"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("26/11/2568", date(2025, 11, 26)),
        ("26-11-2568", date(2025, 11, 26)),
        ("1.1.2569", date(2026, 1, 1)),
        ("๒๖/๑๑/๒๕๖๘", date(2025, 11, 26)),
        ("26 พฤศจิกายน 2568", date(2025, 11, 26)),
        ("26 พ.ย. 2568", date(2025, 11, 26)),
        ("29/02/2567", date(2024, 2, 29)),
        ("29/02/2563", date(2020, 2, 29)),
    ],
)
def test_it_reads_typed_buddhist_era_dates(typed, expected):
    assert parse_date_be(typed) == expected


def test_a_typed_year_is_never_taken_as_the_common_era():
    assert parse_date_be("26/11/2568").year == 2025


@pytest.mark.parametrize(
    "typed, fragment",
    [
        ("29/02/2568", "ไม่มีอยู่จริง"),  # 2025 is not a leap year
        ("29/02/2566", "ไม่มีอยู่จริง"),
        ("31/04/2568", "ไม่มีอยู่จริง"),
        ("26/11/2025", "ไม่ใช่ปีพุทธศักราช"),
        ("26/13/2568", "เดือน 13"),
        ("tomorrow", "อ่านวันที่"),
        ("", "กรุณากรอกวันที่"),
        ("26 Foo 2568", "ไม่รู้จักชื่อเดือน"),
    ],
)
def test_it_rejects_impossible_dates_with_a_thai_sentence(typed, fragment):
    with pytest.raises(ThaiDateError) as error:
        parse_date_be(typed)
    assert fragment in str(error.value)


def test_common_era_year_hint_names_the_buddhist_year():
    with pytest.raises(ThaiDateError) as error:
        parse_date_be("26/11/2025")
    assert "พ.ศ. 2568" in str(error.value)


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2025, 9, 30), 2568),
        (date(2025, 10, 1), 2569),
        (date(2026, 9, 30), 2569),
        (date(2026, 10, 1), 2570),
        (date(2024, 2, 29), 2567),
        (date(2025, 12, 31), 2569),
        (date(2026, 1, 1), 2569),
    ],
)
def test_fiscal_year_turns_on_the_first_of_october(day, expected):
    assert fiscal_year(day) == expected


def test_fiscal_year_bounds_match_the_spec():
    assert fiscal_year_bounds(2569) == (date(2025, 10, 1), date(2026, 9, 30))
    start, end = fiscal_year_bounds(2569)
    assert fiscal_year(start) == fiscal_year(end) == 2569


def test_thai_digits_only_changes_digits():
    assert thai_digits("หมวด 1: 443.10") == "หมวด ๑: ๔๔๓.๑๐"
