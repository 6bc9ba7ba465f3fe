"""The scoring engine against the spec's golden figures, plus properties that must always hold."""

import dataclasses
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmqa import scoring
from pmqa.scoring.cli import InputError, kpi_document, parse_json, score_document
from pmqa.scoring.kpi import (
    KpiRuleSet,
    NoRuleSet,
    group_statistics,
    kpi_score,
    kpi_targets,
    rule_set_for,
)

D = Decimal
RULES = rule_set_for(2564)


def categories(*values):
    return {str(i): D(v) for i, v in enumerate(values, start=1)}


@pytest.mark.parametrize(
    "scores, total, rating",
    [
        (("450", "500", "450", "475", "475", "425", "326.67"), "443.10", "3.54"),
        (("300", "350", "300", "150", "225", "150", "326.67"), "257.38", "2.06"),
        (("500", "500", "500", "500", "500", "500", "423.33"), "489.05", "3.91"),
        (("411.46", "453.13", "434.90", "404.51", "484.38", "449.65", "403.33"), "434.48", "3.48"),
    ],
    ids=["narathiwat-self", "narathiwat-assessor", "isoc-self", "isoc-assessor"],
)
def test_it_reproduces_the_seed_totals_and_ratings(scores, total, rating):
    result = scoring.score_categories(categories(*scores))
    assert f"{scoring.q2(result.total)}" == total
    assert f"{scoring.q2(result.rating)}" == rating


@pytest.mark.parametrize(
    "value, shown",
    [
        ("0.125", "0.13"),  # half-even would keep the even 2
        ("0.135", "0.14"),
        ("2.675", "2.68"),
        ("0.005", "0.01"),
        ("0.0049", "0.00"),
        ("443.104", "443.10"),
        ("443.1051", "443.11"),
        ("-0.125", "-0.13"),  # a negative gap rounds away from zero, mirroring a positive one
    ],
)
def test_it_rounds_half_up_at_the_third_decimal(value, shown):
    assert f"{scoring.q2(D(value))}" == shown


def test_a_total_and_rating_ending_in_five_print_rounded_up():
    # Item scores with two decimals easily give a category mean with a third decimal of 5.
    category = scoring.category_score([D("390.62"), D("390.63"), D("390.62"), D("390.63")])
    results = scoring.category_score([D("390.62"), D("390.63")] * 3)
    assert category == results == D("390.625")
    scored = scoring.score_categories({key: category for key in "123456"} | {"7": results})
    assert scored.total == D("390.625") and scored.rating == D("3.125")
    out = scored.as_json()
    assert (out["categories"]["1"], out["total"], out["rating"]) == ("390.63", "390.63", "3.13")


@pytest.mark.parametrize("value", ["0", "500", "0.00", "500.00"])
def test_a_category_score_of_exactly_0_or_500_is_accepted(value):
    result = scoring.score_categories(categories(*[value] * 7))
    assert result.total == D(value)
    assert result.as_json()["categories"]["1"] == f"{scoring.q2(D(value))}"


@pytest.mark.parametrize("value", ["-0.01", "500.01", "-500", "1000", "NaN", "Infinity"])
def test_a_category_score_outside_0_to_500_is_refused_by_name(value):
    with pytest.raises(ValueError, match=r"^categories\.3: a score must be between 0 and 500"):
        scoring.score_categories(categories("300", "300", value, "300", "300", "300", "300"))


def test_an_unknown_category_is_refused_rather_than_ignored():
    with pytest.raises(ValueError, match="unknown category 8"):
        scoring.score_categories(categories(*["300"] * 7) | {"8": D(300)})


def test_it_classifies_narathiwat_as_the_report_does():
    own = scoring.score_categories(categories("450", "500", "450", "475", "475", "425", "326.67"))
    verified = scoring.score_categories(
        categories("300", "350", "300", "150", "225", "150", "326.67")
    )
    by = lambda result, label: [k for k, v in result.classification.items() if v == label]  # noqa: E731
    assert by(own, "strength") == ["1", "2", "3", "4", "5"]
    assert by(own, "develop") == ["6", "7"]
    assert by(verified, "develop") == ["1", "2", "3", "7"]
    assert by(verified, "urgent") == ["4", "5", "6"]


@pytest.mark.parametrize(
    "total, level",
    [
        ("299.99", "below_basic"),
        ("300", "basic"),
        ("399.99", "basic"),
        ("400", "advance"),
        ("499.99", "advance"),
        ("500", "significance"),
        ("0", "below_basic"),
    ],
)
def test_maturity_level_boundaries(total, level):
    assert scoring.maturity_level(D(total)) == level


def test_level_and_class_follow_the_printed_figure():
    # 299.996 prints as 300.00, so it must not be called "below Basic".
    assert scoring.maturity_level(D("299.996")) == "basic"
    assert scoring.classify(D("449.995")) == "strength"


def test_missing_categories_give_no_total():
    result = scoring.score_categories(categories("450", "500"))
    assert result.total is None
    assert result.missing == ("3", "4", "5", "6", "7")
    assert "total" not in result.as_json()


@pytest.mark.parametrize(
    "basic, advance, significance, score, level",
    [
        ((3, 3), (1, 1), (1, 1), "500", "significance"),
        ((3, 3), (1, 1), (0, 1), "400", "advance"),
        ((3, 3), (0, 1), (1, 1), "300", "basic"),  # significance ignored until advance is met
        ((2, 3), (1, 1), (1, 1), "200", "below_basic"),  # gated: nothing above basic counts
        ((3, 3), (1, 2), (0, 3), "350", "basic"),
        ((0, 3), (0, 1), (0, 1), "0", "below_basic"),
        # a level without checkpoints asks nothing, so it is complete and counts in full
        ((3, 3), (0, 0), (0, 0), "500", "significance"),
        ((0, 0), (1, 2), (0, 0), "350", "basic"),
        ((2, 3), (0, 0), (0, 0), "200", "below_basic"),
    ],
)
def test_gated_checklist(basic, advance, significance, score, level):
    ticks = [scoring.LevelTicks(*pair) for pair in (basic, advance, significance)]
    assert scoring.gated_checklist(*ticks) == D(score)
    assert scoring.level_reached(*ticks) == level


@pytest.mark.parametrize(
    "basic, advance, significance, score",
    [
        ((1, 3), (0, 1), (0, 1), "100"),
        ((2, 3), (0, 1), (0, 1), "200"),
        ((3, 3), (3, 6), (0, 1), "350"),
        ((3, 3), (3, 3), (2, 6), "433.3333333333333333333333333"),
        ((3, 3), (1, 3), (0, 1), "333.3333333333333333333333333"),
        ((3, 3), (2, 3), (0, 1), "366.6666666666666666666666667"),
    ],
)
def test_an_item_score_is_exact_and_a_third_is_rounded_once(basic, advance, significance, score):
    # 300 x 1/3 is 100, not 99.999...; what cannot be exact is rounded once, at the last digit.
    ticks = [scoring.LevelTicks(*pair) for pair in (basic, advance, significance)]
    assert str(scoring.gated_checklist(*ticks)) == score
    assert str(scoring.q2(scoring.gated_checklist(*ticks))) == str(scoring.q2(D(score)))


@given(
    st.integers(min_value=1, max_value=12).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    )
)
def test_a_basic_score_that_is_a_whole_number_is_stored_as_that_number(pair):
    met, count = pair
    score = scoring.gated_checklist(
        scoring.LevelTicks(met, count), scoring.LevelTicks(0, 1), scoring.LevelTicks(0, 1)
    )
    if (300 * met) % count == 0 and met < count:
        assert score == D(300 * met // count)
        assert score == score.to_integral_value()


@pytest.mark.parametrize(
    "basic, advance, significance, message",
    [
        ((-1, 3), (0, 1), (0, 1), "basic: checkpoint counts cannot be negative"),
        ((3, 3), (0, -1), (0, 1), "advance: checkpoint counts cannot be negative"),
        ((4, 3), (0, 1), (0, 1), "basic: 4 checkpoints met but the level has 3"),
        ((3, 3), (1, 1), (2, 1), "significance: 2 checkpoints met but the level has 1"),
    ],
)
def test_impossible_checkpoint_counts_are_refused_by_level(basic, advance, significance, message):
    ticks = [scoring.LevelTicks(*pair) for pair in (basic, advance, significance)]
    with pytest.raises(scoring.ItemRuleError) as error:
        scoring.gated_checklist(*ticks)
    assert str(error.value) == message


def test_level_pick_numeric_and_override_rules():
    assert scoring.level_pick(400) == D(400)
    with pytest.raises(scoring.ItemRuleError):
        scoring.level_pick(350)
    assert scoring.numeric("412.50") == D("412.50")
    with pytest.raises(scoring.ItemRuleError):
        scoring.numeric("501")
    with pytest.raises(scoring.ItemRuleError):
        scoring.numeric("12.345")
    with pytest.raises(scoring.ItemRuleError, match="reason"):
        scoring.override(300, "  ")
    assert scoring.override(300, "evidence does not show deployment") == D(300)


@pytest.mark.parametrize("value", ["0", "500", "0.00", "500.00", 0, 500])
def test_a_numeric_score_of_exactly_0_or_500_is_accepted(value):
    assert scoring.numeric(value) == D(value)
    assert scoring.override(value, "evidence reviewed on site") == D(value)


@pytest.mark.parametrize("value", ["-0.01", "500.01", -1, 501, "NaN", "-Infinity", "Infinity"])
def test_a_numeric_score_outside_0_to_500_is_refused_by_the_rule(value):
    with pytest.raises(scoring.ItemRuleError, match="^score: "):
        scoring.numeric(value)
    with pytest.raises(scoring.ItemRuleError, match="^score: "):
        scoring.override(value, "evidence reviewed on site")


@pytest.mark.parametrize(
    "rule, field",
    [
        (scoring.level_pick, "level"),
        (scoring.numeric, "score"),
        (lambda raw: scoring.override(raw, "evidence reviewed on site"), "score"),
    ],
    ids=["level_pick", "numeric", "override"],
)
@pytest.mark.parametrize("raw", [True, False])
def test_a_bool_is_refused_as_a_score_by_its_type(rule, field, raw):
    # True == 1 to Python; the rules refuse it for its type, before any conversion to text,
    # so the message never echoes Python's spelling of it.
    with pytest.raises(scoring.ItemRuleError) as error:
        rule(raw)
    assert str(error.value) == f"{field}: expected a number"


@pytest.mark.parametrize(
    "value, band, expected",
    [
        ("92", [("75", "100"), ("95", "500")], "440"),
        ("70", [("75", "100"), ("95", "500")], "0"),
        ("75", [("75", "100"), ("95", "500")], "100"),
        ("99", [("75", "100"), ("95", "500")], "500"),
        # lower is better: 10 days scores 500, 30 days scores 0
        ("20", [("30", "0"), ("10", "500")], "250"),
        ("35", [("30", "0"), ("10", "500")], "0"),
        ("5", [("30", "0"), ("10", "500")], "500"),
        ("80", [("60", "0"), ("70", "100"), ("80", "300"), ("90", "500")], "300"),
    ],
)
def test_kpi_band_scores(value, band, expected):
    assert scoring.kpi_band_score(D(value), [(D(a), D(b)) for a, b in band]) == D(expected)


def band_of(*points):
    return [(D(value), D(score)) for value, score in points]


@pytest.mark.parametrize(
    "value, expected",
    [("0", "0"), ("74.99", "0"), ("75", "300"), ("75.01", "300"), ("1000", "300")],
)
def test_a_single_point_band_scores_its_score_from_that_value_up(value, expected):
    # One point gives no direction, so it reads as "at least this value scores this".
    assert scoring.kpi_band_score(D(value), band_of(("75", "300"))) == D(expected)


@pytest.mark.parametrize(
    "value, expected",
    [("55", "0"), ("60", "100"), ("65", "100"), ("70", "100"), ("75", "300"), ("85", "500")],
)
def test_a_band_may_hold_its_score_flat_between_points(value, expected):
    band = band_of(("60", "100"), ("70", "100"), ("80", "500"))
    assert scoring.kpi_band_score(D(value), band) == D(expected)


@pytest.mark.parametrize(
    "band, message",
    [
        ([], "band: give at least one point (value, score)"),
        ([("75", "100"), ("75", "500")], "band: values must run strictly"),
        ([("60", "0"), ("70", "100"), ("70", "500")], "band: values must run strictly"),
        ([("30", "0"), ("20", "100"), ("20", "500")], "band: values must run strictly"),
        ([("60", "0"), ("80", "100"), ("70", "500")], "band: values must run strictly"),
        ([("60", "500"), ("70", "100")], "band: scores must not decrease"),
        ([("60", "-0.01"), ("70", "500")], "band: score -0.01 is outside 0–500"),
        ([("60", "0"), ("70", "500.01")], "band: score 500.01 is outside 0–500"),
        ([("60", "NaN"), ("70", "500")], "band: every point needs a number"),
    ],
    ids=[
        "empty",
        "two-equal-values",
        "rising-then-equal",
        "falling-then-equal",
        "changes-direction",
        "decreasing-scores",
        "score-below-0",
        "score-above-500",
        "nan-score",
    ],
)
@pytest.mark.parametrize("value", ["0", "20", "25", "65", "75", "80", "1000"])
def test_an_unusable_band_is_refused_whatever_the_value(band, message, value):
    with pytest.raises(scoring.BandError) as error:
        scoring.kpi_band_score(D(value), band_of(*band))
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    "value, expected", [("0", "0"), ("5", "250"), ("10", "500"), ("11", "500")]
)
def test_band_scores_of_exactly_0_and_500_are_accepted(value, expected):
    assert scoring.kpi_band_score(D(value), band_of(("0", "0"), ("10", "500"))) == D(expected)


def test_a_results_item_without_kpis_scores_zero_and_is_flagged():
    assert scoring.results_item_score([]) == (D(0), True)
    assert scoring.results_item_score([D(300), D(400)]) == (D(350), False)


@pytest.mark.parametrize(
    "prior, actual, kpi_type, targets, score",
    [
        ("434.48", "400", 3, ("370.00", "434.48", "443.17"), "61.63"),
        ("300", "300", 1, ("240.00", None, "350.00"), "77.27"),
        ("360", "380", 2, ("325.00", "360.00", "388.80"), "92.36"),
    ],
)
def test_the_three_kpi_worked_examples(prior, actual, kpi_type, targets, score):
    result = kpi_targets(D(prior), RULES)
    assert result.type == kpi_type
    shown = (
        f"{scoring.q2(result.minimum)}",
        None if result.standard is None else f"{scoring.q2(result.standard)}",
        f"{scoring.q2(result.advanced)}",
    )
    assert shown == targets
    assert f"{scoring.q2(kpi_score(D(actual), result))}" == score


def test_kpi_type_boundaries():
    assert kpi_targets(D("349.99"), RULES).type == 1
    assert kpi_targets(D("350"), RULES).type == 2
    assert kpi_targets(D("399.99"), RULES).type == 2
    assert kpi_targets(D("400"), RULES).type == 3


@pytest.mark.parametrize(
    "prior, kpi_type, targets",
    [
        ("0", 1, ("240.00", None, "350.00")),
        ("500", 3, ("370.00", "500.00", "500.00")),  # 500 × 1.02, capped at 500
    ],
)
def test_a_prior_total_of_exactly_0_or_500_gets_targets(prior, kpi_type, targets):
    result = kpi_targets(D(prior), RULES)
    assert result.type == kpi_type
    shown = kpi_document(prior, None, 2564)["targets"]
    assert (shown["minimum"], shown["standard"], shown["advanced"]) == targets


def test_after_a_perfect_500_a_perfect_500_scores_100():
    targets = kpi_targets(D(500), RULES)
    assert targets.advanced == D(500)
    assert kpi_score(D(500), targets) == D(100)
    assert kpi_score(D("499.99"), targets) < D(75)  # still below the standard of 500
    assert targets.totals_for_scores() == {"50": D(370), "75": D(500), "100": D(500)}
    assert kpi_document("500", "500", 2564)["score"] == "100.00"


@pytest.mark.parametrize(
    "prior, advanced",
    [
        ("490.19", D("490.19") * D("1.02")),  # 499.9938: below 500, not capped
        ("490.2", D(500)),  # 500.004 would pass 500
        ("495", D(500)),
    ],
)
def test_the_advanced_target_is_capped_at_500_from_a_prior_of_490_20(prior, advanced):
    targets = kpi_targets(D(prior), RULES)
    assert targets.advanced == advanced
    assert kpi_score(D(500), targets) == D(100)
    assert kpi_score(targets.standard, targets) == D(75)


@pytest.mark.parametrize(
    "prior, kpi_type, standard",
    [
        ("349.994", 1, None),
        ("349.995", 2, "350.00"),  # printed 350.00, so type 2 like the printed figure says
        ("399.994", 2, "399.99"),
        ("399.995", 3, "400.00"),
        ("434.4849", 3, "434.48"),
    ],
)
def test_the_kpi_type_and_standard_are_judged_on_the_printed_prior(prior, kpi_type, standard):
    targets = kpi_targets(D(prior), RULES)
    assert targets.type == kpi_type
    assert targets.standard == (None if standard is None else D(standard))
    assert kpi_document(prior, None, 2564)["type"] == kpi_type


def test_349_995_gets_the_type_2_targets_of_a_printed_350():
    targets = kpi_targets(D("349.995"), RULES)
    assert (targets.minimum, targets.standard, targets.advanced) == (D(325), D(350), D(378))
    assert kpi_score(D(350), targets) == D(75)


@pytest.mark.parametrize("year", [2563, 2500])
def test_a_fiscal_year_before_the_first_rule_set_is_refused(year):
    with pytest.raises(NoRuleSet) as error:
        rule_set_for(year)
    assert (error.value.fiscal_year, error.value.first_year) == (year, 2564)
    assert str(error.value) == f"fiscal-year: no KPI rule set for {year}, the first starts in 2564"
    assert isinstance(error.value, ValueError)
    assert scoring.NoRuleSet is NoRuleSet


def test_a_rule_set_stays_in_force_until_a_later_one_replaces_it():
    later = dataclasses.replace(RULES, fiscal_year=2567)
    sets = {2564: RULES, 2567: later}
    assert rule_set_for(2564, sets) is RULES
    assert rule_set_for(2566, sets) is RULES
    assert rule_set_for(2567, sets) is later
    assert rule_set_for(2590, sets) is later
    assert rule_set_for(None, sets) is later
    with pytest.raises(NoRuleSet):
        rule_set_for(2563, sets)
    assert rule_set_for(2570) is RULES  # the shipped FY2564 set, still in force


def test_the_cli_refuses_a_fiscal_year_without_a_rule_set_naming_the_field():
    with pytest.raises(InputError) as error:
        kpi_document("434.48", "400", 2563)
    assert str(error.value) == "fiscal-year: no KPI rule set for 2563, the first starts in 2564"


@pytest.mark.parametrize("prior", ["-0.01", "500.01", "NaN", "-Infinity"])
def test_a_prior_total_outside_0_to_500_is_refused(prior):
    with pytest.raises(ValueError, match="^prior: last year's total must be between 0 and 500"):
        kpi_targets(D(prior), RULES)


@pytest.mark.parametrize("actual, score", [("0", "0"), ("500", "100")])
def test_an_actual_total_of_exactly_0_or_500_is_scored(actual, score):
    assert kpi_score(D(actual), kpi_targets(D("434.48"), RULES)) == D(score)


@pytest.mark.parametrize("actual", ["-0.01", "500.01", "NaN", "Infinity"])
def test_an_actual_total_outside_0_to_500_is_refused(actual):
    with pytest.raises(ValueError, match="^actual: this year's total must be between 0 and 500"):
        kpi_score(D(actual), kpi_targets(D("434.48"), RULES))


@pytest.mark.parametrize("prior", ["300", "360", "434.48"])
def test_each_kpi_target_reached_exactly_scores_its_points(prior):
    targets = kpi_targets(D(prior), RULES)
    assert kpi_score(targets.minimum - D("0.01"), targets) == D(0)
    assert kpi_score(targets.minimum, targets) == D(50)
    if targets.standard is not None:
        assert kpi_score(targets.standard, targets) == D(75)
    assert kpi_score(targets.advanced, targets) == D(100)


def test_type_1_reaches_75_points_halfway_between_its_minimum_and_advanced_targets():
    targets = kpi_targets(D("300"), RULES)
    assert targets.totals_for_scores() == {"50": D(240), "75": D(295), "100": D(350)}
    assert kpi_score(D(295), targets) == D(75)
    shown = kpi_document("300", None, 2564)["totals_for_scores"]
    assert shown == {"50": "240.00", "75": "295.00", "100": "350.00"}


def test_a_standard_no_higher_than_the_minimum_is_ignored_and_the_score_runs_50_to_100():
    # Shipped rules never give this; a year's rule set could (standard = last year's total).
    rules = KpiRuleSet.from_dict(
        {
            "fiscal_year": 2600,
            "points": {"minimum": 50, "standard": 75, "advanced": 100},
            "types": [{"type": 1, "minimum": 300, "standard": "prior", "advanced": {"fixed": 400}}],
            "groups": [],
        }
    )
    for prior in ("300", "250"):
        targets = kpi_targets(D(prior), rules)
        assert targets.standard == D(prior)
        assert [kpi_score(D(a), targets) for a in ("299.99", "300", "350", "400")] == [
            D(0),
            D(50),
            D(75),
            D(100),
        ]


def test_group_statistics_group_on_the_rounded_total_and_count_missing():
    totals = [
        D("298.75"),
        D("0"),
        D("299.97"),
        D("349.28"),
        D("350.58"),
        D("395.19"),
        D("400.26"),
        D("464.09"),
        None,
    ]
    groups, missing = group_statistics(totals, RULES)
    by_label = {g.label: g for g in groups}
    assert missing == 1
    assert by_label["0-299"].maximum == D("298.75")
    assert by_label["300-350"].minimum == D("299.97")  # rounds to 300
    assert by_label["351-399"].minimum == D("350.58")  # rounds to 351
    assert by_label["400+"].count == 2


@pytest.mark.parametrize(
    "total, label",
    [
        ("299.49", "0-299"),
        ("299.5", "300-350"),
        ("350.2", "300-350"),
        ("350.49", "300-350"),
        ("350.5", "351-399"),  # half-even would keep the even 350
        ("399.5", "400+"),
    ],
)
def test_score_groups_round_the_total_half_up_to_a_whole_number(total, label):
    groups, missing = group_statistics([D(total)], RULES)
    assert missing == 0
    assert [g.label for g in groups if g.count] == [label]


def test_gap_is_self_minus_assessor():
    assert scoring.gap(D("443.10"), D("257.38")) == D("185.72")


def cli_score(document):
    return score_document(parse_json(document))


@pytest.mark.parametrize("value, shown", [("0", "0.00"), ("500", "500.00"), ("0.00", "0.00")])
def test_the_cli_accepts_category_scores_of_exactly_0_and_500(value, shown):
    # Written out by hand so the number reaches the parser exactly as typed ("0.00", not 0).
    pairs = ", ".join(f'"{i}": {value}' for i in range(1, 8))
    document = '{"categories": {' + pairs + "}}"
    out = cli_score(document)
    assert out["total"] == shown and out["categories"]["7"] == shown


@pytest.mark.parametrize(
    "document, message",
    [
        ('{"categories": {"1": -0.01}}', "categories.1: must be between 0 and 500, got -0.01"),
        ('{"categories": {"1": 500.01}}', "categories.1: must be between 0 and 500, got 500.01"),
        (
            '{"items": {"7.1": {"kpis": [{"value": 1, "band": [[0, -1], [1, 500]]}]}}}',
            "items.7.1.kpis[0].band[0][1]: must be between 0 and 500, got -1",
        ),
        # JSON's true and false are refused for their type and echoed as the user wrote them.
        ('{"categories": {"1": true}}', "categories.1: expected a number, got true"),
        ('{"items": {"1.1": {"score": false}}}', "items.1.1.score: expected a number, got false"),
        (
            '{"items": {"7.1": {"kpis": [{"value": true, "band": [[0, 0], [1, 500]]}]}}}',
            "items.7.1.kpis[0].value: expected a number, got true",
        ),
    ],
)
def test_the_cli_refuses_out_of_range_and_bool_numbers_naming_the_field(document, message):
    with pytest.raises(InputError) as error:
        cli_score(document)
    assert str(error.value) == message


@pytest.mark.parametrize("flags", [[1, 1, 1], ["yes"], [None], [True, 0]])
def test_the_cli_counts_only_true_and_false_as_checkpoint_ticks(flags):
    checkpoints = {"basic": flags, "advance": [], "significance": []}
    document = json.dumps({"items": {"1.1": {"checkpoints": checkpoints}}})
    with pytest.raises(InputError) as error:
        cli_score(document)
    assert str(error.value) == "items.1.1.checkpoints.basic: expected a list of true/false"


scores = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(scores, min_size=7, max_size=7))
def test_totals_stay_in_range_and_ignore_order(values):
    result = scoring.score_categories({str(i): v for i, v in enumerate(values, start=1)})
    assert D(0) <= result.total <= D(500)
    shuffled = scoring.score_categories(
        {str(i): v for i, v in enumerate(reversed(values), start=1)}
    )
    assert scoring.q2(shuffled.total) == scoring.q2(result.total)
    assert result.rating == result.total / 125


@st.composite
def checklists(draw):
    counts = [draw(st.integers(min_value=1, max_value=5)) for _ in range(3)]
    flags = [draw(st.lists(st.booleans(), min_size=n, max_size=n)) for n in counts]
    return flags


@given(checklists(), st.integers(min_value=0, max_value=14))
def test_ticking_one_more_checkpoint_never_lowers_an_item(flags, pick):
    def score(fl):
        return scoring.gated_checklist(*(scoring.LevelTicks.from_flags(f) for f in fl))

    before = score(flags)
    assert D(0) <= before <= D(500)
    positions = [
        (lv, i) for lv, level in enumerate(flags) for i, ticked in enumerate(level) if not ticked
    ]
    if positions:
        lv, i = positions[pick % len(positions)]
        after_flags = [list(level) for level in flags]
        after_flags[lv][i] = True
        assert score(after_flags) >= before


priors = st.decimals(min_value=0, max_value=500, places=2)


@given(
    priors,
    st.decimals(min_value=0, max_value=500, places=2),
    st.decimals(min_value=0, max_value=500, places=2),
)
def test_kpi_score_never_decreases_as_the_total_rises(prior, a, b):
    targets = kpi_targets(prior, RULES)
    low, high = sorted([a, b])
    assert kpi_score(low, targets) <= kpi_score(high, targets)
    assert D(0) <= kpi_score(low, targets) <= D(100)


@given(priors)
def test_kpi_score_is_continuous_at_each_target(prior):
    targets = kpi_targets(prior, RULES)
    epsilon = D("0.000001")
    points = [targets.minimum, targets.advanced]
    if targets.standard is not None:
        points.append(targets.standard)
    for point in points:
        assert point <= 500  # the advanced target is capped at the top of the scale
        just_above = kpi_score(min(D(500), point + epsilon), targets)
        at = kpi_score(point, targets)
        assert abs(just_above - at) < D("0.01")
        degenerate = point == targets.standard == targets.advanced
        if point != targets.minimum and point - epsilon >= 0 and not degenerate:
            # below the minimum the score drops to 0 by rule; elsewhere it is continuous
            assert abs(kpi_score(point - epsilon, targets) - at) < D("0.01")
        elif degenerate:
            # prior 500: the standard and the capped advanced target are both 500, and a
            # perfect 500 scores 100 by rule, a step up from 75 just below it
            assert at == D(100)


@given(
    st.lists(
        st.decimals(min_value=-1000, max_value=1000, places=2), min_size=1, max_size=5, unique=True
    ),
    st.decimals(min_value=-2000, max_value=2000, places=2),
)
def test_band_scores_stay_in_range(values, value):
    band_values = sorted(values)
    band = [
        (v, (D(500) * (i + 1) / len(band_values)).quantize(D("0.01")))
        for i, v in enumerate(band_values)
    ]
    assert D(0) <= scoring.kpi_band_score(value, band) <= D(500)
