"""The status history on the assessment's overview, as each reader should read it: the agency
sees its own steps, OPDC's verification as one stage, a return named as such and each
correction of the published report; OPDC's administrators see every change."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pmqa.assessments import services as assessment_services
from pmqa.feedback import services as feedback_services
from pmqa.feedback.models import Feedback
from tests.builders import login

pytestmark = pytest.mark.django_db


def history(client, case):
    page = client.get(reverse("assessments:home", args=[case.assessment.pk])).content.decode()
    listed = page.split('<ol class="history">')[1].split("</ol>")[0]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip() for li in listed.split("<li>")[1:]
    ]


def test_the_agency_reads_its_steps_and_opdc_verification_as_one_stage(client, case):
    assessment_services.return_to_editors(
        assessment=case.assessment, reason="เพิ่มหลักฐานหมวด 1", by=case.p.approver_a
    )
    case.approved()
    feedback = Feedback.objects.get(assessment=case.assessment)
    # OPDC returns the report once, the lead sends it again: OPDC's own back-and-forth.
    feedback_services.feedback_step(
        feedback=feedback, action="return", by=case.p.admin, comment="แก้"
    )
    for action, who in (
        ("submit", case.p.lead),
        ("approve", case.p.admin),
        ("publish", case.p.admin),
    ):
        feedback_services.feedback_step(feedback=feedback, action=action, by=who)
    feedback_services.revise_published_report(
        assessment=case.refresh(),
        tree=case.tree,
        scores={"1.1": Decimal(400)},
        reason="คะแนนข้อ 1.1 บันทึกผิด",
        by=case.p.admin,
    )

    login(client, case.p.editor_a)
    rows = history(client, case)
    text = "\n".join(rows)
    assert "ฉบับร่าง → ฉบับร่าง" not in text
    assert any("ส่งกลับให้ผู้กรอกข้อมูล" in r and "เพิ่มหลักฐานหมวด 1" in r for r in rows)
    for internal in ("หาฉันทามติ", "ร่างรายงานแล้ว", "อนุมัติรายงานแล้ว"):
        assert internal not in text
    verifying = "อยู่ระหว่างการตรวจประเมินของสำนักงาน ก.พ.ร."
    assert [r for r in rows if verifying in r] == [
        next(r for r in rows if f"{verifying} → เผยแพร่แล้ว" in r),
        next(r for r in rows if f"ส่งแล้ว → {verifying}" in r),
    ]
    newest = rows[0]
    assert "แก้ไขรายงานที่เผยแพร่แล้ว (ครั้งที่ 1)" in newest and "คะแนนข้อ 1.1 บันทึกผิด" in newest

    # OPDC's administrators see every change, the report's return among them.
    login(client, case.p.admin)
    text = "\n".join(history(client, case))
    assert "ร่างรายงานแล้ว → หาฉันทามติ" in text and "แก้ไขรายงานที่เผยแพร่แล้ว" in text
