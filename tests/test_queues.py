""" "งานของฉัน" first on each home: what waits for the person, with where to act, due dates and
overdue marks; read in the same number of queries however many assessments there are."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from pmqa.assessments import services as assessment_services
from pmqa.assessments.models import Assessment, Cycle, Round
from pmqa.verification import services as review_services
from tests.builders import ITEMS, Case, login, member_organisations, score_every_item

pytestmark = pytest.mark.django_db


def tasks(page: str) -> list[str]:
    section = page[
        page.index('id="queue-title"') : page.index("</section>", page.index('id="queue-title"'))
    ]
    return [
        re.sub(r"\s+", " ", strip_tags(item)).strip()
        for item in re.findall(r'<li[^>]*data-testid="task">(.*?)</li>', section, re.S)
    ]


def counts(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-testid="task-count">(\d+)<', page)]


def _cycle_of(edition, year, size, status):
    today = timezone.localdate()
    cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
    Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today + datetime.timedelta(days=5),
    )
    for organisation in member_organisations(size)[:size]:
        Assessment.objects.create(cycle=cycle, organisation=organisation, status=status)
    return cycle


def test_the_administrators_counters_are_right_at_two_sizes_in_the_same_queries(
    personas, edition, django_assert_num_queries
):
    admin = login(Client(), personas.admin)
    url = reverse("dashboards:admin")
    _cycle_of(edition, 2571, 2, Assessment.Status.SUBMITTED)
    _cycle_of(edition, 2572, 3, Assessment.Status.REPORT_DRAFTED)
    small = admin.get(url).content.decode()
    assert counts(small)[:3] == [2, 0, 3]
    closing = [t for t in tasks(small) if "ใกล้ปิด" in t]
    assert len(closing) == 2 and all("กำหนด" in t for t in closing)
    with CaptureQueriesContext(connection) as first:
        admin.get(url)
    _cycle_of(edition, 2573, 7, Assessment.Status.SUBMITTED)
    with django_assert_num_queries(len(first.captured_queries)):
        large = admin.get(url).content.decode()
    assert counts(large)[:3] == [9, 0, 3]


def test_an_assessor_and_the_lead_see_what_waits_for_each(personas, work_a):
    case = Case(personas, work_a)
    case.in_review()
    member = login(Client(), case.member)
    home = reverse("dashboards:assessor")
    (task,) = tasks(member.get(home).content.decode())
    assert "ให้คะแนนและส่งผลการตรวจ" in task and "นราธิวาส" in task
    case.reviewed()  # the member and the lead submit; the third member has not
    assert tasks(member.get(home).content.decode()) == []
    lead = login(Client(), personas.lead)
    assert tasks(lead.get(home).content.decode()) == []  # not every review is in
    review = review_services.review_for(assessment=case.refresh(), assessor=case.member_open)
    score_every_item(review, case.edition, case.member_open)
    review_services.submit_review(review=review, codes=ITEMS, by=case.member_open)
    (task,) = tasks(lead.get(home).content.decode())
    assert "บันทึกฉันทามติ" in task
    case.consensus()
    (task,) = tasks(lead.get(home).content.decode())
    assert "เขียนรายงานผลการตรวจประเมิน" in task
    assert reverse("feedback:edit", args=[case.assessment.pk]) in lead.get(home).content.decode()


def test_the_agency_sees_its_draft_with_the_deadline_a_return_and_open_questions(personas, work_a):
    editor = login(Client(), personas.editor_a)
    home = reverse("dashboards:agency")
    (task,) = tasks(editor.get(home).content.decode())
    assert "กรอกผลการประเมินตนเอง" in task and "กำหนด" in task and "เลยกำหนด" not in task
    assessment_services.return_to_editors(
        assessment=work_a, reason="กรุณาเพิ่มตัวชี้วัดหมวด 7", by=personas.approver_a
    )
    (task,) = tasks(editor.get(home).content.decode())
    assert "แก้ไขผลการประเมินตนเอง" in task and "กรุณาเพิ่มตัวชี้วัดหมวด 7" in task
    # The window closed yesterday: the draft is overdue.
    Round.objects.filter(cycle=work_a.cycle).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    (task,) = tasks(editor.get(home).content.decode())
    assert "เลยกำหนด" in task
    case = Case(personas, work_a)
    Round.objects.filter(cycle=work_a.cycle).update(
        closes_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    case.in_review()  # submitted; a question asked
    page = editor.get(home).content.decode()
    (task,) = tasks(page)
    assert "ตอบคำถามของผู้ตรวจประเมิน" in task and counts(page) == [1]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_assessors_home_reads_the_same_queries_for_one_review_or_four(personas, edition):
    from pmqa.verification.models import Assignment

    member = login(Client(), personas.assessor)
    home = reverse("dashboards:assessor")

    def assign(year, count):
        cycle = _cycle_of(edition, year, count, Assessment.Status.IN_REVIEW)
        for assessment in cycle.assessments.all():
            Assignment.objects.create(assessment=assessment, assessor=personas.assessor)

    assign(2571, 1)
    one = member.get(home).content.decode()
    assert len(tasks(one)) == 1
    small = _queries(member, home)
    assign(2572, 3)
    assert len(tasks(member.get(home).content.decode())) == 4
    assert _queries(member, home) == small


def test_the_agencys_home_reads_the_same_queries_for_one_draft_or_four(personas, edition):
    editor = login(Client(), personas.editor_a)
    home = reverse("dashboards:agency")
    today = timezone.localdate()

    def draft(year):
        cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
        Round.objects.create(
            cycle=cycle,
            number=1,
            opens_on=today - datetime.timedelta(days=3),
            closes_on=today + datetime.timedelta(days=9),
        )
        Assessment.objects.create(cycle=cycle, organisation=personas.agency_a)

    draft(2571)
    small = _queries(editor, home)
    drafts = len(tasks(editor.get(home).content.decode()))
    for year in (2572, 2573, 2574):
        draft(year)
    assert len(tasks(editor.get(home).content.decode())) == drafts + 3
    assert _queries(editor, home) == small
