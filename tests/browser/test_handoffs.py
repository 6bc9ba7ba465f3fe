"""A cycle with two assessors, told from hand to hand: at each hand-off the person who acts
next finds it in their notification centre (the header counts it), follows it to where they
act, and has it by e-mail; no one else is told."""

from __future__ import annotations

import pytest
from django.core import mail

from pmqa.notifications.models import Notification
from pmqa.verification import services as review_services
from pmqa.verification import teams
from tests.browser.harness import Person
from tests.builders import ITEMS, Case, complete_assessment, score_every_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def follow(person: Person, words: str) -> str:
    """Open the centre, see the count, follow the newest notification saying `words`; the
    path it leads to."""
    person.open("/notifications/")
    assert person.page.locator("[data-testid=notifications] .count").count() == 1
    item = person.page.locator("[data-testid=notification]", has_text=words).first
    item.wait_for()
    person.submit(f"[data-testid=notification]:has-text('{words}') button")
    return person.page.url.removeprefix(person.base_url)


def mailed(user, words: str) -> bool:
    return any(user.email in m.to and words in m.subject for m in mail.outbox)


def test_a_cycle_with_two_assessors_tells_each_person_who_acts_next(
    reference_data, person, personas, work_a
):
    case = Case(personas, work_a)
    complete_assessment(work_a, personas.editor_a)
    pk = work_a.pk

    # The approver submits: OPDC is told a submission waits for a team.
    approver = person("approver")
    approver.login(personas.approver_a.username)
    approver.open(f"/agency/assessments/{pk}/submit/")
    approver.submit("main form button[type=submit]")
    admin = person("admin")
    admin.login(personas.admin.username)
    assert follow(admin, "ส่งผลการประเมินตนเอง") == "/manage/assignments/"
    assert mailed(personas.admin, "ส่งผลการประเมินตนเอง")

    # The team is assigned: each assessor, the lead as the lead.
    teams.assign_team(
        assessment=case.refresh(), lead=personas.lead, members=[case.member], by=personas.admin
    )
    member = person("member")
    member.login(case.member.username)
    assert follow(member, "อยู่ในทีมตรวจประเมิน") == f"/review/{pk}/"
    lead = person("lead")
    lead.login(personas.lead.username)
    assert follow(lead, "หัวหน้าทีมตรวจประเมิน") == f"/review/{pk}/"

    # The member asks; the agency's people are told, the editor answers, the member is told.
    member.open(f"/review/{pk}/items/1.1/")
    member.page.fill("#question", "ขอแผนการสื่อสารฉบับเต็ม")
    member.submit("form[action$='/ask/'] button")
    editor = person("editor")
    editor.login(personas.editor_a.username)
    assert follow(editor, "ขอคำชี้แจง") == f"/agency/assessments/{pk}/#clarifications"
    assert mailed(personas.approver_a, "ขอคำชี้แจง")
    editor.page.locator("textarea[name=answer]").first.fill("แนบแผนไว้แล้ว")
    editor.submit("form[action*='/answer/'] button")
    assert follow(member, "ตอบคำถามของท่าน") == f"/review/{pk}/items/1.1/"

    # Both reviews in: the lead is told of each, then that all are in.
    for who in (case.member, personas.lead):
        review = review_services.review_for(assessment=case.refresh(), assessor=who)
        score_every_item(review, case.edition, who)
        review_services.submit_review(review=review, codes=ITEMS, by=who)
    assert follow(lead, "ครบทุกคนแล้ว") == f"/review/{pk}/consensus/"

    # The report goes for approval (OPDC), comes back (the lead), is published (the agency).
    case.approved()
    assert follow(admin, "รอการอนุมัติ") == f"/manage/reports/{pk}/"
    case.published()
    assert follow(editor, "เผยแพร่แล้ว") == f"/reports/{pk}/"
    assert mailed(personas.approver_a, "เผยแพร่แล้ว")

    # No one outside was told anything.
    assert not Notification.objects.filter(recipient=personas.editor_b).exists()
    assert not any(personas.editor_b.email in m.to for m in mail.outbox)
