"""Who is told when an assessment moves between the agency and its assessor team."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa.accounts.models import User
from pmqa.assessments.handoffs import names_of
from pmqa.assessments.models import Assessment
from pmqa.notifications.models import Kind, Notification
from pmqa.notifications.services import (
    Message,
    agency_people,
    in_site_language,
    notify,
    register_concern,
)
from pmqa.verification.models import Assignment, Clarification, Review


def team_of(assessment: Assessment) -> list[Assignment]:
    return list(assessment.assignments.select_related("assessor"))


@in_site_language
def team_assigned(
    assessment: Assessment, assignments: list[Assignment], *, by: User, ahead: bool = False
) -> None:
    """Each assessor is told of the assessment they now review (the lead, that they lead);
    named `ahead` of the submission, that it opens to them then, and they are told again."""
    names = names_of(assessment)
    if ahead:
        body = _(
            "The agency has not submitted yet: the assessment opens to the team when it does, "
            "and you are told then. Nothing of its draft is shown before."
        )
        link = reverse("dashboards:assessor")
    else:
        body = _(
            "Score each item independently from the submitted self-assessment; the "
            "other assessors' scores are shown once your own review is submitted."
        )
        link = reverse("reviews:overview", args=[assessment.pk])
    for row in assignments:
        notify(
            Kind.TEAM_ASSIGNED,
            # Once per person and role: editing the team does not tell its members again.
            f"team:{assessment.pk}:{row.assessor_id}:{'lead' if row.is_lead else 'member'}",
            [row.assessor],
            Message(
                (
                    _("You lead the team reviewing %(organisation)s, fiscal year %(year)s")
                    if row.is_lead
                    else _("You are on the team reviewing %(organisation)s, fiscal year %(year)s")
                )
                % names,
                body,
                link,
            ),
            assessment_id=assessment.pk,
            exclude=by,
        )


@in_site_language
def question_asked(clarification: Clarification, *, by: User) -> None:
    """The agency's people are told an assessor asks them something."""
    assessment = clarification.assessment
    names = {**names_of(assessment), "item": clarification.item_code}
    notify(
        Kind.QUESTION_ASKED,
        f"question:{clarification.pk}",
        agency_people(assessment.organisation),
        Message(
            _("An assessor asks %(organisation)s about item %(item)s") % names,
            f"{clarification.question}",
            reverse("assessments:home", args=[assessment.pk]) + "#clarifications",
        ),
        organisation=assessment.organisation,
        exclude=by,
    )


@in_site_language
def question_answered(clarification: Clarification, *, by: User) -> None:
    """The assessor who asked is told the agency answered."""
    assessment = clarification.assessment
    if clarification.asked_by is None:
        return
    names = {**names_of(assessment), "item": clarification.item_code}
    notify(
        Kind.QUESTION_ANSWERED,
        f"answer:{clarification.pk}",
        [clarification.asked_by],
        Message(
            _("%(organisation)s answered your question on item %(item)s") % names,
            clarification.answer,
            reverse("reviews:item", args=[assessment.pk, clarification.item_code]),
        ),
        assessment_id=assessment.pk,
        exclude=by,
    )


@in_site_language
def review_submitted(review: Review, *, by: User) -> None:
    """The lead is told of each review submitted, and when every review of the team is in."""
    assessment = review.assessment
    team = team_of(assessment)
    lead = next((row.assessor for row in team if row.is_lead), None)
    if lead is None:
        return
    names = {**names_of(assessment), "who": review.assessor.get_full_name()}
    consensus = reverse("reviews:consensus", args=[assessment.pk])
    notify(
        Kind.REVIEW_SUBMITTED,
        f"review:{review.pk}",
        [lead],
        Message(
            _("%(who)s submitted a review of %(organisation)s, fiscal year %(year)s") % names,
            _("Each submitted review's scores are on the consensus page."),
            consensus,
        ),
        assessment_id=assessment.pk,
        exclude=by,
    )
    submitted = set(
        assessment.reviews.filter(submitted_at__isnull=False).values_list("assessor_id", flat=True)
    )
    if all(row.assessor_id in submitted for row in team):
        notify(
            Kind.REVIEWS_IN,
            f"reviews-in:{assessment.pk}",
            [lead],
            Message(
                _("Every review of %(organisation)s is in: the consensus can begin") % names,
                _(
                    "All the assessors of the team have submitted their reviews of "
                    "%(organisation)s for fiscal year %(year)s."
                )
                % names,
                consensus,
            ),
            assessment_id=assessment.pk,
        )


def _on_team(notification: Notification) -> bool:
    return Assignment.objects.filter(
        assessment_id=notification.assessment_id, assessor_id=notification.recipient_id
    ).exists()


def _leads(notification: Notification) -> bool:
    return Assignment.objects.filter(
        assessment_id=notification.assessment_id,
        assessor_id=notification.recipient_id,
        is_lead=True,
    ).exists()


def register() -> None:
    """Tell the notifications who is still concerned by the team's news."""
    register_concern((Kind.TEAM_ASSIGNED, Kind.QUESTION_ANSWERED, Kind.REVIEW_SUBMITTED), _on_team)
    register_concern((Kind.REVIEWS_IN, Kind.REPORT_RETURNED), _leads)
