"""Deploy checks (`pmqa check --deploy`, run by `make serve` and gunicorn's start): an unsafe
production configuration is refused with what to set, instead of being served."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARACTERS = 5
NEW_SECRET_KEY = (
    "Set PMQA_SECRET_KEY to a new random value of 50 characters or more, for example the "
    "output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
)


def _weak_secret_key(key: str) -> bool:
    # Django's own rule (security.W009), refused here rather than warned about.
    return (
        len(key) < MIN_SECRET_KEY_LENGTH
        or len(set(key)) < MIN_SECRET_KEY_CHARACTERS
        or key.startswith("django-insecure-")
    )


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _in_memory(database: dict[str, Any]) -> bool:
    name = str(database.get("NAME", ""))
    return database["ENGINE"].endswith("sqlite3") and (
        name in ("", ":memory:") or "mode=memory" in name
    )


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if settings.DEBUG:
        errors.append(
            Error(
                "PMQA_DEBUG is on: error pages would show settings and code to anyone.",
                hint="Unset PMQA_DEBUG (or set it to 0) in production.",
                id="pmqa.E001",
            )
        )
    if _weak_secret_key(settings.SECRET_KEY):
        errors.append(
            Error(
                "PMQA_SECRET_KEY is short, repetitive or a development value: sessions and "
                "password reset links could be forged.",
                hint=NEW_SECRET_KEY,
                id="pmqa.E002",
            )
        )
    if not settings.ALLOWED_HOSTS or "*" in settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "PMQA_ALLOWED_HOSTS is empty or '*': every request would be refused, or links "
                "in password reset e-mails could point to another host.",
                hint="Set PMQA_ALLOWED_HOSTS to the site's host names, comma-separated, "
                "e.g. pmqa.opdc.go.th.",
                id="pmqa.E003",
            )
        )
    if settings.PMQA_SITE_URL.startswith("https://") and not (
        settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    ):
        errors.append(
            Error(
                "PMQA_SITE_URL is https but PMQA_SECURE_COOKIES is off: the login cookie "
                "would also travel unencrypted.",
                hint="Unset PMQA_SECURE_COOKIES (or set it to 1).",
                id="pmqa.E004",
            )
        )
    if _in_memory(settings.DATABASES["default"]):
        errors.append(
            Error(
                "DATABASE_URL is an in-memory SQLite database: each worker would have its own, "
                "empty, and lose it on restart.",
                hint="Set DATABASE_URL to postgres://… or to a file, sqlite:////var/lib/pmqa/"
                "pmqa.sqlite3.",
                id="pmqa.E005",
            )
        )
    media, static = Path(settings.MEDIA_ROOT), Path(settings.STATIC_ROOT)
    if _inside(media, static) or _inside(static, media):
        errors.append(
            Error(
                "PMQA_MEDIA_ROOT and PMQA_STATIC_ROOT overlap: evidence files would be served "
                "to anyone, without the permission check.",
                hint="Give PMQA_MEDIA_ROOT and PMQA_STATIC_ROOT two separate folders.",
                id="pmqa.E006",
            )
        )
    return errors
