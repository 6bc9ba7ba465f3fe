"""An assessment's audit trail for administrators: every audited change of it and of what
belongs to it (evidence, reviews, scores, questions, consensus, the report, round 2)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from pmqa.accounts.decorators import admin_required
from pmqa.assessments.models import Assessment, Evidence
from pmqa.audit.labels import action_label, readable
from pmqa.audit.models import AuditEntry
from pmqa.verification.models import (
    ApplicationReport,
    Clarification,
    ConsensusScore,
    ItemScore,
    Review,
    Round2Score,
)


@admin_required
def audit_trail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(
        Assessment.objects.select_related("organisation", "cycle"), pk=pk
    )
    keys = _related_objects(assessment)
    query = Q()
    for object_type, ids in keys.items():
        query |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    entries = list(AuditEntry.objects.filter(query).select_related("actor").order_by("-at")[:1000])
    for entry in entries:
        entry.label = action_label(entry.action)  # type: ignore[attr-defined]
        entry.old_text = readable(entry.old)  # type: ignore[attr-defined]
        entry.new_text = readable(entry.new)  # type: ignore[attr-defined]
    return render(request, "manage/audit.html", {"assessment": assessment, "entries": entries})


def _related_objects(assessment: Assessment) -> dict[str, list[int]]:
    """Every audited object that belongs to the assessment, by audit object type."""
    from django.apps import apps

    # The report lives in the app above this one: found by label, not imported.
    feedback = apps.get_model("feedback", "Feedback")
    owned = {
        feedback: {"assessment": assessment},
        apps.get_model("feedback", "ReportRevision"): {"feedback__assessment": assessment},
        Evidence: {"assessment": assessment},
        Review: {"assessment": assessment},
        ItemScore: {"review__assessment": assessment},
        Clarification: {"assessment": assessment},
        ConsensusScore: {"assessment": assessment},
        ApplicationReport: {"assessment": assessment},
        Round2Score: {"assessment": assessment},
    }
    found = {"assessments.assessment": [assessment.pk]}
    for model, lookup in owned.items():
        found[model._meta.label_lower] = list(
            model.objects.filter(**lookup).values_list("pk", flat=True)
        )
    return found
