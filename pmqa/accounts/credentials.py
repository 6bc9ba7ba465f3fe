"""What ends when a person's credentials change: their API tokens, made under the old ones."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from pmqa.accounts.models import ApiToken, User
from pmqa.audit import services as audit

# Why the tokens ended, as the audit entry's reason (the log shows it as written).
PASSWORD_CHANGED = "password changed"
PASSWORD_RESET = "password set from a reset e-mail"
SECOND_FACTOR_RESET = "second factor reset by an administrator"


def end_api_tokens(*, user: User, reason: str, by: Any, request: HttpRequest | None = None) -> int:
    """Revoke every token of `user` still in use: a token is a password of its own, and one
    made by whoever held the old password (or the lost phone) must not outlive it."""
    now = timezone.now()
    ended = 0
    with transaction.atomic():
        for token in ApiToken.objects.select_for_update().filter(
            user=user, revoked_at__isnull=True, expires_at__gt=now
        ):
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            audit.record(
                actor=by,
                action="api.token.revoke",
                obj=token,
                old={"name": token.name, "prefix": token.prefix},
                reason=reason,
                request=request,
            )
            ended += 1
    return ended
