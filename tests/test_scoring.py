"""The scoring engine against the spec's golden figures, plus properties that must always hold."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pmqa import scoring
from pmqa.scoring.kpi import group_statistics, kpi_score, kpi_targets, rule_set_for

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
    ],
)
def test_gated_checklist(basic, advance, significance, score, level):
    ticks = [scoring.LevelTicks(*pair) for pair in (basic, advance, significance)]
    assert scoring.gated_checklist(*ticks) == D(score)
    assert scoring.level_reached(*ticks) == level


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


def test_gap_is_self_minus_assessor():
    assert scoring.gap(D("443.10"), D("257.38")) == D("185.72")


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
        if point > 500:
            continue
        just_above = kpi_score(min(D(500), point + epsilon), targets)
        at = kpi_score(point, targets)
        assert abs(just_above - at) < D("0.01")
        if point != targets.minimum and point - epsilon >= 0:
            # below the minimum the score drops to 0 by rule; elsewhere it is continuous
            assert abs(kpi_score(point - epsilon, targets) - at) < D("0.01")


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
