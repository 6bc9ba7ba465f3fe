"""Hand-offs: each person who acts next is told, in the centre (with the unread count in the
header, each notification leading to where they act) and by e-mail at once or in the daily
digest, as they chose; no one else is told, and no one who has lost access is e-mailed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from pmqa.accounts.models import Membership
from pmqa.feedback import services as feedback_services
from pmqa.feedback.models import Feedback
from pmqa.notifications.models import Notification, Preference
from pmqa.verification import services as review_services
from tests.builders import ITEMS, Case, login, score_every_item

pytestmark = pytest.mark.django_db


def told(person) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person).order_by("id").values_list("kind", flat=True)
    )


def mailed_to(person) -> list[str]:
    return [message.subject for message in mail.outbox if person.email in message.to]


def test_each_hand_off_tells_the_person_who_acts_next_and_no_one_else(
    personas, work_a, django_capture_on_commit_callbacks
):
    case = Case(personas, work_a)
    with django_capture_on_commit_callbacks(execute=True):
        case.submitted()
    assert told(personas.admin) == ["submitted"]
    assert any("ส่งผลการประเมินตนเอง" in s for s in mailed_to(personas.admin))

    with django_capture_on_commit_callbacks(execute=True):
        case.in_review()  # the team is assigned, then a member asks a question
    assert told(personas.lead) == ["team_assigned"]
    assert told(case.member) == ["team_assigned"]
    assert told(case.member_open) == ["team_assigned"]
    lead_note = Notification.objects.get(recipient=personas.lead)
    assert "หัวหน้าทีม" in lead_note.subject and "นราธิวาส" in lead_note.subject
    assert told(personas.editor_a) == ["question_asked"]
    assert told(personas.approver_a) == ["question_asked"]
    assert "ขอหลักฐานเพิ่ม" in Notification.objects.get(recipient=personas.editor_a).body

    with django_capture_on_commit_callbacks(execute=True):
        case.reviewed()  # the question answered, the member's and the lead's reviews submitted
    assert told(case.member) == ["team_assigned", "question_answered"]
    assert told(personas.lead) == ["team_assigned", "review_submitted"]
    with django_capture_on_commit_callbacks(execute=True):
        review = review_services.review_for(assessment=case.refresh(), assessor=case.member_open)
        score_every_item(review, case.edition, case.member_open)
        review_services.submit_review(review=review, codes=ITEMS, by=case.member_open)
    assert told(personas.lead)[-2:] == ["review_submitted", "reviews_in"]

    with django_capture_on_commit_callbacks(execute=True):
        case.approved()  # the lead sends the report, OPDC approves it
    assert told(personas.admin) == ["submitted", "report_sent"]
    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.feedback_step(
            feedback=Feedback.objects.get(assessment=case.assessment),
            action="return",
            comment="เพิ่มผลงานเด่น",
            by=personas.admin,
        )
    assert told(personas.lead)[-1] == "report_returned"
    assert "เพิ่มผลงานเด่น" in Notification.objects.filter(recipient=personas.lead).first().body

    # Agency B's people and the assessor outside the team were told nothing.
    assert told(personas.editor_b) == [] and told(case.outsider) == []
    assert mailed_to(personas.editor_b) == [] and mailed_to(case.outsider) == []


def test_publication_and_a_correction_reach_the_agencys_people(
    personas, work_a, django_capture_on_commit_callbacks
):
    case = Case(personas, work_a)
    case.approved()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case.published()
    for person in (personas.editor_a, personas.approver_a):
        assert told(person)[-1] == "report_published"
        assert any("เผยแพร่แล้ว" in s for s in mailed_to(person))
    note = Notification.objects.filter(recipient=personas.editor_a).first()
    assert note.url == reverse("reports:page", args=[case.assessment.pk])


def test_the_centre_counts_leads_to_the_page_and_marks_read(
    personas, work_a, django_capture_on_commit_callbacks
):
    case = Case(personas, work_a)
    with django_capture_on_commit_callbacks(execute=True):
        case.in_review()
    editor = login(Client(), personas.editor_a)
    home = editor.get(reverse("dashboards:agency")).content.decode()
    assert re.search(r'data-testid="notifications">[^<]*<span class="count"[^>]*>1<', home)
    centre = editor.get(reverse("notifications:centre")).content.decode()
    assert "ขอหลักฐานเพิ่ม" in strip_tags(centre)
    note = Notification.objects.get(recipient=personas.editor_a)
    followed = editor.post(reverse("notifications:go", args=[note.pk]))
    assert followed.status_code == 302
    assert (
        followed.url == reverse("assessments:home", args=[case.assessment.pk]) + "#clarifications"
    )
    note.refresh_from_db()
    assert note.read_at is not None
    personas.editor_a.refresh_from_db()
    assert personas.editor_a.unread_notifications == 0
    home = editor.get(reverse("dashboards:agency")).content.decode()
    assert 'class="count"' not in home
    # Someone else's notification is no one else's to follow.
    other = login(Client(), personas.approver_a)
    assert other.post(reverse("notifications:go", args=[note.pk])).status_code == 404
    # Reading the centre writes nothing: only following one marks it read.
    assert editor.get(reverse("notifications:go", args=[note.pk])).status_code == 405
    # Marking all as read.
    assert other.post(reverse("notifications:read_all")).status_code == 302
    personas.approver_a.refresh_from_db()
    assert personas.approver_a.unread_notifications == 0
    assert not Notification.objects.filter(recipient=personas.approver_a, read_at=None).exists()


def test_a_daily_digest_is_one_email_once_and_leaves_out_an_organisation_left_behind(
    personas, work_a, django_capture_on_commit_callbacks
):
    case = Case(personas, work_a)
    for person in (personas.editor_a, personas.approver_a):
        page = login(Client(), person)
        form = {kind: "now" for kind, _label in Notification._meta.get_field("kind").choices}
        form["question_asked"] = "digest"
        assert page.post(reverse("notifications:settings"), form).status_code == 302
        shown = page.get(reverse("notifications:settings")).content.decode()
        assert re.search(r'name="question_asked" value="digest"[^>]*checked', shown)
    with django_capture_on_commit_callbacks(execute=True):
        case.submitted()
    mail.outbox.clear()  # the submission's receipt to the agency
    with django_capture_on_commit_callbacks(execute=True):
        case.in_review()
    # In the centre at once; no e-mail yet.
    assert told(personas.editor_a) == ["question_asked"]
    assert mailed_to(personas.editor_a) == [] and mailed_to(personas.approver_a) == []
    # The approver leaves the organisation before the digest goes.
    Membership.objects.filter(user=personas.approver_a).update(
        ends_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    call_command("send_reminders", verbosity=0)
    (digest,) = [m for m in mail.outbox if personas.editor_a.email in m.to]
    assert "ขอคำชี้แจง" in digest.body and reverse("notifications:settings") in digest.body
    assert mailed_to(personas.approver_a) == []
    call_command("send_reminders", verbosity=0)
    assert len([m for m in mail.outbox if personas.editor_a.email in m.to]) == 1


def test_the_settings_page_refuses_a_choice_it_does_not_offer(personas):
    page = login(Client(), personas.editor_a)
    response = page.post(reverse("notifications:settings"), {"question_asked": "hourly"})
    assert response.status_code == 400
    assert "ยังไม่ได้บันทึก" in strip_tags(response.content.decode())


def test_erasure_reaches_what_the_person_was_told_and_what_others_were_told_of_them(
    personas, work_a
):
    from pmqa.assessments import services as assessment_services
    from pmqa.privacy.services import erase_person, personal_data

    approver = personas.approver_a
    old_name = approver.get_full_name()
    # The approver returns the draft: the editors are told, by name.
    assessment_services.return_to_editors(assessment=work_a, reason="แก้หมวด 7", by=approver)
    assert old_name in Notification.objects.get(recipient=personas.editor_a).body
    Case(personas, work_a).in_review()  # the approver is told of a question
    assert told(approver) == ["question_asked"]
    assert personal_data(approver)["notifications"][0]["subject"]
    erase_person(person=approver, reason="ตามคำขอ", by=personas.admin)
    assert told(approver) == []
    assert not Notification.objects.filter(body__contains=old_name).exists()
    assert not Notification.objects.filter(subject__contains=old_name).exists()


def test_each_person_is_offered_the_kinds_their_roles_receive(personas):
    editor = login(Client(), personas.editor_a).get(reverse("notifications:settings"))
    page = editor.content.decode()
    assert 'name="question_asked"' in page and 'name="team_assigned"' not in page
    admin = login(Client(), personas.admin).get(reverse("notifications:settings")).content.decode()
    assert 'name="report_sent"' in admin and 'name="question_asked"' not in admin


def test_editing_the_team_does_not_tell_its_members_again_and_a_member_taken_off_is_not_mailed(
    personas, work_a, django_capture_on_commit_callbacks
):
    from pmqa.verification import teams

    case = Case(personas, work_a)
    case.submitted()
    # The member chose the digest for questions answered; they are taken off before it goes.
    Preference.objects.create(user=case.member, kind="question_answered", delivery="digest")
    with django_capture_on_commit_callbacks(execute=True):
        case.in_review()
        review_services.answer(
            clarification=case.clarification, text="แนบแล้ว", by=personas.editor_a
        )
    assert told(case.member) == ["team_assigned", "question_answered"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        teams.assign_team(
            assessment=case.refresh(),
            lead=personas.lead,
            members=[case.member_open, case.outsider],
            by=personas.admin,
        )
    # Only the new member is told; the lead and the member who stays are not told again.
    assert told(personas.lead) == ["team_assigned"]
    assert told(case.member_open) == ["team_assigned"]
    assert told(case.outsider) == ["team_assigned"]
    call_command("send_reminders", verbosity=0)
    assert mailed_to(case.member) == []  # no longer on the team: the digest leaves it out


def test_a_digest_the_mail_server_refuses_is_sent_by_the_next_run(personas, work_a, monkeypatch):
    from pmqa.notifications import services as notification_services

    Preference.objects.create(user=personas.editor_a, kind="question_asked", delivery="digest")
    Case(personas, work_a).in_review()

    def server_down(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(notification_services, "send_mail", server_down)
    assert notification_services.send_digests() == 0
    monkeypatch.undo()
    assert notification_services.send_digests() == 1
    assert notification_services.send_digests() == 0
    assert len(mailed_to(personas.editor_a)) == 1


def test_an_editor_tells_the_approver_the_assessment_is_ready_once_a_day(personas, work_a):
    from tests.builders import complete_assessment

    complete_assessment(work_a, personas.editor_a)
    editor = login(Client(), personas.editor_a)
    submit = reverse("assessments:submit", args=[work_a.pk])
    page = editor.get(submit).content.decode()
    assert reverse("assessments:ready", args=[work_a.pk]) in page
    url = reverse("assessments:ready", args=[work_a.pk])
    assert editor.post(url, {"note": "ตรวจทานหมวด 7 แล้ว"}).status_code == 302
    editor.post(url, {"note": "อีกครั้ง"})
    assert told(personas.approver_a) == ["ready"]
    note = Notification.objects.get(recipient=personas.approver_a)
    assert "ตรวจทานหมวด 7 แล้ว" in note.body and note.url == submit
    too_long = editor.post(url, {"note": "ก" * 2001})
    assert (
        too_long.status_code == 400
        and "2,000" in strip_tags(too_long.content.decode())
        or ("2000" in strip_tags(too_long.content.decode()))
    )
