"""Figures as people type them, through the pages that take them: a comma separates thousands
only, so "85,5" is refused with a Thai message instead of being stored as 855."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pmqa.assessments.models import Answer
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db

DECIMAL_COMMA = "ใช้จุลภาค (,) คั่นหลักพันเท่านั้น"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def kpi_post(value):
    return {
        "version": "0",
        "k-1-name": "ร้อยละผู้รับบริการที่พึงพอใจ",
        "k-1-unit": "ร้อยละ",
        "k-1-direction": "higher",
        "k-1-value_2570": value,
        "k-1-band_0": "60",
        "k-1-band_500": "95",
    }


@pytest.mark.parametrize("typed", ["85,5", "๘๕,๕", "1,2345", "1,25,000", ",5", "85,50"])
def test_a_kpi_value_with_a_comma_that_is_not_a_thousands_separator_is_refused(
    client, personas, work_a, typed
):
    login(client, personas.editor_a)
    url = reverse("assessments:item", args=[work_a.pk, "7.1"])
    status = client.post(url, kpi_post(typed), HTTP_HX_REQUEST="true").content.decode()
    assert DECIMAL_COMMA in status and "85.5" in status
    kpi = Answer.objects.get(assessment=work_a, key="7.1").data["kpis"][0]
    # The rest of the row is saved; the refused value is not, least of all as 855.
    assert kpi["name"] == "ร้อยละผู้รับบริการที่พึงพอใจ"
    assert kpi["values"]["2570"] == ""
    # The page keeps what was typed, marked, for the person to correct.
    page = client.post(url, {**kpi_post(typed), "version": "1"}).content.decode()
    assert f'value="{typed}" inputmode="decimal" aria-invalid="true"' in page


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("85.5", "85.5"), ("1,250", "1250"), ("1,250,000.5", "1250000.5"), ("๘๕.๕", "85.5")],
)
def test_thousands_commas_and_a_decimal_point_are_still_read(
    client, personas, work_a, typed, stored
):
    login(client, personas.editor_a)
    url = reverse("assessments:item", args=[work_a.pk, "7.1"])
    client.post(url, kpi_post(typed), HTTP_HX_REQUEST="true")
    kpi = Answer.objects.get(assessment=work_a, key="7.1").data["kpis"][0]
    assert kpi["values"]["2570"] == stored


def test_a_profile_figure_with_a_decimal_comma_is_refused_and_the_rest_saved(
    client, personas, work_a
):
    login(client, personas.editor_a)
    url = reverse("assessments:profile", args=[work_a.pk, "OP1a"])
    status = client.post(
        url,
        {"version": "0", "f-budget": "1250000,50", "f-vision": "วิสัยทัศน์"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "save-status partial" in status
    assert f"งบประมาณ (บาท): {DECIMAL_COMMA}" in status
    data = Answer.objects.get(assessment=work_a, key="OP1a").data
    assert data["vision"] == "วิสัยทัศน์" and not data.get("budget")


def test_the_what_if_page_refuses_a_decimal_comma_and_reads_thai_digits(client, personas):
    login(client, personas.editor_a)
    values = {f"category_{i}": "300" for i in range(1, 8)}
    body = client.post(
        reverse("dashboards:what_if"),
        {**values, "category_1": "4,50"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert DECIMAL_COMMA in body
    # Not read as 450, which would give a total of 321.43.
    assert 'data-figure="total">321.43<' not in body
    body = client.post(
        reverse("dashboards:what_if"),
        {**values, "category_1": "๓๕๐.๕"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    total = (Decimal("350.5") + 6 * Decimal(300)) / 7
    assert f'data-figure="total">{total.quantize(Decimal("0.01"))}<' in body
