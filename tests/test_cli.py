"""The `pmqa score` and `pmqa kpi` commands, as a user runs them."""

import json
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from pmqa import scoring

NARATHIWAT = {
    "categories": {"1": 450, "2": 500, "3": 450, "4": 475, "5": 475, "6": 425, "7": 326.67}
}


def run(*args, stdin=""):
    env = {**os.environ, "PMQA_SECRET_KEY": "test-only", "DATABASE_URL": "sqlite:///:memory:"}
    return subprocess.run(
        [sys.executable, "-m", "pmqa", *args],
        input=stdin,
        text=True,
        capture_output=True,
        env=env,
        check=False,
    )


def test_score_prints_the_golden_figures_from_standard_input():
    result = run("score", "-", stdin=json.dumps(NARATHIWAT))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["total"] == "443.10" and out["rating"] == "3.54" and out["level"] == "advance"
    assert out["categories"]["7"] == "326.67"
    assert out["classification"]["6"] == "develop"
    assert out["rules_version"] == scoring.RULES_VERSION


@pytest.mark.parametrize(
    "document, field",
    [
        ('{"categories": {"1": 501}}', "categories.1"),
        ('{"categories": {"1": -1}}', "categories.1"),
        ('{"categories": {"2": "abc"}}', "categories.2"),
        ('{"categories": {"8": 300}}', "categories.8"),
        ('{"items": {"9.9": {"score": 300}}}', "items.9.9"),
        (
            '{"items": {"1.1": {"checkpoints": '
            '{"basic": [true], "advance": [], "significance": 1}}}}',
            "items.1.1.checkpoints.significance",
        ),
        ('{"categories": ', "input"),
        ("[]", "input"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(document, field):
    result = run("score", "-", stdin=document)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert field in lines[0]
    assert "Traceback" not in result.stderr


def test_partial_categories_say_what_is_missing_and_give_no_total():
    out = json.loads(run("score", "-", stdin='{"categories": {"1": 450, "2": 500}}').stdout)
    assert out["missing"] == ["3", "4", "5", "6", "7"]
    assert "total" not in out


def score_in_process(monkeypatch, document):
    """The edition lives in the test database, so this case runs the command in-process."""
    monkeypatch.setattr(sys, "stdin", StringIO(json.dumps(document)))
    out = StringIO()
    call_command("score", "-", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_items_are_scored_and_checked_against_an_edition(monkeypatch):
    checks = {"basic": [True, True, True], "advance": [True], "significance": [False]}
    document = {
        "edition": "pmqa40",
        "items": {
            "1.1": {"checkpoints": checks},
            "7.1": {"kpis": [{"value": 92, "band": [[75, 100], [95, 500]]}]},
        },
    }
    result = json.loads(score_in_process(monkeypatch, document))
    assert result["items"]["1.1"] == {"score": "400.00", "level": "advance"}
    assert result["items"]["7.1"] == {"score": "440.00"}

    document["items"]["1.1"]["checkpoints"]["basic"] = [True, True]
    with pytest.raises(CommandError, match="items.1.1.checkpoints.basic: expected 3"):
        score_in_process(monkeypatch, document)


def test_a_full_set_of_items_gives_the_totals():
    items = {}
    for category in range(1, 7):
        for item in range(1, 5):
            items[f"{category}.{item}"] = {"score": 400}
    for item in range(1, 7):
        items[f"7.{item}"] = {"kpis": [{"value": 100, "band": [[0, 0], [100, 500]]}]}
    out = json.loads(run("score", "-", stdin=json.dumps({"items": items})).stdout)
    assert out["categories"]["7"] == "500.00"
    assert out["total"] == f"{scoring.q2((400 * 6 + 500) / scoring.engine.Decimal(7))}"


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["--prior", "434.48", "--actual", "400", "--fiscal-year", "2564"],
            {
                "type": 3,
                "targets": {"minimum": "370.00", "standard": "434.48", "advanced": "443.17"},
                "score": "61.63",
            },
        ),
        (
            ["--prior", "300", "--actual", "300"],
            {
                "type": 1,
                "targets": {"minimum": "240.00", "standard": None, "advanced": "350.00"},
                "score": "77.27",
            },
        ),
        (
            ["--prior", "360", "--actual", "380"],
            {
                "type": 2,
                "targets": {"minimum": "325.00", "standard": "360.00", "advanced": "388.80"},
                "score": "92.36",
            },
        ),
    ],
)
def test_kpi_reproduces_the_worked_examples(args, expected):
    result = run("kpi", *args)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    for key, value in expected.items():
        assert out[key] == value


def test_kpi_without_actual_prints_the_totals_for_each_score():
    out = json.loads(run("kpi", "--prior", "434.48").stdout)
    assert out["totals_for_scores"] == {"50": "370.00", "75": "434.48", "100": "443.17"}


@pytest.mark.parametrize(
    "args, field",
    [
        (["--prior", "abc"], "prior"),
        (["--prior", "600"], "prior"),
        (["--prior", "400", "--actual", "x"], "actual"),
        (["--prior", "400", "--fiscal-year", "2500"], "fiscal-year"),
    ],
)
def test_kpi_bad_input_exits_2(args, field):
    result = run("kpi", *args)
    assert result.returncode == 2
    assert field in result.stderr and "Traceback" not in result.stderr


def test_kpi_refuses_a_fiscal_year_before_the_first_rule_set():
    result = run("kpi", "--prior", "434.48", "--actual", "400", "--fiscal-year", "2563")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith("fiscal-year: no KPI rule set for 2563, the first starts in 2564")


def test_kpi_caps_the_advanced_target_at_500():
    result = run("kpi", "--prior", "500", "--actual", "500", "--fiscal-year", "2570")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["fiscal_year_rule"] == 2564  # still in force in 2570
    assert out["targets"] == {"minimum": "370.00", "standard": "500.00", "advanced": "500.00"}
    assert out["score"] == "100.00"


def settings_in(env):
    """The database settings a new process reads from this environment."""
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE']='pmqa.settings';"
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'],"
        " d.get('DISABLE_SERVER_SIDE_CURSORS', False)]))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PMQA_")}
    base |= {"PMQA_ENV_FILE": "", "PMQA_SECRET_KEY": "test-only"} | env
    result = subprocess.run(
        [sys.executable, "-c", code], env=base, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_production_keeps_database_connections_and_can_sit_behind_pgbouncer():
    url = {"DATABASE_URL": "postgres://pmqa@localhost/pmqa"}
    assert settings_in(url) == [600, True, False]
    assert settings_in(url | {"PMQA_DEBUG": "1"}) == [0, True, False]
    assert settings_in(url | {"PMQA_DB_PGBOUNCER": "1"}) == [0, True, True]
    assert settings_in(url | {"PMQA_DB_CONN_MAX_AGE": "60"}) == [60, True, False]
