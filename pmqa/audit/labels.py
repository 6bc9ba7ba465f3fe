"""What the audit trail says in words: a label per action, and values as a person reads them."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmqa.lib.thai import format_date_be_numeric

ACTIONS = {
    "assessment.start": _("Self-assessment started"),
    "assessment.status": _("Status changed"),
    "assessment.return": _("Returned to the editors"),
    "assessment.ready": _("Approvers told the self-assessment is ready"),
    "assessment.team": _("Assessor team assigned"),
    "evidence.add": _("Evidence added"),
    "evidence.delete": _("Evidence deleted"),
    "review.item": _("Item scored by an assessor"),
    "review.submit": _("Review submitted"),
    "clarification.ask": _("Question asked"),
    "clarification.answer": _("Question answered"),
    "consensus.item": _("Consensus score set"),
    "consensus.finalise": _("Consensus result recorded"),
    "feedback.prefill": _("Assessors' comments copied into the report"),
    "feedback.edit": _("Report text changed"),
    "feedback.submit": _("Report sent for approval"),
    "feedback.approve": _("Report approved"),
    "feedback.return": _("Report returned to the lead assessor"),
    "feedback.publish": _("Report published"),
    "report.revise": _("Published report corrected"),
    "round2.upload": _("Application Report uploaded"),
    "round2.score": _("Application Report scored"),
    "round2.finalise": _("Round 2 score recorded"),
    "cycle.create": _("Cycle created"),
    "round.update": _("Round dates changed"),
    "round.extend": _("Round extended for an organisation"),
    "criteria.copy": _("Criteria edition copied"),
    "kpi.rule_set": _("KPI rule set changed"),
    # Signing in (pmqa.accounts.signin): no password is ever recorded.
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Login failed"),
    "auth.logout": _("Logged out"),
    "auth.idle_logout": _("Logged out after a time without activity"),
    "auth.lockout": _("Locked out after repeated failed logins"),
    "auth.password_change": _("Password changed"),
    "auth.password_reset_request": _("Password reset e-mail requested"),
    "auth.password_reset": _("Password set from a reset e-mail"),
    # Two-factor authentication (pmqa.accounts.twofactor)
    "otp.setup": _("Two-factor authentication set up"),
    "otp.remove": _("Two-factor authentication removed"),
    "otp.reset": _("Two-factor authentication reset by an administrator"),
    "otp.recovery_codes": _("New recovery codes made"),
    "otp.recovery_use": _("Recovery code used"),
    "otp.failed": _("Wrong two-factor code"),
    # Who holds which role (the Django admin)
    "membership.add": _("Role given"),
    "membership.change": _("Role changed"),
    "membership.delete": _("Role removed"),
    "user.change": _("Account's access changed"),
    # Files handed out
    "download.report": _("Report downloaded"),
    "download.evidence": _("Evidence file downloaded"),
    "download.application_report": _("Application Report downloaded"),
    "export.answers": _("Answers exported to Excel"),
    "export.statistics": _("Statistics exported"),
    "export.kpi": _("Evaluation KPI exported"),
    "export.open_data": _("Open data downloaded"),
    "export.audit": _("Audit log exported"),
    # Personal API tokens (pmqa.api)
    "api.token.create": _("API token created"),
    "api.token.revoke": _("API token revoked"),
    "api.token.use": _("API token used"),
    # Personal data (pmqa.privacy, pmqa.assessments.retention)
    "person.export": _("Own personal data downloaded"),
    "person.erase": _("Personal data erased on request"),
    "cycle.retention": _("Evidence retention period set"),
    "cycle.report_settings": _("Report settings of the cycle changed"),
    "evidence.retention": _("Evidence files deleted at the end of their retention"),
}

# What an entry is about, as the audit log's filter offers it.
OBJECT_TYPES = {
    "assessments.assessment": _("Assessment"),
    "assessments.evidence": _("Evidence"),
    "assessments.cycle": _("Cycle"),
    "assessments.round": _("Round"),
    "assessments.windowextension": _("Round extension"),
    "reviews.review": _("Review"),
    "reviews.itemscore": _("Assessor's item score"),
    "reviews.clarification": _("Question"),
    "reviews.consensusscore": _("Consensus score"),
    "reviews.applicationreport": _("Application Report"),
    "reviews.round2score": _("Round 2 score"),
    "feedback.feedback": _("Feedback Report"),
    "feedback.reportrevision": _("Report correction"),
    "criteria.edition": _("Criteria edition"),
    "evaluation.kpirulesetversion": _("KPI rule set"),
    "dashboards.kpirulesetversion": _("KPI rule set"),  # recorded before the move
    "accounts.user": _("User"),
    "accounts.membership": _("Membership"),
    "accounts.apitoken": _("API token"),
    "kpi": _("Evaluation KPI"),
    "opendata": _("Open data"),
    "audit": _("Audit log"),
}

STATUS_WORDS = {
    "draft": _("Draft"),
    "submitted": _("Submitted"),
    "in_review": _("In review"),
    "clarification": _("Clarification requested"),
    "consensus": _("Consensus"),
    "report_drafted": _("Report drafted"),
    "report_approved": _("Report approved"),
    "published": _("Published"),
    "returned": _("Returned with comments"),
    "approved": _("Approved"),
}

# Roles as the Django admin records them (the same words as accounts.Role's).
ROLE_WORDS = {
    "agency_editor": _("Agency editor"),
    "agency_approver": _("Agency approver"),
    "assessor": _("Assessor"),
    "lead_assessor": _("Lead assessor"),
    "opdc_admin": _("OPDC administrator"),
}
_WORDS = {**STATUS_WORDS, **ROLE_WORDS}

KEYS = {
    "score": _("score"),
    "strengths": _("strengths"),
    "ofis": _("opportunities for improvement"),
    "total": _("total"),
    "rating": _("rating"),
    "rules": _("rules version"),
    "lead": _("team lead"),
    "members": _("members"),
    "label": _("label"),
    "url": _("link"),
    "items": _("items"),
    "fiscal_year": _("fiscal year"),
    "edition": _("criteria edition"),
    "rounds": _("rounds"),
    "conclusion": _("overall conclusion"),
    "entries": _("paragraphs"),
    "username": _("user name"),
    "role": _("role"),
    "organisation": _("organisation"),
    "starts_on": _("starts on"),
    "ends_on": _("ends on"),
    "is_active": _("active"),
    "is_staff": _("staff"),
    "is_superuser": _("superuser"),
    "layout": _("layout"),
    "format": _("format"),
    "file": _("file"),
    "filters": _("filters"),
    "rows": _("rows"),
    "remaining": _("codes left"),
    "minutes": _("minutes"),
    "user": _("user"),
    "email": _("e-mail"),
    "username_hash": _("user name typed (keyed hash)"),
    "email_hash": _("e-mail typed (keyed hash)"),
    "page": _("page"),
    "via": _("through"),
    # The audit log's own filters, kept with its export
    "who": _("Who"),
    "action": _("Action"),
    "object_type": _("About"),
    "object_id": _("Number"),
    "since": _("From"),
    "until": _("To"),
    # A personal API token
    "name": _("name"),
    "prefix": _("first characters"),
    "expires": _("expires"),
    # Evidence files deleted at the end of their retention
    "files": _("files deleted"),
    "bytes": _("size (bytes)"),
    "kept_until": _("kept until"),
    # A cycle's report settings
    "report_type": _("report type"),
    "report_shows_level": _("print the level reached"),
    "report_shows_gap": _("print the self − assessor gap column"),
    "report_shows_chart": _("print the radar chart"),
}

# Values that are people, kept as their account's number (its name may be erased later, and
# is then shown as the pseudonym): named when shown.
PEOPLE = {"lead", "members", "user"}

# Values read by what they are the value of: a report's layout, a file's format, the log's
# filters.
VALUES_OF: dict[str, dict[str, Any]] = {
    "layout": {"full": _("Full layout"), "short": _("Short layout")},
    "format": {"pdf": "PDF", "xlsx": "Excel", "csv": "CSV", "json": "JSON"},
    "action": ACTIONS,
    "object_type": OBJECT_TYPES,
    "report_type": {
        "status": _("Status assessment (ระบบราชการ 4.0)"),
        "award": _("Award (รางวัลคุณภาพการบริหารจัดการภาครัฐ)"),
    },
}
# Dates and times are kept as ISO text (UTC for times): shown in B.E., times in Thailand's.
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def object_label(code: str) -> str:
    return str(OBJECT_TYPES.get(code, code))


def _when(text: str) -> str | None:
    """An ISO date or time as B.E. (26/11/2568, 26/11/2568 14:05:09), else None."""
    try:
        if _ISO_DAY.match(text):
            return format_date_be_numeric(datetime.date.fromisoformat(text))
        if _ISO_TIME.match(text):
            moment = datetime.datetime.fromisoformat(text)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{format_date_be_numeric(moment.date())} {moment:%H:%M:%S}"
    except ValueError:
        pass
    return None


def readable(value: Any, key: str = "", people: Mapping[int, str] | None = None) -> str:
    """A stored old or new value as lines of text: names and figures, no JSON punctuation.
    `key` is what the value is the value of, where it is one of a dictionary's; `people`
    names the accounts a value holds by number (see PEOPLE)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, int) and key in PEOPLE and people and value in people:
        return people[value]
    if isinstance(value, str):
        when = _when(value)
        if when is not None:
            return when
        words = VALUES_OF.get(key, _WORDS)
        return str(words.get(value, _WORDS.get(value, value)))
    if isinstance(value, dict):
        if isinstance(value.get("entries"), list):
            # A report's whole text: say how much of it there is, not every paragraph again.
            value = {**value, "entries": len(value["entries"])}
        # In KEYS' order, whatever order the database keeps (PostgreSQL's jsonb sorts keys by
        # length), so that an entry reads the same on either database.
        return "\n".join(
            f"{KEYS.get(name, name)}: {readable(item, name, people)}"
            for name, item in sorted(value.items(), key=_key_order)
        )
    if isinstance(value, list):
        return ", ".join(readable(item, key, people) for item in value)
    return str(value)


_KEY_ORDER = {name: n for n, name in enumerate(KEYS)}


def _key_order(pair: tuple[str, Any]) -> tuple[int, str]:
    return (_KEY_ORDER.get(pair[0], len(_KEY_ORDER)), pair[0])


def people_in(value: Any) -> set[int]:
    """The account numbers a stored value holds under PEOPLE's keys."""
    found: set[int] = set()
    if isinstance(value, dict):
        for name, item in value.items():
            if name in PEOPLE:
                items = item if isinstance(item, list) else [item]
                found.update(i for i in items if isinstance(i, int) and not isinstance(i, bool))
            else:
                found |= people_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= people_in(item)
    return found
