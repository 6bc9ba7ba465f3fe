"""The personal-data pages in a real browser: the cycle's evidence retention as its form
renders it (a wrong value, then saved twice, on a phone), and "My data" downloaded."""

from __future__ import annotations

import json
import zipfile

import pytest

from pmqa.assessments.models import Cycle
from tests.browser.harness import fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_sets_the_evidence_retention_on_a_phone(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    admin = person("admin-390", width=390, height=844)
    admin.login(personas.admin.username)
    admin.open(f"/manage/cycles/{work_a.cycle.fiscal_year}/")
    fits(admin, 390)
    page = admin.page
    field = "#retention input[name=evidence_retention_years]"
    page.fill(field, "0")
    admin.submit("#retention button[type=submit]")
    refusal = page.locator("#retention .errorlist").inner_text()
    assert "มากกว่าหรือเท่ากับ 1" in refusal, refusal
    assert Cycle.objects.get(pk=work_a.cycle.pk).evidence_retention_years is None
    admin.problems.clear()  # the refusal answered 400, as it should
    for years in ("5", "7"):
        page.fill(field, years)
        admin.submit("#retention button[type=submit]")
        assert "บันทึกระยะเวลาเก็บไฟล์หลักฐานแล้ว" in admin.text()
        assert page.input_value(field) == years
        assert Cycle.objects.get(pk=work_a.cycle.pk).evidence_retention_years == int(years)
    admin.check()
    fits(admin, 390)


def test_a_person_downloads_their_data_from_the_footer(
    reference_data,  # noqa: F811
    person,
    personas,
    tmp_path,
):
    editor = person("editor")
    editor.login(personas.editor_a.username)
    editor.open("/")
    editor.page.click("footer a[href='/privacy/']")
    assert "ประกาศความเป็นส่วนตัว" in editor.text()
    editor.page.click("a[href='/accounts/my-data/']")
    with editor.page.expect_download() as download:
        editor.page.click("main form button[type=submit]")
    assert download.value.suggested_filename == f"pmqa-personal-data-{personas.editor_a.pk}.zip"
    folder = tmp_path / "my-data"
    with zipfile.ZipFile(download.value.path()) as zipped:
        zipped.extractall(folder)
    data = json.loads((folder / "personal-data.json").read_text(encoding="utf-8"))
    assert data["account"]["username"] == personas.editor_a.username
    editor.check()
    editor.accessible()
    # The page to read, opened from the disk as the person would, on a desk and on a phone.
    for width in (1366, 390):
        reader = person(f"reader-{width}", width=width, height=844)
        reader.page.goto((folder / "personal-data.html").as_uri())
        reader.check()
        text = reader.page.inner_text("main")
        assert "ข้อมูลเกี่ยวกับ editor_a ที่ระบบประเมิน PMQA 4.0 เก็บไว้" in text
        assert "บทบาทของท่าน" in text and "ผู้กรอกข้อมูลของหน่วยงาน" in text
        assert "จังหวัดนราธิวาส" in text and "เข้าสู่ระบบ" in text
        assert "auth.login" not in text and "+00:00" not in text
        reader.accessible()
        fits(reader, width)
