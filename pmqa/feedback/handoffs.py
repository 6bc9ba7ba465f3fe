"""Who is told when the Feedback Report changes hands: OPDC, the lead, the agency."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from pmqa.accounts.models import User
from pmqa.assessments.handoffs import names_of
from pmqa.assessments.models import Assessment
from pmqa.notifications.models import Kind
from pmqa.notifications.services import (
    Message,
    administrators,
    agency_people,
    in_site_language,
    notify,
)


def _lead(assessment: Assessment) -> list[User]:
    row = assessment.assignments.select_related("assessor").filter(is_lead=True).first()
    return [row.assessor] if row is not None else []


@in_site_language
def report_step(assessment: Assessment, action: str, comment: str, *, key: str, by: User) -> None:
    """Sent for approval: OPDC; returned: the lead, with OPDC's comment; published: the
    agency's people."""
    names = names_of(assessment)
    if action == "submit":
        notify(
            Kind.REPORT_SENT,
            key,
            administrators(),
            Message(
                _("The Feedback Report of %(organisation)s waits for approval") % names,
                _(
                    "The lead assessor sent the Feedback Report of %(organisation)s for fiscal "
                    "year %(year)s for approval."
                )
                % names,
                reverse("feedback:report", args=[assessment.pk]),
            ),
            exclude=by,
        )
    elif action == "return":
        notify(
            Kind.REPORT_RETURNED,
            key,
            _lead(assessment),
            Message(
                _("The Feedback Report of %(organisation)s was returned to you") % names,
                _("OPDC returned the report with what to change:\n%(comment)s")
                % {"comment": comment},
                reverse("feedback:edit", args=[assessment.pk]),
            ),
            assessment_id=assessment.pk,
            exclude=by,
        )
    elif action == "publish":
        notify(
            Kind.REPORT_PUBLISHED,
            key,
            agency_people(assessment.organisation),
            Message(
                _("The Feedback Report of %(organisation)s for fiscal year %(year)s is published")
                % names,
                _(
                    "The verified result, the assessors' findings and the PDF and Excel files "
                    "are ready to read."
                ),
                reverse("reports:page", args=[assessment.pk]),
            ),
            organisation=assessment.organisation,
            exclude=by,
        )


@in_site_language
def report_corrected(assessment: Assessment, reason: str, *, key: str, by: User) -> None:
    names = {**names_of(assessment), "reason": reason}
    notify(
        Kind.REPORT_CORRECTED,
        key,
        agency_people(assessment.organisation),
        Message(
            _("The Feedback Report of %(organisation)s was corrected") % names,
            _("OPDC corrected the published report. The reason:\n%(reason)s") % names,
            reverse("reports:page", args=[assessment.pk]),
        ),
        organisation=assessment.organisation,
        exclude=by,
    )
