"""Assessor teams: conflicts of interest, assignment by hand or from CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from pmqa.accounts.models import ASSESSOR_ROLES, Membership, Role, User
from pmqa.assessments import workflow
from pmqa.assessments.models import Assessment
from pmqa.assessments.services import (
    ServiceError,
    change_status,
)
from pmqa.audit import services as audit
from pmqa.lib.thai import format_date_be
from pmqa.organisations.models import Organisation
from pmqa.verification import handoffs
from pmqa.verification.models import (
    Assignment,
)

# The statuses in which a team can be assigned, from the action table.
REVIEWABLE = workflow.ACTIONS["team.assign"].statuses


def conflicts_of_interest(assessor: User, organisation: Organisation) -> list[str]:
    """Why this assessor may not verify this organisation: every membership, past or present,
    at the organisation or its parent."""
    related = [organisation.pk] + ([organisation.parent_id] if organisation.parent_id else [])
    reasons = []
    for membership in (
        Membership.objects.filter(user=assessor, organisation_id__in=related)
        .select_related("organisation")
        .order_by("starts_on")
    ):
        period = (
            _("since %(start)s") % {"start": format_date_be(membership.starts_on)}
            if membership.ends_on is None
            else _("%(start)s to %(end)s")
            % {
                "start": format_date_be(membership.starts_on),
                "end": format_date_be(membership.ends_on),
            }
        )
        reasons.append(
            _("%(name)s is or was %(role)s at %(organisation)s (%(period)s).")
            % {
                "name": assessor.get_full_name() or assessor.username,
                "role": Role(membership.role).label,
                "organisation": membership.organisation.name,
                "period": period,
            }
        )
    return reasons


def _is_assessor(user: User, *, lead: bool) -> bool:
    roles = set(Membership.objects.current().filter(user=user).values_list("role", flat=True))
    if lead:
        return Role.LEAD_ASSESSOR in roles
    return bool(roles & ASSESSOR_ROLES)


def team_problems(assessment: Assessment, lead: User | None, members: list[User]) -> list[str]:
    problems: list[str] = []
    if assessment.status not in REVIEWABLE:
        problems.append(
            _("The review of this assessment is done: its assessor team can no longer change.")
        )
    if lead is None:
        problems.append(_("Choose the team lead."))
    elif not _is_assessor(lead, lead=True):
        problems.append(
            _("%(name)s is not a lead assessor.") % {"name": lead.get_full_name() or lead.username}
        )
    for member in members:
        if not _is_assessor(member, lead=False):
            problems.append(
                _("%(name)s is not an assessor.")
                % {"name": member.get_full_name() or member.username}
            )
    for person in ([lead] if lead else []) + members:
        problems += conflicts_of_interest(person, assessment.organisation)
    return problems


def assign_team(
    *, assessment: Assessment, lead: User | None, members: list[User], by: User
) -> list[Assignment]:
    """Replace the assessment's team; refused as a whole when any person cannot serve."""
    members = [m for m in dict.fromkeys(members) if m != lead]
    with transaction.atomic():
        workflow.require(assessment, "team.assign", by=by)
        problems = team_problems(assessment, lead, members)
        if problems:
            raise ServiceError(" ".join(problems))
        assert lead is not None
        # Accounts by number: a name may be erased later, and the log is never changed.
        # The team before, in the shape of the team after, so that the log names both.
        before = list(assessment.assignments.values_list("assessor_id", "is_lead"))
        leads = [person for person, is_lead in before if is_lead]
        old = (
            {
                "lead": leads[0] if leads else None,
                "members": sorted(person for person, is_lead in before if not is_lead),
            }
            if before
            else None
        )
        assessment.assignments.all().delete()
        rows = [
            Assignment.objects.create(
                assessment=assessment, assessor=lead, is_lead=True, assigned_by=by
            )
        ]
        rows += [
            Assignment.objects.create(assessment=assessment, assessor=m, assigned_by=by)
            for m in members
        ]
        audit.record(
            actor=by,
            action="assessment.team",
            obj=assessment,
            old=old,
            new={"lead": lead.pk, "members": [m.pk for m in members]},
        )
        if assessment.status == Assessment.Status.SUBMITTED:
            change_status(assessment=assessment, to=Assessment.Status.IN_REVIEW, by=by)
        ahead = assessment.status == Assessment.Status.DRAFT
        handoffs.team_assigned(assessment, rows, by=by, ahead=ahead)
    return rows


def assign_teams(
    *, assessments: list[Assessment], lead: User | None, members: list[User], by: User
) -> int:
    """The same team for each of several assessments, as one change: every assessment is
    checked first, and all are assigned or none (the refusal names each organisation)."""
    if len(assessments) == 1:
        assign_team(assessment=assessments[0], lead=lead, members=members, by=by)
        return 1
    others = [m for m in dict.fromkeys(members) if m != lead]
    problems = [
        _("%(organisation)s: %(problem)s")
        % {"organisation": assessment.organisation.name, "problem": problem}
        for assessment in assessments
        for problem in team_problems(assessment, lead, others)
    ]
    if problems:
        raise ServiceError(" ".join(problems))
    with transaction.atomic():
        for assessment in assessments:
            assign_team(assessment=assessment, lead=lead, members=others, by=by)
    return len(assessments)


@dataclass
class CsvProblem:
    row: int
    message: str


def import_assignments(*, text: str, by: User) -> tuple[int, list[CsvProblem]]:
    """Teams from CSV rows `organisation,fiscal_year,username,role` (role: lead or member).
    Every row is checked first; all teams are assigned, or none."""
    workflow.require_admin(by)
    problems: list[CsvProblem] = []
    teams: dict[int, dict[str, Any]] = {}
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return 0, [
            CsvProblem(
                0,
                _(
                    "The file could not be read as CSV (a field is too long or a quote is not "
                    "closed). Save it again as CSV UTF-8 and try again."
                ),
            )
        ]
    reader = iter(rows)
    header = next(reader, None)
    expected = ["organisation", "fiscal_year", "username", "role"]
    if header is None or [h.strip().lower() for h in header] != expected:
        return 0, [
            CsvProblem(1, _("The first row must be: %(header)s") % {"header": ",".join(expected)})
        ]
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            problems.append(
                CsvProblem(
                    number, _("Give four values: organisation, fiscal year, username, role.")
                )
            )
            continue
        code, year, username, role = (cell.strip() for cell in row)
        assessment = (
            Assessment.objects.filter(
                organisation__code=code,
                cycle__fiscal_year=int(year) if re.fullmatch(r"[0-9]{1,4}", year) else -1,
            )
            .select_related("organisation")
            .first()
        )
        if assessment is None:
            problems.append(
                CsvProblem(
                    number,
                    _("No assessment of %(code)s in fiscal year %(year)s.")
                    % {"code": code, "year": year},
                )
            )
            continue
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            problems.append(
                CsvProblem(number, _("No active user “%(username)s”.") % {"username": username})
            )
            continue
        if role not in ("lead", "member"):
            problems.append(CsvProblem(number, _("The role must be lead or member.")))
            continue
        team = teams.setdefault(
            assessment.pk, {"assessment": assessment, "lead": None, "members": [], "rows": []}
        )
        team["rows"].append(number)
        if role == "lead":
            if team["lead"] is not None:
                problems.append(
                    CsvProblem(number, _("This assessment already has a lead in this file."))
                )
                continue
            team["lead"] = user
        else:
            team["members"].append(user)
    for team in teams.values():
        for message in team_problems(team["assessment"], team["lead"], team["members"]):
            problems.append(
                CsvProblem(team["rows"][0], f"{team['assessment'].organisation.code}: {message}")
            )
    if problems:
        return 0, sorted(problems, key=lambda p: p.row)
    with transaction.atomic():
        for team in teams.values():
            assign_team(
                assessment=team["assessment"], lead=team["lead"], members=team["members"], by=by
            )
    return len(teams), []
