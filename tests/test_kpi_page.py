"""The evaluation KPI of every organisation, and the rule sets administrators keep as
numbered versions: through the pages, the service and the exports."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from pmqa.assessments.models import Assessment, Cycle
from pmqa.assessments.services import record_category_scores
from pmqa.assessments.workflow import ActionRefused
from pmqa.audit.models import AuditEntry
from pmqa.evaluation import kpi
from pmqa.evaluation.models import KpiRuleSetVersion
from pmqa.lib.errors import ServiceError
from pmqa.organisations.models import Organisation
from tests.builders import PASSWORD, member_organisations

pytestmark = pytest.mark.django_db

ISOC_2563 = ["411.46", "453.13", "434.90", "404.51", "484.38", "449.65", "403.33"]


def verified(cycle, organisation, scores, *, synthetic=False):
    assessment = Assessment.objects.create(
        cycle=cycle, organisation=organisation, is_synthetic=synthetic
    )
    record_category_scores(
        assessment=assessment,
        source="assessor",
        categories={str(i): D(v) for i, v in enumerate(scores, start=1)},
    )
    return assessment


@pytest.fixture
def years(edition):
    isoc = Organisation.objects.get(code="DEP-ISOC")
    c2563 = Cycle.objects.create(fiscal_year=2563, edition=edition)
    c2564 = Cycle.objects.create(fiscal_year=2564, edition=edition)
    verified(c2563, isoc, ISOC_2563)
    verified(c2564, isoc, ["400"] * 7)
    verified(c2563, Organisation.objects.get(code="TH-95"), ["300"] * 7, synthetic=True)
    return c2563, c2564


def test_every_organisation_gets_its_type_targets_and_score(years):
    rules, rows = kpi.organisation_kpis(2564)
    assert rules.fiscal_year == 2564
    (row,) = rows  # the synthetic organisation is left out
    assert row.code == "DEP-ISOC" and row.prior == D("434.48") and row.type == 3
    assert (row.minimum, row.standard, row.advanced.quantize(D("0.01"))) == (
        D(370),
        D("434.48"),
        D("443.17"),
    )
    assert row.actual == D("400.00")
    assert row.score.quantize(D("0.01")) == D("61.63")  # spec §4's worked example


def test_the_page_its_exports_and_a_year_without_a_rule_set(client, personas, years):
    assert client.login(username=personas.admin.username, password=PASSWORD)
    page = client.get(reverse("evaluation:kpi", args=[2564]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "443.17" in body and "61.63" in body and "ยะลา" not in body
    content = client.get("/manage/kpi/2564/?format=csv").content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0]["คะแนนที่ได้ 100"] == "443.17" and rows[0]["คะแนนตัวชี้วัด"] == "61.63"
    book = load_workbook(io.BytesIO(client.get("/manage/kpi/2564/?format=xlsx").content))
    sheet = book.active
    assert sheet["A2"].value == "DEP-ISOC" and sheet["C2"].value == 434.48
    refused = client.get(reverse("evaluation:kpi", args=[2563]))
    assert refused.status_code == 200
    assert "ไม่มีหลักเกณฑ์ตัวชี้วัดสำหรับปีงบประมาณ 2563" in refused.content.decode()
    assert client.login(username=personas.editor_a.username, password=PASSWORD)
    assert client.get(reverse("evaluation:kpi", args=[2564])).status_code == 404
    assert client.get(reverse("evaluation:kpi_rules", args=[2564])).status_code == 404


def form_data(page, **changes):
    form = page.context["form"]
    data = {name: "" if value is None else str(value) for name, value in form.initial.items()}
    return data | changes


def test_a_year_rule_set_is_proposed_edited_and_kept_as_versions(client, personas, years):
    assert client.login(username=personas.admin.username, password=PASSWORD)
    url = reverse("evaluation:kpi_rules", args=[2565])
    proposal = client.get(url, {"propose": 1})
    assert proposal.status_code == 200
    # FY2564's only verified total (400) is in the 400+ group: the minimums keep FY2564's.
    assert proposal.context["form"].initial["type1_minimum"] == D(240)

    missing_reason = client.post(url, form_data(proposal))
    assert missing_reason.status_code == 400
    assert "ฟิลด์นี้จำเป็น" in missing_reason.content.decode()

    gap = client.post(url, form_data(proposal, type2_prior_from="360", reason="ปรับช่วง"))
    assert gap.status_code == 400
    assert "แบบที่ 2 ต้องเริ่มที่ 350.00" in gap.content.decode()
    assert not KpiRuleSetVersion.objects.exists()

    saved = client.post(url, form_data(proposal, type1_minimum="245", reason="ตามมติ อ.ก.พ.ร."))
    assert saved.status_code == 302
    again = client.post(url, form_data(proposal, type1_minimum="250", reason="แก้ไขครั้งที่สอง"))
    assert again.status_code == 302
    versions = list(KpiRuleSetVersion.objects.filter(fiscal_year=2565).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert [v.data["types"][0]["minimum"] for v in versions] == ["245", "250"]
    history = client.get(url).content.decode()
    assert "ตามมติ อ.ก.พ.ร." in history and "แก้ไขครั้งที่สอง" in history
    assert AuditEntry.objects.filter(action="kpi.rule_set").count() == 2
    assert kpi.rule_sets()[2565].types[0].minimum == D(250)
    # FY2564 is unchanged: each year has its own rule set.
    assert kpi.rule_sets()[2564].types[0].minimum == D(240)


def test_the_service_checks_who_and_what(personas, years):
    data = kpi.rule_sets()[2564].to_dict() | {"fiscal_year": 2566}
    with pytest.raises(ActionRefused):
        kpi.save_rule_set(data=data, reason="ทดสอบ", by=personas.editor_a)
    with pytest.raises(ServiceError):
        kpi.save_rule_set(data=data, reason="  ", by=personas.admin)
    broken = data | {"types": data["types"][:2]}
    with pytest.raises(ServiceError, match="^คะแนนรวมตั้งแต่ 400.00 ถึง 500"):
        kpi.save_rule_set(data=broken, reason="ทดสอบ", by=personas.admin)
    assert not KpiRuleSetVersion.objects.exists()


def test_query_count_does_not_grow_with_the_organisations(edition, django_assert_num_queries):
    c2563 = Cycle.objects.create(fiscal_year=2563, edition=edition)
    c2564 = Cycle.objects.create(fiscal_year=2564, edition=edition)
    organisations = member_organisations(200)

    def load(n):
        Assessment.objects.all().delete()
        for organisation in organisations[:n]:
            verified(c2563, organisation, ["380"] * 7)
            verified(c2564, organisation, ["390"] * 7)

    load(10)
    with CaptureQueriesContext(connection) as captured:
        assert len(kpi.organisation_kpis(2564)[1]) == 10
    assert len(captured) <= 6
    load(200)
    with django_assert_num_queries(len(captured)):
        assert len(kpi.organisation_kpis(2564)[1]) == 200


def test_the_framework_components_and_score_groups_are_edited_with_the_rule_set(
    client, personas, years
):
    assert client.login(username=personas.admin.username, password=PASSWORD)
    page = client.get(reverse("evaluation:kpi", args=[2564])).content.decode()
    assert "Performance Base" in page and "PMQA 4.0" in page  # the FY2564 framework
    url = reverse("evaluation:kpi_rules", args=[2566])
    form = client.get(url)
    initial = form.context["form"].initial
    assert (
        "2.2 | การประเมินสถานะของหน่วยงานในการเป็นระบบราชการ 4.0 (PMQA 4.0) | 15 | PMQA"
        in (initial["components"])
    )
    for changes, said in (
        ({"components": initial["components"].replace("| 70", "| 60")}, "ต้องรวมกันได้ 100"),
        ({"components": initial["components"].replace(" | PMQA", "")}, "PMQA"),
        ({"groups": "0-299 | 0 | 299\nต่ำกว่า | x | 350"}, "บรรทัดที่ 2"),
        ({"groups": "0-299 | 0 | 299\n400+ | 400 |"}, "“300-350”"),
        (
            {"groups": "0-299 | 0 | 299\n300-350 | 301 | 350\n351-399 | 351 | 399\n400+ | 400 |"},
            "300.00",
        ),
    ):
        refused = client.post(url, form_data(form, reason="ทดสอบ", **changes))
        assert refused.status_code == 400
        assert said in refused.content.decode(), changes
    assert not KpiRuleSetVersion.objects.exists()
    components = initial["components"].replace("| 70", "| 65").replace("| 15 | PMQA", "| 20 | PMQA")
    saved = client.post(url, form_data(form, components=components, reason="ปรับน้ำหนัก"))
    assert saved.status_code == 302
    rules = kpi.rule_sets()[2566]
    assert rules.weight_percent == 20 and [c.weight for c in rules.components] == [65, 15, 20]


def test_odd_rule_sets_are_refused_in_thai_and_odd_years_not_found(client, personas, years):
    assert client.login(username=personas.admin.username, password=PASSWORD)
    assert client.get(reverse("evaluation:kpi_rules", args=[0])).status_code == 404
    assert client.get(reverse("evaluation:kpi_rules", args=[99999])).status_code == 404
    url = reverse("evaluation:kpi_rules", args=[2566])
    form = client.get(url)
    initial = form.context["form"].initial
    for changes, said in (
        ({"groups": "A | ² | 299"}, "บรรทัดที่ 1"),
        ({"groups": "A | " + "9" * 5000 + " | 299"}, "บรรทัดที่ 1"),
        ({"components": "1 | ก | 120\n2 | ข | -20 | PMQA"}, "บรรทัดที่ 1"),
        ({"components": "1 | ก | sNaN\n2 | ข | 100 | PMQA"}, "บรรทัดที่ 1"),
        ({"components": " | | 85\n2 | ข | 15 | PMQA"}, "บรรทัดที่ 1"),
        ({"groups": initial["groups"] + "\n400+ | 501 |"}, "ชื่อเดียวกัน"),
        ({"type3_minimum": "450"}, "สูงกว่าจุดเริ่มของแบบ (400.00)"),
        ({"type1_advanced_factor": "1.5"}, "ไม่ใช่ทั้งสองอย่าง"),
        ({"type1_minimum": "99999999"}, "ค่า"),
    ):
        refused = client.post(url, form_data(form, reason="ทดสอบ", **changes))
        assert refused.status_code == 400, changes
        assert said in refused.content.decode(), changes
    assert not KpiRuleSetVersion.objects.exists()


def test_a_year_before_the_first_rule_set_can_be_given_one(client, personas, years):
    assert client.login(username=personas.admin.username, password=PASSWORD)
    url = reverse("evaluation:kpi_rules", args=[2563])
    form = client.get(url)
    assert form.context["proposed"]
    saved = client.post(url, form_data(form, reason="กำหนดย้อนหลังตามมติ"))
    assert saved.status_code == 302
    assert kpi.rule_sets()[2563].fiscal_year == 2563


def test_a_proposal_keeps_the_years_own_framework(client, personas, years):
    assert client.login(username=personas.admin.username, password=PASSWORD)
    url = reverse("evaluation:kpi_rules", args=[2565])
    form = client.get(url)
    components = form.context["form"].initial["components"].replace("| 70", "| 65")
    components = components.replace("| 15 | PMQA", "| 20 | PMQA")
    client.post(url, form_data(form, components=components, reason="ปรับน้ำหนัก"))
    proposal = client.get(url, {"propose": 1})
    assert "| 20 | PMQA" in proposal.context["form"].initial["components"]


def test_the_csv_has_thai_headers_a_byte_order_mark_and_no_formula(client, personas, years):
    Organisation.objects.filter(code="DEP-ISOC").update(name_th="=1+2")
    assert client.login(username=personas.admin.username, password=PASSWORD)
    content = client.get(reverse("evaluation:kpi", args=[2564]), {"format": "csv"}).content
    assert content.startswith(b"\xef\xbb\xbf")
    header, row = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == [
        "รหัส",
        "หน่วยงาน",
        "คะแนนปีก่อน",
        "แบบ",
        "เป้าหมายขั้นต่ำ",
        "เป้าหมายมาตรฐาน",
        "เป้าหมายขั้นสูง",
        "คะแนนที่ได้ 50",
        "คะแนนที่ได้ 75",
        "คะแนนที่ได้ 100",
        "คะแนนปีนี้",
        "คะแนนตัวชี้วัด",
    ]
    assert row[:3] == ["DEP-ISOC", "'=1+2", "434.48"]


def test_the_year_after_the_newest_verified_one_is_reached_from_the_list(client, personas, years):
    # 2564 is verified and no cycle of 2565 exists yet: its targets are the ones OPDC needs.
    assert client.login(username=personas.admin.username, password=PASSWORD)
    home = client.get(reverse("evaluation:kpi_home"))
    assert home.url == reverse("evaluation:kpi", args=[2565])
    page = client.get(home.url).content.decode()
    assert "1 หน่วยงาน" in page and "400.00" in page  # from ISOC's verified total of 2564
    nav = page.split('class="subtabs"')[1].split("</nav>")[0]
    assert [y for y in (2565, 2564, 2563) if f"/manage/kpi/{y}/" in nav] == [2565, 2564, 2563]
    assert nav.index("2565") < nav.index("2564") < nav.index("2563")
    # A year with nothing to show names the years that have targets.
    empty = client.get(reverse("evaluation:kpi", args=[2567])).content.decode()
    assert "จึงยังไม่มีค่าเป้าหมาย" in empty
    assert 'href="/manage/kpi/2565/"' in empty.split('data-testid="years-with-targets"')[1]
