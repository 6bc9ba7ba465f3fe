"""Demo data reproduces the seeds; the what-if page agrees with the engine."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from pmqa import scoring
from pmqa.accounts.models import User
from pmqa.assessments.models import Assessment, Cycle, ScoreSnapshot
from pmqa.criteria.models import Category, Edition, Pillar
from pmqa.demo.services import DEMO_PASSWORD
from pmqa.feedback.models import FeedbackEntry
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, verbosity=0)


def test_each_seed_year_has_the_edition_its_report_names_and_an_old_database_keeps_its_own(db):
    call_command("seed_demo", force=True, verbosity=0)
    editions = dict(Cycle.objects.values_list("fiscal_year", "edition__code"))
    assert editions[2561] == "pmqa40-2561" and editions[2563] == "pmqa40-2563"
    assert editions[2562] == editions[2564] == editions[2570] == "pmqa40"
    assert Category.objects.get(edition__code="pmqa40-2561", number=4).name_th == (
        "การวัด การวิเคราะห์ และจัดการความรู้"
    )
    assert Pillar.objects.get(edition__code="pmqa40-2563", code="citizen_centric").name_th == (
        "ระบบราชการที่ยึดประชาชนเป็นศูนย์กลาง"
    )
    # A database whose FY2561 cycle was made before keeps its edition: its reports were
    # printed with it. No unused copy is made.
    Cycle.objects.filter(fiscal_year=2561).update(edition=Edition.objects.get(code="pmqa40"))
    Edition.objects.filter(code="pmqa40-2561").delete()
    call_command("seed_demo", force=True, verbosity=0)
    assert Cycle.objects.get(fiscal_year=2561).edition.code == "pmqa40"
    assert not Edition.objects.filter(code="pmqa40-2561").exists()


def test_seed_demo_is_idempotent_and_reproduces_the_seed_figures(demo, capsys):
    counts = (
        Assessment.objects.count(),
        ScoreSnapshot.objects.count(),
        FeedbackEntry.objects.count(),
    )
    call_command("seed_demo", force=True)
    assert "narathiwat.editor" in capsys.readouterr().out
    assert (
        Assessment.objects.count(),
        ScoreSnapshot.objects.count(),
        FeedbackEntry.objects.count(),
    ) == counts
    narathiwat = Assessment.objects.get(organisation__code="TH-96", cycle__fiscal_year=2561)
    figures = {s.source: (str(s.total), str(s.rating)) for s in narathiwat.scores.all()}
    assert figures == {"self": ("443.10", "3.54"), "assessor": ("257.38", "2.06")}
    isoc = Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563)
    assert {(s.source, s.round_number): str(s.total) for s in isoc.scores.all()} == {
        ("self", 1): "489.05",
        ("assessor", 1): "434.48",
        ("assessor", 2): "345.00",
    }
    cohort = Assessment.objects.filter(is_synthetic=True)
    assert 400 <= cohort.count() <= 460
    assert cohort.values("organisation__kind").distinct().count() == 3


def test_demo_agency_sees_its_published_seed_report(client, demo):
    assert client.login(username="narathiwat.approver", password=DEMO_PASSWORD)
    narathiwat = Assessment.objects.get(organisation__code="TH-96", cycle__fiscal_year=2561)
    body = client.get(reverse("dashboards:assessment", args=[narathiwat.pk])).content.decode()
    assert "26 พฤศจิกายน 2561" in body  # published date, shown in B.E.
    for figure in ("443.10", "257.38", "3.54", "2.06", "185.72"):
        assert figure in body
    texts = FeedbackEntry.objects.filter(feedback__assessment=narathiwat)
    assert texts.filter(kind="ofi", key="5").count() == 4


def test_synthetic_assessments_are_labelled(client, demo):
    assert client.login(username="admin", password=DEMO_PASSWORD)
    synthetic = Assessment.objects.filter(is_synthetic=True).first()
    body = client.get(reverse("dashboards:assessment", args=[synthetic.pk])).content.decode()
    assert "synthetic" in body.lower() or "สังเคราะห์" in body


def test_what_if_starts_from_the_agency_scores_and_agrees_with_the_engine(client, personas):
    client.login(username=personas.editor_a.username, password=PASSWORD)
    page = client.get(reverse("dashboards:what_if"))
    body = page.content.decode()
    assert 'value="326.67"' in body and 'data-figure="total">443.10<' in body
    values = {
        "category_1": "300",
        "category_2": "350",
        "category_3": "300",
        "category_4": "150",
        "category_5": "225",
        "category_6": "150",
        "category_7": "326.67",
    }
    partial = client.post(
        reverse("dashboards:what_if"),
        {**values, "assessment": personas.assessment_a.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    engine = scoring.score_categories({k[-1]: Decimal(v) for k, v in values.items()})
    assert f'data-figure="total">{scoring.q2(engine.total)}<' in partial
    assert f'data-figure="rating">{scoring.q2(engine.rating)}<' in partial
    assert "<html" not in partial  # htmx gets the fragment only
    # FY2561 scores set FY2562 targets, and no KPI rule set covers 2562: said, not guessed
    assert 'data-kpi="refused"' in partial
    assert "2562" in partial and "2564" in partial
    assert "data-target=" not in partial


def whatif_values(*scores):
    return {f"category_{i}": v for i, v in enumerate(scores, start=1)}


def test_what_if_shows_next_years_kpi_targets_under_that_years_rule(client, personas):
    cycle = Cycle.objects.create(fiscal_year=2563, edition=personas.cycle.edition)
    assessment = Assessment.objects.create(cycle=cycle, organisation=personas.agency_a)
    client.login(username=personas.editor_a.username, password=PASSWORD)
    values = whatif_values("300", "350", "300", "150", "225", "150", "326.67")
    partial = client.post(
        reverse("dashboards:what_if"),
        {**values, "assessment": assessment.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    # total 257.38 → FY2564 type 1 (below 350)
    assert 'data-target="minimum">240.00<' in partial
    assert 'data-target="advanced">350.00<' in partial
    assert 'data-kpi="refused"' not in partial
    # a perfect 500 after a perfect 500: the advanced target is capped at 500
    perfect = client.post(
        reverse("dashboards:what_if"),
        {**whatif_values(*["500"] * 7), "assessment": assessment.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-target="standard">500.00<' in perfect
    assert 'data-target="advanced">500.00<' in perfect


def test_what_if_for_a_year_without_a_rule_set_shows_a_message_not_figures(client, personas):
    client.login(username=personas.editor_a.username, password=PASSWORD)
    page = client.get(
        reverse("dashboards:what_if"), {"assessment": personas.assessment_a.pk}
    ).content.decode()
    assert 'data-figure="total">443.10<' in page
    assert 'data-kpi="refused"' in page
    assert "data-target=" not in page


def test_what_if_explains_bad_numbers(client, personas):
    client.login(username=personas.editor_a.username, password=PASSWORD)
    body = client.post(
        reverse("dashboards:what_if"),
        {"category_1": "abc", "category_2": "900"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert body.count('class="errorlist"') == 1
    assert "500" in body


def test_what_if_item_mode_scores_ticked_checkpoints(client, personas):
    client.login(username=personas.editor_a.username, password=PASSWORD)
    edition = personas.cycle.edition
    ticks = {}
    for item in edition.categories.get(number=1).items.all():
        for level in item.levels.all():
            for cp in level.checkpoints.all():
                ticks[f"cp_{item.code}_{level.level}_{cp.position}"] = "on"
    body = client.post(
        reverse("dashboards:what_if"),
        {**ticks, "mode": "items", "assessment": personas.assessment_a.pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'data-category="1">500.00<' in body
    assert 'data-category="2">0.00<' in body


def test_what_if_never_loads_another_agency(client, personas):
    client.login(username=personas.editor_b.username, password=PASSWORD)
    body = client.get(
        reverse("dashboards:what_if"), {"assessment": personas.assessment_a.pk}
    ).content.decode()
    assert personas.agency_a.name_th not in body
    assert "443.10" not in body


def test_what_if_item_mode_walks_the_criteria_once(client, personas, django_assert_num_queries):
    client.login(username=personas.editor_a.username, password=PASSWORD)
    url = reverse("dashboards:what_if")
    data = {"mode": "items", "assessment": personas.assessment_a.pk, "category_7": "300"}
    client.post(url, data, HTTP_HX_REQUEST="true")  # warm the session and the role cache
    # session, user, roles, assessments, categories, items, levels, checkpoints, KPI rule sets
    with django_assert_num_queries(9):
        client.post(url, data, HTTP_HX_REQUEST="true")


def test_the_demo_loads_isocs_profile_verbatim_once(client, demo):
    from pmqa.assessments.models import Answer

    isoc = Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563)
    call_command("seed_demo", force=True, verbosity=0)
    op1a = Answer.objects.get(assessment=isoc, key="OP1a")
    assert op1a.version == 1
    assert op1a.data["budget"] == "10049512900"
    assert op1a.data["headcount"] == "64695"
    assert op1a.data["vision"].startswith("กอ.รมน. เป็นองค์กรหลักในการบูรณาการ")
    assert len(op1a.data["services"]) == 9
    partners = Answer.objects.get(assessment=isoc, key="OP1b").data["partners"]
    assert [p["kind"] for p in partners] == ["supplier", "partner", "collaborator"]
    assert client.login(username="isoc.editor", password=DEMO_PASSWORD)
    page = client.get(reverse("assessments:profile", args=[isoc.pk, "OP2b"])).content.decode()
    assert "ภัยคุกคามทางความมั่นคงรูปแบบใหม่ซับซ้อนมีหลายมิติ" in page


def test_the_demo_assessors_have_a_labelled_synthetic_case_to_review(client, demo):
    case = Assessment.objects.get(organisation__code="TH-50", cycle__fiscal_year=2570)
    assert case.is_synthetic and case.status == "in_review"
    assert case.submissions.count() == 1
    assert client.login(username="lead", password=DEMO_PASSWORD)
    home = client.get(reverse("dashboards:assessor")).content.decode()
    assert case.organisation.name_th in home
    page = client.get(reverse("reviews:overview", args=[case.pk])).content.decode()
    assert "ข้อมูลสังเคราะห์" in page
    consensus = client.get(reverse("reviews:consensus", args=[case.pk])).content.decode()
    assert "ส่งผลการตรวจของท่านก่อน" in consensus  # the lead has not reviewed yet


def test_what_if_opens_the_assessment_asked_for_beyond_the_lists_first_200(client, demo):
    """An administrator sees every organisation's assessments; the one a link asks for is
    chosen even when it is not among the latest 200 the list shows."""
    assert Assessment.objects.count() > 200
    narathiwat = Assessment.objects.get(organisation__code="TH-96", cycle__fiscal_year=2561)
    assert client.login(username="admin", password=DEMO_PASSWORD)
    body = client.get(reverse("dashboards:what_if"), {"assessment": narathiwat.pk}).content
    assert f'<option value="{narathiwat.pk}" selected>'.encode() in body
    assert b"326.67" in body  # its category 7, as the seed's score table gives it


def test_seed_demo_refuses_a_production_installation_unless_forced(db, settings):
    # Production runs without debug mode, as the tests do.
    settings.DEBUG = False
    with pytest.raises(CommandError, match="PMQA_DEBUG") as refused:
        call_command("seed_demo")
    assert "pmqa-demo" in str(refused.value)
    assert not User.objects.filter(username="admin").exists()


def test_seed_demo_refuses_a_database_with_people_of_its_own(personas, settings):
    # A debugging shell (PMQA_DEBUG=1) pointed at a database in use.
    settings.DEBUG = True
    with pytest.raises(CommandError, match="already has accounts"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()
