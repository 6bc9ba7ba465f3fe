"""The reports' background tasks."""

from __future__ import annotations

from django_tasks import task

from pmqa.reports import stored


@task()
def store_published_report(assessment_id: int) -> list[str]:
    """Print and store a report just published or corrected (pmqa.reports.stored)."""
    return stored.store_published_report(assessment_id)
