"""Writing audit entries."""

from typing import Any

from django.db import models

from pmqa.audit.models import AuditEntry


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    old: Any = None,
    new: Any = None,
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        old=old,
        new=new,
        reason=reason,
    )
