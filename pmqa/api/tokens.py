"""Personal API tokens: made, revoked and checked here, each change in the audit trail.

A token is `pmqa_` and 32 random bytes (URL-safe base64). The database keeps only its SHA-256
and the first characters of the random part, to tell tokens apart; the whole token is shown
once, when it is made, and cannot be read again.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmqa.accounts.models import ApiToken, User
from pmqa.audit import services as audit
from pmqa.lib.errors import ServiceError

SCHEME = "pmqa_"
SECRET_BYTES = 32
PREFIX_LENGTH = 8
MAX_ACTIVE = 10  # usable tokens one person may hold at once
LONGEST = 100  # characters: anything longer is not one of ours
# Using a token writes its last use at most this often, and an audit entry on its first use
# of the day: reading the API stays (almost always) a read.
USE_RECORDED_EVERY = datetime.timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    *,
    user: Any,
    name: str,
    expires_at: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """A new token of `user`; returns the row and the token itself, which is never stored."""
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the token a name that says where it is used."))
    now = timezone.now()
    longest = now + datetime.timedelta(days=settings.PMQA_API_TOKEN_MAX_DAYS)
    if expires_at is None:
        expires_at = longest
    if expires_at <= now:
        raise ServiceError(_("Choose an expiry date in the future."))
    if expires_at > longest + datetime.timedelta(minutes=1):
        raise ServiceError(
            _("A token lasts at most %(days)s days; choose an earlier expiry.")
            % {"days": settings.PMQA_API_TOKEN_MAX_DAYS}
        )
    secret = SCHEME + secrets.token_urlsafe(SECRET_BYTES)
    with transaction.atomic():
        # The user's row is locked so that two requests at once cannot pass the limit.
        User.objects.select_for_update().filter(pk=user.pk).first()
        active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).exclude(
            expires_at__lte=now
        )
        if active.count() >= MAX_ACTIVE:
            raise ServiceError(
                _("You already have %(n)s tokens in use; revoke one you no longer need first.")
                % {"n": MAX_ACTIVE}
            )
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[len(SCHEME) : len(SCHEME) + PREFIX_LENGTH],
            key_hash=digest(secret),
            expires_at=expires_at,
        )
        audit.record(
            actor=user,
            action="api.token.create",
            obj=token,
            new={
                "name": token.name,
                "prefix": token.prefix,
                "expires": expires_at.isoformat(),
            },
            request=request,
        )
    return token, secret


def revoke_token(*, token: ApiToken, by: Any, request: HttpRequest | None = None) -> ApiToken:
    """Revoke one of `by`'s own tokens; it is refused from then on."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.user_id != getattr(by, "pk", None):
            raise ServiceError(_("Only the token's owner may revoke it."))
        if token.revoked_at is not None:
            raise ServiceError(_("This token was already revoked."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=by,
            action="api.token.revoke",
            obj=token,
            old={"name": token.name, "prefix": token.prefix},
            request=request,
        )
    return token


def authenticate(presented: str, *, request: HttpRequest | None = None) -> ApiToken | None:
    """The usable token presented, its owner's account active, with its use recorded; None
    for anything else (unknown, revoked, expired, or the account closed)."""
    presented = presented.strip()
    if not presented.startswith(SCHEME) or len(presented) > LONGEST:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=digest(presented)).first()
    now = timezone.now()
    if token is None or not token.is_usable(now) or not token.user.is_active:
        return None
    _record_use(token, now, request)
    return token


def _record_use(token: ApiToken, now: datetime.datetime, request: HttpRequest | None) -> None:
    last = token.last_used_at
    if last is not None and now - last < USE_RECORDED_EVERY:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
    if last is None or timezone.localdate(last) != timezone.localdate(now):
        audit.record(actor=token.user, action="api.token.use", obj=token, request=request)
