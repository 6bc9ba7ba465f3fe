"""An assessment's status history as its reader should read it: OPDC's administrators see every
change; the agency sees its own steps, OPDC's verification as one stage (not the back-and-forth
between consensus and the report's drafts), a return to the editors named as such, and each
correction of the published report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from pmqa.accounts.roles import Access
from pmqa.assessments import policy
from pmqa.assessments.models import Assessment, StatusChange

S = Assessment.Status

# OPDC's own stages, one stage to the agency.
_VERIFYING = frozenset(
    {S.IN_REVIEW, S.CLARIFICATION, S.CONSENSUS, S.REPORT_DRAFTED, S.REPORT_APPROVED}
)
_READ = 100  # the changes read; an assessment has a few dozen at most


@dataclass(frozen=True)
class Event:
    at: datetime.datetime
    who: Any  # the person named, or None for "OPDC"
    before: str | Promise
    after: str | Promise  # the status reached, or what happened when `before` is empty
    reason: str = ""


def _stage(status: str, access: Access) -> str | Promise:
    if not access.is_admin and status in _VERIFYING:
        return _("Being verified by OPDC")
    return S(status).label


def _change(change: StatusChange, access: Access) -> Event | None:
    who = change.by if policy.names_who_changed(access, change.to_status) else None
    if change.from_status == change.to_status == S.DRAFT:
        return Event(change.at, who, "", _("Returned to the editors"), change.reason)
    before, after = _stage(change.from_status, access), _stage(change.to_status, access)
    if before == after:
        return None  # a step inside OPDC's verification, which the agency sees as one
    return Event(change.at, who, before, after, change.reason)


def _corrections(assessment: Assessment) -> list[Event]:
    if not assessment.is_published:
        return []  # a correction is made to a published report only
    try:
        revisions = assessment.feedback.revisions.order_by("number")
    except ObjectDoesNotExist:
        return []
    return [
        Event(
            r.created_at,
            None,
            "",
            _("Published report corrected (revision %(number)s): total %(old)s → %(new)s")
            % {"number": r.number, "old": r.old_total, "new": r.new_total},
            r.reason,
        )
        for r in revisions
    ]


def status_changes(assessment: Assessment) -> list[StatusChange]:
    """The assessment's newest status changes, newest first (what `history` reads)."""
    return list(assessment.status_changes.select_related("by").order_by("-at", "-id")[:_READ])


def history(
    assessment: Assessment,
    access: Access,
    *,
    changes: list[StatusChange] | None = None,
    limit: int = 20,
) -> list[Event]:
    """The newest `limit` events, newest first, from `changes` if the caller has read them."""
    if changes is None:
        changes = status_changes(assessment)
    events = [e for e in (_change(c, access) for c in changes) if e is not None]
    events += _corrections(assessment)
    events.sort(key=lambda e: e.at, reverse=True)
    return events[:limit]
