"""An assessor on a phone: the review overview and the list of reviews stack each row as a card
(the own score and the deadline are read without scrolling sideways), and the header's and
breadcrumbs' links are big enough for a finger."""

from __future__ import annotations

import pytest

from tests.browser.harness import fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Links and controls of the header and breadcrumbs shorter than a finger's 44 px.
SMALL = """() => Array.from(document.querySelectorAll(
  "header.site a, header.site button, header.site select, .crumbs a, .subtabs a"
)).filter((e) => e.offsetParent !== null)
  .map((e) => [e.textContent.trim().slice(0, 30), Math.round(e.getBoundingClientRect().height)])
  .filter(([, height]) => height < 44)"""

# Tables that scroll sideways inside their box.
SCROLLERS = """() => Array.from(document.querySelectorAll(".table-wrap"))
  .filter((e) => e.scrollWidth > e.clientWidth + 1).length"""


def test_an_assessor_reads_the_overview_and_the_list_on_a_phone(
    reference_data,  # noqa: F811
    person,
    case,
):
    case.in_review()
    assessor = person("assessor-390", width=390, height=844)
    assessor.login(case.member.username)
    for path in ("/review/", f"/review/{case.assessment.pk}/"):
        assessor.open(path)
        fits(assessor, 390)
        assert assessor.page.evaluate(SCROLLERS) == 0, path
        assert assessor.page.evaluate(SMALL) == [], path
        assessor.accessible()
    # Each row's own score is shown with its column's name, where the header is hidden.
    own = assessor.page.locator("[data-testid='own-1.1']")
    assert own.is_visible()
    label = own.evaluate("(td) => getComputedStyle(td, '::before').content")
    assert "คะแนนของฉัน" in label
    assessor.open("/review/")
    due = assessor.page.locator("td[data-label='กำหนดส่ง']").first
    assert due.is_visible()
