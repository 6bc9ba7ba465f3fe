"""The Government rating says what it is where a screen first shows it (the total ÷ 125, 0–4);
the printed report keeps the letter's own wording."""

import re

import pytest
from django.urls import reverse

from tests.builders import complete_assessment, item_url, login, squash

HINT = "คะแนนรวม ÷ 125 มีค่าตั้งแต่ 0 ถึง 4"

pytestmark = pytest.mark.django_db


def hints(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode().count(HINT)


def test_the_agency_reads_what_the_rating_is_on_each_of_its_screens(client, case):
    case.published()
    login(client, case.p.editor_a)
    pk = case.assessment.pk
    for url in (
        reverse("assessments:home", args=[pk]),
        reverse("dashboards:agency"),
        reverse("dashboards:assessment", args=[pk]),
    ):
        assert hints(client, url) == 1, url


def test_the_editor_reads_it_beside_the_figure_if_submitted_now(client, case):
    complete_assessment(case.assessment, case.p.editor_a)
    login(client, case.p.editor_a)
    text = client.get(item_url(case.assessment, "1.1")).content.decode()
    assert "หากส่งในขณะนี้" in text
    assert text.count(HINT) == 1
    assert hints(client, reverse("assessments:submit", args=[case.assessment.pk])) == 1


def test_the_lead_reads_it_on_the_consensus_page(client, case):
    case.consensus()
    login(client, case.p.lead)
    assert hints(client, reverse("reviews:consensus", args=[case.assessment.pk])) == 1


def test_the_printed_report_keeps_the_letters_wording(client, case):
    case.published()
    login(client, case.p.editor_a)
    page = client.get(reverse("reports:page", args=[case.assessment.pk])).content.decode()
    text = squash(re.sub(r"<[^>]+>", "", page))
    assert "เป็นระบบราชการ" in text
    assert HINT not in text


def test_the_what_if_page_says_it_beside_its_figure(client, case):
    login(client, case.p.editor_a)
    posted = {f"category_{n}": "450" for n in range(1, 8)}
    text = client.post(reverse("dashboards:what_if"), posted).content.decode()
    assert "3.60" in text
    assert text.count(HINT) == 1
