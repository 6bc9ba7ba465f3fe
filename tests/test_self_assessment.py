"""The agency's self-assessment through HTTP: windows, progress, items, conflicts, history,
evidence, submission and the Excel round trip."""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pmqa import scoring
from pmqa.assessments import answers as content
from pmqa.assessments import evidence as evidence_services
from pmqa.assessments import services
from pmqa.assessments.models import Answer, Assessment, Cycle, Evidence, Revision, Round
from pmqa.assessments.reminders import send_reminders
from pmqa.lib.templatetags.thai import level_label
from pmqa.lib.thai import format_date_be_numeric
from pmqa.verification.models import Assignment
from tests.builders import PDF, answer, complete_assessment, item_url, login, narrative_post, upload

pytestmark = pytest.mark.django_db


def profile_url(assessment, code):
    return reverse("assessments:profile", args=[assessment.pk, code])


# ---------------------------------------------------------------------------------------------
# Windows


def test_a_closed_round_is_read_only_with_the_closing_date(client, personas):
    services.ensure_answers(assessment=personas.assessment_a)
    login(client, personas.editor_a)
    url = item_url(personas.assessment_a, "1.1")
    page = client.get(url).content.decode()
    assert "ปิดรับไปแล้วเมื่อ 31 สิงหาคม 2561" in page
    assert '<fieldset class="plain" disabled>' in page
    response = client.post(url, narrative_post(0), HTTP_HX_REQUEST="true")
    assert "ยังไม่ได้บันทึก" in response.content.decode()
    assert answer(personas.assessment_a, "1.1").version == 0


def test_a_round_not_yet_open_says_when_it_opens(client, personas, edition):
    cycle = Cycle.objects.create(fiscal_year=2575, edition=edition)
    Round.objects.create(
        cycle=cycle,
        number=1,
        opens_on=datetime.date(2031, 12, 1),
        closes_on=datetime.date(2032, 3, 1),
    )
    assessment = services.start_assessment(
        cycle=cycle, organisation=personas.agency_a, by=personas.editor_a
    )
    login(client, personas.editor_a)
    page = client.get(reverse("assessments:home", args=[assessment.pk])).content.decode()
    assert "รอบนี้เปิดรับวันที่ 1 ธันวาคม 2574" in page


def test_an_extension_reopens_the_round_for_one_organisation_only(client, personas, work_b):
    login(client, personas.admin)
    url = reverse("manage:cycle", args=[personas.cycle.fiscal_year])
    later = timezone.localdate() + datetime.timedelta(days=5)
    response = client.post(
        url,
        {
            "form": "extension",
            "organisation": personas.agency_a.code,
            "closes_on": f"{later.day}/{later.month}/{later.year + 543}",
            "reason": "น้ำท่วมสำนักงาน",
        },
    )
    assert response.status_code == 302
    services.ensure_answers(assessment=personas.assessment_a)
    services.ensure_answers(assessment=personas.assessment_b)
    client.logout()
    login(client, personas.editor_a)
    response = client.post(item_url(personas.assessment_a, "1.1"), narrative_post(0))
    assert response.status_code == 302
    assert answer(personas.assessment_a, "1.1").version == 1
    client.logout()
    login(client, personas.editor_b)
    client.post(item_url(personas.assessment_b, "1.1"), narrative_post(0))
    assert answer(personas.assessment_b, "1.1").version == 0


def test_an_extension_must_end_after_the_round_closes(client, personas):
    login(client, personas.admin)
    response = client.post(
        reverse("manage:cycle", args=[2561]),
        {
            "form": "extension",
            "organisation": personas.agency_a.code,
            "closes_on": "1/8/2561",
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert "การขยายเวลาต้องสิ้นสุดหลังวันปิดรอบ" in response.content.decode()


def test_an_administrator_creates_a_cycle_with_buddhist_era_dates(client, personas, edition):
    login(client, personas.admin)
    response = client.post(
        reverse("manage:cycles"),
        {
            "fiscal_year": "2571",
            "edition": edition.pk,
            "round1_opens_on": "1/12/2570",
            "round1_closes_on": "31/1/2571",
            "round2_opens_on": "",
            "round2_closes_on": "",
            "round2_threshold": "",
        },
    )
    assert response.status_code == 302
    round1 = Round.objects.get(cycle__fiscal_year=2571, number=1)
    assert (round1.opens_on, round1.closes_on) == (
        datetime.date(2027, 12, 1),
        datetime.date(2028, 1, 31),
    )
    bad = client.post(
        reverse("manage:cycles"),
        {
            "fiscal_year": "2572",
            "edition": edition.pk,
            "round1_opens_on": "1/12/2027",
            "round1_closes_on": "x",
        },
    )
    assert bad.status_code == 400
    assert "ไม่ใช่ปีพุทธศักราช" in bad.content.decode()


# ---------------------------------------------------------------------------------------------
# Progress and the live score


def test_the_home_page_shows_progress_per_category(client, personas, work_a):
    login(client, personas.editor_a)
    client.post(item_url(work_a, "1.1"), narrative_post(0))
    client.post(item_url(work_a, "1.2"), narrative_post(0))
    page = client.get(reverse("assessments:home", args=[work_a.pk])).content.decode()
    assert 'data-testid="progress-1">2 / 4 (50%)' in page
    assert 'data-testid="progress-2">0 / 4 (0%)' in page
    assert 'data-testid="progress-profile">0 / 5' in page


def test_ticking_checkpoints_changes_the_previewed_score_as_the_engine_computes(
    client, personas, work_a, edition
):
    login(client, personas.editor_a)
    item = edition.categories.get(number=1).items.get(code="1.1")
    counts = {level.level: level.checkpoints.count() for level in item.levels.all()}
    ticks = {
        "tick-basic": [str(n) for n in range(1, counts["basic"] + 1)],
        "tick-advance": ["1"],
    }
    response = client.post(
        item_url(work_a, "1.1"), narrative_post(0, **ticks), HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    expected = scoring.gated_checklist(
        scoring.LevelTicks(counts["basic"], counts["basic"]),
        scoring.LevelTicks(1, counts["advance"]),
        scoring.LevelTicks(0, counts["significance"]),
    )
    assert f'data-testid="item-score">{scoring.q2(expected)}<' in body
    level = scoring.level_reached(
        scoring.LevelTicks(counts["basic"], counts["basic"]),
        scoring.LevelTicks(1, counts["advance"]),
        scoring.LevelTicks(0, counts["significance"]),
    )
    assert f'data-testid="item-level">{level_label(level)}<' in body
    assert "บันทึกแล้ว" in body
    home = client.get(reverse("assessments:home", args=[work_a.pk])).content.decode()
    category_1 = scoring.category_score([expected, Decimal(0), Decimal(0), Decimal(0)])
    assert f'data-testid="preview-1">{scoring.q2(category_1)}<' in home
    total = scoring.total_score({"1": category_1, **{str(n): Decimal(0) for n in range(2, 8)}})
    assert f'data-testid="preview-total">{scoring.q2(total)}<' in home


def test_kpis_are_scored_through_their_band(client, personas, work_a):
    login(client, personas.editor_a)
    post = {
        "version": "0",
        "k-1-name": "ร้อยละผู้รับบริการที่พึงพอใจ",
        "k-1-unit": "ร้อยละ",
        "k-1-direction": "higher",
        "k-1-value_2568": "70",
        "k-1-value_2569": "75",
        "k-1-value_2570": "๘๐",
        "k-1-band_0": "60",
        "k-1-band_500": "85",
    }
    response = client.post(item_url(work_a, "7.1"), post, HTTP_HX_REQUEST="true")
    assert 'data-testid="item-score">400.00<' in response.content.decode()
    kpi = answer(work_a, "7.1").data["kpis"][0]
    assert kpi["values"] == {"2568": "70", "2569": "75", "2570": "80"}
    page = client.get(item_url(work_a, "7.1")).content.decode()
    assert "<polyline" in page


def test_a_band_against_the_kpi_direction_is_refused_with_a_message(client, personas, work_a):
    login(client, personas.editor_a)
    post = {
        "version": "0",
        "k-1-name": "ระยะเวลาให้บริการ",
        "k-1-unit": "วัน",
        "k-1-direction": "lower",
        "k-1-value_2570": "5",
        "k-1-band_0": "3",
        "k-1-band_500": "10",
    }
    response = client.post(item_url(work_a, "7.2"), post)
    assert response.status_code == 400
    assert "ค่าน้อยดี" in response.content.decode()
    assert answer(work_a, "7.2").version == 0


def test_profile_numbers_and_buddhist_dates_are_stored_normalised(client, personas, work_a):
    login(client, personas.editor_a)
    response = client.post(
        profile_url(work_a, "OP1a"),
        {
            "version": "0",
            "f-budget": "1,250,000.50",
            "f-budget_as_of": "1/10/2569",
            "f-mission": "พันธกิจ",
            "g-services-1-service": "บริการข้อมูล",
            "g-services-1-distinction": "รวดเร็ว",
            "g-services-2-service": "",
            "g-services-2-distinction": "",
        },
    )
    assert response.status_code == 302
    data = answer(work_a, "OP1a").data
    assert data["budget"] == "1250000.5"
    assert data["budget_as_of"] == "2026-10-01"
    assert data["services"] == [{"service": "บริการข้อมูล", "distinction": "รวดเร็ว"}]
    page = client.get(profile_url(work_a, "OP1a")).content.decode()
    assert 'value="01/10/2569"' in page


def test_bad_profile_input_is_refused_with_messages_and_the_rest_is_saved(client, personas, work_a):
    """As in the KPI table: a refused value is marked and keeps what was saved before; the
    rest of the section is saved, so one wrong figure does not hold back every other field."""
    login(client, personas.editor_a)
    response = client.post(
        profile_url(work_a, "OP1a"),
        {
            "version": "0",
            "f-budget": "หนึ่งล้าน",
            "f-budget_as_of": "1/10/2026",
            "f-mission": "ข้อความ",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "กรุณากรอกตัวเลข" in body
    assert "ไม่ใช่ปีพุทธศักราช" in body
    assert "ข้อความ" in body and "หนึ่งล้าน" in body  # what was typed is still on the page
    saved = answer(work_a, "OP1a")
    assert saved.version == 1 and saved.data["mission"] == "ข้อความ"
    assert not saved.data.get("budget") and not saved.data.get("budget_as_of")
    assert 'name="version" id="version" value="1"' in body  # the form goes on from it

    # The autosave says which fields, by their labels, and keeps the earlier budget.
    client.post(profile_url(work_a, "OP1a"), {"version": "1", "f-budget": "1250000"})
    status = client.post(
        profile_url(work_a, "OP1a"),
        {"version": "2", "f-budget": "-5", "f-vision": "วิสัยทัศน์ใหม่", "g-services-1-service": "x"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "save-status partial" in status
    assert "งบประมาณ (บาท): กรุณากรอกตัวเลข" in status
    saved = answer(work_a, "OP1a")
    assert saved.data["vision"] == "วิสัยทัศน์ใหม่" and saved.data["budget"] == "1250000"
    # A table's cell: its table, row and column.
    status = client.post(
        profile_url(work_a, "OP1b"),
        {"version": "0", "g-customers-1-group": "ก" * 301},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    # Nothing but that cell changed: nothing saved, and the status says so.
    assert "save-status invalid" in status and "แถวที่ 1 ช่องกลุ่ม" in status


def test_a_text_over_its_limit_is_refused(client, personas, work_a):
    login(client, personas.editor_a)
    response = client.post(profile_url(work_a, "OP1a"), {"version": "0", "f-vision": "ก" * 1001})
    assert response.status_code == 400
    assert "1,001" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Concurrency and history


def test_a_concurrent_edit_is_refused_and_both_versions_are_kept(client, personas, work_a):
    editor = login(client, personas.editor_a)
    from django.test import Client

    approver = login(Client(), personas.approver_a)
    url = item_url(work_a, "2.1")
    assert editor.post(url, narrative_post(0, "ฉบับของผู้กรอก")).status_code == 302
    response = approver.post(url, narrative_post(0, "ฉบับของผู้อนุมัติ"), HTTP_HX_REQUEST="true")
    body = re.sub(r"</?(ins|del)>", "", response.content.decode())
    assert response["HX-Retarget"] == "#conflict"
    assert "ฉบับของผู้กรอก" in body and "ฉบับของผู้อนุมัติ" in body
    current = answer(work_a, "2.1")
    assert current.version == 1
    assert current.data["narrative"]["basic"]["approach"] == "ฉบับของผู้กรอก"
    refused = Revision.objects.get(answer=current, version=None)
    assert refused.data["narrative"]["basic"]["approach"] == "ฉบับของผู้อนุมัติ"
    assert refused.saved_by == personas.approver_a
    # The approver chooses to keep theirs: it becomes version 2, the editor's stays in history.
    keep = approver.post(
        reverse("assessments:restore", args=[work_a.pk, "2.1", refused.pk]), {"version": "1"}
    )
    assert keep.status_code == 302
    current.refresh_from_db()
    assert current.version == 2
    assert current.data["narrative"]["basic"]["approach"] == "ฉบับของผู้อนุมัติ"
    assert Revision.objects.filter(answer=current, version=1).exists()


def test_a_plain_form_conflict_shows_both_versions_side_by_side(client, personas, work_a):
    login(client, personas.editor_a)
    url = item_url(work_a, "2.2")
    client.post(url, narrative_post(0, "ข้อความแรก"))
    response = client.post(url, narrative_post(0, "ข้อความที่สอง"))
    assert response.status_code == 409
    body = re.sub(r"</?(ins|del)>", "", response.content.decode())
    assert "ข้อความแรก" in body and "ข้อความที่สอง" in body


def test_history_shows_a_diff_and_restores_an_old_version(client, personas, work_a):
    login(client, personas.editor_a)
    url = item_url(work_a, "3.1")
    client.post(url, narrative_post(0, "สำนักงานประชุมทุกเดือน"))
    client.post(url, narrative_post(1, "สำนักงานประชุมทุกสัปดาห์"))
    first = Revision.objects.get(answer__assessment=work_a, answer__key="3.1", version=1)
    page = client.get(
        reverse("assessments:history", args=[work_a.pk, "3.1"]) + f"?revision={first.pk}"
    ).content.decode()
    assert "<del>สัปดาห์</del>" in page
    assert "<ins>เดือน</ins>" in page
    response = client.post(
        reverse("assessments:restore", args=[work_a.pk, "3.1", first.pk]), {"version": "2"}
    )
    assert response.status_code == 302
    current = answer(work_a, "3.1")
    assert current.version == 3
    assert current.data["narrative"]["basic"]["approach"] == "สำนักงานประชุมทุกเดือน"
    assert current.revisions.first().note == "กู้คืนฉบับที่ 1"


def test_a_restore_from_a_stale_page_is_refused(client, personas, work_a):
    login(client, personas.editor_a)
    url = item_url(work_a, "3.2")
    client.post(url, narrative_post(0, "หนึ่ง"))
    client.post(url, narrative_post(1, "สอง"))
    first = Revision.objects.get(answer__assessment=work_a, answer__key="3.2", version=1)
    response = client.post(
        reverse("assessments:restore", args=[work_a.pk, "3.2", first.pk]),
        {"version": "1"},
        follow=True,
    )
    assert "ไม่ได้กู้คืน" in response.content.decode()
    assert answer(work_a, "3.2").version == 2


# ---------------------------------------------------------------------------------------------
# Evidence


@pytest.fixture
def evidence_client(client, personas, work_a, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    login(client, personas.editor_a)
    client.get(reverse("assessments:evidence", args=[work_a.pk]))  # sets the CSRF cookie
    return client


def test_a_pdf_is_stored_under_a_random_name_and_served_to_the_agency(
    evidence_client, personas, work_a, tmp_path
):
    response = upload(evidence_client, work_a, "แผน 2570.pdf", PDF)
    assert response.status_code == 302
    evidence = Evidence.objects.get(assessment=work_a)
    assert evidence.original_name == "แผน 2570.pdf"
    assert "แผน" not in evidence.file.name and evidence.file.name.startswith(
        f"evidence/{work_a.pk}/"
    )
    assert (tmp_path / "media" / evidence.file.name).read_bytes() == PDF
    download = evidence_client.get(
        reverse("assessments:evidence_file", args=[work_a.pk, evidence.pk])
    )
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("empty.pdf", b"", "ไฟล์ว่างเปล่า"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "เป็นโปรแกรม ไม่ใช่เอกสาร"),
        ("../../../etc/cron.d/evil.pdf", PDF, "มีเส้นทางโฟลเดอร์"),
        ("..\\..\\evil.pdf", PDF, "มีเส้นทางโฟลเดอร์"),
        ("picture.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "แต่เนื้อไฟล์เป็น PNG"),
        ("tool.exe", b"MZ" + b"\x00" * 10, "ไม่รับไฟล์ประเภท"),
        ("notes.docx", b"PK\x03\x04 not really a zip", "ไม่ใช่ไฟล์ Word"),
    ],
)
def test_bad_evidence_is_refused_with_a_clear_message(
    evidence_client, work_a, tmp_path, name, payload, message
):
    response = upload(evidence_client, work_a, name, payload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.filter(assessment=work_a).exists()
    assert not (tmp_path / "media" / "evidence").exists() or not any(
        (tmp_path / "media" / "evidence").rglob("*")
    )
    assert not (tmp_path / "etc").exists()


def test_an_oversized_file_is_refused(evidence_client, work_a, settings):
    settings.PMQA_EVIDENCE_MAX_MB = 1
    response = upload(evidence_client, work_a, "big.pdf", PDF + b"0" * 1_300_000)
    assert response.status_code == 400
    assert "ขนาด 1.2 MB เกินกำหนด 1 MB" in response.content.decode()


def test_narratives_cite_evidence_by_label(evidence_client, personas, work_a):
    upload(evidence_client, work_a, "plan.pdf", PDF, label="แผน 70")
    evidence = Evidence.objects.get(assessment=work_a)
    evidence_client.post(item_url(work_a, "1.3"), narrative_post(0, "ดูรายละเอียดใน [แผน 70]"))
    evidence_client.post(item_url(work_a, "2.3"), narrative_post(0, "อ้างอิง [แผน 70] เช่นกัน"))
    assert answer(work_a, "1.3").data["evidence"] == [evidence.pk]
    listing = evidence_client.get(
        reverse("assessments:evidence", args=[work_a.pk])
    ).content.decode()
    assert ">1.3</a>" in listing and ">2.3</a>" in listing
    # Cited evidence cannot be deleted from under the items.
    evidence_client.post(reverse("assessments:evidence_delete", args=[work_a.pk, evidence.pk]))
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_a_link_needs_a_full_web_address(evidence_client, work_a):
    response = evidence_client.post(
        reverse("assessments:evidence", args=[work_a.pk]),
        {"kind": "link", "label": "เว็บไซต์", "url": "www.example"},
    )
    assert response.status_code == 400
    assert "https://" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Another agency sees nothing


def test_agency_b_gets_404_on_every_page_of_agency_a(
    client, personas, work_a, work_b, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    evidence = evidence_services.add_evidence_link(
        assessment=work_a, url="https://example.org/a", label="a", by=personas.editor_a
    )
    revision_owner = answer(work_a, "1.1")
    services.save_answer(answer=revision_owner, data={"x": 1}, base_version=0, by=personas.editor_a)
    revision = Revision.objects.get(answer=revision_owner)
    login(client, personas.editor_b)
    for url in (
        reverse("assessments:home", args=[work_a.pk]),
        profile_url(work_a, "OP1a"),
        item_url(work_a, "1.1"),
        item_url(work_a, "7.1"),
        reverse("assessments:history", args=[work_a.pk, "1.1"]),
        reverse("assessments:evidence", args=[work_a.pk]),
        reverse("assessments:evidence_file", args=[work_a.pk, evidence.pk]),
        reverse("assessments:submit", args=[work_a.pk]),
        reverse("assessments:excel", args=[work_a.pk]),
        reverse("assessments:excel_import", args=[work_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        item_url(work_a, "1.1"),
        reverse("assessments:restore", args=[work_a.pk, "1.1", revision.pk]),
        reverse("assessments:evidence_delete", args=[work_a.pk, evidence.pk]),
    ):
        assert client.post(url, {"version": "1"}).status_code == 404, url
    # B's own evidence id under A's assessment is 404 too.
    assert (
        client.get(reverse("assessments:evidence_file", args=[work_b.pk, evidence.pk])).status_code
        == 404
    )


def test_an_assessor_cannot_open_the_live_workspace(client, personas, work_a):
    login(client, personas.assessor)
    assert client.get(reverse("assessments:home", args=[work_a.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Submission


def test_only_the_approver_can_submit(client, personas, work_a):
    complete_assessment(work_a, personas.editor_a)
    login(client, personas.editor_a)
    page = client.get(reverse("assessments:submit", args=[work_a.pk])).content.decode()
    assert "เฉพาะผู้อนุมัติ" in page
    assert client.post(reverse("assessments:submit", args=[work_a.pk])).status_code == 403
    assert Assessment.objects.get(pk=work_a.pk).status == "draft"


def test_submission_is_refused_with_the_list_of_what_is_missing(client, personas, work_a):
    login(client, personas.approver_a)
    response = client.post(reverse("assessments:submit", args=[work_a.pk]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "ยังไม่สามารถส่ง" in body
    assert f'href="{profile_url(work_a, "OP1a")}"' in body
    assert f'href="{item_url(work_a, "6.4")}"' in body
    assert f'href="{item_url(work_a, "7.6")}"' in body
    assert "เพิ่มตัวชี้วัดอย่างน้อยหนึ่งตัว" in body
    assert Assessment.objects.get(pk=work_a.pk).status == "draft"


def test_a_complete_submission_freezes_a_snapshot_and_tells_agency_and_assessors(
    client, personas, work_a, django_capture_on_commit_callbacks
):
    Assignment.objects.create(assessment=work_a, assessor=personas.assessor, is_lead=True)
    complete_assessment(work_a, personas.editor_a)
    login(client, personas.approver_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("assessments:submit", args=[work_a.pk]))
    assert response.status_code == 302
    work_a.refresh_from_db()
    # The team named ahead begins at once.
    assert work_a.status == "in_review"
    submission = work_a.submissions.get()
    assert submission.submitted_by == personas.approver_a
    frozen = submission.content["answers"]["1.1"]["data"]["narrative"]["basic"]["approach"]
    assert frozen == "มีแนวทางชัดเจน"
    # Every process item has 1 basic checkpoint of its level ticked; KPIs score 400.
    snapshot = submission.self_score
    assert snapshot.source == "self" and snapshot.rules_version == scoring.RULES_VERSION
    assert snapshot.categories["7"] == "400.00"
    recipients = sorted(address for message in mail.outbox for address in message.to)
    # The agency's receipt, the team told its review is open, and OPDC told it has begun.
    assert recipients == sorted(
        [
            personas.editor_a.email,
            personas.approver_a.email,
            personas.assessor.email,
            personas.admin.email,
        ]
    )
    assert "ส่งผลการประเมินตนเอง" in mail.outbox[0].subject
    # Later edits are refused and cannot change what was submitted.
    client.logout()
    login(client, personas.editor_a)
    client.post(item_url(work_a, "1.1"), narrative_post(answer(work_a, "1.1").version, "แก้หลังส่ง"))
    submission.refresh_from_db()
    assert submission.content["answers"]["1.1"]["data"]["narrative"]["basic"]["approach"] == frozen
    assert answer(work_a, "1.1").data["narrative"]["basic"]["approach"] == frozen
    home = client.get(reverse("assessments:home", args=[work_a.pk])).content.decode()
    assert "ส่งแล้ว" in home


def test_an_administrator_reopens_with_a_reason_the_agency_sees(client, personas, work_a):
    complete_assessment(work_a, personas.editor_a)
    services.submit_assessment(assessment=work_a, by=personas.approver_a)
    login(client, personas.admin)
    refused = client.post(
        reverse("assessments:reopen", args=[work_a.pk]), {"reason": " "}, follow=True
    )
    assert "ระบุเหตุผล" in refused.content.decode()
    client.post(reverse("assessments:reopen", args=[work_a.pk]), {"reason": "แนบหลักฐานผิดไฟล์"})
    work_a.refresh_from_db()
    assert work_a.status == "draft"
    client.logout()
    login(client, personas.editor_a)
    home = client.get(reverse("assessments:home", args=[work_a.pk])).content.decode()
    assert "แนบหลักฐานผิดไฟล์" in home
    # The agency may submit again; the first submission stays as it was.
    services.submit_assessment(assessment=work_a, by=personas.approver_a)
    assert list(work_a.submissions.values_list("number", flat=True)) == [2, 1]


def test_agency_pages_cannot_reopen(client, personas, work_a):
    complete_assessment(work_a, personas.editor_a)
    services.submit_assessment(assessment=work_a, by=personas.approver_a)
    login(client, personas.approver_a)
    assert (
        client.post(reverse("assessments:reopen", args=[work_a.pk]), {"reason": "x"}).status_code
        == 404
    )


# ---------------------------------------------------------------------------------------------
# Reminders


def test_reminders_go_once_to_drafts_seven_days_before_closing(
    personas, work_a, work_b, open_cycle, django_capture_on_commit_callbacks
):
    closes_on = open_cycle.rounds.get(number=1).closes_on
    day = closes_on - datetime.timedelta(days=7)
    out = io.StringIO()
    be_day = format_date_be_numeric(day)
    # Each reminder is recorded, then sent by a task once its transaction has committed.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--today", be_day, stdout=out)
    assert {tuple(line.split("\t")) for line in out.getvalue().splitlines()[:-1]} == {
        ("TH-96", "7"),
        ("TH-95", "7"),
    }
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted(
        [personas.editor_a.email, personas.approver_a.email, personas.editor_b.email]
    )
    assert "7 วัน" in mail.outbox[0].subject
    mail.outbox.clear()
    call_command("send_reminders", "--today", be_day, stdout=io.StringIO())
    assert mail.outbox == []
    next_day = format_date_be_numeric(day + datetime.timedelta(days=1))
    call_command("send_reminders", "--today", next_day, stdout=io.StringIO())
    assert mail.outbox == []


def test_submitted_assessments_get_no_reminder(personas, work_a, open_cycle):
    complete_assessment(work_a, personas.editor_a)
    services.submit_assessment(assessment=work_a, by=personas.approver_a)
    mail.outbox.clear()
    closes_on = open_cycle.rounds.get(number=1).closes_on
    assert send_reminders(today=closes_on - datetime.timedelta(days=1)) == []


# ---------------------------------------------------------------------------------------------
# Excel round trip


def download_workbook(client, assessment):
    response = client.get(reverse("assessments:excel", args=[assessment.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def upload_workbook(client, assessment, book):
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    return client.post(reverse("assessments:excel_import", args=[assessment.pk]), {"file": buffer})


def find_row(sheet, first, second=None):
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == first and (second is None or row[1].value == second):
            return row
    raise AssertionError((first, second))


def test_the_excel_import_applies_everything_or_nothing(client, personas, work_a):
    login(client, personas.editor_a)
    book = download_workbook(client, work_a)
    assert {"ลักษณะสำคัญ", "ประเด็นพิจารณา", "คำอธิบายการดำเนินการ", "ตัวชี้วัด"} <= set(book.sheetnames)
    find_row(book["ลักษณะสำคัญ"], "OP1a.mission")[2].value = "พันธกิจจากไฟล์ Excel"
    find_row(book["ลักษณะสำคัญ"], "OP1a.budget")[2].value = "ห้าล้าน"
    find_row(book["คำอธิบายการดำเนินการ"], "1.1", "ระดับพื้นฐาน")[2].value = "แนวทางจาก Excel"
    find_row(book["ประเด็นพิจารณา"], "1.1", "ระดับพื้นฐาน")[4].value = "✓"
    kpis = book["ตัวชี้วัด"]
    kpis.append(
        [
            "7.1",
            "ร้อยละความสำเร็จ",
            "ร้อยละ",
            "ค่ามากดี",
            60,
            70,
            "แปดสิบ",
            80,
            None,
            None,
            50,
            None,
            None,
            None,
            None,
            90,
        ]
    )
    response = upload_workbook(client, work_a, book)
    assert response.status_code == 400
    body = response.content.decode()
    assert "ไม่ได้นำเข้าข้อมูลใด" in body
    budget_row = find_row(book["ลักษณะสำคัญ"], "OP1a.budget")[0].row
    assert f'<td>ลักษณะสำคัญ</td><td class="num">{budget_row}</td><td>งบประมาณ (บาท)</td>' in body
    assert f'<td>ตัวชี้วัด</td><td class="num">{kpis.max_row}</td><td>ปี 2570</td>' in body
    assert Answer.objects.filter(assessment=work_a).exclude(version=0).count() == 0

    find_row(book["ลักษณะสำคัญ"], "OP1a.budget")[2].value = "5,000,000"
    kpis.cell(row=kpis.max_row, column=7).value = 80
    response = upload_workbook(client, work_a, book)
    assert response.status_code == 302
    assert answer(work_a, "OP1a").data["mission"] == "พันธกิจจากไฟล์ Excel"
    assert answer(work_a, "OP1a").data["budget"] == "5000000"
    item = answer(work_a, "1.1")
    assert item.data["ticks"]["basic"] == [1]
    assert item.data["narrative"]["basic"]["approach"] == "แนวทางจาก Excel"
    assert item.revisions.first().note == "นำเข้าจากไฟล์ Excel"
    assert answer(work_a, "7.1").data["kpis"][0]["values"]["2570"] == "80"


def test_the_excel_import_of_an_unchanged_workbook_changes_nothing(client, personas, work_a):
    """Downloaded and sent back as it is: no part counted as changed, no empty version made
    of the parts never opened."""
    login(client, personas.editor_a)
    client.post(profile_url(work_a, "OP1a"), {"version": "0", "f-mission": "พันธกิจ"})
    versions = dict(Answer.objects.filter(assessment=work_a).values_list("key", "version"))
    response = upload_workbook(client, work_a, download_workbook(client, work_a))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "ไม่มีส่วนใดเปลี่ยน" in page
    assert dict(Answer.objects.filter(assessment=work_a).values_list("key", "version")) == versions


def test_the_excel_import_never_overwrites_a_later_save(client, personas, work_a):
    login(client, personas.editor_a)
    book = download_workbook(client, work_a)
    client.post(item_url(work_a, "1.1"), narrative_post(0, "บันทึกในระบบหลังดาวน์โหลด"))
    find_row(book["คำอธิบายการดำเนินการ"], "1.1", "ระดับพื้นฐาน")[2].value = "จาก Excel"
    response = upload_workbook(client, work_a, book)
    assert response.status_code == 400
    assert "หลังจากดาวน์โหลดไฟล์นี้" in response.content.decode()
    assert answer(work_a, "1.1").data["narrative"]["basic"]["approach"] == "บันทึกในระบบหลังดาวน์โหลด"


def test_a_file_that_is_not_a_workbook_is_refused(client, personas, work_a):
    login(client, personas.editor_a)
    fake = io.BytesIO(b"name,value\n")
    fake.name = "data.xlsx"
    response = client.post(reverse("assessments:excel_import", args=[work_a.pk]), {"file": fake})
    assert response.status_code == 400
    assert ".xlsx" in response.content.decode()


def rewritten_workbook(book, sheet, change):
    """The workbook's file with one sheet's XML passed through change(xml) -> xml."""
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    part = f"xl/worksheets/sheet{book.sheetnames.index(sheet) + 1}.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            target.writestr(name, change(data) if name == part else data)
    out.seek(0)
    out.name = "filled.xlsx"
    return out


def post_workbook(client, assessment, file):
    return client.post(reverse("assessments:excel_import", args=[assessment.pk]), {"file": file})


NOT_A_WORKBOOK = "ไม่ใช่ไฟล์ Excel"


def test_a_workbook_with_a_dtd_or_broken_xml_is_refused_as_not_a_workbook(client, personas, work_a):
    login(client, personas.editor_a)
    book = download_workbook(client, work_a)
    find_row(book["ลักษณะสำคัญ"], "OP1a.mission")[2].value = "พันธกิจ"
    doctype = b'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    files = {
        "dtd": rewritten_workbook(
            book, "ลักษณะสำคัญ", lambda xml: doctype + xml.replace("พันธกิจ".encode(), b"&e;")
        ),
        "harmless dtd": rewritten_workbook(
            book, "ลักษณะสำคัญ", lambda xml: b'<!DOCTYPE worksheet [<!ENTITY e "x">]>' + xml
        ),
        "broken": rewritten_workbook(book, "ลักษณะสำคัญ", lambda xml: xml[:-30]),
    }
    for kind, file in files.items():
        response = post_workbook(client, work_a, file)
        assert response.status_code == 400, kind
        assert NOT_A_WORKBOOK in response.content.decode(), kind
    assert Answer.objects.filter(assessment=work_a).exclude(version=0).count() == 0


def generated_rows(count, columns=10):
    cells = "".join('<c t="n"><v>1</v></c>' for _ in range(columns))
    return b"".join(b'<row r="%d">%s</row>' % (n, cells.encode()) for n in range(2, count + 2))


def test_a_workbook_beyond_the_cell_limit_is_refused_before_it_is_opened(client, personas, work_a):
    """300,000 cells (7 MB of XML in a file of 120 kB): openpyxl would hold them all and the
    import walk them; the file is counted as it streams and refused at the limit. One cell far
    down and to the right is as bad (the import walks every row and column up to it), and is
    refused too."""
    login(client, personas.editor_a)
    book = download_workbook(client, work_a)
    many = rewritten_workbook(
        book,
        "บริการหลัก",
        lambda xml: xml.replace(b"</sheetData>", generated_rows(30_000) + b"</sheetData>"),
    )
    unpacked = sum(part.file_size for part in zipfile.ZipFile(many).infolist())
    assert 5_000_000 < unpacked < 25 * 1_048_576  # within the size limit: the cells refuse it
    many.seek(0)
    far = rewritten_workbook(
        book,
        "บริการหลัก",
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="60000"><c r="Z60000"><v>1</v></c></row></sheetData>'
        ),
    )
    for file in (many, far):
        response = post_workbook(client, work_a, file)
        assert response.status_code == 400
        assert "มีเซลล์มากกว่าที่แบบฟอร์มที่กรอกแล้วจะมีได้ (ไม่เกิน 50,000 เซลล์)" in (response.content.decode())
    assert Answer.objects.filter(assessment=work_a).exclude(version=0).count() == 0


def test_a_workbook_that_unpacks_beyond_the_size_limit_is_refused(
    client, personas, work_a, settings
):
    settings.PMQA_EXCEL_IMPORT_MAX_MB = 1
    login(client, personas.editor_a)
    book = download_workbook(client, work_a)
    padded = rewritten_workbook(
        book, "คำอธิบาย", lambda xml: xml + b" " * 2_000_000
    )  # compresses to a few kilobytes
    assert len(padded.getvalue()) < 100_000
    response = post_workbook(client, work_a, padded)
    assert response.status_code == 400
    assert "เมื่อขยายออกมีขนาดเกิน 1 MB" in response.content.decode()


def test_a_recorded_assessment_shows_its_stored_self_scores(client, personas):
    login(client, personas.editor_a)
    page = client.get(reverse("assessments:home", args=[personas.assessment_a.pk])).content.decode()
    assert 'data-testid="preview-total">443.10<' in page
    assert 'data-testid="preview-rating">3.54<' in page
    assert "คะแนนประเมินตนเองที่บันทึกไว้" in page


def test_workspace_pages_use_a_bounded_number_of_queries(
    client, personas, work_a, django_assert_max_num_queries
):
    complete_assessment(work_a, personas.editor_a)
    login(client, personas.editor_a)
    client.get(reverse("assessments:home", args=[work_a.pk]))  # session and caches warm
    # Session, user, roles, the assessment with its window, its answers, then the page's own.
    with django_assert_max_num_queries(9):
        client.get(reverse("assessments:home", args=[work_a.pk]))
    with django_assert_max_num_queries(6):  # ... and the evidence list
        client.get(item_url(work_a, "4.2"))
    with django_assert_max_num_queries(12):
        client.get(reverse("assessments:submit", args=[work_a.pk]))
    # An autosave that changes the text: the same five reads, then the assessment locked
    # and its status read again, the answer updated where its version is unchanged, and the
    # revision. The test's transaction adds a savepoint and its release around the service.
    version = answer(work_a, "1.1").version
    with django_assert_max_num_queries(10) as captured:
        response = client.post(
            item_url(work_a, "1.1"),
            narrative_post(version, "ทบทวนทุกไตรมาส"),
            HTTP_HX_REQUEST="true",
        )
        statements = [
            q["sql"]
            for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]
    assert len(statements) == 8, statements
    assert answer(work_a, "1.1").version == version + 1, response.content.decode()[:300]


def test_an_autosave_rescores_only_the_item_it_changed(client, personas, work_a, monkeypatch):
    complete_assessment(work_a, personas.editor_a)
    login(client, personas.editor_a)
    client.get(reverse("assessments:home", args=[work_a.pk]))  # every item scored once
    scored = []
    original = content.process_figure

    def counting(item, data, rule):
        scored.append(item.code)
        return original(item, data, rule)

    monkeypatch.setattr(content, "process_figure", counting)
    version = answer(work_a, "1.1").version
    response = client.post(
        item_url(work_a, "1.1"),
        narrative_post(version, "ทบทวนทุกไตรมาส", **{"tick-basic": ["1", "2"]}),
        HTTP_HX_REQUEST="true",
    )
    assert "save-status saved" in response.content.decode()
    assert scored == ["1.1"]
    # The next page scores the saved item's new version once and nothing else, and its total
    # is the one a full rescoring gives.
    scored.clear()
    page = client.get(reverse("assessments:home", args=[work_a.pk])).content.decode()
    assert scored == ["1.1"]
    monkeypatch.setattr(content, "_SAVED_FIGURES", {})
    scored.clear()
    again = client.get(reverse("assessments:home", args=[work_a.pk])).content.decode()
    assert len(scored) > 20
    total = re.search(r'data-testid="preview-total">([^<]+)<', page)
    assert total is not None
    assert total.group(0) in again


def test_an_agency_starts_an_open_cycle_but_not_a_closed_one(client, personas, open_cycle):
    login(client, personas.editor_a)
    home = client.get(reverse("dashboards:agency")).content.decode()
    assert "เริ่มการประเมินตนเอง" in home
    response = client.post(
        reverse("assessments:start", args=[open_cycle.pk]), {"organisation": personas.agency_a.pk}
    )
    assessment = Assessment.objects.get(cycle=open_cycle, organisation=personas.agency_a)
    assert response["Location"] == reverse("assessments:home", args=[assessment.pk])
    assert Answer.objects.filter(assessment=assessment).count() == 5 + 30
    Assessment.objects.filter(cycle=personas.cycle, organisation=personas.agency_a).delete()
    response = client.post(
        reverse("assessments:start", args=[personas.cycle.pk]),
        {"organisation": personas.agency_a.pk},
        follow=True,
    )
    assert "ไม่ได้เปิดรับ" in response.content.decode()
    assert not Assessment.objects.filter(
        cycle=personas.cycle, organisation=personas.agency_a
    ).exists()
    other = client.post(
        reverse("assessments:start", args=[open_cycle.pk]), {"organisation": personas.agency_b.pk}
    )
    assert other.status_code == 404


def test_an_administrator_moves_a_round_window_in_buddhist_era_dates(client, personas):
    login(client, personas.admin)
    url = reverse("manage:cycle", args=[personas.cycle.fiscal_year])
    bad = client.post(
        url, {"form": "round", "number": "1", "opens_on": "1/9/2561", "closes_on": "1/8/2561"}
    )
    assert bad.status_code == 400
    assert "วันปิดรอบต้องไม่ก่อนวันเปิดรอบ" in bad.content.decode()
    response = client.post(
        url, {"form": "round", "number": "1", "opens_on": "1/6/2561", "closes_on": "30/9/2561"}
    )
    assert response.status_code == 302
    round1 = personas.cycle.rounds.get(number=1)
    assert (round1.opens_on, round1.closes_on) == (
        datetime.date(2018, 6, 1),
        datetime.date(2018, 9, 30),
    )
    assert "30 กันยายน 2561" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12.3456789", "ทศนิยม"),
        ("12345678901234567", "มากเกินไป"),
        ("หนึ่งร้อย", "กรุณากรอกตัวเลข"),
    ],
)
def test_a_figure_that_cannot_be_kept_says_why(client, personas, work_a, typed, says):
    login(client, personas.editor_a)
    status = client.post(
        profile_url(work_a, "OP1a"), {"version": "0", "f-budget": typed}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert says in status


def test_a_headcount_is_a_whole_number(client, personas, work_a):
    login(client, personas.editor_a)
    status = client.post(
        profile_url(work_a, "OP1a"), {"version": "0", "f-headcount": "12.5"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "จำนวนเต็ม" in status
    client.post(profile_url(work_a, "OP1a"), {"version": "0", "f-headcount": "1,250"})
    assert answer(work_a, "OP1a").data["headcount"] == "1250"


def test_a_profile_tables_refused_cell_is_marked_and_named_by_the_row_the_page_shows(
    client, personas, work_a
):
    login(client, personas.editor_a)
    url = profile_url(work_a, "OP1b")
    long = "ก" * 301
    client.post(url, {"version": "0", "g-customers-1-group": "ประชาชน"})
    # A plain post: the blank row in between counts, so the third row is the one marked.
    page = client.post(
        url,
        {
            "version": "1",
            "g-customers-1-group": "ประชาชน",
            "g-customers-2-group": "",
            "g-customers-3-group": long,
            "f-structure": "โครงสร้างใหม่",
        },
    ).content.decode()
    assert 'id="g-customers-3-group" name="g-customers-3-group"' in page
    marked = page.split('id="g-customers-3-group"')[1].split(">")[0]
    assert 'aria-invalid="true"' in marked
    assert 'aria-invalid="true"' not in page.split('id="g-customers-2-group"')[1].split(">")[0]
    # An autosave with the first row ticked for removal: the page still numbers it 4.
    version = answer(work_a, "OP1b").version
    status = client.post(
        url,
        {
            "version": str(version),
            "g-customers-1-group": "ประชาชน",
            "g-customers-1-delete": "on",
            "g-customers-2-group": "ผู้ประกอบการ",
            "g-customers-3-group": "",
            "g-customers-4-group": long,
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "แถวที่ 4 ช่องกลุ่ม" in status and "ตารางนี้จะบันทึกเมื่อแก้ไขแล้ว" in status
    # The table was held back as a whole: the saved rows are those before.
    assert [row["group"] for row in answer(work_a, "OP1b").data["customers"]] == ["ประชาชน"]


def test_an_autosave_with_nothing_but_a_refused_value_saves_no_empty_version(
    client, personas, work_a
):
    login(client, personas.editor_a)
    status = client.post(
        profile_url(work_a, "OP1a"), {"version": "0", "f-budget": "abc"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "save-status invalid" in status and "งบประมาณ (บาท): กรุณากรอกตัวเลข" in status
    assert not Answer.objects.filter(assessment=work_a, key="OP1a", version__gt=0).exists()
