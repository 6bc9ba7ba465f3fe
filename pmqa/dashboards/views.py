"""Role homes: where each persona lands after logging in."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.accounts.decorators import admin_required, agency_required
from pmqa.accounts.roles import request_access
from pmqa.assessments import policy
from pmqa.assessments.models import Assessment, Round, ScoreSnapshot, newest_snapshots
from pmqa.criteria.models import Edition
from pmqa.dashboards import overview, peers, queues
from pmqa.evaluation.kpi import grouping_rules, rule_sets
from pmqa.lib.charts import radar_svg
from pmqa.lib.tasks import queue_health
from pmqa.organisations.models import Organisation


@login_required
def home(request: HttpRequest) -> HttpResponse:
    access = request_access(request)
    if access.is_admin:
        return redirect("dashboards:admin")
    if access.is_agency:
        return redirect("dashboards:agency")
    if access.is_assessor:
        return redirect("dashboards:assessor")
    return render(request, "dashboards/no_role.html")


def _with_scores(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return queryset.select_related("cycle", "organisation", "feedback").prefetch_related(
        Prefetch("scores", queryset=ScoreSnapshot.objects.filter(round_number=1).order_by())
    )


def latest_scores(assessment: Assessment) -> dict[str, ScoreSnapshot]:
    """The round-1 snapshot that counts per source, from a prefetched `scores` list."""
    newest = newest_snapshots(assessment.scores.all())
    return {source: snapshot for (source, _round), snapshot in newest.items()}


@agency_required
def agency_home(request: HttpRequest) -> HttpResponse:
    access = request_access(request)
    organisations = Organisation.objects.filter(pk__in=access.agency_org_ids)
    assessments = _with_scores(
        Assessment.objects.filter(organisation__in=access.agency_org_ids)
    ).order_by("-cycle__fiscal_year")
    rows = []
    for assessment in assessments:
        scores = latest_scores(assessment)
        rows.append(
            {
                "assessment": assessment,
                "self": scores.get("self"),
                "verified": scores.get("assessor")
                if policy.standing(request, assessment).has(policy.RESULTS)
                else None,
            }
        )
    # Each organisation's latest published total: its place among peers, next year's KPI.
    positions = []
    for organisation in organisations:
        latest = next(
            (
                row
                for row in rows
                if row["assessment"].organisation_id == organisation.pk
                and row["verified"] is not None
                and row["assessment"].is_published
            ),
            None,
        )
        if latest is not None:
            positions.append(
                peers.position(
                    latest["assessment"],
                    latest["verified"].total,
                    frozenset(o.code for o in organisations),
                )
            )
    # Cycles whose round 1 has not closed and that an organisation of this user has not started.
    started = {(row["assessment"].cycle_id, row["assessment"].organisation_id) for row in rows}
    today = timezone.localdate()
    startable = []
    for round_ in Round.objects.filter(number=1, closes_on__gte=today).select_related("cycle"):
        for organisation in organisations:
            if (round_.cycle_id, organisation.pk) not in started:
                startable.append({"round": round_, "organisation": organisation})
    return render(
        request,
        "dashboards/agency.html",
        {
            "tasks": queues.agency_queue(access.agency_org_ids),
            "organisations": organisations,
            "rows": rows,
            "startable": startable,
            "positions": positions,
        },
    )


@agency_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = policy.get_assessment(
        request, pk, policy.AGENCY, queryset=_with_scores(Assessment.objects.all())
    )
    scores = latest_scores(assessment)
    own = scores.get("self")
    verified = (
        scores.get("assessor") if policy.standing(request, assessment).has(policy.RESULTS) else None
    )
    rows = _category_rows(assessment.cycle.edition, own, verified)
    sections, round2 = _report_part(assessment) if verified is not None else ([], None)
    return render(
        request,
        "dashboards/assessment_detail.html",
        {
            "assessment": assessment,
            "rows": rows,
            "own": own,
            "verified": verified,
            "total_gap": own.total - verified.total if own and verified else None,
            "rules_version": (own or verified).rules_version if (own or verified) else "",
            "sections": sections,
            "round2": round2,
            # Self against verified scores on the report's radar chart, once both are there.
            "radar": _radar(rows) if own and verified else "",
        },
    )


def _category_rows(
    edition: Edition, own: ScoreSnapshot | None, verified: ScoreSnapshot | None
) -> list[dict[str, Any]]:
    """Each category's self and verified scores, their colour classes and the gap."""
    thresholds = edition.thresholds()

    def classified(value: Decimal | None) -> str:
        return scoring.classify(value, thresholds) if value is not None else ""

    rows = []
    for category in edition.categories.all():
        key = str(category.number)
        self_value = own.category_scores().get(key) if own else None
        verified_value = verified.category_scores().get(key) if verified else None
        rows.append(
            {
                "category": category,
                "self": self_value,
                "self_class": classified(self_value),
                "verified": verified_value,
                "verified_class": classified(verified_value),
                "gap": (
                    scoring.gap(self_value, verified_value)
                    if self_value is not None and verified_value is not None
                    else None
                ),
            }
        )
    return rows


def _radar(rows: list[dict[str, Any]]) -> str:
    return radar_svg([(f"หมวด {r['category'].number}", r["self"], r["verified"]) for r in rows])


def _report_part(assessment: Assessment) -> tuple[list[Any], ScoreSnapshot | None]:
    """What the agency reads beside its verified scores: the report's sections and the
    round 2 result."""
    from pmqa.feedback.sections import report_sections

    feedback = getattr(assessment, "feedback", None)
    sections = report_sections(feedback) if feedback is not None else []
    round2 = ScoreSnapshot.objects.filter(assessment=assessment).newest("assessor", 2)
    return sections, round2


@admin_required
def admin_home(request: HttpRequest) -> HttpResponse:
    cycles = overview.cycles_with_state()
    sets = rule_sets()
    grouping = {cycle.pk: grouping_rules(cycle.fiscal_year, sets) for cycle in cycles}
    figures = overview.cycle_figures(
        cycles, {pk: rules for pk, (rules, _first) in grouping.items()}
    )
    status_labels = dict(Assessment.Status.choices)
    summaries = []
    for cycle in cycles:
        rules, first_set = grouping[cycle.pk]
        found = figures[cycle.pk]
        grouped_by = (
            _(
                "No KPI rule set covers fiscal year %(year)s, the year these totals set targets "
                "for; they are grouped as the first rule set, of fiscal year %(first)s, groups "
                "them."
            )
            % {"year": cycle.fiscal_year + 1, "first": rules.fiscal_year}
            if first_set
            else ""
        )
        summaries.append(
            {
                "cycle": cycle,
                "groups": found.groups,
                "grouped_by": grouped_by,
                "without_verified": cycle.assessment_count - found.verified,  # type: ignore[attr-defined]
                "statuses": [
                    (status_labels[key], count) for key, count in sorted(found.statuses.items())
                ],
            }
        )
    per_kind = dict(Organisation.objects.values_list("kind").annotate(n=Count("id")))
    counts = {label: per_kind.get(kind, 0) for kind, label in Organisation.Kind.choices}
    return render(
        request,
        "dashboards/admin.html",
        {
            "tasks": queues.admin_queue(),
            "summaries": summaries,
            "counts": counts,
            "background": queue_health(),
        },
    )
