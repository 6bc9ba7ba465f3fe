"""A person's "my data" download as they receive it: one zip with the JSON for computers, kept as
it was (English keys, ISO times in UTC), and a page to read in Thai, every code in words, every
date B.E. and every time Thailand's."""

from __future__ import annotations

import datetime
import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from pmqa.accounts.models import User
from pmqa.api import tokens
from pmqa.audit import services as audit
from tests.builders import answer, login, narrative_post

# The machine-readable file's sections: a program reading it keeps working.
SECTIONS = {
    "exported_at",
    "account",
    "roles",
    "answers_saved",
    "evidence_added",
    "assessor_teams",
    "reviews",
    "questions_asked",
    "notifications",
    "notification_choices",
    "activity",
    "about_the_account",
    "api_tokens",
    "two_factor_devices",
    "e_mails_sent_to_you",
}


def _text(html: str) -> str:
    """The page's words, its spaces run together (a no-break space is kept: it holds a time
    and its "น." on one line)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def download(client, personas, work_a):
    """The editor's download, after they saved an answer, made a token and an administrator
    reset their second factor; their account made at 17:30 UTC on 26 November 2025, which is
    00:30 on the 27th in Thailand."""
    editor = personas.editor_a
    User.objects.filter(pk=editor.pk).update(
        date_joined=datetime.datetime(2025, 11, 26, 17, 30, tzinfo=datetime.UTC)
    )
    login(client, editor)
    version = answer(work_a, "1.1").version
    client.post(
        reverse("assessments:item", args=[work_a.pk, "1.1"]),
        narrative_post(version),
        HTTP_HX_REQUEST="true",
    )
    tokens.create_token(user=editor, name="ระบบสถิติ")
    audit.record(actor=personas.admin, action="otp.reset", obj=editor)
    response = client.post(reverse("privacy:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        f'attachment; filename="pmqa-personal-data-{editor.pk}.zip"'
    )
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_the_zip_holds_the_json_as_before_and_a_page_to_read(download, personas):
    assert sorted(download.namelist()) == ["personal-data.html", "personal-data.json"]
    data = json.loads(download.read("personal-data.json"))
    assert set(data) == SECTIONS
    assert data["account"]["joined"] == "2025-11-26T17:30:00+00:00"
    assert data["roles"][0]["role"] == "agency_editor"
    assert data["roles"][0]["organisation"] == personas.agency_a.code
    assert {row["action"] for row in data["activity"]} >= {"auth.login", "api.token.create"}


def test_the_page_reads_in_thai_with_be_dates_and_thailand_time(download, personas):
    html = download.read("personal-data.html").decode("utf-8")
    assert '<html lang="th">' in html
    text = _text(html)
    assert "ข้อมูลเกี่ยวกับ editor_a ที่ระบบประเมิน PMQA 4.0 เก็บไว้" in text
    assert "ไฟล์ personal-data.json ที่ดาวน์โหลดมาพร้อมกัน" in text
    # Thailand's time, a B.E. date: the UTC evening of the 26th is the 27th there.
    assert "สร้างบัญชีเมื่อ 27 พฤศจิกายน 2568 เวลา 00:30:00\u00a0น." in text
    # Codes in words: the role, the organisation, what was done and what it was about.
    assert "ผู้กรอกข้อมูลของหน่วยงาน จังหวัดนราธิวาส 1 มกราคม 2563" in text
    assert "เข้าสู่ระบบ" in text and "สร้างโทเคน API" in text
    assert "โทเคน API: ระบบสถิติ · editor_a" in text
    assert "การประเมิน: จังหวัดนราธิวาส · ปีงบประมาณ 2570" in text
    assert "ผู้ดูแลระบบรีเซ็ตการยืนยันตัวตนสองขั้นตอน admin_1" in text
    assert "1.1" in text and "บันทึกเมื่อ" in text
    # Nothing of the machine's form is left in what is read.
    assert not re.search(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|\+00:00|auth\.login|agency_editor", text)
    assert "TH-96" not in text


def test_a_section_with_nothing_in_it_says_so(download):
    text = _text(download.read("personal-data.html").decode("utf-8"))
    assert "หลักฐานที่ท่านเพิ่ม ไม่มีข้อมูล" in text
    assert "คำถามที่ท่านถาม ไม่มีข้อมูล" in text
