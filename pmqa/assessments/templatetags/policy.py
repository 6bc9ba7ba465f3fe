"""The policy and the action table, asked from templates: which tabs and pages to show.
Buttons ask the view's `allowed_actions`."""

from __future__ import annotations

from django import template

from pmqa.assessments import workflow
from pmqa.assessments.models import Assessment

register = template.Library()


@register.filter
def status_allows(assessment: Assessment, action: str) -> bool:
    """`{% if assessment|status_allows:"assessment.submit" %}`: the assessment's status allows
    the action for someone (the tab to the action's page)."""
    return workflow.status_allows(assessment, action)
