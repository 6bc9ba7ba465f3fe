"""What the audit trail says in words: a label per action, and values as a person reads them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "assessment.start": _("Self-assessment started"),
    "assessment.status": _("Status changed"),
    "assessment.return": _("Returned to the editors"),
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
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def readable(value: Any) -> str:
    """A stored old or new value as lines of text: names and figures, no JSON punctuation."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return str(STATUS_WORDS.get(value, value))
    if isinstance(value, dict):
        if isinstance(value.get("entries"), list):
            # A report's whole text: say how much of it there is, not every paragraph again.
            value = {**value, "entries": len(value["entries"])}
        return "\n".join(f"{KEYS.get(key, key)}: {readable(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(readable(item) for item in value)
    return str(value)
