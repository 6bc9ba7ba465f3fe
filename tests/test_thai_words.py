"""The Thai interface speaks Thai: the levels' keywords of the criteria, round 2's report, the
polite register; the English interface keeps the criteria's English keywords."""

import pytest
from django.urls import reverse

from pmqa.criteria.models import ItemLevel
from tests.builders import item_url, login

pytestmark = pytest.mark.django_db


def test_an_items_levels_carry_their_thai_keywords(client, case):
    login(client, case.p.editor_a)
    page = client.get(item_url(case.assessment, "1.1")).content.decode()
    assert "(ยึดพันธกิจเป็นหลัก)" in page and "(สอดคล้องกับยุทธศาสตร์ชาติ)" in page
    assert "Mission based" not in page and "Alignment with National Strategies" not in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(item_url(case.assessment, "1.1")).content.decode()
    assert "(Mission based)" in english


def test_every_keyword_of_the_edition_has_its_thai(edition):
    levels = ItemLevel.objects.filter(item__category__edition=edition).exclude(tag="")
    assert levels.count() == 28
    assert not levels.filter(tag_th="").exists()


def test_the_criteria_page_shows_the_thai_keywords(client, personas, edition):
    login(client, personas.admin)
    page = client.get(reverse("criteria:detail", args=[edition.code])).content.decode()
    assert "ยึดพันธกิจเป็นหลัก" in page and "Mission based" not in page
