"""Who a user is: current roles and the organisations they act for."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from pmqa.accounts.models import AGENCY_ROLES, ASSESSOR_ROLES, Membership, Role, User


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] = frozenset()
    agency_org_ids: frozenset[int] = frozenset()
    approver_org_ids: frozenset[int] = frozenset()

    @property
    def is_admin(self) -> bool:
        return Role.ADMINISTRATOR in self.roles

    @property
    def is_agency(self) -> bool:
        return bool(self.roles & AGENCY_ROLES)

    @property
    def is_assessor(self) -> bool:
        return bool(self.roles & ASSESSOR_ROLES)

    @property
    def is_lead(self) -> bool:
        return Role.LEAD_ASSESSOR in self.roles

    def may_edit(self, organisation_id: int) -> bool:
        """Editors and approvers change their own agency's answers; nobody else does."""
        return organisation_id in self.agency_org_ids

    def may_submit(self, organisation_id: int) -> bool:
        return organisation_id in self.approver_org_ids


def access_for(user: User | AnonymousUser) -> Access:
    # Within a request the roles are read once (request_access keeps them on request.user),
    # so a service's own check in that request does not read them again.
    cached = getattr(user, "_pmqa_access", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if not user.is_authenticated or not user.is_active:
        return Access()
    rows = Membership.objects.current().filter(user=user).values_list("role", "organisation_id")
    roles = set()
    agency = set()
    approver = set()
    for role, org_id in rows:
        roles.add(role)
        if role in AGENCY_ROLES:
            agency.add(org_id)
        if role == Role.AGENCY_APPROVER:
            approver.add(org_id)
    return Access(frozenset(roles), frozenset(agency), frozenset(approver))


def request_access(request: HttpRequest) -> Access:
    """Access of the request's user, computed once per request."""
    cached = getattr(request, "_pmqa_access", None)
    if cached is None:
        cached = access_for(request.user)
        request._pmqa_access = cached  # type: ignore[attr-defined]
        # request.user lives as long as the request: its services reuse these roles.
        request.user._pmqa_access = cached  # type: ignore[union-attr]
    return cached
