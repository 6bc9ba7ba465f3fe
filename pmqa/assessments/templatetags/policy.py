"""The policy and the action table, asked from templates: which tabs, pages and names to show.
Buttons ask the view's `allowed_actions`."""

from __future__ import annotations

from django import template

from pmqa.accounts.roles import Access
from pmqa.assessments import policy, workflow
from pmqa.assessments.models import Assessment, StatusChange

register = template.Library()


@register.filter
def status_allows(assessment: Assessment, action: str) -> bool:
    """`{% if assessment|status_allows:"assessment.submit" %}`: the assessment's status allows
    the action for someone (the tab to the action's page)."""
    return workflow.status_allows(assessment, action)


@register.filter
def names_who_changed(change: StatusChange, access: Access) -> bool:
    """`{% if change|names_who_changed:ws.access %}`: the person who made the change is named."""
    return policy.names_who_changed(access, change.to_status)
