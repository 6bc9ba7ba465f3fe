"""The whole loop in a real browser, each form as the page renders it: the administrator opens
a cycle, the agency answers every part and submits after one return, two assessors review, the
lead records the consensus and writes the report, the administrator approves and publishes,
and the agency reads and downloads it."""

from __future__ import annotations

import datetime
import re

import pytest

from pmqa.assessments.models import Answer, Assessment
from pmqa.feedback.models import Feedback
from pmqa.lib.thai import format_date_be_numeric
from tests.browser.harness import PROFILE, Person, fill_empty_fields, fits
from tests.builders import Case, assert_each_text_once_under_its_heading, open_round2

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROCESS = [f"{c}.{i}" for c in range(1, 7) for i in range(1, 5)]
RESULTS = [f"7.{i}" for i in range(1, 7)]


def be(day: datetime.date) -> str:
    return format_date_be_numeric(day)


def open_cycle(admin: Person, year: int) -> None:
    today = datetime.date.today()
    admin.open("/manage/cycles/")
    admin.accessible()
    page = admin.page
    page.fill("#id_fiscal_year", str(year))
    page.select_option("#id_edition", index=1)
    page.fill("#id_round1_opens_on", be(today - datetime.timedelta(days=1)))
    page.fill("#id_round1_closes_on", be(today + datetime.timedelta(days=30)))
    page.fill("#id_round2_opens_on", be(today))
    page.fill("#id_round2_closes_on", be(today + datetime.timedelta(days=60)))
    page.fill("#id_round2_threshold", "300")
    admin.submit("main form[method=post] button[type=submit]")
    assert str(year) in admin.text()


def answer_profile(editor: Person, home: str) -> None:
    for code in PROFILE:
        editor.open(f"{home}profile/{code}/")
        fill_empty_fields(editor.page)
        editor.submit("button[value=next]")


def answer_process(editor: Person, home: str, codes: list[str]) -> None:
    for code in codes:
        editor.open(f"{home}items/{code}/")
        fill_empty_fields(editor.page, text=f"แนวทางการดำเนินการข้อ {code} [แผนยุทธศาสตร์]")
        editor.submit("button[value=next]")


def answer_results(editor: Person, home: str) -> None:
    for code in RESULTS:
        editor.open(f"{home}items/{code}/")
        page = editor.page
        page.fill("#k-1-name", f"ร้อยละความสำเร็จของงานข้อ {code}")
        page.fill("#k-1-unit", "ร้อยละ")
        for year, value in (("2569", "70"), ("2570", "75"), ("2571", "82")):
            page.fill(f"#k-1-value_{year}", value)
        page.fill("#k-1-band_0", "60")
        page.fill("#k-1-band_500", "90")
        editor.submit("button[value=next]")


def test_the_whole_loop_in_a_browser(reference_data, person, personas):
    admin = person("admin")
    admin.login(personas.admin.username)
    open_cycle(admin, 2571)

    # The agency: start, answer every part, cite evidence, see autosave.
    editor = person("editor")
    editor.login(personas.editor_a.username)
    # Thai, although the browser asks for English.
    assert "ออกจากระบบ" in editor.page.inner_text("header")
    editor.accessible()
    editor.submit("main form[action*='/start/'] button")
    assessment = Assessment.objects.get(cycle__fiscal_year=2571, organisation=personas.agency_a)
    home = f"/agency/assessments/{assessment.pk}/"
    assert editor.page.url.endswith(home)
    editor.accessible()

    editor.open(f"{home}evidence/")
    editor.page.fill("#link-label", "แผนยุทธศาสตร์")
    editor.page.fill("#url", "https://example.org/plan")
    editor.submit("form:has(#link-label) button[type=submit]")
    assert "แผนยุทธศาสตร์" in editor.text()

    answer_profile(editor, home)
    # Autosave: a change saves itself and says so.
    editor.open(f"{home}items/1.1/")
    editor.accessible()
    editor.page.locator("ul.checkpoints input[type=checkbox]").first.check()
    editor.page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('บันทึกแล้ว')"
    )
    editor.check()
    answer_process(editor, home, PROCESS)
    answer_results(editor, home)
    editor.open(f"{home}items/7.1/")
    editor.accessible()
    assert "ตัวชี้วัด" in editor.text()
    assert editor.page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert Answer.objects.get(assessment=assessment, key="1.1").data["evidence"]

    # The approver returns it once, then submits.
    approver = person("approver")
    approver.login(personas.approver_a.username)
    approver.open(f"{home}submit/")
    approver.accessible()
    approver.page.fill("#id_reason", "กรุณาทบทวนตัวชี้วัดหมวด 7 อีกครั้ง")
    approver.submit("form[action$='/return/'] button")
    editor.open(home)
    assert "กรุณาทบทวนตัวชี้วัดหมวด 7 อีกครั้ง" in editor.text()
    approver.open(f"{home}submit/")
    assert "สิ่งที่จะถือเป็นข้อยุติ" in approver.text()
    approver.submit("main form:not([action]) button[type=submit]")
    assessment.refresh_from_db()
    assert assessment.status == "submitted"

    # OPDC finds the assessment with the list's filters, ticks it and assigns the team; a
    # team without its lead first.
    admin.open("/manage/assignments/")
    admin.accessible()
    # Drafts are listed too (a team can be named ahead): the submitted one is chosen.
    admin.page.fill("#id_q", assessment.organisation.name_th)
    admin.page.select_option("#id_status", "submitted")
    admin.page.check("#id_unassigned")
    admin.submit("main form[method=get] button[type=submit]")
    assert "unassigned=on" in admin.page.url
    ticks = admin.page.locator("#team-form input[name=assessment]")
    assert ticks.count() == 1
    ticks.first.check()
    admin.page.select_option("#team-members", [str(personas.assessor.pk)])
    admin.submit("#team-form button[type=submit]")
    assert "กรุณาเลือกหัวหน้าทีม" in admin.text()
    assert ticks.first.is_checked()
    admin.page.select_option("#team-lead", str(personas.lead.pk))
    admin.submit("#team-form button[type=submit]")
    assert "unassigned=on" in admin.page.url
    assessment.refresh_from_db()
    assert assessment.status == "in_review"

    # Both assessors review independently.
    for user in (personas.assessor, personas.lead):
        reviewer = person(user.username)
        reviewer.login(user.username)
        reviewer.open(f"/review/{assessment.pk}/")
        reviewer.accessible()
        for code in PROCESS + RESULTS:
            reviewer.open(f"/review/{assessment.pk}/items/{code}/")
            if code == "1.1":
                reviewer.accessible()
            boxes = reviewer.page.locator("input[name=tick-basic]")
            if boxes.count() and not boxes.first.is_checked():
                boxes.first.check()
            # A KPI's score field starts empty: the assessor gives their own.
            for field in reviewer.page.locator("input[name^='kpi-']").all():
                assert field.input_value() == ""
                field.fill("400")
            reviewer.page.fill("#strengths", f"จุดแข็งข้อ {code}")
            reviewer.page.fill("#ofis", f"ควรพัฒนาข้อ {code}")
            reviewer.submit("button[value=save]")
            assert "บันทึกแล้ว" in reviewer.text()
        reviewer.open(f"/review/{assessment.pk}/submit/")
        assert "สิ่งที่จะถือเป็นข้อยุติ" in reviewer.text()
        reviewer.submit("main form button[type=submit]")
    lead = reviewer

    # The lead records the consensus and writes the report.
    lead.open(f"/review/{assessment.pk}/consensus/")
    lead.accessible()
    for field_ in lead.page.locator("input[name^=reason-]").all():
        field_.fill("มติที่ประชุมทีม")
    lead.submit("button[value=finalise]")
    assert "สิ่งที่จะถือเป็นข้อยุติ" in lead.text()
    lead.submit("main form button[type=submit]")
    assessment.refresh_from_db()
    assert assessment.status == "consensus"
    lead.open(f"/review/{assessment.pk}/feedback/")
    lead.accessible()
    lead.submit("button[value=prefill]")
    lead.page.fill("#conclusion", "ผ่านระดับพื้นฐาน ควรพัฒนาสู่ระดับก้าวหน้า")
    lead.submit("button[value=submit]")
    # Saved, then the confirmation (what is missing is listed there: tests/test_reviews.py).
    lead.accessible()
    assert Feedback.objects.get(assessment=assessment).status == "draft"
    lead.submit("main form button[type=submit]")
    assert Feedback.objects.get(assessment=assessment).status == "submitted"
    # The lead reads the report as the agency will receive it.
    lead.open(f"/reports/{assessment.pk}/")
    assert "ผ่านระดับพื้นฐาน ควรพัฒนาสู่ระดับก้าวหน้า" in lead.page.inner_text("body")

    # OPDC approves (confirmed) and publishes.
    admin.open(f"/manage/reports/{assessment.pk}/")
    admin.accessible()
    admin.submit(f"a[href$='/manage/reports/{assessment.pk}/approve/']")
    admin.submit("main form button[type=submit]")
    assert Feedback.objects.get(assessment=assessment).status == "approved"
    admin.open(f"/manage/reports/{assessment.pk}/publish/")
    assert "สิ่งที่จะถือเป็นข้อยุติ" in admin.text()
    admin.submit("main form button[type=submit]")
    assessment.refresh_from_db()
    assert assessment.status == "published"

    # The agency reads the report and downloads it.
    editor.open(home)
    editor.submit(f"a[href$='/reports/{assessment.pk}/']")
    assert "ผ่านระดับพื้นฐาน ควรพัฒนาสู่ระดับก้าวหน้า" in editor.page.inner_text("body")
    editor.accessible()
    for kind in ("pdf", "xlsx"):
        with editor.page.expect_download() as download:
            editor.page.locator(f"a[href*='/{kind}/']").first.click()
        assert re.search(rf"\.{kind}$", download.value.suggested_filename)
    editor.check()

    # The agency's own dashboard: its published total and next year's KPI.
    editor.open("/agency/")
    assert "ตัวชี้วัด PMQA ปีงบประมาณ 2572" in editor.text()
    editor.accessible()

    # Anyone, without logging in, reads the published results as open data.
    public = person("public", width=390, height=844)
    public.open("/open-data/")
    public.accessible()
    fits(public, 390)
    # The cycle's rounds are still open: its results are not open data yet.
    assert not public.page.locator("a[href$='2571.csv']").count()
    assert "mean_total" in public.text()


def test_a_phone_fills_the_kpi_table_with_a_wrong_value_and_saves_twice(
    reference_data, person, personas, work_a
):
    editor = person("editor-390", width=390, height=844)
    editor.login(personas.editor_a.username)
    home = f"/agency/assessments/{work_a.pk}/"
    editor.open(f"{home}items/7.1/")
    fits(editor, 390)
    page = editor.page
    page.fill("#k-1-name", "ร้อยละของเรื่องร้องเรียนที่แก้ไขเสร็จ")
    page.fill("#k-1-unit", "ร้อยละ")
    page.fill("#k-1-value_2568", "abc")
    page.fill("#k-1-value_2569", "80")
    page.fill("#k-1-band_0", "60")
    page.fill("#k-1-band_500", "95")
    page.locator("#k-1-band_500").blur()
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('ยกเว้นค่าที่แจ้งไว้')"
    )
    assert "กรุณากรอกตัวเลข" in editor.text()
    editor.check()
    # The rest was saved: after a reload the KPI is there, the wrong value is not.
    editor.open(f"{home}items/7.1/")
    assert page.input_value("#k-1-name") == "ร้อยละของเรื่องร้องเรียนที่แก้ไขเสร็จ"
    assert page.input_value("#k-1-value_2568") == ""
    assert page.input_value("#k-1-value_2569") == "80"
    # Saved twice through the page's own button: each save a new version, no conflict.
    for value in ("82", "85"):
        page.fill("#k-1-value_2570", value)
        editor.submit("button[value=save]")
        assert page.input_value("#k-1-value_2570") == value
        assert "ไม่ได้บันทึก" not in editor.text()
    fits(editor, 390)
    editor.accessible()
    editor.open(f"{home}items/1.1/")
    fits(editor, 390)
    page.locator("ul.checkpoints input[type=checkbox]").first.check()
    # Ticking a box autosaves; pressing "save and go on" straight after is no conflict.
    editor.submit("button[value=next]")
    assert page.url.endswith("/items/1.2/")
    assert "ไม่ได้บันทึก" not in editor.text()


def test_a_phone_fills_the_profile_with_a_wrong_figure_and_the_rest_saves(
    reference_data, person, personas, work_a
):
    """Every profile section reads on a phone, its tables one row under another; a wrong
    budget is named in the status line and the other fields are saved meanwhile."""
    editor = person("editor-390", width=390, height=844)
    editor.login(personas.editor_a.username)
    home = f"/agency/assessments/{work_a.pk}/"
    for code in ("OP1a", "OP1b", "OP2a", "OP2b", "OP2c"):
        editor.open(f"{home}profile/{code}/")
        fits(editor, 390)
    editor.open(f"{home}profile/OP1a/")
    page = editor.page
    page.fill("#f-budget", "abc")
    page.fill("#f-vision", "เป็นองค์กรที่ประชาชนไว้วางใจ")
    page.locator("#f-vision").blur()
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('ยกเว้นค่าที่แจ้งไว้')"
    )
    assert "งบประมาณ (บาท): กรุณากรอกตัวเลข" in editor.text()
    editor.check()
    editor.open(f"{home}profile/OP1a/")
    assert page.input_value("#f-vision") == "เป็นองค์กรที่ประชาชนไว้วางใจ"
    assert page.input_value("#f-budget") == ""
    editor.accessible()


def test_an_assessor_reviews_an_item_on_a_phone(reference_data, person, personas, work_a):
    case = Case(personas, work_a)
    assessment = case.in_review()
    assessor = person("assessor-390", width=390, height=844)
    assessor.login(personas.assessor.username)
    # The profile as submitted, then an item of each kind.
    assessor.open(f"/review/{assessment.pk}/profile/")
    fits(assessor, 390)
    assessor.accessible()
    for code in ("1.1", "7.1"):
        assessor.open(f"/review/{assessment.pk}/items/{code}/")
        fits(assessor, 390)
    assessor.accessible()
    assessor.page.fill("#strengths", "มีการสื่อสารทิศทางอย่างสม่ำเสมอ")
    assessor.page.click("details:has(#override) > summary")
    assessor.page.fill("#override", "๖๐๐")
    assessor.submit("button[value=save]")
    # A wrong score is marked on its field; what was typed stays.
    assert "กรุณากรอกคะแนนตั้งแต่ 0 ถึง 500" in assessor.text()
    assert assessor.page.input_value("#strengths") == "มีการสื่อสารทิศทางอย่างสม่ำเสมอ"
    fits(assessor, 390)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_other_forms_each_as_its_page_renders_it(
    reference_data, person, personas, work_a, tmp_path, settings
):
    """The forms the whole loop does not pass through, each used as its person would: a
    question and its answer, an evidence file, a restored version, the Excel round trip,
    round dates and an extension, round 2, a correction after publication, the what-if page
    and the language switch."""

    settings.MEDIA_ROOT = tmp_path
    today = datetime.date.today()
    case = Case(personas, work_a)
    editor = person("editor")
    editor.login(personas.editor_a.username)
    home = f"/agency/assessments/{work_a.pk}/"

    # Evidence: a file uploaded, then a second one deleted.
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(PDF)
    for label in ("แผนปฏิบัติการ", "ฉบับร่าง"):
        editor.open(f"{home}evidence/")
        editor.page.fill("#file-label", label)
        editor.page.set_input_files("#file", str(pdf))
        editor.submit("form:has(#file) button[type=submit]")
        assert label in editor.text()
    editor.accessible()
    editor.submit("tr:has-text('ฉบับร่าง') form[action$='/delete/'] button")
    assert "ฉบับร่าง" not in editor.page.inner_text("main table")

    # A version restored from the history.
    for words in ("การประชุมทุกเดือน", "การประชุมทุกสัปดาห์"):
        editor.open(f"{home}items/3.1/")
        editor.page.fill("textarea[name='n-basic-approach']", words)
        editor.submit("button[value=save]")
    editor.open(f"{home}history/3.1/")
    editor.accessible()
    editor.submit("a[href*='?revision=']")
    editor.submit("form[action*='/restore/'] button")
    assert editor.page.input_value("textarea[name='n-basic-approach']") == "การประชุมทุกเดือน"

    # The Excel round trip: the downloaded workbook imported back as it is.
    editor.open(f"{home}excel/import/")
    with editor.page.expect_download() as download:
        editor.page.locator(f"a[href$='{home}excel/']").first.click()
    workbook = tmp_path / "answers.xlsx"
    download.value.save_as(workbook)
    editor.page.set_input_files("#file", str(workbook))
    editor.submit("main form button[type=submit]")
    assert "ไม่มีส่วนใดเปลี่ยน" in editor.text()  # as it was downloaded: nothing changed
    editor.accessible()

    # OPDC moves the round's dates and extends it for the agency.
    admin = person("admin")
    admin.login(personas.admin.username)
    admin.open(f"/manage/cycles/{work_a.cycle.fiscal_year}/")
    admin.accessible()
    admin.page.fill("#id_closes_on", be(today + datetime.timedelta(days=25)))
    admin.submit("form:has(input[value=round]) button")
    admin.page.fill("#id_q", personas.agency_a.code)
    admin.submit("main form[method=get] button[type=submit]")
    admin.submit(f"a[href='?extend={personas.agency_a.code}#extension']")
    assert admin.page.input_value("#id_organisation") == personas.agency_a.code
    admin.page.fill(
        "form:has(input[value=extension]) input[name=closes_on]",
        be(today + datetime.timedelta(days=40)),
    )
    admin.page.fill("form:has(input[value=extension]) textarea", "น้ำท่วมพื้นที่")
    admin.submit("form:has(input[value=extension]) button")
    assert "น้ำท่วมพื้นที่" in admin.text()

    # A question from the assessor, answered by the agency.
    work_a.cycle.round2_threshold = 300
    work_a.cycle.save()
    open_round2(work_a.cycle)
    assessment = case.in_review()
    member = person("assessor")
    member.login(personas.assessor.username)
    member.open(f"/review/{assessment.pk}/items/1.2/")
    member.page.fill("#question", "ขอแผนการสื่อสารฉบับเต็ม")
    member.submit("form[action$='/ask/'] button")
    editor.open(home)
    # The answer that carries the document asked for (the second question: the first is the
    # one the case's member asked, answered first).
    editor.page.locator("textarea[name=answer]").first.fill("แนบไว้ในหลักฐานแล้ว")
    editor.submit("form[action*='/answer/'] button")
    assert "แนบไว้ในหลักฐานแล้ว" in editor.text()
    editor.page.locator("textarea[name=answer]").first.fill("แผนการสื่อสารฉบับเต็มตามไฟล์แนบ")
    editor.page.locator("form[action*='/answer/'] input[type=file]").first.set_input_files(str(pdf))
    editor.submit("form[action*='/answer/'] button")
    assert "plan.pdf" in editor.text()
    member.open(f"/review/{assessment.pk}/items/1.2/")
    assert "plan.pdf" in member.text()

    # Published, then round 2: the agency uploads, the team scores, the lead records it.
    case.published()
    editor.open(f"/agency/assessments/{assessment.pk}/round2/")
    editor.accessible()
    editor.page.set_input_files("#file", str(pdf))
    editor.submit("main form button[type=submit]")
    for who, score in ((member, "340"), (None, "350")):
        if who is None:
            who = person("lead")
            who.login(personas.lead.username)
        who.open(f"/review/{assessment.pk}/round2/")
        who.page.fill("#score", score)
        who.submit("main form:has(#score) button")
    lead = who
    lead.submit("main form:has(input[value=finalise]) button")
    assert "345.00" in lead.text()

    # The published report read on a phone fits its screen.
    phone = person("editor-390", width=390, height=844)
    phone.login(personas.editor_a.username)
    for layout in ("full", "short"):
        for digits in ("arabic", "all"):
            phone.open(f"/reports/{assessment.pk}/?layout={layout}&digits={digits}")
            fits(phone, 390)

    # A correction after publication, with its reason.
    admin.open(f"/manage/reports/{assessment.pk}/revise/")
    admin.accessible()
    admin.page.fill("#id_reason", "แก้ไขตามผลการพิจารณาอุทธรณ์")
    admin.page.fill("#id_score-1\\.1", "450")
    admin.submit("main form button[type=submit]")
    assert "บันทึกฉบับแก้ไขครั้งที่ 1 แล้ว" in admin.text()

    # The what-if page and the language switch.
    editor.open("/what-if/")
    editor.accessible()
    editor.page.fill("#category_7", "400")
    editor.page.wait_for_function("() => !document.querySelector('.htmx-request')")
    editor.check()
    with editor.page.expect_navigation():
        editor.page.select_option("header select[name=language]", "en")
    assert "Log out" in editor.page.inner_text("header")
    editor.check()


def saved_twice(person: Person, path: str, field: str, button: str, values: tuple[str, str]):
    """A form page loaded, changed and saved with its own button, twice; each time the value
    is there after a reload and the page shows no conflict or refusal."""
    for value in values:
        person.open(path)
        person.page.fill(field, value)
        person.submit(button)
        assert "ไม่ได้บันทึก" not in person.text(), path
        assert not person.page.locator("main .errorlist, main .error-text").count(), path
        person.open(path)
        assert person.page.input_value(field).removesuffix(".00") == value, path


def test_every_form_page_saved_twice(reference_data, person, personas, work_a, tmp_path):
    """Each page the whole loop saves once, saved twice as it renders: a profile section, an
    item, an assessor's item, the consensus scores and the report."""

    case = Case(personas, work_a)
    home = f"/agency/assessments/{work_a.pk}/"
    editor = person("editor")
    editor.login(personas.editor_a.username)
    saved_twice(
        editor,
        f"{home}profile/OP1a/",
        "#answer-form textarea >> nth=0",
        "button[value=save]",
        ("ให้บริการประชาชนในพื้นที่", "ให้บริการประชาชนทั่วทั้งจังหวัด"),
    )
    saved_twice(
        editor,
        f"{home}items/2.1/",
        "textarea[name='n-basic-approach']",
        "button[value=save]",
        ("ทบทวนแผนทุกไตรมาส", "ทบทวนแผนทุกเดือน"),
    )

    assessment = case.in_review()
    member = person("assessor")
    member.login(personas.assessor.username)
    saved_twice(
        member,
        f"/review/{assessment.pk}/items/1.1/",
        "#strengths",
        "button[value=save]",
        ("มีการถ่ายทอดทิศทาง", "มีการถ่ายทอดทิศทางทุกระดับ"),
    )

    case.reviewed()
    lead = person("lead")
    lead.login(personas.lead.username)
    saved_twice(
        lead,
        f"/review/{assessment.pk}/consensus/",
        "input[name^='score-'] >> nth=0",
        "main button:not([value])",
        ("110", "120"),
    )
    case.consensus()
    saved_twice(
        lead,
        f"/review/{assessment.pk}/feedback/",
        "#conclusion",
        "button[value=save]",
        ("ผ่านระดับพื้นฐาน", "ผ่านระดับพื้นฐาน ควรพัฒนาสู่ระดับก้าวหน้า"),
    )
    for number in range(1, 8):
        lead.page.fill(f"#category-{number}-strength", f"จุดแข็งของหมวด {number}")
        lead.page.fill(f"#category-{number}-ofi", f"สิ่งที่ควรพัฒนาของหมวด {number}")
    lead.submit("button[value=submit]")
    lead.submit("main form button[type=submit]")

    # OPDC returns the report with a comment; the lead reads it on the report page.
    admin = person("admin")
    admin.login(personas.admin.username)
    admin.open(f"/manage/reports/{assessment.pk}/")
    admin.page.fill("#comment", "โปรดเพิ่มข้อเสนอแนะหมวด 7")
    admin.submit("button[value=return]")
    lead.open(f"/review/{assessment.pk}/feedback/")
    assert "โปรดเพิ่มข้อเสนอแนะหมวด 7" in lead.text()
    lead.accessible()


def test_the_administrators_other_forms(reference_data, person, personas, work_a, tmp_path):
    """Teams from a CSV file (a wrong one first), a copy of the criteria edition, a cycle
    created twice for the same year."""

    case = Case(personas, work_a)
    case.submitted()
    admin = person("admin")
    admin.login(personas.admin.username)

    wrong = tmp_path / "wrong.csv"
    wrong.write_text("หน่วยงาน,ปี\nTH-96,2570\n", encoding="utf-8")
    good = tmp_path / "teams.csv"
    good.write_text(
        "organisation,fiscal_year,username,role\n"
        f"TH-96,2570,{personas.lead.username},lead\n"
        f"TH-96,2570,{personas.assessor.username},member\n",
        encoding="utf-8",
    )
    admin.open("/manage/assignments/")
    admin.page.set_input_files("#csv", str(wrong))
    admin.submit("form:has(#csv) button[type=submit]")
    assert "organisation,fiscal_year,username,role" in admin.text()
    admin.page.set_input_files("#csv", str(good))
    admin.submit("form:has(#csv) button[type=submit]")
    assert case.refresh().status == "in_review"
    assert {(a.assessor, a.is_lead) for a in case.assessment.assignments.all()} == {
        (personas.lead, True),
        (personas.assessor, False),
    }

    admin.open("/criteria/pmqa40/")
    admin.accessible()
    admin.page.click("details:has(#id_code) > summary")
    admin.page.fill("#id_code", "pmqa40 ฉบับใหม่")
    admin.submit("form[action$='/copy/'] button")
    assert admin.page.locator("#id_code + .errorlist, .errorlist").count()
    admin.page.fill("#id_code", "pmqa40-2571")
    admin.page.fill("#id_name_th", "เกณฑ์ PMQA 4.0 ฉบับปี 2571")
    admin.submit("form[action$='/copy/'] button")
    assert admin.page.url.endswith("/criteria/pmqa40-2571/")
    assert "เกณฑ์ PMQA 4.0 ฉบับปี 2571" in admin.text()

    # The cycle's statistics, filtered with the page's own form; a wrong filter is refused.
    admin.open("/manage/statistics/2570/")
    admin.accessible()
    admin.page.select_option("#id_type", "province")
    admin.page.check("#id_synthetic")
    admin.submit("main form[method=get] button")
    assert "type=province" in admin.page.url
    assert "คะแนนรวมรอบที่ 1 ที่ผ่านการตรวจประเมิน" in admin.text()
    admin.open("/manage/statistics/2570/?type=planet")
    assert admin.page.locator(".errorlist").count()

    # Next year's KPI rule set: a wrong range first, then saved twice as new versions.
    admin.open("/manage/kpi/2571/rules/")
    admin.accessible()
    admin.page.fill("#id_type2_prior_from", "360")
    admin.page.fill("#id_reason", "ปรับช่วงคะแนน")
    admin.submit("main form[method=post] button")
    assert "แบบที่ 2 ต้องเริ่มที่ 350.00" in admin.text()
    for minimum, reason in (("245", "ตามมติคณะกรรมการ"), ("250", "แก้ไขตามข้อสังเกต")):
        admin.open("/manage/kpi/2571/rules/")
        admin.page.fill("#id_type1_minimum", minimum)
        admin.page.fill("#id_reason", reason)
        admin.submit("main form[method=post] button")
        assert reason in admin.text()
    assert admin.page.input_value("#id_type1_minimum") == "250"
    admin.open("/manage/kpi/2571/")
    admin.accessible()

    open_cycle(admin, 2572)
    admin.open("/manage/cycles/")
    admin.page.fill("#id_fiscal_year", "2572")
    admin.page.select_option("#id_edition", index=1)
    admin.submit("main form[method=post] button[type=submit]")
    assert admin.page.locator(".errorlist").count()


def test_a_password_changed_and_reset(reference_data, person, personas, mailoutbox):
    editor = person("editor")
    editor.login(personas.editor_a.username)
    editor.submit("header a[href$='/password_change/']")
    editor.accessible()
    page = editor.page
    for current, said in (
        ("a-wrong-password", "รหัสผ่านปัจจุบันไม่ถูกต้อง"),
        ("a-long-test-password", "เปลี่ยนรหัสผ่านเรียบร้อยแล้ว"),
    ):
        page.fill("#id_old_password", current)
        page.fill("#id_new_password1", "ระบบประเมิน-2570")
        page.fill("#id_new_password2", "ระบบประเมิน-2570")
        editor.submit("main button[type=submit]")
        assert said in editor.text()
    editor.submit("header form[action$='/logout/'] button")

    # Forgotten: a reset link by e-mail; a mismatched and a too-short password first.
    editor.open("/accounts/password_reset/")
    editor.accessible()
    page.fill("#id_email", personas.editor_a.email)
    editor.submit("main button[type=submit]")
    link = re.search(r"http://\S+/accounts/reset/\S+/", mailoutbox[-1].body).group(0)
    editor.page.goto(link)
    editor.check()
    for first, second, said in (
        ("ยาวพอแล้ว-2570", "ไม่ตรงกัน-2570", "ไม่ตรงกัน"),
        ("1234", "1234", "สั้นเกินไป"),
    ):
        page.fill("#id_new_password1", first)
        page.fill("#id_new_password2", second)
        editor.submit("main button[type=submit]")
        assert said in editor.text()
    editor.accessible()
    page.fill("#id_new_password1", "รหัสใหม่ของฉัน-2570")
    page.fill("#id_new_password2", "รหัสใหม่ของฉัน-2570")
    editor.submit("main button[type=submit]")
    editor.login(personas.editor_a.username, "รหัสใหม่ของฉัน-2570")
    assert "ออกจากระบบ" in editor.page.inner_text("header")


def test_a_lead_writes_the_whole_report_previews_it_and_sends_it_when_complete(
    reference_data, person, personas, work_a
):
    """An award report written through the lead's page: item strengths and opportunities,
    category texts, category 7 and its items, pillars, conclusion and a theme. Sending is
    refused while one item has no opportunity for improvement (the page links to its box),
    then confirmed; OPDC approves (confirmed) and publishes. Each text is then printed once,
    under its own heading, in both layouts, as HTML, PDF and Excel."""
    from pmqa.assessments.answers import criteria_tree
    from pmqa.criteria.models import Pillar

    case = Case(personas, work_a)
    assessment = case.consensus()
    assessment.cycle.report_type = "award"
    assessment.cycle.save(update_fields=["report_type"])
    tree = criteria_tree(assessment.cycle.edition)
    codes = [item.code for category in tree for item in category.items.all()]
    strengths = {"1.1": "ผู้บริหารถ่ายทอดทิศทางถึงทุกระดับ", "7.2": "ผลความพึงพอใจสูงขึ้นต่อเนื่อง"}
    ofis = {code: f"ข้อ {code} ควรวัดผลและปรับปรุงอย่างเป็นระบบ" for code in codes if code != "6.4"}
    category = {"category-3-strength": "หมวดสามเด่นด้านการรับฟังเสียงประชาชน"}
    category_ofis = {"category-7-ofi": "ควรกำหนดค่าเป้าหมายให้ท้าทายกว่าผลปีที่ผ่านมา"}
    pillars = {
        f"pillar-{p.code}": f"ผลงานเด่นด้าน {p.name_th}"
        for p in Pillar.objects.filter(edition=assessment.cycle.edition)
    }
    others = [
        *pillars.values(),
        "ผ่านระดับพื้นฐาน ควรพัฒนาสู่ระดับก้าวหน้า",
        "ควรใช้ข้อมูลในการตัดสินใจทุกระดับ",
    ]

    lead = person("lead")
    lead.login(personas.lead.username)
    lead.open(f"/review/{assessment.pk}/feedback/")
    lead.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    for code, text in strengths.items():
        lead.page.fill(f"[id='item-{code}-strength']", text)
    for code, text in ofis.items():
        lead.page.fill(f"[id='item-{code}-ofi']", text)
    for box, text in {**category, **category_ofis, **pillars}.items():
        lead.page.fill(f"#{box}", text)
    lead.page.fill("#conclusion", others[-2])
    lead.page.fill("#theme-1-title", "การใช้ข้อมูล")
    lead.page.fill("textarea[name='theme-1-text']", others[-1])
    lead.submit("button[value=submit]")

    # Refused: item 6.4 has no opportunity for improvement; the link leads to its box.
    assert lead.page.locator("main form button[type=submit]").count() == 0
    lead.accessible()
    lead.submit("main a[href$='#item-6.4-ofi']")
    assert Feedback.objects.get(assessment=assessment).status == "draft"
    lead.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    ofis["6.4"] = "ข้อ 6.4 ควรวิเคราะห์ต้นทุนของกระบวนการหลัก"
    lead.page.fill("[id='item-6.4-ofi']", ofis["6.4"])
    lead.submit("button[value=save]")

    # The preview is the report as the agency will receive it.
    lead.submit(f"main a[href$='/reports/{assessment.pk}/']")
    assert "ข้อ 6.4 ควรวิเคราะห์ต้นทุนของกระบวนการหลัก" in lead.page.inner_text("body")
    lead.open(f"/review/{assessment.pk}/feedback/")
    lead.submit("button[value=submit]")
    lead.submit("main form button[type=submit]")
    assert Feedback.objects.get(assessment=assessment).status == "submitted"

    admin = person("admin")
    admin.login(personas.admin.username)
    admin.open(f"/manage/reports/{assessment.pk}/")
    admin.submit(f"a[href$='/manage/reports/{assessment.pk}/approve/']")
    admin.accessible()
    admin.submit("main form button[type=submit]")
    admin.open(f"/manage/reports/{assessment.pk}/publish/")
    admin.submit("main form button[type=submit]")
    assessment.refresh_from_db()
    assert assessment.status == "published"

    assert_each_text_once_under_its_heading(
        assessment,
        list(strengths.values()) + list(category.values()),
        list(ofis.values()) + list(category_ofis.values()),
        others,
    )
