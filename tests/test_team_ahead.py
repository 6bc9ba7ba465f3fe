"""A team named while the agency still drafts: nothing of the draft reaches the assessors; the
review opens at submission and each of them is told then."""

import datetime

import pytest
from django.urls import reverse

from pmqa.accounts.models import Membership, Role
from pmqa.assessments.models import Assessment
from pmqa.notifications.models import Notification
from pmqa.verification.models import Assignment
from tests.builders import complete_assessment, login

pytestmark = pytest.mark.django_db

TEAMS = reverse("verification:assignments")


def name_team(client, case, *members):
    login(client, case.p.admin)
    return client.post(
        TEAMS,
        {
            "assessment": case.assessment.pk,
            "lead": case.p.lead.pk,
            "members": [m.pk for m in members],
        },
        follow=True,
    )


def test_a_team_named_ahead_sees_nothing_of_the_draft_until_it_is_submitted(client, case):
    login(client, case.p.admin)
    drafts = client.get(TEAMS, {"status": "draft"}).content.decode()
    assert f'name="assessment" value="{case.assessment.pk}"' in drafts
    response = name_team(client, case, case.member)
    assert response.status_code == 200 and "มอบหมายทีม" in response.content.decode()
    assert case.refresh().status == Assessment.Status.DRAFT
    assert Assignment.objects.filter(assessment=case.assessment).count() == 2

    login(client, case.member)
    told = Notification.objects.get(recipient=case.member)
    assert "ยังไม่ได้ส่ง" in told.body and told.url == reverse("dashboards:assessor")
    home = client.get(reverse("dashboards:assessor")).content.decode()
    ahead = home.split('data-testid="named-ahead"')[1].split("</ul>")[0]
    assert case.p.agency_a.name in ahead and "2570" in ahead
    assert reverse("reviews:overview", args=[case.assessment.pk]) not in home
    # Nothing of the draft on any page of the desk, nor its report.
    pk = case.assessment.pk
    for url in (
        reverse("reviews:overview", args=[pk]),
        reverse("reviews:profile", args=[pk]),
        reverse("reviews:item", args=[pk, "1.1"]),
        reverse("reviews:consensus", args=[pk]),
        reverse("reviews:round2", args=[pk]),
        reverse("feedback:edit", args=[pk]),
        reverse("reports:page", args=[pk]),
        reverse("audit:trail", args=[pk]),
    ):
        assert client.get(url).status_code == 404, url
    login(client, case.p.lead)
    assert client.get(reverse("reviews:consensus", args=[pk])).status_code == 404
    assert client.get(reverse("feedback:edit", args=[pk])).status_code == 404
    login(client, case.member)

    # The approver submits: the review begins at once, and the team and OPDC are told.
    complete_assessment(case.assessment, case.p.editor_a)
    login(client, case.p.approver_a)
    client.post(reverse("assessments:submit", args=[case.assessment.pk]))
    assert case.refresh().status == Assessment.Status.IN_REVIEW
    for person in (case.member, case.p.lead):
        opened = Notification.objects.filter(recipient=person).latest("pk")
        assert "ท่านเริ่มตรวจประเมิน" in opened.subject
        assert opened.url == reverse("reviews:overview", args=[case.assessment.pk])
    admin_told = Notification.objects.get(recipient=case.p.admin)
    assert "เริ่มตรวจประเมินแล้ว" in admin_told.body
    login(client, case.member)
    assert client.get(reverse("reviews:overview", args=[case.assessment.pk])).status_code == 200


def test_a_conflict_of_interest_is_refused_ahead_as_at_submission(client, case):
    Membership.objects.create(
        user=case.member,
        role=Role.AGENCY_EDITOR,
        organisation=case.p.agency_a,
        starts_on=datetime.date(2015, 1, 1),
        ends_on=datetime.date(2017, 12, 31),
    )
    body = name_team(client, case, case.member).content.decode()
    assert "1 มกราคม 2558 ถึง 31 ธันวาคม 2560" in body
    assert not Assignment.objects.filter(assessment=case.assessment).exists()


def test_a_team_cannot_change_once_the_review_is_done(client, case):
    case.consensus()
    body = name_team(client, case, case.outsider).content.decode()
    assert not Assignment.objects.filter(assessor=case.outsider).exists()
    assert "ขณะที่การประเมินอยู่ในสถานะ" in body
