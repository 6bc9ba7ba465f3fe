"""Open data: public, published results only, aggregated, small groups suppressed, no
synthetic data, a data dictionary; queries flat in the number of organisations."""

import csv
import datetime
import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmqa.assessments.models import Assessment, Cycle, Round
from pmqa.assessments.services import record_category_scores
from pmqa.dashboards import opendata
from pmqa.feedback.models import Feedback
from pmqa.organisations.models import Organisation
from tests.builders import member_organisations

pytestmark = pytest.mark.django_db


def published(cycle, organisation, score, *, status="published", synthetic=False):
    assessment = Assessment.objects.create(
        cycle=cycle, organisation=organisation, status=status, is_synthetic=synthetic
    )
    record_category_scores(
        assessment=assessment,
        source="assessor",
        categories={str(i): Decimal(score) for i in range(1, 8)},
    )
    if status == "published":
        Feedback.objects.create(assessment=assessment)
    return assessment


def closed_cycle(edition, year):
    cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
    Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=datetime.date(2020, 1, 1),
        closes_on=datetime.date(2020, 3, 1),
    )
    return cycle


@pytest.fixture
def cycle(edition):
    cycle = closed_cycle(edition, 2563)
    provinces = Organisation.objects.filter(kind="province").order_by("code")
    for index, province in enumerate(provinces[:6]):
        published(cycle, province, 300 + index * 20)
    # Not published, or synthetic: never counted.
    published(cycle, provinces[6], 500, status="consensus")
    published(cycle, provinces[7], 500, synthetic=True)
    # Three departments of one ministry.
    ministry = (
        Organisation.objects.filter(kind="ministry", children__kind="department")
        .annotate(departments=Count("children"))
        .filter(departments__gte=3)
        .first()
    )
    for department in ministry.children.filter(kind="department")[:3]:
        published(cycle, department, 400)
    return cycle


def rows_of(content):
    """The CSV read back, each row by the data dictionary's field names (the columns are in
    its order, under Thai headers)."""
    assert content.startswith(b"\xef\xbb\xbf")  # so that Excel reads it as UTF-8
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    assert header[:7] == [
        "ปีงบประมาณ",
        "จัดกลุ่มตาม",
        "รหัสกลุ่ม",
        "ชื่อกลุ่ม",
        "จำนวนหน่วยงาน",
        "ปกปิด",
        "คะแนนรวมเฉลี่ย",
    ]
    assert len(header) == len(opendata.HEADER)
    return [dict(zip(opendata.HEADER, row, strict=True)) for row in rows]


def test_anyone_can_read_the_published_results_aggregated(client, cycle):
    page = client.get(reverse("open_data"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "2563" in body and "mean_total" in body  # the data dictionary
    response = client.get(reverse("open_data_file", args=[2563, "csv"]))
    assert response.status_code == 200
    rows = rows_of(response.content)
    everyone = next(r for r in rows if r["dimension"] == "all")
    assert everyone["organisations"] == "9"  # six provinces and three departments
    expected = (sum(Decimal(300 + i * 20) for i in range(6)) + 1200) / 9
    assert everyone["mean_total"] == str(expected.quantize(Decimal("0.01"), ROUND_HALF_UP))
    provinces = next(r for r in rows if r["dimension"] == "type" and r["group_code"] == "province")
    assert provinces["organisations"] == "6" and provinces["mean_total"] == "350.00"
    codes = {r["group_code"] for r in rows if r["dimension"] == "ministry"}
    (code,) = codes
    ministry_row = mean_of(rows, "ministry", code)
    assert ministry_row["organisations"] == "3" and ministry_row["mean_total"] == "400.00"
    for row in rows:  # a group shown has at least three; one suppressed shows nothing
        if row["suppressed"] == "yes":
            assert row["organisations"] == "" and row["mean_total"] == ""
        else:
            assert int(row["organisations"]) >= 3
    # No organisation's own name reaches the file.
    text = response.content.decode()
    for assessment in Assessment.objects.filter(cycle=cycle):
        assert assessment.organisation.official_name_th not in text
    data = json.loads(client.get(reverse("open_data_file", args=[2563, "json"])).content)
    assert data["minimum_group_size"] == 3 and "suppressed" in data["fields"]
    assert len(data["rows"]) == len(rows)


def test_unknown_years_and_formats_are_not_found(client, cycle):
    assert client.get(reverse("open_data_file", args=[2562, "csv"])).status_code == 404
    assert client.get(reverse("open_data_file", args=[2563, "xml"])).status_code == 404


def test_queries_do_not_grow_with_the_organisations(edition, django_assert_num_queries):
    organisations = member_organisations(200)

    def cycle_of(year, n):
        cycle = closed_cycle(edition, year)
        for organisation in organisations[:n]:
            published(cycle, organisation, 350)
        return cycle

    small, large = cycle_of(2563, 10), cycle_of(2564, 200)
    with CaptureQueriesContext(connection) as captured:
        opendata.to_csv(small)
    assert len(captured) <= 3
    with django_assert_num_queries(len(captured)):
        opendata.to_csv(large)


def mean_of(rows, dimension, code):
    row = next(r for r in rows if r["dimension"] == dimension and r["group_code"] == code)
    return row


def test_a_small_group_cannot_be_worked_out_from_the_others(client, edition):
    cycle = closed_cycle(edition, 2563)
    # Bangkok, a province in no cluster, and three provinces of one cluster.
    bangkok = Organisation.objects.get(code="TH-10")
    published(cycle, bangkok, "123.45")
    cluster = Organisation.objects.filter(
        kind="province_cluster", children__kind="province"
    ).first()
    for province in cluster.children.filter(kind="province")[:3]:
        published(cycle, province, 300)
    # One department among them: the "all" row must not give it away.
    published(cycle, Organisation.objects.filter(kind="department").first(), "222.22")
    rows = rows_of(client.get(reverse("open_data_file", args=[2563, "csv"])).content)
    shown = [r for r in rows if r["suppressed"] == "no"]
    # Bangkok alone under "no cluster" is suppressed, and so is the cluster beside it (else
    # province − cluster = Bangkok); the lone department's type is suppressed, and so is the
    # province type beside it (else all − provinces = the department).
    assert mean_of(rows, "type", "department")["suppressed"] == "yes"
    assert mean_of(rows, "type", "province")["suppressed"] == "yes"
    assert all(r["dimension"] == "all" for r in shown)
    assert mean_of(rows, "all", "")["organisations"] == "5"
    text = client.get(reverse("open_data_file", args=[2563, "csv"])).content.decode()
    assert "123.45" not in text and "222.22" not in text


def test_a_cycle_still_open_is_not_published_as_open_data(client, edition):
    cycle = Cycle.objects.create(fiscal_year=2563, edition=edition)
    Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=datetime.date(2020, 1, 1),
        closes_on=datetime.date(2099, 1, 1),
    )
    for organisation in Organisation.objects.filter(kind="province")[:4]:
        published(cycle, organisation, 300)
    assert client.get(reverse("open_data_file", args=[2563, "csv"])).status_code == 404
    assert "2563" not in client.get(reverse("open_data")).content.decode().split("<h2")[0][-400:]


def test_a_group_name_that_looks_like_a_formula_stays_text(client, cycle):
    ministry = Organisation.objects.get(
        pk=Assessment.objects.filter(cycle=cycle, organisation__kind="department").values(
            "organisation__parent"
        )[:1]
    )
    Organisation.objects.filter(pk=ministry.pk).update(name_th='=HYPERLINK("http://x","y")')
    rows = rows_of(client.get(reverse("open_data_file", args=[2563, "csv"])).content)
    row = mean_of(rows, "ministry", f"department:{ministry.code}")
    assert row["group_name"] == '\'=HYPERLINK("http://x","y")'
    assert row["mean_total"] == "400.00"
    # The JSON is data, not a spreadsheet: it keeps the name as it is.
    data = json.loads(client.get(reverse("open_data_file", args=[2563, "json"])).content)
    assert '=HYPERLINK("http://x","y")' in {r["group_name"] for r in data["rows"]}
