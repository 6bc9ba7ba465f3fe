"""The administrators' pages that grow with the country: the assessor teams and a cycle's
assessments as filtered pages with one form, and the administrator's home figures aggregated in
SQL and cached for closed cycles."""

import dataclasses
import datetime
import re
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmqa import scoring
from pmqa.accounts.models import Membership, Role
from pmqa.assessments.models import Assessment, Cycle, Round, WindowExtension
from pmqa.assessments.services import record_category_scores
from pmqa.dashboards import overview
from pmqa.evaluation.kpi import grouping_rules
from pmqa.organisations.models import Organisation
from pmqa.scoring.kpi import ScoreGroup
from pmqa.verification.models import Assignment
from tests.builders import login, make_user, member_organisations

pytestmark = pytest.mark.django_db

TEAMS = reverse("verification:assignments")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


# The personas' organisations (a conflict of interest for them) and the one kept for others.
KEPT = {"DEP-OCSC", "DEP-OPDC", "DEP-NESDC", "TH-95", "TH-96", "TH-10"}


def organisations(count):
    return [o for o in member_organisations(count + len(KEPT)) if o.code not in KEPT][:count]


def submitted_assessments(cycle, count, status="submitted"):
    """`count` assessments of the cycle in `status`, one per organisation."""
    return Assessment.objects.bulk_create(
        Assessment(cycle=cycle, organisation=o, status=status) for o in organisations(count)
    )


def listed(body):
    """The assessment ids the page lists, in order."""
    return [int(pk) for pk in re.findall(r'name="assessment" value="(\d+)"', body)]


# ---------------------------------------------------------------------------------------------
# The assessor teams: filters and pages


def test_the_team_list_pages_fifty_rows_and_its_links_keep_the_filters(
    client, personas, open_cycle
):
    rows = submitted_assessments(open_cycle, 60)
    login(client, personas.admin)
    first = client.get(TEAMS, {"year": "2570", "status": "submitted"}).content.decode()
    assert len(listed(first)) == 50
    assert "หน้า 1 จาก 2 (การประเมิน 60 รายการ)" in first
    link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1)
    assert "year=2570" in link and "status=submitted" in link and "page=2" in link
    second = client.get(TEAMS + link.replace("&amp;", "&")).content.decode()
    assert len(listed(second)) == 10
    assert set(listed(first)) | set(listed(second)) == {a.pk for a in rows}
    # A page number past the end gives the last page, not an error.
    past = client.get(TEAMS, {"year": "2570", "status": "submitted", "page": "999"})
    assert listed(past.content.decode()) == listed(second)


def test_the_team_list_filters_by_name_group_status_year_and_missing_team(
    client, personas, open_cycle, edition
):
    rows = submitted_assessments(open_cycle, 6)
    in_review = rows[0]
    Assessment.objects.filter(pk=in_review.pk).update(status="in_review")
    Assignment.objects.create(assessment=in_review, assessor=personas.lead, is_lead=True)
    other_year = Cycle.objects.create(fiscal_year=2569, edition=edition)
    older = Assessment.objects.create(
        cycle=other_year, organisation=rows[1].organisation, status="submitted"
    )
    draft = Assessment.objects.create(
        cycle=other_year, organisation=rows[2].organisation, status="draft"
    )
    login(client, personas.admin)

    def ids(**query):
        response = client.get(TEAMS, query)
        assert response.status_code == 200
        return set(listed(response.content.decode()))

    # A draft is listed too: its team can be named ahead (the personas' two of 2561 as well).
    drafts = {draft.pk, personas.assessment_a.pk, personas.assessment_b.pk}
    everything = {a.pk for a in rows} | {older.pk} | drafts
    assert ids() == everything
    assert ids(status="draft") == drafts
    assert ids(year="2569") == {older.pk, draft.pk}
    assert ids(status="in_review") == {in_review.pk}
    assert ids(unassigned="on", year="2570") == {a.pk for a in rows[1:]}
    target = rows[3].organisation
    assert ids(q=target.name_th) == {rows[3].pk}
    assert ids(q=target.code.lower()) == {rows[3].pk}
    parent = target.parent
    assert ids(parent=parent.code) == {
        a.pk
        for a in [*rows, older, draft, personas.assessment_a, personas.assessment_b]
        if a.organisation.parent_id == parent.pk
    }


def test_a_wrong_filter_is_refused_in_thai_without_a_list(client, personas, open_cycle):
    submitted_assessments(open_cycle, 2)
    login(client, personas.admin)
    for query, said in (
        ({"year": "2400"}, "กรุณาเลือกปีงบประมาณจากรายการ"),
        ({"status": "published"}, "กรุณาเลือกสถานะจากรายการ"),
        ({"parent": "NOWHERE"}, "กรุณาเลือกกระทรวงหรือกลุ่มจังหวัดจากรายการ"),
        ({"q": "x" * 101}, "100"),
    ):
        response = client.get(TEAMS, query)
        assert response.status_code == 400, query
        body = response.content.decode()
        assert said in body and not listed(body)
    assert client.get(TEAMS, {"q": "นรา\x00ธิวาส"}).status_code == 200


# ---------------------------------------------------------------------------------------------
# The assessor teams: one form


def test_one_form_assigns_the_team_to_every_ticked_assessment(client, personas, open_cycle):
    rows = submitted_assessments(open_cycle, 3)
    login(client, personas.admin)
    response = client.post(
        TEAMS + "?year=2570",
        {
            "assessment": [rows[0].pk, rows[2].pk],
            "lead": personas.lead.pk,
            "members": [personas.assessor.pk],
        },
    )
    assert response.status_code == 302 and response.url == TEAMS + "?year=2570"
    for row, assigned in ((rows[0], True), (rows[1], False), (rows[2], True)):
        row.refresh_from_db()
        assert row.status == ("in_review" if assigned else "submitted")
        team = {(a.assessor, a.is_lead) for a in row.assignments.all()}
        assert team == ({(personas.lead, True), (personas.assessor, False)} if assigned else set())
    page = client.get(response.url).content.decode()
    assert "มอบหมายทีมให้การประเมิน 2 รายการแล้ว" in page


def test_one_conflict_refuses_every_ticked_assessment_and_keeps_the_choice(
    client, personas, open_cycle
):
    rows = submitted_assessments(open_cycle, 2)
    Membership.objects.create(
        user=personas.assessor,
        role=Role.AGENCY_EDITOR,
        organisation=rows[1].organisation,
        starts_on=datetime.date(2015, 1, 1),
        ends_on=datetime.date(2017, 12, 31),
    )
    login(client, personas.admin)
    response = client.post(
        TEAMS,
        {
            "assessment": [rows[0].pk, rows[1].pk],
            "lead": personas.lead.pk,
            "members": [personas.assessor.pk],
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "ไม่ได้มอบหมายทีม" in body
    assert f"{rows[1].organisation.name}: " in body and "1 มกราคม 2558" in body
    assert not Assignment.objects.exists()
    # The page shows the choice again, to be changed rather than made again.
    assert f'value="{rows[0].pk}" checked' in body
    assert f'<option value="{personas.lead.pk}" selected>' in body


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"lead": "LEAD"}, "กรุณาเลือกการประเมิน"),
        ({"assessment": ["abc"], "lead": "LEAD"}, "กรุณาเลือกการประเมิน"),
        ({"assessment": ["9" * 30], "lead": "LEAD"}, "กรุณาเลือกการประเมิน"),
        ({"assessment": ["ROW"]}, "กรุณาเลือกหัวหน้าทีม"),
        ({"assessment": ["ROW"], "lead": "x"}, "กรุณาเลือกหัวหน้าทีม"),
        ({"assessment": ["ROW"], "lead": "9" * 30}, "กรุณาเลือกหัวหน้าทีม"),
        ({"assessment": ["ROW"], "lead": "LEAD", "members": ["²"]}, "กรุณาเลือกสมาชิกทีมจากรายการ"),
        ({"assessment": ["ROW"], "lead": "MEMBER"}, "ไม่ใช่หัวหน้าทีมผู้ตรวจประเมิน"),
        ({"assessment": ["PUBLISHED"], "lead": "LEAD"}, "ขณะที่การประเมินอยู่ในสถานะ “เผยแพร่แล้ว”"),
    ],
)
def test_the_team_form_refuses_bad_input_in_thai(client, personas, open_cycle, data, said):
    (row,) = submitted_assessments(open_cycle, 1)
    published = Assessment.objects.create(
        cycle=open_cycle, organisation=Organisation.objects.get(code="TH-10"), status="published"
    )
    values = {
        "ROW": str(row.pk),
        "PUBLISHED": str(published.pk),
        "LEAD": str(personas.lead.pk),
        "MEMBER": str(personas.assessor.pk),
    }
    posted = {
        name: [values.get(v, v) for v in value]
        if isinstance(value, list)
        else values.get(value, value)
        for name, value in data.items()
    }
    login(client, personas.admin)
    response = client.post(TEAMS, posted)
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_team_page_makes_the_same_queries_for_5_or_60_organisations(
    client, personas, open_cycle, django_assert_max_num_queries
):
    login(client, personas.admin)
    counts = []
    for size in (5, 60):
        Assessment.objects.filter(cycle=open_cycle).delete()
        rows = submitted_assessments(open_cycle, size)
        for row in rows[::2]:
            Assignment.objects.create(assessment=row, assessor=personas.lead, is_lead=True)
        for n in range(size // 5):
            make_user(f"more_assessor_{size}_{n}", Role.ASSESSOR)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(TEAMS).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(15):
        client.get(TEAMS, {"year": "2570", "unassigned": "on", "page": "2"})


# ---------------------------------------------------------------------------------------------
# A cycle's page


def test_the_cycle_page_filters_and_pages_its_assessments(client, personas, open_cycle):
    rows = submitted_assessments(open_cycle, 55)
    Assessment.objects.filter(pk=rows[0].pk).update(status="published")
    url = reverse("manage:cycle", args=[2570])
    login(client, personas.admin)
    first = client.get(url).content.decode()
    codes = re.findall(r"<td data-label=\"[^\"]*\">([A-Z0-9-]+)</td>", first)
    assert len(codes) == 50
    assert "หน้า 1 จาก 2 (การประเมิน 55 รายการ)" in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert len(re.findall(r"<td data-label=\"[^\"]*\">([A-Z0-9-]+)</td>", second)) == 5
    only = client.get(url, {"status": "published"}).content.decode()
    assert re.findall(r"<td data-label=\"[^\"]*\">([A-Z0-9-]+)</td>", only) == [
        rows[0].organisation.code
    ]
    named = client.get(url, {"q": rows[7].organisation.code}).content.decode()
    assert re.findall(r"<td data-label=\"[^\"]*\">([A-Z0-9-]+)</td>", named) == [
        rows[7].organisation.code
    ]
    # No select on the page lists the organisations.
    for select in re.findall(r"<select.*?</select>", first, flags=re.S):
        assert select.count("<option") < 60


def test_an_extension_is_granted_by_code_and_a_wrong_code_is_refused_in_thai(
    client, personas, open_cycle
):
    url = reverse("manage:cycle", args=[2570])
    later = open_cycle.rounds.get().closes_on + datetime.timedelta(days=5)
    login(client, personas.admin)
    form = {"form": "extension", "closes_on": f"{later.day}/{later.month}/{later.year + 543}"}
    for code, said in (
        ("", "กรุณาพิมพ์รหัสหน่วยงาน"),
        ("TH-999", "ไม่มีหน่วยงานที่ใช้งานอยู่รหัส “TH-999”"),
        ("x" * 40, "รหัสหน่วยงานมีไม่เกิน 32 ตัวอักษร"),
    ):
        response = client.post(url, {**form, "organisation": code, "reason": "น้ำท่วม"})
        assert response.status_code == 400 and said in response.content.decode()
    assert not WindowExtension.objects.exists()
    response = client.post(url, {**form, "organisation": " th-96 ", "reason": "น้ำท่วม"})
    assert response.status_code == 302
    assert WindowExtension.objects.get().organisation == personas.agency_a
    # A row's link fills in the code.
    page = client.get(url, {"extend": "TH-95"}).content.decode()
    assert 'name="organisation" value="TH-95"' in page


def test_the_cycle_page_makes_the_same_queries_for_5_or_60_organisations(
    client, personas, open_cycle
):
    url = reverse("manage:cycle", args=[2570])
    login(client, personas.admin)
    counts = []
    for size in (5, 60):
        Assessment.objects.filter(cycle=open_cycle).delete()
        submitted_assessments(open_cycle, size)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# ---------------------------------------------------------------------------------------------
# The administrator's home


TOTALS = ["150.00", "239.49", "239.50", "300.00", "324.49", "324.50", "369.50", "499.99", "500.00"]


def closed_cycle(edition, year, totals, *, corrected=None):
    """A past cycle whose assessments are all published, one verified total each."""
    cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
    Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=datetime.date(2020, 1, 1),
        closes_on=datetime.date(2020, 3, 1),
    )
    for organisation, total in zip(organisations(len(totals)), totals, strict=True):
        assessment = Assessment.objects.create(
            cycle=cycle, organisation=organisation, status="published"
        )
        for value in ([corrected] if corrected else []) + [total]:
            # Equal category scores make a total of that value.
            record_category_scores(
                assessment=assessment,
                source="assessor",
                categories={str(c): D(value) for c in range(1, 8)},
            )
    return cycle


def test_the_sql_figures_equal_the_scoring_rule_at_the_group_boundaries(personas, edition):
    cycle = closed_cycle(edition, 2565, TOTALS, corrected="100.00")
    (state,) = [c for c in overview.cycles_with_state() if c.pk == cycle.pk]
    rules, _first = grouping_rules(cycle.fiscal_year)
    figures = overview.cycle_figures([state], {cycle.pk: rules})[cycle.pk]
    expected, missing = scoring.group_statistics([D(t) for t in TOTALS], rules)
    assert figures.groups == expected
    assert [g.count for g in figures.groups if g.count] and sum(
        g.count for g in figures.groups
    ) == len(TOTALS)
    assert figures.verified == len(TOTALS) and missing == 0
    assert figures.statuses == {"published": len(TOTALS)}


def test_cycles_grouped_by_different_rule_sets_each_get_their_own_groups(personas, edition):
    first = closed_cycle(edition, 2565, TOTALS)
    second = closed_cycle(edition, 2566, TOTALS[::-1][:5])
    shipped, _first = grouping_rules(2565)
    other = dataclasses.replace(
        shipped,
        groups=(
            ScoreGroup("ต่ำ", 0, 239),
            ScoreGroup("กลาง", 240, 369),
            ScoreGroup("สูง", 370, None),
        ),
    )
    rules = {first.pk: shipped, second.pk: other}
    states = [c for c in overview.cycles_with_state() if c.pk in rules]
    figures = overview.cycle_figures(states, rules)
    assert figures[first.pk].groups == scoring.group_statistics([D(t) for t in TOTALS], shipped)[0]
    assert (
        figures[second.pk].groups
        == scoring.group_statistics([D(t) for t in TOTALS[::-1][:5]], other)[0]
    )
    # 369.50 rounds half up to 370, the first of the top group.
    assert [g.count for g in figures[second.pk].groups] == [0, 2, 3]


def test_a_closed_cycle_is_read_from_the_cache_until_a_correction(client, personas, edition):
    cycle = closed_cycle(edition, 2565, ["310.00", "320.00"])
    login(client, personas.admin)

    def home():
        with CaptureQueriesContext(connection) as captured:
            body = client.get(reverse("dashboards:admin")).content.decode()
        return body[body.index("<main") :], len(captured)

    body, first = home()
    assert "315.00" in body
    cached, second = home()
    # Both cycles (FY2561's drafts and FY2565) are closed: no status or score query at all.
    assert second == first - 2 and cached == body
    assessment = cycle.assessments.first()
    record_category_scores(
        assessment=assessment,
        source="assessor",
        categories={str(c): D("200.00") for c in range(1, 8)},
    )
    body, third = home()
    assert third == first and "315.00" not in body and "200.00" in body


def test_an_open_cycle_is_never_read_from_the_cache(client, personas, edition):
    cycle = closed_cycle(edition, 2565, ["310.00", "320.00"])
    Round.objects.filter(cycle=cycle).update(closes_on=datetime.date.today())
    login(client, personas.admin)
    assert "315.00" in client.get(reverse("dashboards:admin")).content.decode()
    Assessment.objects.filter(cycle=cycle).update(status="report_approved")
    body = client.get(reverse("dashboards:admin")).content.decode()
    assert "อนุมัติรายงานแล้ว 2" in body


def test_the_administrators_home_makes_the_same_queries_for_5_or_60_organisations(
    client, personas, edition
):
    login(client, personas.admin)
    counts = []
    for size, year in ((5, 2565), (60, 2566)):
        Assessment.objects.filter(cycle__fiscal_year__in=(2565, 2566)).delete()
        Cycle.objects.filter(fiscal_year__in=(2565, 2566)).delete()
        cache.clear()
        closed_cycle(edition, year, ["320.00"] * size)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("dashboards:admin")).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
