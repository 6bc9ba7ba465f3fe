"""Evidence files deleted when their cycle's retention period ends (PDPA: kept no longer
than needed). The rows stay, so a report or review still says what was cited."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pmqa.assessments.models import Cycle, Evidence
from pmqa.audit import services as audit
from pmqa.lib.thai import fiscal_year_bounds


@dataclass
class Removed:
    fiscal_year: int
    files: int
    bytes: int
    kept_until: datetime.date


def kept_until(cycle: Cycle) -> datetime.date | None:
    """The last day the cycle's evidence files are kept, or None when they are kept."""
    if cycle.evidence_retention_years is None:
        return None
    end = fiscal_year_bounds(cycle.fiscal_year)[1]  # 30 September
    return end.replace(year=end.year + cycle.evidence_retention_years)


def apply_retention(*, today: datetime.date | None = None, dry_run: bool = False) -> list[Removed]:
    """Delete the evidence files of every cycle past its retention period; per cycle what
    was (or, with `dry_run`, would be) deleted."""
    today = today or timezone.localdate()
    storage = Evidence._meta.get_field("file").storage
    report = []
    for cycle in Cycle.objects.exclude(evidence_retention_years=None).order_by("fiscal_year"):
        until = kept_until(cycle)
        if until is None or today <= until:
            continue
        files = Evidence.objects.filter(
            assessment__cycle=cycle, kind=Evidence.Kind.FILE, removed_on__isnull=True
        ).exclude(file="")
        removed = Removed(cycle.fiscal_year, 0, 0, until)
        for evidence in list(files.only("pk", "file", "size")):  # read before any is changed
            removed.files += 1
            removed.bytes += evidence.size
            if dry_run:
                continue
            with transaction.atomic():
                name = evidence.file.name
                Evidence.objects.filter(pk=evidence.pk).update(file="", removed_on=today)
                # The row first: a crash in between leaves a file no row names, never a row
                # that names a missing file as if it were there.
                transaction.on_commit(lambda name=name: storage.delete(name))
        if removed.files:
            report.append(removed)
            if not dry_run:
                audit.record(
                    actor=None,
                    action="evidence.retention",
                    obj=cycle,
                    new={
                        "files": removed.files,
                        "bytes": removed.bytes,
                        "kept_until": until.isoformat(),
                    },
                )
    return report
