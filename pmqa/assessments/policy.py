"""Who may see what of an assessment: one scoped queryset for lists and one fetch per need.

The team facts (who is on it, who leads, whose review is submitted) come from verification
through `provide_team_facts`, so this module imports nothing from the apps above it. Everyone
without the need gets 404, never a hint that the assessment exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from pmqa.accounts.roles import Access, access_for, request_access
from pmqa.assessments.models import Assessment

# What a person may need of an assessment. A capability of the action table is one of these.
VIEW = "view"  # open it: the agency's workspace, the assessor's desk, the administrator's pages
AGENCY = "agency"  # open the agency's own pages: its members and administrators
EDIT = "edit"  # change what the agency declares (an editor or approver of the organisation)
SUBMIT = "submit"  # act for the agency: submit, return to the editors (the approver)
REVIEW = "review"  # verify it: a member of the assessor team, once submitted
LEAD = "lead"  # lead the team: consensus, the report's text, round 2's final score
RESULTS = "results"  # see verified scores and the report's texts
REPORT = "report"  # open the Feedback Report (page, PDF, Excel)
ADMIN = "admin"  # an OPDC administrator

NEEDS = (VIEW, AGENCY, EDIT, SUBMIT, REVIEW, LEAD, RESULTS, REPORT, ADMIN)

_TEAM_SEES_REPORT = frozenset(
    {
        Assessment.Status.CONSENSUS,
        Assessment.Status.REPORT_DRAFTED,
        Assessment.Status.REPORT_APPROVED,
        Assessment.Status.PUBLISHED,
    }
)


@dataclass(frozen=True)
class TeamPlace:
    """A person's place on one assessment's team."""

    is_lead: bool
    review_submitted: bool  # their own review of it


class TeamFacts(Protocol):
    """What verification tells the policy about assessor teams (`verification.team_facts`)."""

    def place(self, user: Any, assessment: Assessment) -> TeamPlace | None: ...

    def assessments_of(self, user: Any) -> QuerySet[Any]: ...

    def reviewed_by(self, user: Any) -> QuerySet[Any]: ...


_team_facts: TeamFacts | None = None


def provide_team_facts(facts: TeamFacts) -> None:
    """Called once, by the verification app when Django starts."""
    global _team_facts
    _team_facts = facts


def team_facts() -> TeamFacts:
    if _team_facts is None:
        raise RuntimeError("No team facts: pmqa.verification must be in INSTALLED_APPS.")
    return _team_facts


def team_opens(assessment: Assessment) -> bool:
    """The assessor team opens an assessment once it is submitted (`visible_to` says the
    same as a query)."""
    return assessment.status != Assessment.Status.DRAFT


# The agency sees who made the changes of its own side (submitting, returning to the editors,
# reopening); the others it sees as OPDC's.
_NAMED_TO_THE_AGENCY = frozenset({Assessment.Status.DRAFT, Assessment.Status.SUBMITTED})


def names_who_changed(access: Access, to_status: str) -> bool:
    """Whether a status change to `to_status` shows this person who made it."""
    return access.is_admin or to_status in _NAMED_TO_THE_AGENCY


def visible_to(access: Access, user: Any) -> QuerySet[Assessment]:
    """Every assessment this person may open."""
    if access.is_admin:
        return Assessment.objects.all()
    query = Q(organisation_id__in=access.agency_org_ids)
    if access.is_assessor and getattr(user, "pk", None):
        team = team_facts().assessments_of(user)
        query |= Q(pk__in=team) & ~Q(status=Assessment.Status.DRAFT)
    return Assessment.objects.filter(query)


def agency_visible_to(access: Access) -> QuerySet[Assessment]:
    """Every assessment whose agency pages this person may open: the `agency` need as one
    query (an administrator: all; else the organisations' own, not those on an assessor's desk)."""
    if access.is_admin:
        return Assessment.objects.all()
    return Assessment.objects.filter(organisation_id__in=access.agency_org_ids)


def published_reports_visible_to(access: Access, user: Any) -> QuerySet[Assessment]:
    """Every published assessment whose report this person may open: the `report` need of
    `Standing.has` as one query, for lists (an administrator; the organisation's editors and
    approvers; a team member whose own review is submitted)."""
    published = visible_to(access, user).published()
    if access.is_admin:
        return published
    query = Q(organisation_id__in=access.agency_org_ids)
    if access.is_assessor and getattr(user, "pk", None):
        query |= Q(pk__in=team_facts().reviewed_by(user))
    return published.filter(query)


@dataclass
class Standing:
    """One person's relation to one assessment; team facts are read only when asked for."""

    user: Any
    access: Access
    assessment: Assessment

    @cached_property
    def _place(self) -> TeamPlace | None:
        if not self.access.is_assessor or not getattr(self.user, "pk", None):
            return None
        return team_facts().place(self.user, self.assessment)

    @property
    def on_team(self) -> bool:
        return self._place is not None and team_opens(self.assessment)

    @property
    def is_lead(self) -> bool:
        return self.on_team and self._place is not None and self._place.is_lead

    @property
    def own_review_submitted(self) -> bool:
        return self._place is not None and self._place.review_submitted

    def has(self, need: str) -> bool:
        access, org = self.access, self.assessment.organisation_id
        if need == ADMIN:
            return access.is_admin
        if need == EDIT:
            return access.may_edit(org)
        if need == SUBMIT:
            return access.may_submit(org)
        if need == REVIEW:
            return self.on_team
        if need == LEAD:
            return self.is_lead
        if need == VIEW:
            return access.is_admin or access.may_edit(org) or self.on_team
        if need == AGENCY:
            return access.is_admin or access.may_edit(org)
        if need == RESULTS:
            return (
                access.is_admin
                or (access.may_edit(org) and self.assessment.is_published)
                or (self.on_team and self.own_review_submitted)
            )
        if need == REPORT:
            return (
                access.is_admin
                or (access.may_edit(org) and self.assessment.is_published)
                or (
                    self.on_team
                    and self.own_review_submitted
                    and self.assessment.status in _TEAM_SEES_REPORT
                )
            )
        raise ValueError(f"unknown need: {need}")


def standing_of(user: Any, assessment: Assessment, access: Access | None = None) -> Standing:
    return Standing(user, access if access is not None else access_for(user), assessment)


def standing(request: HttpRequest, assessment: Assessment) -> Standing:
    """The request user's standing, computed once per request and assessment."""
    cache: dict[int, Standing] = request.__dict__.setdefault("_pmqa_standing", {})
    found = cache.get(assessment.pk)
    if found is None or found.assessment is not assessment:
        found = cache[assessment.pk] = standing_of(
            request.user, assessment, request_access(request)
        )
    return found


def get_assessment(
    request: HttpRequest, pk: int, need: str = VIEW, *, queryset: QuerySet[Assessment] | None = None
) -> Assessment:
    """The assessment if the request's user has `need` of it; otherwise 404."""
    if need not in NEEDS:
        raise ValueError(f"unknown need: {need}")
    access = request_access(request)
    base = visible_to(access, request.user)
    if queryset is not None:
        base = queryset & base  # the left side keeps its prefetches
    # One row by its key: no sort (the model's ordering would sort by year and name).
    assessment = (
        base.select_related("cycle__edition", "organisation", "feedback")
        .filter(pk=pk)
        .order_by()
        .first()
    )
    if assessment is None or not standing(request, assessment).has(need):
        raise Http404
    return assessment
