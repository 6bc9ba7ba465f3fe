"""Open data: public, published results only, aggregated, small groups suppressed, no
synthetic data, a data dictionary; queries flat in the number of organisations."""

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmqa.assessments.models import Assessment, Cycle
from pmqa.assessments.services import record_category_scores
from pmqa.dashboards import opendata
from pmqa.feedback.models import Feedback
from pmqa.organisations.models import Organisation
from tests.conftest import member_organisations

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
        Feedback.objects.create(assessment=assessment, status="published")
    return assessment


@pytest.fixture
def cycle(edition):
    cycle = Cycle.objects.create(fiscal_year=2563, edition=edition)
    provinces = Organisation.objects.filter(kind="province").order_by("code")
    for index, province in enumerate(provinces[:6]):
        published(cycle, province, 300 + index * 20)
    # Not published, or synthetic: never counted.
    published(cycle, provinces[6], 500, status="consensus")
    published(cycle, provinces[7], 500, synthetic=True)
    # A ministry with two departments published: too small a group, suppressed.
    ministry = (
        Organisation.objects.filter(kind="ministry", children__kind="department")
        .annotate(departments=Count("children"))
        .filter(departments__gte=2)
        .first()
    )
    for department in ministry.children.filter(kind="department")[:2]:
        published(cycle, department, 400)
    return cycle


def rows_of(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_anyone_can_read_the_published_results_aggregated(client, cycle):
    page = client.get(reverse("open_data"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "2563" in body and "mean_total" in body  # the data dictionary
    response = client.get(reverse("open_data_file", args=[2563, "csv"]))
    assert response.status_code == 200
    rows = rows_of(response.content.decode())
    everyone = next(r for r in rows if r["dimension"] == "all")
    assert everyone["organisations"] == "8"  # six provinces and two departments
    expected = (sum(Decimal(300 + i * 20) for i in range(6)) + 800) / 8
    assert everyone["mean_total"] == str(expected.quantize(Decimal("0.01"), ROUND_HALF_UP))
    provinces = next(r for r in rows if r["dimension"] == "type" and r["group_code"] == "province")
    assert provinces["organisations"] == "6" and provinces["mean_total"] == "350.00"
    small = [r for r in rows if r["dimension"] == "ministry"]
    assert small and all(r["suppressed"] == "yes" and r["mean_total"] == "" for r in small)
    assert all(r["organisations"] == "" for r in small)
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
        cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
        for organisation in organisations[:n]:
            published(cycle, organisation, 350)
        return cycle

    small, large = cycle_of(2563, 10), cycle_of(2564, 200)
    with CaptureQueriesContext(connection) as captured:
        opendata.to_csv(small)
    assert len(captured) <= 3
    with django_assert_num_queries(len(captured)):
        opendata.to_csv(large)
