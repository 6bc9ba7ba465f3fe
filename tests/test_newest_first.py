"""Fiscal years read newest first wherever the administrator lists cycles, whatever order they
were made in (a grouped query does not take the model's own ordering)."""

import re

import pytest
from django.urls import reverse

from pmqa.assessments.models import Assessment, Cycle
from pmqa.organisations.models import Organisation
from tests.builders import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(personas, edition):
    # Made out of order, each with an assessment so that every cycle is a group of its own.
    organisation = Organisation.objects.get(code="TH-10")
    for year in (2566, 2571, 2563):
        cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
        Assessment.objects.create(cycle=cycle, organisation=organisation)
    return personas


def order(pattern, text):
    return [int(y) for y in re.findall(pattern, text)]


def test_the_administrators_home_lists_the_newest_year_first(client, years):
    login(client, years.admin)
    text = client.get(reverse("dashboards:admin")).content.decode()
    found = order(r'<h3 id="cycle-\d+">\D*(\d{4})', text)
    assert found == sorted(found, reverse=True)
    assert {2571, 2566, 2563, 2561} <= set(found)


def test_the_cycles_list_lists_the_newest_year_first(client, years):
    login(client, years.admin)
    text = client.get(reverse("manage:cycles")).content.decode()
    found = order(r'href="/manage/cycles/(\d{4})/"', text)
    assert found == sorted(found, reverse=True)
    assert {2571, 2566, 2563, 2561} <= set(found)
