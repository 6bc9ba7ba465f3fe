"""What may happen when: every action on an assessment, the statuses that allow it and the
capability it needs, written down once.

Every service that changes an assessment calls `require(...)` first, inside its transaction;
templates ask `allowed_actions(...)` which buttons to show. Besides the status, an action may
need one's own review open or submitted (a team fact the standing holds). Conditions on other
rows (round 2 already recorded, a question already answered) are checked by the service right
after `require`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmqa.accounts.roles import access_for
from pmqa.assessments import policy
from pmqa.assessments.models import Assessment
from pmqa.assessments.windows import window_for
from pmqa.lib.errors import ServiceError

S = Assessment.Status


class ActionRefused(ServiceError):
    """An action the table does not allow now, or not to this person; the message says why."""


@dataclass(frozen=True)
class Action:
    statuses: frozenset[str]
    capability: str
    label: str | Promise
    window: int | None = None  # the round whose dates must be open, if any
    # One's own review: True, it must be submitted first; False, it must still be open.
    own_review_submitted: bool | None = None


def _action(
    statuses: set[str],
    capability: str,
    label: Any,
    window: int | None = None,
    own_review_submitted: bool | None = None,
) -> Action:
    return Action(frozenset(statuses), capability, label, window, own_review_submitted)


REVIEWING = {S.IN_REVIEW, S.CLARIFICATION}

ACTIONS: dict[str, Action] = {
    # The agency
    "answer.edit": _action({S.DRAFT}, policy.EDIT, gettext_lazy("change the answers"), window=1),
    "assessment.submit": _action(
        {S.DRAFT}, policy.SUBMIT, gettext_lazy("submit the self-assessment"), window=1
    ),
    "assessment.ready": _action(
        {S.DRAFT}, policy.EDIT, gettext_lazy("tell the approver the assessment is ready"), window=1
    ),
    "assessment.return": _action(
        {S.DRAFT}, policy.SUBMIT, gettext_lazy("return the self-assessment to the editors")
    ),
    "clarification.answer": _action(
        {S.CLARIFICATION}, policy.EDIT, gettext_lazy("answer the assessors' question")
    ),
    "round2.upload": _action(
        {S.PUBLISHED}, policy.EDIT, gettext_lazy("upload the Application Report"), window=2
    ),
    # OPDC administrators
    # Only before an assessor has submitted a review (checked by the service): after that the
    # reviews would stand on a submission that no longer is the agency's answer.
    "assessment.reopen": _action(
        {S.SUBMITTED, *REVIEWING}, policy.ADMIN, gettext_lazy("reopen the self-assessment")
    ),
    # Named ahead while the agency still drafts: the team opens it at submission.
    "team.assign": _action(
        {S.DRAFT, S.SUBMITTED, *REVIEWING}, policy.ADMIN, gettext_lazy("assign the assessor team")
    ),
    "report.approve": _action({S.REPORT_DRAFTED}, policy.ADMIN, gettext_lazy("approve the report")),
    "report.return": _action(
        {S.REPORT_DRAFTED, S.REPORT_APPROVED},
        policy.ADMIN,
        gettext_lazy("return the report to the lead assessor"),
    ),
    "report.publish": _action(
        {S.REPORT_APPROVED}, policy.ADMIN, gettext_lazy("publish the report")
    ),
    "report.revise": _action(
        {S.PUBLISHED}, policy.ADMIN, gettext_lazy("correct the published report")
    ),
    # The assessor team
    # Each assessor scores independently, until their own review is submitted.
    "review.score": _action(
        REVIEWING,
        policy.REVIEW,
        gettext_lazy("change your review's scores"),
        own_review_submitted=False,
    ),
    "review.submit": _action(
        REVIEWING, policy.REVIEW, gettext_lazy("submit your review"), own_review_submitted=False
    ),
    "clarification.ask": _action(
        REVIEWING, policy.REVIEW, gettext_lazy("ask the agency a question")
    ),
    "round2.score": _action(
        {S.PUBLISHED}, policy.REVIEW, gettext_lazy("score the Application Report")
    ),
    # The lead assessor; like every assessor, the lead sees the others' scores only after
    # submitting an independent review.
    "consensus.set": _action(
        {*REVIEWING, S.CONSENSUS},
        policy.LEAD,
        gettext_lazy("set the consensus scores"),
        own_review_submitted=True,
    ),
    "consensus.finalise": _action(
        {S.IN_REVIEW, S.CONSENSUS},
        policy.LEAD,
        gettext_lazy("record the consensus"),
        own_review_submitted=True,
    ),
    "report.draft": _action({S.CONSENSUS}, policy.LEAD, gettext_lazy("write the report")),
    "report.submit": _action(
        {S.CONSENSUS}, policy.LEAD, gettext_lazy("send the report for approval")
    ),
    "round2.finalise": _action(
        {S.PUBLISHED}, policy.LEAD, gettext_lazy("record the round 2 score")
    ),
}


def _window_problem(assessment: Assessment, number: int, today: datetime.date | None) -> str:
    window = window_for(assessment, number=number, today=today)
    return "" if window.is_open else window.message


def refusal(
    assessment: Assessment,
    name: str,
    standing: policy.Standing,
    *,
    today: datetime.date | None = None,
) -> str:
    """Why `name` may not happen now, or "" when it may."""
    action = ACTIONS[name]
    if not standing.has(action.capability):
        return _("You may not %(action)s on this assessment.") % {"action": action.label}
    if assessment.status not in action.statuses:
        return _("You cannot %(action)s while the assessment is “%(status)s”.") % {
            "action": action.label,
            "status": Assessment.Status(assessment.status).label,
        }
    wanted = action.own_review_submitted
    if wanted is not None and standing.own_review_submitted != wanted:
        if wanted:
            return _("Submit your own review first: the consensus opens to you after that.")
        return _("Your review has been submitted; its scores can no longer change.")
    if action.window is not None:
        return _window_problem(assessment, action.window, today)
    return ""


def status_allows(assessment: Assessment, name: str) -> bool:
    """Whether the assessment's status allows `name` for someone: the pages that belong to an
    action (the submit page) are shown in its statuses, to those who may not do it too."""
    return assessment.status in ACTIONS[name].statuses


def require(
    assessment: Assessment, name: str, *, by: Any, today: datetime.date | None = None
) -> Assessment:
    """Refuse unless `by` may do `name` to the assessment in its current status.

    Call it first, inside the service's transaction: the row is locked and its status read
    afresh, so two requests cannot both pass a check that only one of them may pass."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("require() must run inside the service's transaction")
    current = (
        Assessment.objects.select_for_update()
        .filter(pk=assessment.pk)
        .order_by()  # no join for the default ordering: the lock is on this one row
        .values("status")
        .first()
    )
    if current is None:
        raise ActionRefused(_("This assessment no longer exists."))
    assessment.status = current["status"]
    check(assessment, name, by=by, today=today)
    return assessment


def check(
    assessment: Assessment, name: str, *, by: Any, today: datetime.date | None = None
) -> None:
    """`require` without the lock, for a service to refuse early (before reading an upload);
    the service still calls `require` in its transaction before it writes."""
    problem = refusal(
        assessment, name, policy.standing_of(by, assessment, access_for(by)), today=today
    )
    if problem:
        raise ActionRefused(problem)


def require_admin(by: Any) -> None:
    """For administrators' changes that belong to no assessment (cycles, rounds)."""
    if not access_for(by).is_admin:
        raise ActionRefused(_("Only an OPDC administrator may do this."))


def allowed_actions(assessment: Assessment, standing: policy.Standing) -> frozenset[str]:
    """The actions whose buttons a page should show to this person now."""
    return frozenset(name for name in ACTIONS if not refusal(assessment, name, standing))
