"""What the assessor reads beside the form on the review desk: on a results item, every KPI as
the agency submitted it (unit, direction, yearly values, target, comparison value and source,
bands, the computed score), and score fields of their own that start empty."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from django.utils.html import strip_tags

from tests.builders import Case, login, open_round2, score_every_item


def test_an_assessor_reads_the_agencys_kpis_in_full_and_scores_them_from_empty(personas, work_a):
    case = Case(personas, work_a)
    assessment = case.in_review()
    member = login(Client(), case.member)
    url = reverse("reviews:item", args=[assessment.pk, "7.1"])
    page = member.get(url).content.decode()
    # Each label with its value beside it; the page's spacing aside.
    text = re.sub(r"\s+", "", strip_tags(page))
    for label, value in (
        ("ตัวชี้วัดที่1:", "ร้อยละความพึงพอใจ"),
        ("หน่วย", "ร้อยละ"),
        ("ทิศทาง", "ค่ามากดี"),
        ("เป้าหมาย", "80"),
        ("ค่าเปรียบเทียบ", "78"),
        ("แหล่งข้อมูลเปรียบเทียบ", "จังหวัดใกล้เคียง"),
    ):
        assert label + value in text, label
    # The yearly values and the bands, each under its own column.
    assert "ปีงบประมาณ256870ปีงบประมาณ256975ปีงบประมาณ257080" in text
    assert "0คะแนน60100คะแนน—200คะแนน—300คะแนน—400คะแนน—500คะแนน85" in text
    agency_score = re.search(r'data-testid="agency-kpi-score-1">([^<]+)<', page)[1]
    assert agency_score not in ("", "—")
    # The assessor's own field is empty: verifying is not accepting the agency's figure.
    field = re.search(r'<input[^>]*id="kpi-1"[^>]*>', page)[0]
    assert 'value=""' in field

    # What the assessor types is what the page then shows, and nothing else.
    member.post(url, {"kpi-1": "300"})
    again = member.get(url).content.decode()
    assert 'value="300"' in re.search(r'<input[^>]*id="kpi-1"[^>]*>', again)[0]


def test_the_team_reads_the_profile_as_it_was_submitted(personas, work_a):
    from pmqa.assessments.models import Answer

    case = Case(personas, work_a)
    assessment = case.in_review()
    # Changed in the database after submission: the team reads what was submitted.
    Answer.objects.filter(assessment=assessment, key="OP1a").update(
        data={"mission": "พันธกิจที่แก้ภายหลัง"}
    )
    member = login(Client(), case.member)
    overview = member.get(reverse("reviews:overview", args=[assessment.pk])).content.decode()
    url = reverse("reviews:profile", args=[assessment.pk])
    assert f'href="{url}"' in overview
    page = member.get(url)
    assert page.status_code == 200
    text = re.sub(r"\s+", "", strip_tags(page.content.decode()))
    assert "รักษาความมั่นคงภายในราชอาณาจักร" in text
    assert "พันธกิจที่แก้ภายหลัง" not in text
    assert "1,250,000" in text and "บริการข้อมูลตอบได้ภายในวันเดียว" in text
    # A table's cells are labelled with their column for the phone's stacked rows.
    assert 'data-label="' in page.content.decode()
    # Read only: no form on the page but the language switch and logout.
    assert "<textarea" not in page.content.decode()


def test_after_publication_the_consensus_is_shown_not_offered_for_editing(personas, work_a):
    case = Case(personas, work_a)
    assessment = case.published()
    lead = login(Client(), personas.lead)
    page = lead.get(reverse("reviews:consensus", args=[assessment.pk])).content.decode()
    main = page[page.index("<main") :]
    assert 'name="score-1.1"' not in main and '<form method="post" novalidate>' not in main
    assert "คะแนนฉันทามติแก้ไขไม่ได้อีก" in strip_tags(main)
    assert re.search(r'data-testid="consensus-1\.1">350\.00<', main)


def test_the_round_2_tab_is_shown_only_in_a_cycle_that_has_a_round_2(personas, work_a):
    case = Case(personas, work_a)
    assessment = case.in_review()
    member = login(Client(), case.member)
    overview = reverse("reviews:overview", args=[assessment.pk])
    round2 = reverse("reviews:round2", args=[assessment.pk])
    assert f'href="{round2}"' not in member.get(overview).content.decode()
    open_round2(assessment.cycle)
    assert f'href="{round2}"' in member.get(overview).content.decode()


def test_submitting_a_review_says_whether_anyone_elses_scores_are_there_to_see(personas, work_a):
    from pmqa.verification import services as review_services

    case = Case(personas, work_a)
    assessment = case.in_review()
    said = {}
    for person in (case.member, personas.lead):
        review = review_services.review_for(assessment=assessment, assessor=person)
        score_every_item(review, case.edition, person)
        client = login(Client(), person)
        page = client.post(reverse("reviews:submit", args=[assessment.pk]), follow=True)
        said[person.username] = strip_tags(page.content.decode())
    assert "ยังไม่มีผู้ตรวจประเมินท่านอื่นส่งผลการตรวจ" in said[case.member.username]
    assert "ขณะนี้แสดงคะแนนของผู้ตรวจคนอื่นแล้ว" in said[personas.lead.username]


def test_the_agency_answers_a_question_with_a_document_the_team_downloads(
    personas, work_a, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pmqa.verification.models import Clarification
    from tests.builders import PDF

    settings.MEDIA_ROOT = tmp_path
    case = Case(personas, work_a)
    assessment = case.in_review()
    question = Clarification.objects.get(assessment=assessment)
    editor = login(Client(), personas.editor_a)
    url = reverse("reviews_agency:answer", args=[assessment.pk, question.pk])
    # A file that is not what its name says is refused, and the answer waits with it.
    refused = editor.post(
        url,
        {"answer": "แนบแผนแล้ว", "file": SimpleUploadedFile("plan.pdf", b"MZ\x90\x00not a pdf")},
        follow=True,
    )
    question.refresh_from_db()
    assert question.answered_at is None and question.attachment is None
    assert "ไม่ใช่เอกสาร" in strip_tags(refused.content.decode())
    editor.post(url, {"answer": "แนบแผนแล้ว", "file": SimpleUploadedFile("plan.pdf", PDF)})
    question.refresh_from_db()
    assert question.answer == "แนบแผนแล้ว" and question.attachment.original_name == "plan.pdf"

    member = login(Client(), case.member)
    item = member.get(reverse("reviews:item", args=[assessment.pk, "1.1"])).content.decode()
    download = reverse("reviews:evidence", args=[assessment.pk, question.attachment.pk])
    assert download in item
    got = member.get(download, {"raw": "1"})
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    # Not for an assessor off the team, nor for another agency.
    assert login(Client(), case.outsider).get(download, {"raw": "1"}).status_code == 404
    other = login(Client(), personas.editor_b)
    own = reverse("assessments:evidence_file", args=[assessment.pk, question.attachment.pk])
    assert other.get(own).status_code == 404
    assert editor.get(own).status_code == 200
