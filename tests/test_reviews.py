"""Verification through HTTP: teams and conflicts of interest, independent reviews, clarification,
consensus, the Feedback Report's approval and publication, round 2 and the audit trail."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from pmqa import scoring
from pmqa.accounts.models import Membership, Role
from pmqa.assessments import services as assessment_services
from pmqa.assessments.models import Assessment, Round, ScoreSnapshot
from pmqa.audit.models import AuditEntry
from pmqa.criteria.models import Checkpoint
from pmqa.demo.services import DEMO_PASSWORD
from pmqa.feedback.models import Feedback
from pmqa.organisations.models import Organisation
from pmqa.verification.models import Assignment, ConsensusScore, ItemScore, Review
from tests.builders import ITEMS, PASSWORD, complete_assessment, login, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(personas, work_a):
    complete_assessment(work_a, personas.editor_a)
    assessment_services.submit_assessment(assessment=work_a, by=personas.approver_a)
    work_a.refresh_from_db()
    return work_a


@pytest.fixture
def second_assessor(personas):
    return make_user("assessor_2", Role.ASSESSOR, Organisation.objects.get(code="DEP-NESDC"))


@pytest.fixture
def team(client, personas, submitted, second_assessor):
    login(client, personas.admin)
    response = client.post(
        reverse("verification:assignments"),
        {
            "assessment": submitted.pk,
            "lead": personas.lead.pk,
            "members": [personas.assessor.pk, second_assessor.pk],
        },
    )
    assert response.status_code == 302
    client.logout()
    submitted.refresh_from_db()
    return submitted


def score_all(client, assessment, *, tick_basic=1, kpi="400"):
    for code in ITEMS:
        data = {"strengths": f"จุดแข็งข้อ {code}", "ofis": f"ควรพัฒนาข้อ {code}"}
        if code.startswith("7."):
            data["kpi-1"] = kpi
        else:
            # Tick what the page shows: some items have a single basic checkpoint.
            shown = Checkpoint.objects.filter(
                item_level__item__code=code,
                item_level__item__category__edition=assessment.cycle.edition,
                item_level__level="basic",
            ).count()
            data["tick-basic"] = [str(n) for n in range(1, min(tick_basic, shown) + 1)]
        response = client.post(reverse("reviews:item", args=[assessment.pk, code]), data)
        assert response.status_code == 302


# ---------------------------------------------------------------------------------------------
# Teams


def test_a_conflict_of_interest_blocks_the_assignment_with_its_reason(client, personas, submitted):
    Membership.objects.create(
        user=personas.assessor,
        role=Role.AGENCY_EDITOR,
        organisation=personas.agency_a,
        starts_on=datetime.date(2015, 1, 1),
        ends_on=datetime.date(2017, 12, 31),
    )
    login(client, personas.admin)
    response = client.post(
        reverse("verification:assignments"),
        {"assessment": submitted.pk, "lead": personas.lead.pk, "members": [personas.assessor.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "นราธิวาส" in body and "1 มกราคม 2558 ถึง 31 ธันวาคม 2560" in body
    assert not Assignment.objects.filter(assessment=submitted).exists()
    page = client.get(reverse("verification:conflicts", args=[submitted.pk])).content.decode()
    assert personas.assessor.username in page


def test_a_conflict_through_the_parent_organisation_is_detected(personas, submitted):
    from pmqa.verification.teams import conflicts_of_interest

    cluster = personas.agency_a.parent
    assert cluster is not None
    Membership.objects.create(
        user=personas.lead,
        role=Role.AGENCY_APPROVER,
        organisation=cluster,
        starts_on=datetime.date(2020, 1, 1),
    )
    assert conflicts_of_interest(personas.lead, personas.agency_a)


def test_the_csv_assignment_is_all_or_nothing(client, personas, submitted, second_assessor):
    login(client, personas.admin)
    bad = io.BytesIO(
        b"organisation,fiscal_year,username,role\n"
        b"TH-96,2570,lead_1,lead\n"
        b"TH-96,2570,assessor_1,member\n"
        b"TH-96,2570,nobody,member\n"
    )
    bad.name = "teams.csv"
    response = client.post(reverse("verification:assignments"), {"form": "csv", "file": bad})
    assert response.status_code == 400
    assert "nobody" in response.content.decode()
    assert not Assignment.objects.exists()
    good = io.BytesIO(
        b"organisation,fiscal_year,username,role\n"
        b"TH-96,2570,lead_1,lead\n"
        b"TH-96,2570,assessor_1,member\n"
        b"TH-96,2570,assessor_2,member\n"
    )
    good.name = "teams.csv"
    response = client.post(reverse("verification:assignments"), {"form": "csv", "file": good})
    assert response.status_code == 302
    assert Assignment.objects.filter(assessment=submitted).count() == 3
    assert Assignment.objects.get(assessment=submitted, is_lead=True).assessor == personas.lead
    submitted.refresh_from_db()
    assert submitted.status == "in_review"


def test_the_workload_view_counts_assignments_and_progress(client, personas, team):
    reviewer = login(Client(), personas.assessor)
    reviewer.post(reverse("reviews:item", args=[team.pk, "1.1"]), {"tick-basic": ["1"]})
    login(client, personas.admin)
    page = client.get(reverse("verification:assignments")).content.decode()
    row = page[page.index(personas.assessor.username) :]
    assert (
        '<td class="num">1</td><td class="num">1</td><td class="num">0</td><td class="num">1</td>'
        in row
    )


# ---------------------------------------------------------------------------------------------
# Independent review


def test_other_assessors_scores_stay_hidden_until_ones_own_review_is_submitted(
    client, personas, team, second_assessor
):
    first = login(Client(), personas.assessor)
    score_all(first, team, tick_basic=1)
    first.post(reverse("reviews:submit", args=[team.pk]))
    second = login(Client(), second_assessor)
    page = second.get(reverse("reviews:overview", args=[team.pk])).content.decode()
    assert 'data-testid="others-1.1"' not in page
    score_all(second, team, tick_basic=2)
    second.post(reverse("reviews:submit", args=[team.pk]))
    page = second.get(reverse("reviews:overview", args=[team.pk])).content.decode()
    assert 'data-testid="others-1.1"' in page


def test_a_review_with_an_unscored_item_cannot_be_submitted(client, personas, team):
    reviewer = login(client, personas.assessor)
    reviewer.post(reverse("reviews:item", args=[team.pk, "1.1"]), {"tick-basic": ["1"]})
    reviewer.post(reverse("reviews:item", args=[team.pk, "7.1"]), {"kpi-1": ""})
    response = reviewer.post(reverse("reviews:submit", args=[team.pk]), follow=True)
    body = response.content.decode()
    assert "ยังไม่ได้ให้คะแนน" in body and "7.1" in body and "6.4" in body
    assert Review.objects.get(assessor=personas.assessor).submitted_at is None


def test_an_item_score_follows_the_edition_rule_and_an_override_needs_a_reason(
    client, personas, team, edition
):
    reviewer = login(client, personas.assessor)
    item = edition.categories.get(number=2).items.get(code="2.1")
    basic = item.levels.get(level="basic").checkpoints.count()
    reviewer.post(
        reverse("reviews:item", args=[team.pk, "2.1"]),
        {"tick-basic": [str(n) for n in range(1, basic + 1)]},
    )
    row = ItemScore.objects.get(review__assessor=personas.assessor, item_code="2.1")
    assert Decimal(row.score) == Decimal(300)
    response = reviewer.post(
        reverse("reviews:item", args=[team.pk, "2.1"]),
        {"override": "420", "override_reason": ""},
        follow=True,
    )
    assert "ระบุเหตุผล" in response.content.decode()
    row.refresh_from_db()
    assert Decimal(row.score) == Decimal(300)
    reviewer.post(
        reverse("reviews:item", args=[team.pk, "2.1"]),
        {"override": "420", "override_reason": "มีหลักฐานเพิ่มเติมจากการสัมภาษณ์"},
    )
    row.refresh_from_db()
    assert Decimal(row.score) == Decimal(420)


def test_the_assessor_sees_the_frozen_answer_and_views_cited_evidence(
    client, personas, team, tmp_path, settings
):
    answer = team.submissions.get().content["answers"]["1.1"]["data"]["narrative"]["basic"][
        "approach"
    ]
    reviewer = login(client, personas.assessor)
    page = reviewer.get(reverse("reviews:item", args=[team.pk, "1.1"])).content.decode()
    assert answer in page


def test_an_assessor_of_agency_a_cannot_open_agency_bs_review(
    client, personas, team, work_b, second_assessor
):
    complete_assessment(work_b, personas.editor_b)
    assessment_services.submit_assessment(
        assessment=work_b, by=make_user("approver_b", Role.AGENCY_APPROVER, personas.agency_b)
    )
    reviewer = login(client, personas.assessor)
    for url in (
        reverse("reviews:overview", args=[work_b.pk]),
        reverse("reviews:item", args=[work_b.pk, "1.1"]),
        reverse("reviews:consensus", args=[work_b.pk]),
        reverse("reviews:round2", args=[work_b.pk]),
    ):
        assert reviewer.get(url).status_code == 404, url
    assert reviewer.post(reverse("reviews:item", args=[work_b.pk, "1.1"]), {}).status_code == 404
    # A member of A's team is not its lead.
    assert reviewer.get(reverse("reviews:consensus", args=[team.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Clarification


def test_a_clarification_thread_is_kept_with_the_assessment(client, personas, team):
    reviewer = login(Client(), personas.assessor)
    reviewer.post(
        reverse("reviews:clarify", args=[team.pk, "3.2"]), {"question": "ขอเอกสารผลสำรวจความพึงพอใจ"}
    )
    team.refresh_from_db()
    assert team.status == "clarification"
    login(client, personas.editor_a)
    home = client.get(reverse("assessments:home", args=[team.pk])).content.decode()
    assert "ขอเอกสารผลสำรวจความพึงพอใจ" in home
    question = team.clarifications.get()
    client.post(
        reverse("reviews_agency:answer", args=[team.pk, question.pk]),
        {"answer": "แนบไว้ในหลักฐานข้อ 3.2"},
    )
    team.refresh_from_db()
    assert team.status == "in_review"
    page = reviewer.get(reverse("reviews:item", args=[team.pk, "3.2"])).content.decode()
    assert "แนบไว้ในหลักฐานข้อ 3.2" in page
    other = login(Client(), personas.editor_b)
    assert (
        other.post(
            reverse("reviews_agency:answer", args=[team.pk, question.pk]), {"answer": "x"}
        ).status_code
        == 404
    )


# ---------------------------------------------------------------------------------------------
# Consensus


def test_consensus_flags_wide_spreads_and_needs_a_reason_far_from_the_mean(
    client, personas, team, second_assessor
):
    first = login(Client(), personas.assessor)
    score_all(first, team, kpi="100")
    first.post(reverse("reviews:submit", args=[team.pk]))
    second = login(Client(), second_assessor)
    score_all(second, team, kpi="400")
    second.post(reverse("reviews:submit", args=[team.pk]))
    lead = login(client, personas.lead)
    locked = lead.get(reverse("reviews:consensus", args=[team.pk])).content.decode()
    assert "ส่งผลการตรวจของท่านก่อน" in locked and "7.1" not in locked
    assert (
        lead.post(reverse("reviews:consensus", args=[team.pk]), {"score-7.1": "1"}).status_code
        == 403
    )
    score_all(lead, team, kpi="250")
    lead.post(reverse("reviews:submit", args=[team.pk]))
    page = lead.get(reverse("reviews:consensus", args=[team.pk])).content.decode()
    assert page.index("7.1") < page.index("1.1")  # the agenda first
    assert page.count('class="flagged"') == 6
    response = lead.post(
        reverse("reviews:consensus", args=[team.pk]), {"score-7.1": "400", "reason-7.1": ""}
    )
    assert response.status_code == 400
    assert "ห่างจากค่าเฉลี่ย" in response.content.decode()
    assert not ConsensusScore.objects.exists()
    response = lead.post(
        reverse("reviews:consensus", args=[team.pk]),
        {"score-7.1": "400", "reason-7.1": "ยืนยันผลจากหลักฐาน"},
    )
    assert response.status_code == 302
    assert ConsensusScore.objects.get(item_code="7.1").reason == "ยืนยันผลจากหลักฐาน"


def test_consensus_figures_equal_the_engines_for_the_isoc_demo(client, db):
    call_command("seed_demo", force=True, verbosity=0)
    isoc = Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563)
    assessment_services.ensure_answers(assessment=isoc)
    # Verify the ISOC case again: a submission, a team, one review and the seed's scores.
    Assessment.objects.filter(pk=isoc.pk).update(status="draft")
    isoc.refresh_from_db()
    from pmqa.assessments.models import Submission

    Submission.objects.create(
        assessment=isoc, number=1, content={"answers": {}, "evidence": [], "items": {}}
    )
    Assessment.objects.filter(pk=isoc.pk).update(status="submitted")
    isoc.refresh_from_db()
    lead = make_user("isoc_lead", Role.LEAD_ASSESSOR)
    Assignment.objects.create(assessment=isoc, assessor=lead, is_lead=True)
    Assessment.objects.filter(pk=isoc.pk).update(status="in_review")
    seed = ["411.46", "453.13", "434.90", "404.51", "484.38", "449.65", "403.33"]
    review = Review.objects.create(
        assessment=isoc, assessor=lead, submission=isoc.submissions.get()
    )
    for code in ITEMS:
        ItemScore.objects.create(review=review, item_code=code, score=seed[int(code[0]) - 1])
    review.submitted_at = review.created_at
    review.save()
    client.login(username="isoc_lead", password=PASSWORD)
    posted = {f"score-{code}": seed[int(code[0]) - 1] for code in ITEMS}
    assert client.post(reverse("reviews:consensus", args=[isoc.pk]), posted).status_code == 302
    page = client.get(reverse("reviews:finalise", args=[isoc.pk])).content.decode()
    assert "สิ่งที่จะถือเป็นข้อยุติ" in page
    assert client.post(reverse("reviews:finalise", args=[isoc.pk])).status_code == 302
    snapshot = ScoreSnapshot.objects.filter(
        assessment=isoc, source="assessor", round_number=1
    ).latest()
    engine = scoring.score_categories({str(n): Decimal(v) for n, v in enumerate(seed, start=1)})
    assert snapshot.total == scoring.q2(engine.total) == Decimal("434.48")
    assert snapshot.rating == Decimal("3.48")
    assert snapshot.categories == {str(n): v for n, v in enumerate(seed, start=1)}
    assert snapshot.rules_version == scoring.RULES_VERSION
    page = client.get(reverse("reviews:consensus", args=[isoc.pk])).content.decode()
    assert 'data-testid="verified-total">434.48<' in page


# ---------------------------------------------------------------------------------------------
# The report: nothing before publication, everything after


def test_the_agency_sees_nothing_before_publication_and_everything_after(
    client, personas, team, second_assessor
):
    first = login(Client(), personas.assessor)
    score_all(first, team)
    first.post(reverse("reviews:submit", args=[team.pk]))
    lead = login(Client(), personas.lead)
    score_all(lead, team)
    lead.post(reverse("reviews:submit", args=[team.pk]))
    consensus = {f"score-{code}": "350" for code in ITEMS}
    consensus.update({f"reason-{code}": "มติที่ประชุมทีม" for code in ITEMS})
    assert lead.post(reverse("reviews:consensus", args=[team.pk]), consensus).status_code == 302
    assert lead.post(reverse("reviews:finalise", args=[team.pk])).status_code == 302
    lead.post(reverse("feedback:edit", args=[team.pk]), {"action": "prefill"})
    feedback = Feedback.objects.get(assessment=team)
    assert feedback.entries.filter(scope="item", key="1.1", kind="ofi").exists()
    form = {f"item-{code}-{kind}": "" for code in ITEMS for kind in ("strength", "ofi")}
    form.update(
        {
            "item-1.1-strength": "ผู้บริหารสื่อสารทิศทางอย่างสม่ำเสมอ",
            "item-1.1-ofi": "ควรวัดผลการสื่อสาร\n\nควรทบทวนระบบการนำองค์การ",
            "pillar-open_connected": "เชื่อมโยงข้อมูลกับหน่วยงานในพื้นที่",
            "conclusion": "ผ่านระดับพื้นฐาน ควรพัฒนาสู่ระดับก้าวหน้า",
            "theme-1-title": "การใช้ข้อมูล",
            "theme-1-text": "ควรใช้ข้อมูลในการตัดสินใจ",
            "action": "submit",
            "form": "report",
            "version": feedback.version,
        }
    )
    # Saved, then the confirmation page: a status assessment needs every category's strengths
    # and points to develop, so it is not sent, and the page links to each empty box.
    answer = lead.post(reverse("feedback:edit", args=[team.pk]), form)
    assert answer.status_code == 302 and answer.url == reverse("feedback:send", args=[team.pk])
    refused = lead.post(reverse("feedback:send", args=[team.pk]))
    assert refused.status_code == 400
    assert f"{reverse('feedback:edit', args=[team.pk])}#category-7-ofi" in refused.content.decode()
    feedback.refresh_from_db()
    assert feedback.status == "draft"
    for number in range(1, 8):
        form[f"category-{number}-strength"] = f"จุดแข็งของหมวด {number}"
        form[f"category-{number}-ofi"] = f"สิ่งที่ควรพัฒนาของหมวด {number}"
    form["version"] = feedback.version  # the page as it came back after the first save
    lead.post(reverse("feedback:edit", args=[team.pk]), form)
    assert lead.post(reverse("feedback:send", args=[team.pk])).status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == "submitted"
    assert list(
        feedback.entries.filter(scope="item", key="1.1", kind="ofi").values_list("text", flat=True)
    ) == ["ควรวัดผลการสื่อสาร", "ควรทบทวนระบบการนำองค์การ"]

    agency = login(Client(), personas.editor_a)
    scores_url = reverse("dashboards:assessment", args=[team.pk])

    def agency_sees():
        return (
            agency.get(scores_url).content.decode()
            + agency.get(reverse("assessments:home", args=[team.pk])).content.decode()
        )

    hidden = agency_sees()
    for secret in ("ควรวัดผลการสื่อสาร", "ผ่านระดับพื้นฐาน ควรพัฒนาสู่ระดับก้าวหน้า", "350.00"):
        assert secret not in hidden

    admin = login(client, personas.admin)
    admin.post(reverse("feedback:report", args=[team.pk]), {"action": "return", "comment": ""})
    feedback.refresh_from_db()
    assert feedback.status == "submitted"  # a return needs a comment
    admin.post(
        reverse("feedback:report", args=[team.pk]),
        {"action": "return", "comment": "เพิ่มผลงานเด่น"},
    )
    feedback.refresh_from_db()
    assert feedback.status == "returned"
    page = lead.get(reverse("feedback:edit", args=[team.pk])).content.decode()
    assert "เพิ่มผลงานเด่น" in page
    form["pillar-citizen_centric"] = "บริการเชิงรุกถึงบ้าน"
    form["version"] = Feedback.objects.get(pk=feedback.pk).version
    lead.post(reverse("feedback:edit", args=[team.pk]), form)
    lead.post(reverse("feedback:send", args=[team.pk]))
    # Approval, like publication, only through its confirmation page.
    admin.post(reverse("feedback:report", args=[team.pk]), {"action": "approve"})
    assert Feedback.objects.get(assessment=team).status == "submitted"
    assert admin.post(reverse("feedback:approve", args=[team.pk])).status_code == 302
    assert "ควรวัดผลการสื่อสาร" not in agency_sees()
    # Publishing goes through its confirmation page; the report page's form cannot publish.
    admin.post(reverse("feedback:report", args=[team.pk]), {"action": "publish"})
    team.refresh_from_db()
    assert team.status == "report_approved"
    assert admin.post(reverse("feedback:publish", args=[team.pk])).status_code == 302
    team.refresh_from_db()
    assert team.status == "published"
    shown = agency_sees()
    for text in (
        "ควรวัดผลการสื่อสาร",
        "ควรทบทวนระบบการนำองค์การ",
        "ผู้บริหารสื่อสารทิศทางอย่างสม่ำเสมอ",
        "เชื่อมโยงข้อมูลกับหน่วยงานในพื้นที่",
        "บริการเชิงรุกถึงบ้าน",
        "ผ่านระดับพื้นฐาน ควรพัฒนาสู่ระดับก้าวหน้า",
        "การใช้ข้อมูล",
        "350.00",
    ):
        assert text in shown, text


def test_every_score_comment_and_status_change_is_in_the_audit_trail(client, personas, team):
    reviewer = login(Client(), personas.assessor)
    reviewer.post(
        reverse("reviews:item", args=[team.pk, "1.1"]), {"tick-basic": ["1"], "ofis": "ควรปรับปรุง"}
    )
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assessment.status", "assessment.team", "review.item"} <= actions
    login(client, personas.admin)
    page = client.get(reverse("audit:trail", args=[team.pk])).content.decode()
    assert "ผู้ตรวจประเมินให้คะแนนรายข้อ" in page and "กำหนดทีมผู้ตรวจประเมิน" in page
    assert "ควรปรับปรุง" in page and "review.item" not in page
    assert "โอกาสในการปรับปรุง: ควรปรับปรุง" in page and "ofis:" not in page
    agency = login(Client(), personas.editor_a)
    assert agency.get(reverse("audit:trail", args=[team.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Round 2


def test_round_2_application_report_is_uploaded_scored_and_shown(
    client, personas, team, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    team.cycle.round2_threshold = Decimal("300")
    team.cycle.save()
    Round.objects.create(
        cycle=team.cycle,
        number=2,
        opens_on=datetime.date.today(),
        closes_on=datetime.date.today() + datetime.timedelta(days=10),
    )
    # Round 2 opens once the round-1 report is published.
    Assessment.objects.filter(pk=team.pk).update(status="published")
    Feedback.objects.create(assessment=team, published_on=datetime.date.today())
    ScoreSnapshot.objects.create(
        assessment=team,
        source="assessor",
        round_number=1,
        categories={},
        total=Decimal("420"),
        rules_version="x",
    )
    agency = login(Client(), personas.approver_a)
    pdf = io.BytesIO(b"%PDF-1.4\nreport\n%%EOF\n")
    pdf.name = "application.pdf"
    assert (
        agency.post(reverse("reviews_agency:round2", args=[team.pk]), {"file": pdf}).status_code
        == 302
    )
    reviewer = login(Client(), personas.assessor)
    reviewer.post(reverse("reviews:round2", args=[team.pk]), {"score": "340", "comment": "ดี"})
    lead = login(Client(), personas.lead)
    lead.post(reverse("reviews:round2", args=[team.pk]), {"score": "350", "comment": "ดีมาก"})
    lead.post(reverse("reviews:round2", args=[team.pk]), {"action": "finalise"})
    final = ScoreSnapshot.objects.get(assessment=team, round_number=2)
    assert final.total == Decimal("345.00")
    # A member cannot record the final score.
    assert (
        reviewer.post(reverse("reviews:round2", args=[team.pk]), {"action": "finalise"}).status_code
        == 404
    )


def test_the_demo_isoc_report_shows_its_texts_to_the_agency(client, db):
    call_command("seed_demo", force=True, verbosity=0)
    isoc = Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563)
    client.login(username="isoc.approver", password=DEMO_PASSWORD)
    page = client.get(reverse("dashboards:assessment", args=[isoc.pk])).content.decode()
    assert 'data-testid="round2">345.00<' in page
    first_ofi = isoc.feedback.entries.filter(scope="item", key="1.1", kind="ofi").first()
    assert first_ofi.text in page


def test_the_assignments_page_uses_a_bounded_number_of_queries(
    client, personas, team, django_assert_max_num_queries
):
    for n in range(5):
        make_user(f"extra_assessor_{n}", Role.ASSESSOR, Organisation.objects.get(code="DEP-OCSC"))
    login(client, personas.admin)
    client.get(reverse("verification:assignments"))
    # Session, user, the device that verified the session, and roles; years, groups, the page,
    # its count and teams; leads, members; the workload's three counts.
    with django_assert_max_num_queries(14):
        client.get(reverse("verification:assignments"))
