"""An agency's own dashboard: where its published total stands among published peers, and
next year's KPI; no other agency named, unpublished and synthetic results never used."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pmqa.assessments.models import Assessment, Cycle
from pmqa.assessments.services import record_category_scores
from pmqa.feedback.models import Feedback
from pmqa.organisations.models import Organisation
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db


def result(cycle, organisation, score, *, status="published", synthetic=False):
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


@pytest.fixture
def published_year(personas, edition):
    cycle = Cycle.objects.create(fiscal_year=2563, edition=edition)
    result(cycle, personas.agency_a, 350)
    others = Organisation.objects.filter(kind="province").exclude(
        pk__in=[personas.agency_a.pk, personas.agency_b.pk]
    )
    for organisation, score in zip(others[:4], (300, 320, 360, 400), strict=True):
        result(cycle, organisation, score)
    result(cycle, others[4], 500, status="consensus")  # not published: never compared
    result(cycle, others[5], 100, synthetic=True)  # synthetic: never compared
    return cycle, others


def test_the_agency_sees_its_place_among_published_peers_and_next_years_kpi(
    client, personas, published_year
):
    _cycle, others = published_year
    assert client.login(username=personas.editor_a.username, password=PASSWORD)
    body = client.get(reverse("dashboards:agency")).content.decode()
    # Four other provinces published: 300, 320, 360, 400 (mean 345.00); two are below 350.
    assert "ในบรรดาหน่วยงานประเภทจังหวัดอื่นที่เผยแพร่ผลแล้ว 4 แห่ง (ค่าเฉลี่ย 345.00)" in body
    assert "สูงกว่าร้อยละ 50 ของหน่วยงานเหล่านั้น" in body
    # FY2564's KPI from 350.00: type 2, targets 325 / 350 / 378.
    assert "ตัวชี้วัด PMQA ปีงบประมาณ 2564" in body and "แบบที่ 2" in body
    assert "378.00" in body
    for organisation in others[:6]:
        assert organisation.name_th not in body


def test_another_agency_sees_nothing_of_it(client, personas, published_year):
    assert client.login(username=personas.editor_b.username, password=PASSWORD)
    body = client.get(reverse("dashboards:agency")).content.decode()
    assert "345.00" not in body and personas.agency_a.name_th not in body
    pk = Assessment.objects.get(organisation=personas.agency_a, cycle__fiscal_year=2563).pk
    assert client.get(reverse("dashboards:assessment", args=[pk])).status_code == 404


def test_a_peer_group_of_fewer_than_three_others_is_not_shown(client, personas, edition):
    cycle = Cycle.objects.create(fiscal_year=2563, edition=edition)
    result(cycle, personas.agency_a, 350)
    # Two others: their sum would follow from a mean, so nothing is said of them.
    result(cycle, Organisation.objects.get(code="TH-10"), 300)
    result(cycle, Organisation.objects.get(code="TH-11"), 410)
    # Synthetic results are never the peers of a real agency.
    for code in ("TH-12", "TH-13", "TH-14"):
        result(cycle, Organisation.objects.get(code=code), 200, synthetic=True)
    assert client.login(username=personas.editor_a.username, password=PASSWORD)
    body = client.get(reverse("dashboards:agency")).content.decode()
    assert "มีน้อยเกินกว่าจะเปรียบเทียบได้" in body and "ค่าเฉลี่ย" not in body


PEER_LINE = re.compile(r"ในบรรดา(\S+)อื่นที่เผยแพร่ผลแล้ว (\d+) แห่ง \(ค่าเฉลี่ย ([\d.]+)\)")


def peer_lines(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    body = client.get(reverse("dashboards:agency")).content.decode()
    return [(group, int(count), mean) for group, count, mean in PEER_LINE.findall(body)]


def published(cycle, scores):
    for code, score in scores.items():
        result(cycle, Organisation.objects.get(code=code), score)


def test_a_peer_group_of_three_others_is_shown(client, personas, edition):
    cycle = Cycle.objects.create(fiscal_year=2563, edition=edition)
    result(cycle, personas.agency_a, 350)
    published(cycle, {"TH-10": 300, "TH-11": 330, "TH-12": 420})  # outside its cluster
    assert peer_lines(client, personas.editor_a) == [("หน่วยงานประเภทจังหวัด", 3, "350.00")]


def test_two_peer_groups_that_differ_by_one_organisation_are_not_both_shown(
    client, personas, edition
):
    """Narathiwat's cluster (PC-08) has three others published and Bangkok one more province:
    the provinces' sum less the cluster's would be Bangkok's total. Only the first is shown."""
    cycle = Cycle.objects.create(fiscal_year=2563, edition=edition)
    result(cycle, personas.agency_a, 350)
    published(cycle, {"TH-90": 300, "TH-91": 330, "TH-94": 420, "TH-10": 451})
    assert peer_lines(client, personas.editor_a) == [("หน่วยงานประเภทจังหวัด", 4, "375.25")]


def test_two_peer_groups_that_differ_by_three_organisations_are_both_shown(
    client, personas, edition
):
    cycle = Cycle.objects.create(fiscal_year=2563, edition=edition)
    result(cycle, personas.agency_a, 350)
    published(cycle, {"TH-90": 300, "TH-91": 330, "TH-94": 420})
    published(cycle, {"TH-10": 400, "TH-11": 410, "TH-12": 420})
    assert peer_lines(client, personas.editor_a) == [
        ("หน่วยงานประเภทจังหวัด", 6, "380.00"),
        ("หน่วยงานในสังกัดกลุ่มจังหวัดภาคใต้ชายแดน", 3, "350.00"),
    ]


def test_a_peer_group_of_the_same_organisations_as_another_is_shown_once(client, personas, edition):
    cycle = Cycle.objects.create(fiscal_year=2563, edition=edition)
    result(cycle, personas.agency_a, 350)
    published(cycle, {"TH-90": 300, "TH-91": 330, "TH-94": 420, "TH-95": 450})
    assert peer_lines(client, personas.editor_a) == [("หน่วยงานประเภทจังหวัด", 4, "375.00")]


def test_the_score_table_shows_the_radar_once_both_scores_are_there(
    client, personas, published_year
):
    assessment = Assessment.objects.get(organisation=personas.agency_a, cycle__fiscal_year=2563)
    assert client.login(username=personas.editor_a.username, password=PASSWORD)
    url = reverse("dashboards:assessment", args=[assessment.pk])
    assert "chart-svg radar" not in client.get(url).content.decode()  # no self-assessment yet
    record_category_scores(
        assessment=assessment,
        source="self",
        categories={str(i): Decimal(400) for i in range(1, 8)},
    )
    body = client.get(url).content.decode()
    assert "chart-svg radar" in body and "<svg" in body
