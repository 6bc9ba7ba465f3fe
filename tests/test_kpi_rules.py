"""KPI rule sets per fiscal year: a new year's proposal from last year's group statistics, and
what the administrator's home shows for a year that has no rule set."""

import dataclasses
from decimal import Decimal

import pytest
from django.urls import reverse

from pmqa import scoring
from pmqa.assessments.models import Assessment, Cycle
from pmqa.assessments.services import record_category_scores
from pmqa.scoring.kpi import (
    GroupStatistics,
    KpiRuleSet,
    group_statistics,
    propose_rule_set,
    rule_set_for,
)
from tests.builders import PASSWORD

D = Decimal
RULES = rule_set_for(2564)

# Seed 000, "คะแนนชั้นตอนที่ 1 ปี 63": min, max and average of each group's FY2563 round-1 totals.
SEED_GROUPS = {
    "0-299": ("0", "298.75", "242.40"),
    "300-350": ("299.97", "349.28", "326.36"),
    "351-399": ("350.58", "395.19", "373.34"),
    "400+": ("400.26", "464.09", "420.24"),
}
# Totals that give exactly the seed's table (the seed does not list the agencies): each group's
# min and max, and values in between that bring the mean to the seed's average.
SEED_TOTALS = {
    "0-299": ["0", "298.75", "288.91", "288.91", "288.91", "288.92"],
    "300-350": ["299.97", "349.28", "329.83"],
    "351-399": ["350.58", "395.19", "374.25"],
    "400+": ["400.26", "464.09", "408.30", "408.31"],
}


def with_minimums(rules: KpiRuleSet, *minimums: str) -> KpiRuleSet:
    types = tuple(
        dataclasses.replace(kpi_type, minimum=D(m))
        for kpi_type, m in zip(rules.types, minimums, strict=True)
    )
    return dataclasses.replace(rules, types=types)


def stats(label: str, mean: str | None, count: int = 3) -> GroupStatistics:
    value = None if mean is None else D(mean)
    return GroupStatistics(label, count if value is not None else 0, value, value, value)


def test_the_seed_totals_give_the_seed_group_table():
    totals = [D(t) for values in SEED_TOTALS.values() for t in values]
    groups, missing = group_statistics(totals, RULES)
    assert missing == 0
    shown = {
        g.label: tuple(f"{scoring.q2(v)}" for v in (g.minimum, g.maximum, g.mean)) for g in groups
    }
    assert shown == {label: tuple(f"{D(v):.2f}" for v in row) for label, row in SEED_GROUPS.items()}


def test_the_seed_group_means_give_the_seed_minimums_240_325_370():
    # Start from other minimums, so the proposal has to compute them to match the seed.
    previous = with_minimums(RULES, "100", "200", "300")
    previous = dataclasses.replace(previous, fiscal_year=2563)
    seed_stats = [stats(label, row[2]) for label, row in SEED_GROUPS.items()]
    proposed = propose_rule_set(previous, seed_stats, 2564)
    assert proposed.fiscal_year == 2564
    assert [t.minimum for t in proposed.types] == [D(240), D(325), D(370)]
    assert proposed == RULES  # exactly the FY2564 rule published in seed 000


def test_a_proposal_from_the_seed_totals_end_to_end():
    previous = with_minimums(RULES, "0", "0", "0")
    totals = [D(t) for values in SEED_TOTALS.values() for t in values] + [None]
    groups, _missing = group_statistics(totals, previous)
    proposed = propose_rule_set(previous, groups, 2565)
    assert [t.minimum for t in proposed.types] == [D(240), D(325), D(370)]
    assert rule_set_for(2566, {2564: previous, 2565: proposed}) is proposed


@pytest.mark.parametrize(
    "mean, minimum",
    [
        ("245", "245"),
        ("249.99", "245"),
        ("244.994", "240"),  # printed 244.99
        ("244.995", "245"),  # printed 245.00: judged on the printed mean, as the seed prints it
        ("4.99", "0"),
    ],
)
def test_a_minimum_is_the_printed_mean_rounded_down_to_a_multiple_of_5(mean, minimum):
    proposed = propose_rule_set(RULES, [stats("0-299", mean)], 2565)
    assert proposed.types[0].minimum == D(minimum)


def test_a_group_without_organisations_keeps_the_previous_minimum():
    previous = with_minimums(RULES, "111", "222", "333")
    groups, _missing = group_statistics([D("242.40"), D("380")], previous)
    assert [g.count for g in groups] == [1, 0, 1, 0]
    proposed = propose_rule_set(previous, groups, 2565)
    assert [t.minimum for t in proposed.types] == [D(240), D(222), D(380)]
    # a group missing from the statistics altogether is treated the same way
    assert propose_rule_set(previous, [], 2565).types == previous.types


def test_a_proposal_changes_only_the_minimums_and_the_year():
    seed_stats = [stats(label, row[2]) for label, row in SEED_GROUPS.items()]
    previous = with_minimums(RULES, "1", "2", "3")
    proposed = propose_rule_set(previous, seed_stats, 2566)
    assert dataclasses.replace(with_minimums(proposed, "1", "2", "3"), fiscal_year=2564) == previous
    assert previous.types[0].minimum == D(1)  # the previous set is left as it was
    assert scoring.propose_rule_set is propose_rule_set


def test_a_proposal_must_be_for_a_later_year_and_for_the_previous_groups():
    with pytest.raises(ValueError, match="^fiscal-year: a proposal must be for a year after 2564"):
        propose_rule_set(RULES, [], 2564)
    with pytest.raises(ValueError, match="^groups.500: not a score group"):
        propose_rule_set(RULES, [stats("500", "500")], 2565)


def test_a_rule_set_naming_an_unknown_group_for_a_minimum_is_refused():
    data = {
        "fiscal_year": 2600,
        "points": {"minimum": 50, "standard": 75, "advanced": 100},
        "types": [{"type": 1, "minimum": 300, "minimum_group": "0-99", "advanced": {"fixed": 400}}],
        "groups": [{"label": "0-299", "low": 0, "high": 299}],
    }
    with pytest.raises(ValueError, match="^types.1.minimum_group: no score group '0-99'"):
        KpiRuleSet.from_dict(data)


def section_of(body: str, cycle: Cycle) -> str:
    start = body.index(f'aria-labelledby="cycle-{cycle.pk}"')
    return body[start : body.index("</section>", start)]


@pytest.mark.django_db
def test_admin_home_groups_every_cycle_and_names_the_rule_set_grouping_it(
    client, personas, edition
):
    # personas.cycle is FY2561: its totals would set FY2562 targets, and no rule covers 2562.
    cycle_2563 = Cycle.objects.create(fiscal_year=2563, edition=edition)
    verified = Assessment.objects.create(cycle=cycle_2563, organisation=personas.agency_a)
    record_category_scores(
        assessment=verified,
        source="assessor",
        categories={str(i): D("434.48") for i in range(1, 8)},
    )
    record_category_scores(
        assessment=personas.assessment_a,
        source="assessor",
        categories={str(i): D("257.38") for i in range(1, 8)},
    )
    assert client.login(username=personas.admin.username, password=PASSWORD)
    response = client.get(reverse("dashboards:admin"))
    assert response.status_code == 200
    body = response.content.decode()

    # Group statistics are computed for any cycle (spec §4); before the first rule set the
    # page says whose groups it uses.
    early = section_of(body, personas.cycle)
    assert 'data-groups="first-rule-set"' in early
    assert "2562" in early and "2564" in early
    assert "<table" in early and "257.38" in early

    grouped = section_of(body, cycle_2563)
    assert 'data-groups="first-rule-set"' not in grouped
    assert "<table" in grouped and "434.48" in grouped


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"types": 0, "prior_below": "300"}, ("prior_from", 2)),
        ({"types": 1, "prior_below": "340"}, ("prior_below", 2)),
        ({"types": 0, "minimum": "600"}, ("minimum", 1)),
        ({"types": 0, "advanced": {"fixed": "350", "prior_times": "1.1"}}, ("advanced", 1)),
        ({"types": 0, "advanced": {"fixed": "200"}}, ("advanced_fixed", 1)),
        ({"types": 1, "advanced": {"prior_times": "0.9"}}, ("advanced_factor", 2)),
    ],
)
def test_a_rule_set_that_cannot_score_every_total_is_refused(change, problem):
    from pmqa.scoring.kpi import RuleSetProblem

    data = RULES.to_dict()
    index = change.pop("types")
    data["types"][index] |= change
    with pytest.raises(RuleSetProblem) as raised:
        KpiRuleSet.from_dict(data).check()
    assert (raised.value.problem, raised.value.type_number) == problem
    assert KpiRuleSet.from_dict(RULES.to_dict()) == RULES
