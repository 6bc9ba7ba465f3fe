"""The team facts the policy asks for: who is on an assessment's team, who leads it and whose own
review is submitted, read from verification's own tables.

The policy lives below this app and cannot import it; `VerificationConfig.ready` hands it this
module (`policy.provide_team_facts`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from pmqa.assessments.models import Assessment
from pmqa.assessments.policy import TeamPlace
from pmqa.verification.models import Assignment, Review


def place(user: Any, assessment: Assessment) -> TeamPlace | None:
    """The user's place on the assessment's team, or None when not on it."""
    # One row at most (an assessor is on a team once): no sort, so no join for the ordering.
    is_lead = (
        Assignment.objects.filter(assessment=assessment, assessor=user)
        .order_by()
        .values_list("is_lead", flat=True)
        .first()
    )
    if is_lead is None:
        return None
    submitted = Review.objects.filter(
        assessment=assessment, assessor=user, submitted_at__isnull=False
    ).exists()
    return TeamPlace(is_lead=bool(is_lead), review_submitted=submitted)


def assessments_of(user: Any) -> QuerySet[Any]:
    """The ids of the assessments on whose team the user is, as a subquery."""
    return Assignment.objects.filter(assessor=user).values("assessment_id")


def reviewed_by(user: Any) -> QuerySet[Any]:
    """The ids of the assessments whose team the user is on and whose review by the user is
    submitted, as a subquery."""
    return Review.objects.filter(
        assessor=user, submitted_at__isnull=False, assessment__assignments__assessor=user
    ).values("assessment_id")
