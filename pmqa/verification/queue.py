"""The assessor's "My work": reviews to score and submit, and for a lead the consensus and
the report. (The other homes' queues are in pmqa.dashboards.queues.)"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F
from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa.assessments.models import Assessment
from pmqa.verification.models import Assignment, Review

S = Assessment.Status


@dataclass(frozen=True)
class Task:
    """One thing to do: what, where, by when (and whether that has passed), and more."""

    text: str
    url: str
    due: datetime.date | None = None
    overdue: bool = False
    detail: str = ""
    count: int | None = None


def assessor_queue(user_id: int) -> list[Task]:
    """The person's reviews to score and submit; for a lead, the consensus to record once
    every review is in, and the report to write or correct."""
    assignments = list(
        Assignment.objects.filter(
            assessor_id=user_id,
            assessment__status__in=[S.IN_REVIEW, S.CLARIFICATION, S.CONSENSUS],
        )
        .select_related("assessment__organisation", "assessment__cycle")
        .order_by("-assessment__cycle__fiscal_year", "assessment__organisation__name_th")
    )
    ids = [a.assessment_id for a in assignments]
    own = set(
        Review.objects.filter(
            assessor_id=user_id, assessment__in=ids, submitted_at__isnull=False
        ).values_list("assessment_id", flat=True)
    )
    team = dict(
        Assignment.objects.filter(assessment__in=ids)
        .values_list("assessment")
        .annotate(n=Count("pk"))
    )
    # Reviews of the team as it stands (not of an assessor since taken off it).
    submitted = dict(
        Review.objects.filter(
            assessment__in=ids,
            submitted_at__isnull=False,
            assessment__assignments__assessor=F("assessor"),
        )
        .values_list("assessment")
        .annotate(n=Count("pk", distinct=True))
    )
    tasks: list[Task] = []
    for row in assignments:
        assessment = row.assessment
        names = {"organisation": assessment.organisation.name, "year": assessment.cycle.fiscal_year}
        if assessment.status == S.CONSENSUS:
            if row.is_lead:
                tasks.append(
                    Task(
                        _("Write the Feedback Report of %(organisation)s, fiscal year %(year)s")
                        % names,
                        reverse("feedback:edit", args=[assessment.pk]),
                    )
                )
            continue
        if assessment.pk not in own:
            tasks.append(
                Task(
                    _("Score and submit your review of %(organisation)s, fiscal year %(year)s")
                    % names,
                    reverse("reviews:overview", args=[assessment.pk]),
                )
            )
        elif row.is_lead and submitted.get(assessment.pk, 0) >= team.get(assessment.pk, 0):
            tasks.append(
                Task(
                    _("Record the consensus of %(organisation)s, fiscal year %(year)s") % names,
                    reverse("reviews:consensus", args=[assessment.pk]),
                )
            )
    return tasks
