"""The cycle's report settings as their form renders them, on a phone: saved twice, then
refused once a report of the cycle is published."""

from __future__ import annotations

import pytest

from pmqa.assessments.models import Assessment, Cycle
from tests.browser.harness import fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_sets_the_kind_of_report_until_one_is_published(
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
    for kind, chart in (("award", True), ("status", False)):
        page.select_option("#report select[name=report_type]", kind)
        page.set_checked("#report input[name=report_shows_chart]", chart)
        admin.submit("#report button[type=submit]")
        assert "บันทึกการตั้งค่ารายงานแล้ว" in admin.text()
        assert page.input_value("#report select[name=report_type]") == kind
        cycle = Cycle.objects.get(pk=work_a.cycle.pk)
        assert (cycle.report_type, cycle.report_shows_chart) == (kind, chart)

    # Once a report is published, its cycle's settings no longer change; the page says why.
    Assessment.objects.filter(pk=work_a.pk).update(status=Assessment.Status.PUBLISHED)
    page.select_option("#report select[name=report_type]", "award")
    admin.submit("#report button[type=submit]")
    assert "เผยแพร่แล้ว" in page.locator("#report").inner_text()
    assert Cycle.objects.get(pk=work_a.cycle.pk).report_type == "status"
    admin.problems.clear()  # the refusal answered 400, as it should
    fits(admin, 390)
