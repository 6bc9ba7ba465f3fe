"""What-if page: change category scores or tick checkpoints and watch every figure follow."""

from decimal import Decimal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.decorators import agency_required
from pmqa.accounts.roles import request_access
from pmqa.assessments import policy
from pmqa.assessments.answers import parse_number
from pmqa.assessments.models import Assessment, Cycle, ScoreSnapshot
from pmqa.criteria.models import Edition, LevelCode
from pmqa.evaluation.kpi import rule_sets
from pmqa.lib.converters import is_id
from pmqa.scoring.kpi import NoRuleSet, kpi_targets, rule_set_for

CATEGORY_KEYS = ("1", "2", "3", "4", "5", "6", "7")


def _visible_assessments(request: HttpRequest) -> QuerySet[Assessment]:
    # The agency's own, not those an assessor reviews: the what-if starts from its own scores.
    queryset = policy.agency_visible_to(request_access(request))
    return queryset.select_related("cycle__edition", "organisation").order_by(
        "-cycle__fiscal_year", "organisation__name_th"
    )


def _starting_scores(
    request: HttpRequest, assessment: Assessment | None
) -> tuple[dict[str, Decimal], str]:
    """The agency's latest verified scores if it may see them, else its latest self scores."""
    if assessment is None:
        return {}, ""
    snapshots = ScoreSnapshot.objects.filter(assessment=assessment)
    if policy.standing(request, assessment).has(policy.RESULTS):
        verified = snapshots.newest("assessor")
        if verified:
            return verified.category_scores(), _("verified scores")
    own = snapshots.newest("self")
    if own:
        return own.category_scores(), _("self-assessment scores")
    return {}, ""


def _parse_categories(data: QueryDict) -> tuple[dict[str, Decimal], dict[str, str]]:
    values: dict[str, Decimal] = {}
    errors: dict[str, str] = {}
    for key in CATEGORY_KEYS:
        raw = data.get(f"category_{key}") or ""
        try:
            value = parse_number(raw)
        except ValueError as error:
            # A decimal comma ("450,5") is named as such; anything else is not a score.
            errors[key] = str(error) if "," in raw else _("Enter a number from 0 to 500.")
            continue
        if value is None:
            continue
        if not value.is_finite() or value < 0 or value > 500:
            errors[key] = _("A score must be between 0 and 500.")
            continue
        values[key] = value
    return values, errors


def _checklist(
    edition: Edition, data: QueryDict
) -> tuple[list[dict[str, object]], dict[str, Decimal]]:
    """One walk over categories 1–6: each checkpoint's field name and tick for the page, and the
    category scores the ticks give under the gated-checklist rule."""
    blocks: list[dict[str, object]] = []
    scores: dict[str, Decimal] = {}
    for category in edition.categories.filter(kind="process").prefetch_related(
        "items__levels__checkpoints"
    ):
        items = []
        item_scores = []
        for item in category.items.all():
            levels = []
            ticks = {}
            for level in item.levels.all():
                checkpoints = []
                for cp in level.checkpoints.all():
                    name = f"cp_{item.code}_{level.level}_{cp.position}"
                    checkpoints.append(
                        {"name": name, "text": cp.text, "checked": data.get(name) == "on"}
                    )
                ticks[level.level] = scoring.LevelTicks.from_flags(
                    [cp["checked"] for cp in checkpoints]
                )
                levels.append({"label": level.get_level_display(), "checkpoints": checkpoints})
            items.append({"item": item, "levels": levels})
            item_scores.append(
                scoring.gated_checklist(
                    ticks[LevelCode.BASIC], ticks[LevelCode.ADVANCE], ticks[LevelCode.SIGNIFICANCE]
                )
            )
        blocks.append({"category": category, "items": items})
        scores[str(category.number)] = scoring.category_score(item_scores)
    return blocks, scores


def compute(
    categories: dict[str, Decimal], thresholds: scoring.Thresholds, fiscal_year: int | None
) -> dict[str, object]:
    result = scoring.score_categories(categories, thresholds)
    out: dict[str, object] = {"result": result}
    if result.total is not None:
        try:
            rules = rule_set_for(fiscal_year, rule_sets())
        except NoRuleSet as error:
            # Refused, not scored by another year's rule: a message instead of the targets.
            out["kpi_refused"] = _(
                "No KPI rule set covers fiscal year %(year)s: the first starts in %(first)s. "
                "Next year's KPI targets are not shown."
            ) % {"year": error.fiscal_year, "first": error.first_year}
            return out
        targets = kpi_targets(scoring.q2(result.total), rules)
        out["targets"] = targets
        out["kpi_rules_year"] = rules.fiscal_year
    return out


@agency_required
def what_if(request: HttpRequest) -> HttpResponse:
    # The select lists the latest 200 (an administrator sees every organisation's); one asked
    # for by its link is found wherever it is in the list, and shown first.
    assessments = list(_visible_assessments(request)[:200])
    selected = None
    wanted = request.GET.get("assessment") or request.POST.get("assessment")
    if is_id(wanted):
        selected = next((a for a in assessments if a.pk == int(wanted)), None)
        if selected is None:
            selected = _visible_assessments(request).filter(pk=int(wanted)).first()
            if selected is not None:
                assessments.insert(0, selected)
    if selected is None and assessments:
        selected = assessments[0]
    if selected:
        edition = selected.cycle.edition
    else:
        # The criteria of the latest cycle (an edition copied for an old year may be newer).
        latest = Cycle.objects.select_related("edition").order_by("-fiscal_year").first()
        edition = latest.edition if latest else Edition.objects.order_by("-created_at").first()
    mode = request.POST.get("mode") or request.GET.get("mode") or "categories"
    mode = "items" if mode == "items" else "categories"
    next_year = selected.cycle.fiscal_year + 1 if selected else None
    thresholds = edition.thresholds() if edition else scoring.Thresholds()

    source = ""
    checklist: list[dict[str, object]] = []
    if request.method == "POST":
        categories, errors = _parse_categories(request.POST)
        if mode == "items" and edition is not None:
            checklist, item_categories = _checklist(edition, request.POST)
            categories.update(item_categories)
    else:
        categories, source = _starting_scores(request, selected)
        errors = {}
        if mode == "items" and edition is not None:
            checklist, _unused = _checklist(edition, request.GET)
    context: dict[str, object] = {
        "assessments": assessments,
        "selected": selected,
        "edition": edition,
        "mode": mode,
        "errors": errors,
        "inputs": {
            key: (f"{scoring.q2(v)}" if key in categories else "")
            for key, v in ((k, categories.get(k, Decimal(0))) for k in CATEGORY_KEYS)
        },
        "next_year": next_year,
        "source": source,
        "process_categories": checklist,
    }
    context.update(compute(categories, thresholds, next_year))
    template = (
        "dashboards/what_if_results.html"
        if request.headers.get("HX-Request")
        else ("dashboards/what_if.html")
    )
    return render(request, template, context)
