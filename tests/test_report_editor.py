"""The Feedback Report editor, the lead's page: it saves itself, refuses a text too long with
what was typed kept, never lets two tabs overwrite each other, keeps what a conflict held until
the lead chooses it, and a published report keeps the name it was published under."""

import io
import re

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from pmqa.audit.models import AuditEntry
from pmqa.feedback.models import Feedback
from tests.builders import login

pytestmark = pytest.mark.django_db


def test_the_report_form_saves_itself(case):
    assessment = case.consensus()
    lead = login(Client(), case.p.lead)
    response = lead.post(
        reverse("feedback:edit", args=[assessment.pk]),
        {"form": "report", "conclusion": "ร่างข้อสรุป"},
        HTTP_HX_REQUEST="true",
    )
    assert "บันทึกแล้วเมื่อ" in response.content.decode()
    assert Feedback.objects.get(assessment=assessment).conclusion == "ร่างข้อสรุป"


def test_a_report_text_too_long_is_refused_with_what_was_typed_kept(case):
    assessment = case.consensus()
    lead = login(Client(), case.p.lead)
    url = reverse("feedback:edit", args=[assessment.pk])
    lead.post(url, {"form": "report", "version": 0, "conclusion": "ข้อสรุปเดิม"})
    response = lead.post(
        url,
        {"form": "report", "version": 1, "conclusion": "ข้อสรุปใหม่", "item-1.1-ofi": "ก" * 20_001},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "20,000" in page or "20000" in page
    assert "ข้อสรุปใหม่" in page
    assert Feedback.objects.get(assessment=assessment).conclusion == "ข้อสรุปเดิม"


def _version_on(page):
    return int(re.search(r'name="version" id="version" value="(\d+)"', page).group(1))


def test_two_tabs_of_the_report_editor_never_overwrite_each_other(case):
    """Two tabs opened on one version: the second to save is refused, its texts kept beside
    the newer ones and shown side by side, and saved only when the lead chooses them."""
    assessment = case.consensus()
    lead = login(Client(), case.p.lead)
    url = reverse("feedback:edit", args=[assessment.pk])
    first, second = lead.get(url).content.decode(), lead.get(url).content.decode()
    assert _version_on(first) == _version_on(second) == 0
    typed = {"form": "report", "item-1.1-ofi": "ควรวัดผลการสื่อสาร"}
    saved = lead.post(
        url, {**typed, "version": 0, "conclusion": "ข้อสรุปแท็บแรก"}, HTTP_HX_REQUEST="true"
    )
    assert "ฉบับที่ 1" in strip_tags(saved.content.decode())
    assert 'id="version" value="1"' in saved.content.decode()

    # The second tab autosaves on the version it loaded: refused, nothing saved over the first.
    refused = lead.post(
        url, {**typed, "version": 0, "conclusion": "ข้อสรุปแท็บสอง"}, HTTP_HX_REQUEST="true"
    )
    assert refused["HX-Retarget"] == "#conflict"
    box = strip_tags(refused.content.decode())
    assert "ข้อสรุปแท็บแรก" in box and "ข้อสรุปแท็บสอง" in box
    assert "ควรวัดผลการสื่อสาร" not in box  # a box both tabs hold alike is not compared
    report = Feedback.objects.get(assessment=assessment)
    assert (report.conclusion, report.version) == ("ข้อสรุปแท็บแรก", 1)
    # Typing on keeps one kept edit, the newest.
    lead.post(url, {**typed, "version": 0, "conclusion": "ข้อสรุปแท็บสอง ต่อ"}, HTTP_HX_REQUEST="true")
    assert report.kept_edits.count() == 1
    assert report.kept_edits.get().texts["conclusion"] == "ข้อสรุปแท็บสอง ต่อ"

    # The plain button of the second tab: the page again, what was typed in it, the comparison,
    # and still the version it was typed on.
    page = lead.post(url, {**typed, "version": 0, "conclusion": "ข้อสรุปแท็บสอง ต่อ"})
    assert page.status_code == 409
    text = page.content.decode()
    assert "ข้อสรุปแท็บสอง ต่อ" in text and "ข้อสรุปแท็บแรก" in strip_tags(text)
    assert _version_on(text) == 0
    assert Feedback.objects.get(pk=report.pk).conclusion == "ข้อสรุปแท็บแรก"

    # The lead chooses the second tab's texts, over the version now seen.
    kept = report.kept_edits.get()
    keep = reverse("feedback:keep_mine", args=[assessment.pk, kept.pk])
    assert f'action="{keep}"' in text
    chosen = lead.post(keep, {"version": 1})
    assert chosen.status_code == 302
    report.refresh_from_db()
    assert (report.conclusion, report.version) == ("ข้อสรุปแท็บสอง ต่อ", 2)
    assert not report.kept_edits.exists()
    # The first tab's texts stay in the audit trail.
    assert AuditEntry.objects.filter(action="feedback.edit", new__conclusion="ข้อสรุปแท็บแรก").exists()


def test_texts_kept_from_a_conflict_are_not_saved_over_a_newer_version_either(case):
    assessment = case.consensus()
    lead = login(Client(), case.p.lead)
    url = reverse("feedback:edit", args=[assessment.pk])
    lead.post(url, {"form": "report", "version": 0, "conclusion": "หนึ่ง"}, HTTP_HX_REQUEST="true")
    lead.post(url, {"form": "report", "version": 0, "conclusion": "สอง"}, HTTP_HX_REQUEST="true")
    kept = Feedback.objects.get(assessment=assessment).kept_edits.get()
    # Meanwhile the first tab saved again: choosing "mine" from an older comparison is refused.
    lead.post(url, {"form": "report", "version": 1, "conclusion": "สาม"}, HTTP_HX_REQUEST="true")
    response = lead.post(
        reverse("feedback:keep_mine", args=[assessment.pk, kept.pk]), {"version": 1}, follow=True
    )
    assert "บันทึกรายงานอีกครั้ง" in strip_tags(response.content.decode())
    assert Feedback.objects.get(assessment=assessment).conclusion == "สาม"
    # Another assessor cannot choose the lead's kept texts.
    member = login(Client(), case.member)
    assert (
        member.post(
            reverse("feedback:keep_mine", args=[assessment.pk, kept.pk]), {"version": 2}
        ).status_code
        == 404
    )


def test_copying_the_assessors_comments_makes_a_new_version(case):
    assessment = case.consensus()
    lead = login(Client(), case.p.lead)
    url = reverse("feedback:edit", args=[assessment.pk])
    lead.post(url, {"action": "prefill"})
    assert Feedback.objects.get(assessment=assessment).version == 1
    # A tab still showing the texts before the copy cannot save over the copied comments.
    response = lead.post(
        url, {"form": "report", "version": 0, "conclusion": "ก"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Retarget"] == "#conflict"


def test_a_published_report_keeps_the_name_it_was_published_under(case):
    assessment = case.published()
    organisation = assessment.organisation
    before = organisation.official_name_th
    admin = login(Client(), case.p.admin)
    page = strip_tags(admin.get(reverse("reports:page", args=[assessment.pk])).content.decode())
    organisation.name_th = "สำนักงานชื่อใหม่"
    organisation.short_name_th = "สชม."
    organisation.save()
    for layout in ("full", "short"):
        after = admin.get(reverse("reports:page", args=[assessment.pk]), {"layout": layout})
        text = strip_tags(after.content.decode())
        assert before in text and "สำนักงานชื่อใหม่" not in text
    workbook = openpyxl.load_workbook(
        io.BytesIO(admin.get(reverse("reports:xlsx", args=[assessment.pk])).content)
    )
    cells = " ".join(
        str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
    )
    assert before in cells and "สำนักงานชื่อใหม่" not in cells
    assert before in page


def test_choosing_kept_texts_without_the_version_seen_is_refused(case):
    assessment = case.consensus()
    lead = login(Client(), case.p.lead)
    url = reverse("feedback:edit", args=[assessment.pk])
    lead.post(url, {"form": "report", "version": 0, "conclusion": "หนึ่ง"}, HTTP_HX_REQUEST="true")
    lead.post(url, {"form": "report", "version": 0, "conclusion": "สอง"}, HTTP_HX_REQUEST="true")
    kept = Feedback.objects.get(assessment=assessment).kept_edits.get()
    lead.post(reverse("feedback:keep_mine", args=[assessment.pk, kept.pk]), {})
    assert Feedback.objects.get(assessment=assessment).conclusion == "หนึ่ง"
