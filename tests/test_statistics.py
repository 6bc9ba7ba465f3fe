"""A cycle's statistics: the group table against an independent computation, synthetic data
left out unless asked for, missing totals counted, filters, the page and its downloads, the
command, and query counts that do not grow with the number of organisations."""

import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from pmqa.assessments.models import Assessment, Cycle, ScoreSnapshot
from pmqa.assessments.services import record_category_scores
from pmqa.dashboards import statistics
from pmqa.organisations.models import Organisation
from tests.builders import PASSWORD, member_organisations

pytestmark = pytest.mark.django_db

GROUPS = (("0-299", 0, 299), ("300-350", 300, 350), ("351-399", 351, 399), ("400+", 400, 10**6))


def make_cycle(edition, count, *, year=2563):
    """`count` organisations with self and verified scores spread over every group; the
    first one has no verified total."""
    cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
    organisations = member_organisations(count)
    for index, organisation in enumerate(organisations):
        assessment = Assessment.objects.create(cycle=cycle, organisation=organisation)
        base = Decimal(150 + (index * 37) % 320)
        record_category_scores(
            assessment=assessment,
            source="self",
            categories={str(c): min(base + 40 + c * 3, Decimal(500)) for c in range(1, 8)},
        )
        if index:
            record_category_scores(
                assessment=assessment,
                source="assessor",
                categories={str(c): base + (c * 7) % 23 for c in range(1, 8)},
            )
    return cycle


def independent_groups(cycle, synthetic=False):
    totals = {}
    for s in ScoreSnapshot.objects.filter(
        assessment__cycle=cycle, source="assessor", round_number=1
    ).order_by("created_at"):
        if synthetic or not s.assessment.is_synthetic:
            totals[s.assessment_id] = s.total
    out = {}
    for label, low, high in GROUPS:
        found = [t for t in totals.values() if low <= int(t.quantize(1, ROUND_HALF_UP)) <= high]
        mean = (sum(found) / len(found)).quantize(Decimal("0.01"), ROUND_HALF_UP) if found else None
        out[label] = (len(found), min(found, default=None), max(found, default=None), mean)
    return out


def as_table(stats):
    return {
        g.label: (
            g.count,
            g.minimum,
            g.maximum,
            g.mean.quantize(Decimal("0.01"), ROUND_HALF_UP) if g.mean is not None else None,
        )
        for g in stats.groups
    }


def test_the_group_table_matches_an_independent_computation_and_counts_what_is_left_out(
    edition,
):
    cycle = make_cycle(edition, 40)
    stats = statistics.compute(cycle)
    assert as_table(stats) == independent_groups(cycle)
    assert all(g.count for g in stats.groups)  # the scores reach every group
    assert stats.count == 39 and stats.without_verified == 1
    assert sum(n for _label, n in stats.distribution) == 39
    assert sum(n for _label, n in stats.levels) == 39
    for category in stats.categories:
        assert sum(category.classes.values()) == 39
        assert category.mean_gap is not None and category.mean_gap > 0
    assert stats.over_raters and stats.over_raters[0].gap >= stats.over_raters[-1].gap

    # The synthetic cohort is left out unless asked for, and counted.
    marked = Assessment.objects.filter(cycle=cycle).order_by("organisation__code")[1:6]
    Assessment.objects.filter(pk__in=[a.pk for a in marked]).update(is_synthetic=True)
    stats = statistics.compute(cycle)
    assert stats.count == 34 and stats.synthetic_left_out == 5
    assert as_table(stats) == independent_groups(cycle)
    stats = statistics.compute(cycle, statistics.Filters(include_synthetic=True))
    assert stats.count == 39 and stats.synthetic_left_out == 0
    assert as_table(stats) == independent_groups(cycle, synthetic=True)


def test_filters_by_type_and_parent(edition):
    cycle = make_cycle(edition, 187)
    provinces = statistics.compute(cycle, statistics.Filters(kind="province"))
    assert provinces.count and {r.kind for r in provinces.rows} == {"province"}
    assert all(r.organisation.startswith("จังหวัด") or r.code == "TH-10" for r in provinces.rows)
    ministry = Organisation.objects.filter(
        kind="ministry", children__assessments__cycle=cycle
    ).first()
    within = statistics.compute(cycle, statistics.Filters(parent=ministry))
    expected = Assessment.objects.filter(
        cycle=cycle, organisation__parent=ministry, scores__source="assessor"
    ).distinct()
    assert {r.code for r in within.rows} == {a.organisation.code for a in expected}


def queries(cycle):
    with CaptureQueriesContext(connection) as captured:
        stats = statistics.compute(cycle)
        statistics.to_csv(stats)
    return len(captured)


def test_query_count_does_not_grow_with_the_organisations(edition, django_assert_num_queries):
    small = queries(make_cycle(edition, 10, year=2563))
    assert small <= 4
    large = make_cycle(edition, 200, year=2564)
    with django_assert_num_queries(small):
        statistics.to_csv(statistics.compute(large))


def test_the_page_and_its_downloads(client, personas, edition):
    cycle = make_cycle(edition, 20)
    url = reverse("dashboards:statistics", args=[cycle.fiscal_year])
    assert client.login(username=personas.editor_a.username, password=PASSWORD)
    assert client.get(url).status_code == 404
    assert client.login(username=personas.admin.username, password=PASSWORD)
    assert client.get(reverse("dashboards:statistics_home")).url == url.replace("2563", "2563")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "400+" in body and "ส่วนต่าง" in body
    # A wrong filter is refused with a message, not a server error.
    wrong = client.get(url, {"type": "planet", "parent": "NOPE"})
    assert wrong.status_code == 400
    assert "เลือกตัวเลือกที่ถูกต้อง" in wrong.content.decode()

    rows = list(
        csv.DictReader(io.StringIO(client.get(url, {"format": "csv"}).content.decode("utf-8-sig")))
    )
    assert len(rows) == 19 and rows[0]["คะแนนผู้ตรวจประเมิน"]
    data = json.loads(client.get(url, {"format": "json", "type": "province"}).content)
    assert data["filters"]["type"] == "province"
    assert sum(g["count"] for g in data["groups"]) == data["organisations"]
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    assert book.sheetnames[0] == "กลุ่มคะแนน"
    assert book["รายหน่วยงาน"].max_row == 20


def test_the_command_writes_csv_json_and_excel(edition, tmp_path, capsys):
    make_cycle(edition, 12)
    call_command("statistics", "--cycle", "2563", "--format", "csv")
    out = capsys.readouterr()
    assert out.out.startswith("\ufeffรหัส,หน่วยงาน,") and len(out.out.splitlines()) == 12
    assert "11" in out.err
    call_command("statistics", "--cycle", "2563", "--format", "json", "--type", "department")
    assert json.loads(capsys.readouterr().out)["filters"]["type"] == "department"
    target = tmp_path / "stats.xlsx"
    call_command("statistics", "--cycle", "2563", "--format", "xlsx", "--out", str(target))
    assert load_workbook(target).sheetnames[-1] == "รายหน่วยงาน"
    with pytest.raises(CommandError, match="^out: "):
        call_command("statistics", "--cycle", "2563", "--format", "xlsx")
    with pytest.raises(CommandError, match="^cycle: "):
        call_command("statistics", "--cycle", "2400")
    with pytest.raises(CommandError, match="^parent: "):
        call_command("statistics", "--cycle", "2563", "--parent", "TH-96")


def test_progress_overdue_drafts_heat_map_and_trends(client, personas, edition):
    import datetime

    from django.utils import timezone

    from pmqa.assessments.models import Round, WindowExtension

    cycle = make_cycle(edition, 12)
    make_cycle(edition, 6, year=2564)
    today = timezone.localdate()
    round_ = Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=today - datetime.timedelta(days=60),
        closes_on=today - datetime.timedelta(days=3),
    )
    late, extended, *_rest = Assessment.objects.filter(cycle=cycle).order_by("organisation__code")
    Assessment.objects.filter(cycle=cycle).exclude(pk__in=[late.pk, extended.pk]).update(
        status="published"
    )
    WindowExtension.objects.create(
        round=round_,
        organisation=extended.organisation,
        closes_on=today + datetime.timedelta(days=5),
        reason="น้ำท่วม",
    )
    stats = statistics.compute(cycle)
    assert [(o.row.code, o.days) for o in stats.overdue] == [(late.organisation.code, 3)]
    assert dict(stats.progress) == {"ฉบับร่าง": 2, "เผยแพร่แล้ว": 10}
    years = statistics.trends(statistics.Filters())
    assert [(t.fiscal_year, t.count) for t in years] == [(2563, 11), (2564, 5)]
    assert sum(years[0].levels) == 11

    assert client.login(username=personas.admin.username, password=PASSWORD)
    body = client.get(reverse("dashboards:statistics", args=[2563])).content.decode()
    assert late.organisation.official_name_th in body and "heat-" in body
    assert reverse("dashboards:assessment", args=[late.pk]) not in body  # no verified total
    verified = Assessment.objects.filter(cycle=cycle, scores__source="assessor").first()
    assert reverse("dashboards:assessment", args=[verified.pk]) in body


def test_the_page_reads_a_fixed_number_of_queries(
    client, personas, edition, django_assert_num_queries
):
    assert client.login(username=personas.admin.username, password=PASSWORD)
    make_cycle(edition, 10, year=2563)
    client.get(reverse("dashboards:statistics", args=[2563]))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboards:statistics", args=[2563])).status_code == 200
    small = len(captured)  # read now: the next request empties the connection's query log
    assert small > 5
    make_cycle(edition, 200, year=2564)
    client.get(reverse("dashboards:statistics", args=[2564]))
    with django_assert_num_queries(small):
        assert client.get(reverse("dashboards:statistics", args=[2564])).status_code == 200


def test_the_page_draws_its_charts_on_the_server_beside_their_tables(client, personas, edition):
    from pmqa.lib.charts import bars_svg

    make_cycle(edition, 20)
    assert client.login(username=personas.admin.username, password=PASSWORD)
    body = client.get(reverse("dashboards:statistics", args=[2563])).content.decode()
    assert body.count('<svg role="img" aria-label=') == 2
    assert 'aria-label="การกระจายของคะแนนรวมที่ผ่านการตรวจประเมิน"' in body
    assert "<script" not in body.split("<main", 1)[1]  # works without JavaScript
    first = bars_svg(("ก", "ข"), (1.0, 2.0), title="ทดสอบ")
    assert first == bars_svg(("ก", "ข"), (1.0, 2.0), title="ทดสอบ")  # deterministic
    assert ">ก<" in first or "ก</text>" in first  # text stays text


FORMULAS = ('=HYPERLINK("http://example.org/x","คลิก")', "+1+1", "-2+3", "@SUM(A1)", "\tกรม")


def test_the_csv_has_thai_headers_a_byte_order_mark_and_no_formula(client, personas, edition):
    cycle = make_cycle(edition, 6)
    assessments = list(Assessment.objects.filter(cycle=cycle).order_by("pk"))[1:]
    organisations = [a.organisation for a in assessments]
    # Verified above its self-assessment: a negative gap.
    record_category_scores(
        assessment=assessments[0],
        source="assessor",
        categories={str(c): Decimal(500) for c in range(1, 8)},
    )
    for organisation, name in zip(organisations, FORMULAS, strict=True):
        Organisation.objects.filter(pk=organisation.pk).update(name_th=name)
    assert client.login(username=personas.admin.username, password=PASSWORD)
    url = reverse("dashboards:statistics", args=[cycle.fiscal_year])
    content = client.get(url, {"format": "csv"}).content
    assert content.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[:9] == [
        "รหัส",
        "หน่วยงาน",
        "ประเภท",
        "สังกัด",
        "ข้อมูลสังเคราะห์",
        "คะแนนประเมินตนเอง",
        "คะแนนผู้ตรวจประเมิน",
        "ส่วนต่าง",
        "ระดับ",
    ]
    assert header[9] == "หมวด 1 (ผู้ตรวจประเมิน)"
    names = {row[1] for row in rows}
    assert {f"'{name}" for name in FORMULAS} <= names
    # A figure stays a figure, a negative gap included.
    gaps = [row[7] for row in rows if row[7]]
    assert any(gap.startswith("-") for gap in gaps)
    assert all(Decimal(gap) is not None for gap in gaps)
