"""Who is told when the self-assessment changes hands, and what they are told."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa.accounts.models import Role, User
from pmqa.assessments.models import Assessment
from pmqa.lib.thai import format_date_be
from pmqa.notifications.models import Kind
from pmqa.notifications.services import (
    Message,
    administrators,
    agency_people,
    in_site_language,
    notify,
)


def names_of(assessment: Assessment) -> dict[str, object]:
    """What every hand-off's message names: the organisation (its official name) and the
    fiscal year."""
    return {
        "organisation": assessment.organisation.official_name_th,
        "year": assessment.cycle.fiscal_year,
    }


@in_site_language
def submitted(assessment: Assessment, team: list[User], *, key: str, by: User) -> None:
    """OPDC is told a submission waits for a team; a team already named is told the review
    is open (OPDC, that it has begun)."""
    names = names_of(assessment)
    if team:
        notify(
            Kind.TEAM_ASSIGNED,
            key,
            team,
            Message(
                _("%(organisation)s submitted: your review of fiscal year %(year)s is open")
                % names,
                _(
                    "Score each item independently from the submitted self-assessment; the "
                    "other assessors' scores are shown once your own review is submitted."
                ),
                reverse("reviews:overview", args=[assessment.pk]),
            ),
            assessment_id=assessment.pk,
            exclude=by,
        )
    notify(
        Kind.SUBMITTED,
        key,
        administrators(),
        Message(
            _("%(organisation)s submitted its self-assessment for fiscal year %(year)s") % names,
            (
                _(
                    "The self-assessment of %(organisation)s for fiscal year %(year)s is "
                    "submitted; the assessor team named for it has begun the review."
                )
                if team
                else _(
                    "The self-assessment of %(organisation)s for fiscal year %(year)s is "
                    "submitted and waits for an assessor team."
                )
            )
            % names,
            reverse("verification:assignments"),
        ),
        exclude=by,
    )


@in_site_language
def returned(assessment: Assessment, reason: str, *, key: str, by: User) -> None:
    """The editors are told what the approver wants changed."""
    names = {**names_of(assessment), "who": by.get_full_name(), "reason": reason}
    notify(
        Kind.RETURNED,
        key,
        agency_people(assessment.organisation, roles=[Role.AGENCY_EDITOR]),
        Message(
            _("The self-assessment of %(organisation)s was returned to the editors") % names,
            _(
                "%(who)s returned the self-assessment of %(organisation)s for fiscal year "
                "%(year)s to the editors.\n\nWhat to change:\n%(reason)s"
            )
            % names,
            reverse("assessments:home", args=[assessment.pk]),
        ),
        organisation=assessment.organisation,
        exclude=by,
    )


@in_site_language
def ready(assessment: Assessment, note: str, *, key: str, by: User) -> None:
    """The approvers are told an editor has finished."""
    names = {**names_of(assessment), "who": by.get_full_name(), "note": note}
    notify(
        Kind.READY,
        key,
        agency_people(assessment.organisation, roles=[Role.AGENCY_APPROVER]),
        Message(
            _("The self-assessment of %(organisation)s is ready for you to submit") % names,
            (
                _(
                    "%(who)s says the self-assessment of %(organisation)s for fiscal year "
                    "%(year)s is ready. Read it and submit it, or return it with what to change."
                )
                % names
            )
            + (f"\n\n{note}" if note else ""),
            reverse("assessments:submit", args=[assessment.pk]),
        ),
        organisation=assessment.organisation,
        exclude=by,
    )


@in_site_language
def deadline(assessment: Assessment, closes_on: datetime.date, days: int, *, key: str) -> bool:
    """The agency's people are told a draft's window closes in `days` days. Returns whether
    anyone was there to tell."""
    names = {**names_of(assessment), "day": format_date_be(closes_on), "days": days}
    told = notify(
        Kind.DEADLINE,
        key,
        agency_people(assessment.organisation),
        Message(
            _("%(days)s days left: PMQA 4.0 self-assessment of %(organisation)s") % names,
            _(
                "The PMQA 4.0 self-assessment of %(organisation)s for fiscal year %(year)s is "
                "still a draft. The round closes on %(day)s, in %(days)s days. Only the approver "
                "can submit it."
            )
            % names,
            reverse("assessments:home", args=[assessment.pk]),
        ),
        organisation=assessment.organisation,
    )
    return bool(told)


@in_site_language
def round2_opened(
    assessment: Assessment, opens_on: datetime.date, closes_on: datetime.date
) -> bool:
    """An agency whose verified total reached round 2 is told the round is open."""
    names = {
        **names_of(assessment),
        "opens": format_date_be(opens_on),
        "closes": format_date_be(closes_on),
    }
    told = notify(
        Kind.ROUND2_OPENED,
        f"round2:{assessment.pk}:{opens_on.isoformat()}",
        agency_people(assessment.organisation),
        Message(
            _("Round 2 is open for %(organisation)s") % names,
            _(
                "The verified total of %(organisation)s for fiscal year %(year)s reached round 2. "
                "Send the application report from %(opens)s to %(closes)s."
            )
            % names,
            reverse("reviews_agency:round2", args=[assessment.pk]),
        ),
        organisation=assessment.organisation,
    )
    return bool(told)
