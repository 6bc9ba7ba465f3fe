"""Writing audit entries: one insert each, from any app (audit imports no other app)."""

from typing import Any

from django.db import models
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from pmqa.audit.models import AuditEntry
from pmqa.lib.clientaddr import client_address


def typed_identifier(value: str) -> str:
    """A user name or e-mail address as someone typed it (at a failed login, a lockout, a
    reset request), kept only as a keyed hash: the log can still count and find it, given the
    same words and the site's secret key, but holds nothing that names a person, so that an
    erasure leaves nothing of them in it and the append-only log never needs changing."""
    return salted_hmac(
        "pmqa.audit.typed_identifier", value.strip().casefold(), algorithm="sha256"
    ).hexdigest()


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    old: Any = None,
    new: Any = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> AuditEntry:
    """One entry. `obj` names what it is about; without a row to name (a file of open data, a
    login for a user name that does not exist) `object_type` and `object_id` do. With the
    request, the entry keeps the address it came from."""
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, obj.pk
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        old=old,
        new=new,
        reason=reason,
        ip=client_address(request) if request is not None else None,
    )


def record_download(
    request: HttpRequest, *, action: str, obj: models.Model | None = None, **kwargs: Any
) -> AuditEntry:
    """A file handed out (a report, an evidence file, an export): who, what, from where."""
    return record(actor=request.user, action=action, obj=obj, request=request, **kwargs)
