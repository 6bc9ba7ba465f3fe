"""Feedback Reports: the seeds' figures and texts in the PDF's text layer and in Excel, the
browser page and its permissions, Chromium missing, and the bulk command."""

import io
import math
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from pmqa.assessments.models import Assessment
from pmqa.demo.services import DEMO_PASSWORD
from pmqa.feedback.models import FeedbackEntry
from tests.builders import assert_each_text_once_under_its_heading, pdf_text, squash

pytestmark = pytest.mark.django_db

THAI_WORDS = ("สำนักงาน", "ผู้ตรวจ", "น้ำ", "ยั่งยืน")


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, verbosity=0)


def narathiwat():
    return Assessment.objects.get(organisation__code="TH-96", cycle__fiscal_year=2561)


def isoc():
    return Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563)


def download(client, name, assessment, **query):
    response = client.get(reverse(f"reports:{name}", args=[assessment.pk]), query)
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.fixture
def agency_client(client, demo):
    assert client.login(username="narathiwat.approver", password=DEMO_PASSWORD)
    return client


def test_the_narathiwat_short_report_pdf_holds_the_seed_figures_and_texts(agency_client):
    response = download(agency_client, "pdf", narathiwat(), layout="short")
    assert response["Content-Type"] == "application/pdf"
    assert "pmqa-2561-TH-96-short.pdf" in response["Content-Disposition"]
    text = pdf_text(response.content)
    for figure in ("443.10", "257.38", "3.54", "2.06", "326.67"):
        assert figure in text
    assert "จังหวัดนราธิวาส เป็นระบบราชการ" in text
    assert "หมวดที่ควรได้รับการพัฒนาอย่างเร่งด่วน คือ" in text
    # A status assessment writes its text's numerals in Thai, as the letter does.
    assert re.search(r"หน้า ๑ / [๐-๙]+", text)
    flat = squash(text)
    entries = FeedbackEntry.objects.filter(feedback__assessment=narathiwat())
    assert entries.count() > 10
    for entry in entries:
        assert squash(entry.text) in flat, entry.text[:60]
    assert "ผู้ตรวจ" in text and "ยั่งยืน" in text


def test_the_isoc_full_report_pdf_holds_the_seed_figures_texts_and_thai_words(client, demo):
    assert client.login(username="isoc.approver", password=DEMO_PASSWORD)
    text = pdf_text(download(client, "pdf", isoc(), layout="full").content)
    for figure in ("489.05", "434.48", "345.00"):
        assert figure in text
    # The award report prints no rating, as seed 000 prints none.
    assert "3.91" not in text and "เป็นระบบราชการ 3.48" not in text
    for word in THAI_WORDS:
        assert word in text, word
    flat = squash(text)
    feedback = isoc().feedback
    assert squash(feedback.conclusion) in flat
    for entry in feedback.entries.all():
        assert squash(entry.title + entry.text) in flat or (
            squash(entry.title) in flat and squash(entry.text) in flat
        ), entry.text[:60]
    assert squash("กอ.รมน. เป็นองค์กรหลักในการบูรณาการ") in flat  # the profile summary
    for code in ("1.1", "3.4", "6.4"):
        assert code in text


def test_thai_digits_are_a_per_report_option(agency_client):
    # Thai numerals in the text and page numbers; the tables keep Arabic figures ...
    text = pdf_text(
        download(agency_client, "pdf", narathiwat(), layout="full", digits="thai").content
    )
    assert re.search(r"หน้า ๒ / [๐-๙]+", text)  # the cover has no number
    assert "443.10" in text and "๔๔๓.๑๐" not in text
    # ... unless asked for everywhere.
    text = pdf_text(
        download(agency_client, "pdf", narathiwat(), layout="short", digits="all").content
    )
    assert "๔๔๓.๑๐" in text and "๒๕๗.๓๘" in text
    assert "443.10" not in text


def test_the_excel_report_holds_the_same_figures(agency_client):
    response = download(agency_client, "xlsx", narathiwat(), layout="short")
    book = load_workbook(io.BytesIO(response.content))
    assert {"ข้อมูลรายงาน", "คะแนนรายหมวด", "คะแนนรายข้อ", "จุดแข็งและข้อเสนอแนะ"} <= set(book.sheetnames)
    rows = list(book["คะแนนรายหมวด"].iter_rows(min_row=2, values_only=True))
    assert [Decimal(str(r[2])) for r in rows[:7]] == [
        Decimal(v) for v in ("450", "500", "450", "475", "475", "425", "326.67")
    ]
    assert [Decimal(str(r[3])) for r in rows[:7]] == [
        Decimal(v) for v in ("300", "350", "300", "150", "225", "150", "326.67")
    ]
    assert rows[7][2:4] == (443.10, 257.38)
    assert rows[8][2:4] == (3.54, 2.06)
    # No gap column unless the cycle prints it (the seed does not).
    assert rows[3][5] == "หมวดที่ควรได้รับการพัฒนาอย่างเร่งด่วน"
    assert "ส่วนต่าง" not in [c.value for c in book["คะแนนรายหมวด"][1]]
    info = book["ข้อมูลรายงาน"]
    # B.E. text in the Thai form, not a date cell that Excel could show in the Gregorian year.
    assert info["B4"].value == "26 พฤศจิกายน 2561" and info["B4"].data_type == "s"
    texts = [r[4] for r in book["จุดแข็งและข้อเสนอแนะ"].iter_rows(min_row=2, values_only=True)]
    first = FeedbackEntry.objects.filter(feedback__assessment=narathiwat(), kind="ofi").first()
    assert first.text in texts
    # The seed report has category scores only: the item sheet says so under its empty rows.
    item_rows = list(book["คะแนนรายข้อ"].iter_rows(min_row=2, values_only=True))
    assert item_rows[-1][1] == "ไม่มีคะแนนรายข้อของการประเมินนี้ในระบบ มีเฉพาะคะแนนรายหมวด"


def test_the_report_page_offers_downloads_and_respects_publication(client, demo):
    report = narathiwat()
    assert client.login(username="narathiwat.editor", password=DEMO_PASSWORD)
    page = download(client, "page", report).content.decode()
    assert "ดาวน์โหลด PDF" in page and "ดาวน์โหลด Excel" in page and "443.10" in page
    other = isoc()
    assert client.get(reverse("reports:page", args=[other.pk])).status_code == 404
    assert client.get(reverse("reports:pdf", args=[other.pk])).status_code == 404
    Assessment.objects.filter(pk=report.pk).update(status="report_approved")
    assert client.get(reverse("reports:page", args=[report.pk])).status_code == 404
    assert client.get(reverse("reports:xlsx", args=[report.pk])).status_code == 404
    client.logout()
    assert client.login(username="admin", password=DEMO_PASSWORD)
    assert client.get(reverse("reports:page", args=[report.pk])).status_code == 200
    assert client.get(reverse("reports:page", args=[other.pk])).status_code == 200


def test_without_chromium_the_pdf_page_and_the_command_give_the_install_command(
    agency_client, monkeypatch, tmp_path
):
    monkeypatch.setenv("PMQA_CHROMIUM", str(tmp_path / "no-such-browser"))
    response = agency_client.get(reverse("reports:pdf", args=[narathiwat().pk]))
    assert response.status_code == 503
    assert "apt-get install -y chromium" in response.content.decode()
    page = download(agency_client, "page", narathiwat()).content.decode()
    assert "apt-get install -y chromium" in page
    download(agency_client, "xlsx", narathiwat())  # everything else keeps working
    with pytest.raises(CommandError, match="apt-get install -y chromium"):
        call_command("build_reports", "--cycle", "2561", "--out", str(tmp_path / "out"))


def test_the_bulk_command_builds_resumes_and_lists_failures(demo, tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports"
    call_command("build_reports", "--cycle", "2561", "--layout", "short", "--out", str(out))
    first = capsys.readouterr().out
    assert "เขียนใหม่ 1" in first
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "pmqa-2561-TH-96-short.pdf",
        "pmqa-2561-TH-96-short.sha256",
        "pmqa-2561-TH-96-short.xlsx",
        "pmqa-2561-short.zip",
    ]
    assert "443.10" in pdf_text((out / "pmqa-2561-TH-96-short.pdf").read_bytes())
    call_command("build_reports", "--cycle", "2561", "--layout", "short", "--out", str(out))
    assert "เป็นปัจจุบันอยู่แล้ว 1" in capsys.readouterr().out

    from pmqa.reports import bulk

    real_build = bulk.build

    def failing(assessment, layout, **kwargs):
        if assessment.organisation.code == "TH-96":
            raise ValueError("ข้อมูลไม่ครบ")
        return real_build(assessment, layout, **kwargs)

    monkeypatch.setattr(bulk, "build", failing)
    with pytest.raises(SystemExit) as stop:
        call_command("build_reports", "--cycle", "2561", "--out", str(tmp_path / "again"))
    assert stop.value.code == 1
    output = capsys.readouterr().out
    assert "TH-96: ValueError: ข้อมูลไม่ครบ" in output


def test_the_radar_chart_is_deterministic_and_follows_the_scores():
    from pmqa.lib.charts import radar_svg

    rows = [(f"หมวด {n}", Decimal(100 * n if n < 6 else 450), Decimal(300)) for n in range(1, 8)]
    first, again = radar_svg(rows), radar_svg(rows)
    assert first == again
    assert "หมวด 7" in first and "ผู้ตรวจประเมิน" in first  # text stays text, in Sarabun
    assert "Sarabun" in first

    def vertices(gid):
        start = first.index('<path d="', first.index(f'id="{gid}"')) + len('<path d="')
        path = first[start : first.index('"', start)]
        return [tuple(map(float, p.split())) for p in re.findall(r"[ML] ([\d.]+ [\d.]+)", path)]

    ring = vertices("pmqa-line-1")[:7]  # all 300: a regular heptagon around the centre
    centre = (sum(x for x, _ in ring) / 7, sum(y for _, y in ring) / 7)
    own = [math.dist(centre, v) for v in vertices("pmqa-line-0")[:7]]
    verified = [math.dist(centre, v) for v in ring]
    assert own[:5] == sorted(own[:5]) and own[0] < own[4]
    assert max(verified) - min(verified) < 1e-3  # equal scores, equal radii


def test_profile_pages_print_what_was_stored_even_when_it_is_not_a_figure_or_date(db):
    from pmqa.reports.profile import profile_pages

    pages = profile_pages(
        {"OP1a": {"revenue": "0", "headcount": "1200", "headcount_as_of": "15/01/2563"}}, "กอ.รมน."
    )
    topics = {t.label: t.text for page in pages for t in page.topics}
    assert topics == {"รายได้ :": "ไม่มี", "จำนวนบุคลากร :": "1,200 คน"}
    pages = profile_pages({"OP1a": {"revenue": "ไม่ทราบ"}}, "")
    assert pages[0].topics[0].text == "ไม่ทราบ"


# ---------------------------------------------------------------------------------------------
# Every text the team writes, once, under its own heading, in every layout and format


def marked_report(assessment, kind):
    """The report's texts replaced by one marked text of every kind, and some items left
    without any, as the spec allows."""
    from pmqa.feedback import services

    assessment.cycle.report_type = kind
    assessment.cycle.save(update_fields=["report_type"])
    feedback = assessment.feedback
    feedback.entries.all().delete()
    blocks = {
        ("item", "1.1", "strength"): "มาร์คจุดแข็งข้อหนึ่งหนึ่ง",
        ("item", "1.1", "ofi"): "มาร์คโอกาสข้อหนึ่งหนึ่ง\n\nมาร์คโอกาสอีกข้อของหนึ่งหนึ่ง",
        ("item", "2.3", "ofi"): "มาร์คโอกาสข้อสองสาม",
        ("item", "7.2", "strength"): "มาร์คจุดแข็งข้อเจ็ดสอง",
        ("item", "7.2", "ofi"): "มาร์คโอกาสข้อเจ็ดสอง",
        ("category", "1", "strength"): "มาร์คจุดแข็งหมวดหนึ่ง",
        ("category", "3", "ofi"): "มาร์คโอกาสหมวดสาม",
        ("category", "7", "strength"): "มาร์คจุดแข็งหมวดเจ็ด",
        ("category", "7", "ofi"): "มาร์คโอกาสหมวดเจ็ด",
        ("pillar", "citizen_centric", "achievement"): "มาร์คผลงานประชาชน",
    }
    FeedbackEntry.objects.bulk_create(
        FeedbackEntry(feedback=feedback, scope=scope, key=key, kind=k, position=n, text=t)
        for (scope, key, k), text in blocks.items()
        for n, t in enumerate(services.split_paragraphs(text), start=1)
    )
    FeedbackEntry.objects.create(
        feedback=feedback,
        scope="overall",
        key="",
        kind="theme",
        position=1,
        title="มาร์คหัวข้อประเด็น",
        text="มาร์คประเด็นการพัฒนา",
    )
    feedback.conclusion = "มาร์คสรุปภาพรวม"
    feedback.save(update_fields=["conclusion"])
    strengths = [t for (_s, _k, k), t in blocks.items() if k == "strength"]
    ofis = [p for (_s, _k, k), t in blocks.items() if k == "ofi" for p in t.split("\n\n")]
    others = ["มาร์คผลงานประชาชน", "มาร์คประเด็นการพัฒนา", "มาร์คสรุปภาพรวม"]
    return strengths, ofis, others


@pytest.mark.parametrize("kind", ["status", "award"])
def test_every_text_prints_once_under_its_own_heading_in_every_layout_and_format(demo, kind):
    assessment = isoc()
    assert_each_text_once_under_its_heading(assessment, *marked_report(assessment, kind))


def test_the_cycle_page_sets_the_kind_of_report_and_its_verdicts_until_one_is_published(
    client, demo
):
    """The chart, the gap column and the level row print only when the cycle turns them on;
    once a report of the cycle is published, its settings no longer change."""
    from django.utils.html import strip_tags

    from pmqa.assessments.models import Cycle

    assert client.login(username="isoc.approver", password=DEMO_PASSWORD)
    page = strip_tags(download(client, "page", isoc()).content.decode())
    assert "ส่วนต่าง" not in page and "ระดับที่ผ่าน" not in page and "แผนภูมิ" not in page
    client.logout()
    admin = client
    assert admin.login(username="admin", password=DEMO_PASSWORD)
    isoc().cycle.assessments.update(status=Assessment.Status.REPORT_APPROVED)
    url = reverse("manage:cycle", args=[2563])
    form = {
        "form": "report",
        "report_type": "award",
        "report_shows_level": "on",
        "report_shows_gap": "on",
        "report_shows_chart": "on",
    }
    assert admin.post(url, form).status_code == 302
    cycle = Cycle.objects.get(fiscal_year=2563)
    assert cycle.report_shows_gap and cycle.report_shows_level and cycle.report_shows_chart
    page = strip_tags(download(admin, "page", isoc()).content.decode())
    assert "ส่วนต่าง" in page and "ระดับที่ผ่าน" in page and "แผนภูมิ" in page
    assert admin.post(url, {**form, "report_type": "bogus"}).status_code == 400
    # A published report never changes: the settings are refused, with the reason.
    Assessment.objects.filter(pk=isoc().pk).update(status=Assessment.Status.PUBLISHED)
    refused = admin.post(url, {"form": "report", "report_type": "status"})
    assert refused.status_code == 400
    assert "เผยแพร่แล้ว" in refused.content.decode()
    assert Cycle.objects.get(fiscal_year=2563).report_type == "award"
