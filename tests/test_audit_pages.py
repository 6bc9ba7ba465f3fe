"""The audit log and an assessment's trail as an administrator reads them: what each entry is
about named as a person would (not by internal number), in one query per kind of object
however many entries a page has; dates typed and shown in B.E. (old ISO addresses still open);
a downloaded report's layout and format in words."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmqa.accounts.models import Membership, Role
from pmqa.api import tokens
from pmqa.assessments.models import Evidence
from pmqa.audit import services as audit
from pmqa.audit.models import AuditEntry
from pmqa.verification import teams
from pmqa.verification.models import ConsensusScore, ItemScore, Review
from tests.builders import login, make_user

NARATHIWAT_2570 = "จังหวัดนราธิวาส · ปีงบประมาณ 2570"


def _page(client, **query):
    response = client.get(reverse("audit:log"), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _cells(html: str) -> list[str]:
    """The table's cells as text, one string per cell."""
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<td>(.*?)</td>", html, re.S)
    ]


@pytest.fixture
def published(case):
    """A whole cycle of agency A's assessment: evidence, a question, reviews, item scores,
    consensus and the report, each audited as it happened."""
    return case.published()


def test_the_log_names_each_entry_as_a_person_would(client, personas, case, published):
    login(client, personas.admin)
    assessment = published
    cells = _cells(_page(client, object_type="assessments.assessment"))
    assert f"การประเมิน {NARATHIWAT_2570}" in cells
    trail = reverse("audit:trail", args=[assessment.pk])
    html = _page(client)
    assert f'<a href="{trail}">{NARATHIWAT_2570}</a>' in html
    # Never by its internal number.
    assert f"การประเมิน {assessment.pk}" not in html

    evidence = Evidence.objects.get(assessment=assessment)
    cells = _cells(_page(client, object_type="assessments.evidence"))
    assert f"หลักฐาน {NARATHIWAT_2570} · {evidence.label}" in cells

    lead = personas.lead.full_name
    cells = _cells(_page(client, object_type="reviews.review"))
    assert f"การตรวจประเมิน {NARATHIWAT_2570} · {lead}" in cells
    score = ItemScore.objects.filter(review__assessor=personas.lead, item_code="1.1").get()
    cells = _cells(_page(client, object_type="reviews.itemscore", object_id=score.pk))
    assert any(c.endswith(f"{NARATHIWAT_2570} · 1.1 · {lead}") for c in cells), cells
    consensus = ConsensusScore.objects.get(assessment=assessment, item_code="1.1")
    cells = _cells(_page(client, object_type="reviews.consensusscore", object_id=consensus.pk))
    assert any(c.endswith(f"{NARATHIWAT_2570} · 1.1") for c in cells), cells
    cells = _cells(_page(client, object_type="feedback.feedback"))
    assert f"รายงานผลการตรวจประเมิน (Feedback Report) {NARATHIWAT_2570}" in cells

    # What belongs to no assessment: a cycle by its fiscal year, a person by their name, a
    # role by person, role and organisation, a token by its name and owner.
    audit.record(actor=personas.admin, action="cycle.create", obj=assessment.cycle)
    audit.record(actor=personas.admin, action="otp.reset", obj=personas.editor_a)
    membership = Membership.objects.get(user=personas.editor_a)
    audit.record(actor=personas.admin, action="membership.change", obj=membership)
    token, _secret = tokens.create_token(user=personas.editor_a, name="ระบบสถิติ")
    gone = Membership.objects.create(
        user=personas.editor_b,
        role=Role.AGENCY_APPROVER,
        organisation=personas.agency_b,
        starts_on=membership.starts_on,
    )
    audit.record(actor=personas.admin, action="membership.delete", obj=gone)
    gone_pk = gone.pk
    gone.delete()
    cells = _cells(_page(client))
    assert "รอบการประเมิน ปีงบประมาณ 2570" in cells
    assert "ผู้ใช้ editor_a" in cells
    assert "บทบาทของผู้ใช้ editor_a · ผู้กรอกข้อมูลของหน่วยงาน · จังหวัดนราธิวาส" in cells
    assert "โทเคน API ระบบสถิติ · editor_a" in cells
    assert f"บทบาทของผู้ใช้ หมายเลข {gone_pk} (ไม่มีในระบบแล้ว)" in cells
    assert token.pk  # named above by its name, not its number


def test_the_trail_says_what_within_the_assessment_each_entry_is_about(client, personas, published):
    login(client, personas.admin)
    html = client.get(reverse("audit:trail", args=[published.pk])).content.decode()
    cells = _cells(html)
    evidence = Evidence.objects.get(assessment=published)
    assert f"หลักฐาน {evidence.label}" in cells
    assert f"คะแนนรายประเด็นของผู้ตรวจประเมิน 1.1 · {personas.lead.full_name}" in cells
    assert f"การตรวจประเมิน {personas.assessor.full_name}" in cells
    assert "คำถาม 1.1" in cells


def test_a_page_of_many_entries_reads_one_query_per_kind_of_object(
    client, personas, published, django_assert_num_queries
):
    """No query per entry: a page of a few entries and a page of fifty, about the same kinds
    of objects (each a different object), read the same number of queries."""
    auditor = make_user("auditor", Role.ADMINISTRATOR)
    reviews = list(Review.objects.filter(assessment=published))
    objects = [
        published,
        Evidence.objects.get(assessment=published),
        published.cycle,
        *reviews,
        *ItemScore.objects.filter(review__in=reviews)[:40],
        *ConsensusScore.objects.filter(assessment=published)[:40],
        personas.editor_a,
        personas.approver_a,
        *Membership.objects.all()[:5],
    ]
    kinds = {o._meta.label_lower: o for o in objects}  # one object of each kind
    for obj in kinds.values():
        audit.record(actor=auditor, action="review.item", obj=obj)
    login(client, personas.admin)
    client.get(reverse("audit:log"))  # the session's once-a-minute write is done before counting
    with CaptureQueriesContext(connection) as few:
        html = _page(client, who="auditor")
    assert len(_cells(html)) == 8 * len(kinds)
    for obj in objects[: 50 - len(kinds)]:
        audit.record(actor=auditor, action="review.item", obj=obj)
    with django_assert_num_queries(len(few.captured_queries)):
        html = _page(client, who="auditor")
    assert len(_cells(html)) == 8 * 50
    assert html.count(NARATHIWAT_2570) >= 40


def test_dates_are_typed_and_shown_in_be_and_old_iso_addresses_still_open(client, personas):
    audit.record(actor=personas.editor_a, action="auth.login", obj=personas.editor_a)
    login(client, personas.admin)
    url = reverse("audit:log")
    page = client.get(url, {"since": "26/11/2568", "until": "27/11/2568"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="26/11/2568"' in html and 'value="27/11/2568"' in html
    assert 'placeholder="วว/ดด/ปปปป (พ.ศ.)"' in html
    # An address made when the log took ISO dates opens at the same days, in B.E.
    old = client.get(url, {"since": "2025-11-26", "until": "2025-11-27", "who": "editor_a"})
    assert old.status_code == 302
    assert old["Location"] == f"{url}?since=26%2F11%2F2568&until=27%2F11%2F2568&who=editor_a"
    # Typed in words, too, it is shown as typed in numbers.
    assert client.get(url, {"since": "26 พ.ย. 2568"})["Location"] == f"{url}?since=26%2F11%2F2568"
    # Today, typed either way, finds today's login.
    from django.utils import timezone

    today = timezone.localdate()
    be_today = f"{today.day:02d}/{today.month:02d}/{today.year + 543}"
    found = client.get(url, {"since": be_today, "who": "editor_a"})
    assert found.context["page"].paginator.count == 1
    assert (
        client.get(url, {"since": today.isoformat(), "who": "editor_a"}, follow=True)
        .context["page"]
        .paginator.count
        == 1
    )


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("2025-02-30", "วันที่ 30 กุมภาพันธ์ 2568 ไม่มีอยู่จริง"),
        ("30/02/2568", "วันที่ 30 กุมภาพันธ์ 2568 ไม่มีอยู่จริง"),
        ("26/11/2025", "ปี 2025 ไม่ใช่ปีพุทธศักราช กรุณากรอกปีเป็น พ.ศ. (ปี ค.ศ. 2025 คือ พ.ศ. 2568)"),
        ("เมื่อวาน", "อ่านวันที่ “เมื่อวาน” ไม่ได้ กรุณากรอกในรูปแบบ วว/ดด/ปปปป (ปีพุทธศักราช)"),
    ],
)
def test_a_wrong_date_is_refused_with_words_that_say_what_to_type(client, personas, typed, said):
    login(client, personas.admin)
    page = client.get(reverse("audit:log"), {"since": typed})
    assert page.status_code == 400
    assert said in page.content.decode()


def test_a_report_download_names_its_layout_and_format_in_thai(client, personas, published):
    agency = login(client, personas.editor_a)
    assert (
        agency.get(reverse("reports:xlsx", args=[published.pk]), {"layout": "short"}).status_code
        == 200
    )
    login(client, personas.admin)
    cells = _cells(_page(client, action="download.report"))
    assert "รูปแบบรายงาน: ฉบับย่อ ชนิดไฟล์: Excel" in cells, cells
    assert not any("short" in c or "xlsx" in c for c in cells)


def test_the_export_keeps_its_filters_in_be_and_shows_old_ones_in_be(client, personas):
    login(client, personas.admin)
    url = reverse("audit:log")
    response = client.get(
        url, {"format": "csv", "since": "2025-11-26", "action": "auth.login"}, follow=True
    )
    b"".join(response.streaming_content)
    export = AuditEntry.objects.get(action="export.audit")
    assert export.new == {"filters": {"action": "auth.login", "since": "26/11/2568"}}
    # An export recorded when the filters were kept as ISO dates reads the same.
    audit.record(
        actor=personas.admin,
        action="export.audit",
        object_type="audit",
        new={"filters": {"since": "2025-11-26", "until": "2025-11-27", "action": "auth.login"}},
    )
    cells = _cells(_page(client, action="export.audit"))
    old, new = cells[5], cells[8 + 5]
    assert old == ("ตัวกรอง: การกระทำ: เข้าสู่ระบบ ตั้งแต่วันที่: 26/11/2568 ถึงวันที่: 27/11/2568"), cells
    assert new == "ตัวกรอง: การกระทำ: เข้าสู่ระบบ ตั้งแต่วันที่: 26/11/2568", cells
    assert "2025" not in "".join(cells)


def test_the_csv_names_what_each_entry_is_about(client, personas, published):
    login(client, personas.admin)
    response = client.get(
        reverse("audit:log"), {"format": "csv", "object_type": "assessments.assessment"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][-1] == "สิ่งที่เกี่ยวข้อง"
    assert {row[-1] for row in rows[1:]} == {NARATHIWAT_2570}
    assert {row[6] for row in rows[1:]} == {str(published.pk)}  # the number stays, for searching


def test_values_name_people_and_show_times_in_be_thai_time(client, personas, published):
    """A team is its people's names, not their account numbers; a token's expiry is a B.E. date
    and Thailand's time, not UTC."""
    import datetime

    from django.utils import timezone

    day = timezone.now().date() + datetime.timedelta(days=30)
    expires = datetime.datetime.combine(day, datetime.time(1, 30), tzinfo=datetime.UTC)
    tokens.create_token(user=personas.editor_a, name="ระบบสถิติ", expires_at=expires)
    login(client, personas.admin)
    team = _cells(_page(client, action="assessment.team"))
    assert team[5] == "หัวหน้าทีม: lead_1 สมาชิก: assessor_1, assessor_open", team
    made = _cells(_page(client, action="api.token.create"))
    assert made[5].startswith("ชื่อ: ระบบสถิติ อักขระแรก: "), made
    be = f"{day.day:02d}/{day.month:02d}/{day.year + 543}"
    assert made[5].endswith(f"หมดอายุ: {be} 08:30:00"), made


def test_a_changed_team_names_the_people_before_as_after(client, case):
    case.in_review()
    teams.assign_team(
        assessment=case.assessment, lead=case.p.lead, members=[case.outsider], by=case.p.admin
    )
    login(client, case.p.admin)
    row = _cells(_page(client, action="assessment.team"))
    assert row[4] == "หัวหน้าทีม: lead_1 สมาชิก: assessor_1, assessor_open", row
    assert row[5] == "หัวหน้าทีม: lead_1 สมาชิก: assessor_out", row
