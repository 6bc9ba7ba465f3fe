""" "งานของฉัน": what waits for a person, at the top of their home, each with where to act.

Each queue is read in a fixed number of queries, however many assessments there are."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa.assessments.models import Assessment, Round, StatusChange
from pmqa.assessments.windows import window_for, with_round1
from pmqa.verification.models import Clarification
from pmqa.verification.queue import Task

S = Assessment.Status
CLOSING_DAYS = 14
# A draft stays on the list, overdue, this long after its window closed.
STALE = datetime.timedelta(days=30)


def agency_queue(
    organisation_ids: Iterable[int], *, today: datetime.date | None = None
) -> list[Task]:
    """The drafts of the person's organisations (with their deadline and a return's reason)
    and the assessors' questions still to answer."""
    today = today or timezone.localdate()
    ids = list(organisation_ids)
    drafts = list(
        with_round1(Assessment.objects.filter(organisation__in=ids, status=S.DRAFT))
        .select_related("organisation", "cycle")
        .order_by("-cycle__fiscal_year", "organisation__name_th")
    )
    latest: dict[int, StatusChange] = {}
    for change in StatusChange.objects.filter(assessment__in=drafts).order_by("-at", "-pk"):
        latest.setdefault(change.assessment_id, change)
    tasks: list[Task] = []
    for assessment in drafts:
        window = window_for(assessment, today=today)
        if window.closes_on is not None and window.closes_on < today - STALE:
            continue  # a round closed long ago: nothing left to do but ask for an extension
        names = {"organisation": assessment.organisation.name, "year": assessment.cycle.fiscal_year}
        last = latest.get(assessment.pk)
        returned = last is not None and last.from_status == last.to_status == S.DRAFT
        tasks.append(
            Task(
                (
                    _(
                        "Correct the self-assessment of %(organisation)s, fiscal year "
                        "%(year)s, and send it again"
                    )
                    if returned
                    else _("Complete the self-assessment of %(organisation)s, fiscal year %(year)s")
                )
                % names,
                reverse("assessments:home", args=[assessment.pk]),
                due=window.closes_on,
                overdue=window.closes_on is not None and window.closes_on < today,
                detail=last.reason if returned and last is not None else window.message,
            )
        )
    questions = (
        Clarification.objects.filter(assessment__organisation__in=ids, answered_at__isnull=True)
        .values("assessment", "assessment__organisation__name_th", "assessment__cycle__fiscal_year")
        .annotate(n=Count("pk"))
        .order_by("assessment")
    )
    for row in questions:
        tasks.append(
            Task(
                _("Answer the assessors' questions to %(organisation)s, fiscal year %(year)s")
                % {
                    "organisation": row["assessment__organisation__name_th"],
                    "year": row["assessment__cycle__fiscal_year"],
                },
                reverse("assessments:home", args=[row["assessment"]]) + "#clarifications",
                count=row["n"],
            )
        )
    return tasks


def admin_queue(*, today: datetime.date | None = None) -> list[Task]:
    """OPDC's counters: submissions waiting for a team, reviews still open, reports waiting
    for approval, and the round-1 windows closing within two weeks with drafts still open."""
    today = today or timezone.localdate()
    counts = Assessment.objects.filter(is_synthetic=False).aggregate(
        without_team=Count(
            "pk", filter=Q(status=S.SUBMITTED, assignments__isnull=True), distinct=True
        ),
        in_review=Count("pk", filter=Q(status__in=[S.IN_REVIEW, S.CLARIFICATION]), distinct=True),
        to_approve=Count("pk", filter=Q(status=S.REPORT_DRAFTED), distinct=True),
    )
    tasks = [
        Task(
            _("Submitted self-assessments waiting for an assessor team"),
            reverse("verification:assignments"),
            count=counts["without_team"],
        ),
        Task(
            _("Assessments whose team is still reviewing"),
            reverse("verification:assignments"),
            count=counts["in_review"],
        ),
        Task(
            _("Feedback Reports waiting for approval"),
            reverse("feedback:reports"),
            count=counts["to_approve"],
        ),
    ]
    closing = (
        Round.objects.filter(
            number=1,
            closes_on__gte=today,
            closes_on__lte=today + datetime.timedelta(days=CLOSING_DAYS),
        )
        .select_related("cycle")
        .annotate(
            drafts=Count(
                "cycle__assessments",
                filter=Q(
                    cycle__assessments__status=S.DRAFT, cycle__assessments__is_synthetic=False
                ),
            )
        )
        .order_by("closes_on")
    )
    for round_ in closing:
        tasks.append(
            Task(
                _("Round 1 of fiscal year %(year)s closes: drafts still open")
                % {"year": round_.cycle.fiscal_year},
                reverse("manage:cycle", args=[round_.cycle.fiscal_year]),
                due=round_.closes_on,
                count=round_.drafts,
            )
        )
    return tasks
