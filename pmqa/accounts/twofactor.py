"""Two-factor authentication (django-otp): a TOTP app and single-use recovery codes. Required of
assessors, lead assessors and administrators, chosen by agency users; every change of it and
every recovery code used is in the audit trail."""

from __future__ import annotations

import re
import secrets
from base64 import b32encode
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import segno
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmqa.accounts import credentials
from pmqa.accounts.models import User
from pmqa.accounts.roles import Access, request_access
from pmqa.audit import services as audit

RECOVERY_CODES = 10
# Recovery codes: letters and digits that are hard to mistake for one another.
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# Set at login: the person had a device then, so the session needs its code.
HAS_DEVICE = "pmqa_otp_device"
# Recovery codes just made, shown once (and offered as a file) until the person goes on.
NEW_CODES = "pmqa_otp_new_codes"


class CodeRefused(Exception):
    """A code that is wrong, already used, or tried too soon after a wrong one."""


def required_for(user: Any, access: Access) -> bool:
    """Assessors, lead assessors and administrators must have a second factor (superusers too:
    they can do everything)."""
    return bool(access.is_admin or access.is_assessor or getattr(user, "is_superuser", False))


def totp_device(user: Any, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def note_devices(request: HttpRequest, user: Any) -> None:
    """At login: whether this person has a second factor to give (agency users who chose it)."""
    request.session[HAS_DEVICE] = user_has_device(user)


def pending_device(user: User) -> TOTPDevice:
    """The TOTP device being set up: the same secret until it is confirmed."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed (base32), in groups of four."""
    text = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The QR code of the device's otpauth:// address as inline SVG, drawn here (no other host
    ever sees the secret)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=4, dark="#000", light="#fff", title=_("QR code for your authenticator app")
        )
    )


def _normalised(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _new_codes() -> list[str]:
    return [
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)
    ]


def _refused_message(*, waiting: bool) -> str:
    if waiting:
        return _("Too many wrong codes in a row. Wait a few seconds, then type the newest code.")
    return _("That code is not right, or it has been used already. Type the newest code.")


def _waiting(devices: list[Any]) -> bool:
    """Whether django-otp refuses to check any code yet (a wrong one was typed just before)."""
    return bool(devices) and not any(d.verify_is_allowed()[0] for d in devices)


def confirm_setup(*, request: HttpRequest, device: TOTPDevice, code: str) -> list[str]:
    """The code from the app proves the secret was taken: the device counts from now on, any
    older one goes, and ten new recovery codes are made (returned, to be shown once)."""
    user = device.user
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        waiting = _waiting([locked])
        accepted = locked.verify_token(_normalised(code))
        if accepted:
            TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
            locked.confirmed = True
            locked.save(update_fields=["confirmed"])
            codes = _replace_recovery_codes(user)
            audit.record(actor=user, action="otp.setup", obj=user, request=request)
    # Refused outside the transaction, so that the wrong try's count (the next wait) is kept.
    if not accepted:
        raise CodeRefused(_refused_message(waiting=waiting))
    _verified(request, locked)
    request.session[HAS_DEVICE] = True
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = _new_codes()
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def new_recovery_codes(*, request: HttpRequest, user: User) -> list[str]:
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        audit.record(actor=user, action="otp.recovery_codes", obj=user, request=request)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(*, request: HttpRequest, user: User, code: str) -> None:
    """Six digits are checked against the app, anything else against the recovery codes (each
    works once). Wrong codes slow the next try (django-otp doubles the wait each time)."""
    given = _normalised(code)
    model: Any = TOTPDevice if re.fullmatch(r"\d{6}", given) else StaticDevice
    with transaction.atomic():
        devices = list(model.objects.select_for_update().filter(user=user, confirmed=True))
        waiting = _waiting(devices)
        device = next((d for d in devices if d.verify_token(given)), None)
        if isinstance(device, StaticDevice):
            audit.record(
                actor=user,
                action="otp.recovery_use",
                obj=user,
                new={"remaining": device.token_set.count()},
                request=request,
            )
    # Refused outside the transaction, so that the wrong try's count (the next wait) is kept.
    if device is None:
        audit.record(actor=user, action="otp.failed", obj=user, request=request)
        raise CodeRefused(_refused_message(waiting=waiting))
    _verified(request, device)


def _verified(request: HttpRequest, device: Any) -> None:
    """The session now counts as verified, under a new key: one learnt before the code was
    given (a password alone) is worth nothing after it, as Django's own login does."""
    otp_login(request, device)
    request.session.cycle_key()


def remove(*, request: HttpRequest, user: User, by: User) -> int:
    """Every device of the person goes. By themselves (an agency user who no longer wants it)
    or by an administrator (a lost phone): then whoever needs a second factor sets it up again
    at their next request, and any session they have open stops being verified."""
    with transaction.atomic():
        removed = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            removed += 1
        audit.record(
            actor=by,
            action="otp.remove" if by.pk == user.pk else "otp.reset",
            obj=user,
            request=request,
        )
        if by.pk != user.pk:  # a lost phone: whoever has it may have made tokens too
            credentials.end_api_tokens(
                user=user, reason=credentials.SECOND_FACTOR_RESET, by=by, request=request
            )
    if by.pk == user.pk:
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        request.session[HAS_DEVICE] = False
    return removed


# ---------------------------------------------------------------------------------------------
# Every page asks for the second factor

# Pages a person reaches before giving the second factor: signing in and out, the second
# factor's own pages, the language switch and what the page's scripts ask.
OPEN_VIEWS = frozenset(
    {
        "login",
        "logout",
        "admin:logout",
        "set_language",
        "healthz",
        "session",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "twofactor:verify",
        "twofactor:setup",
    }
)


def needed(request: HttpRequest) -> str | None:
    """ "verify" when the session must give its code, "setup" when the person must first set up
    an app, None when neither (an agency user who chose no second factor)."""
    user = request.user
    must = required_for(user, request_access(request))
    if request.session.get(HAS_DEVICE) or must:
        if user_has_device(user):
            return "verify"
        return "setup" if must else None
    return None


class SecondFactorMiddleware:
    """After the password, a session that has not given its second factor reaches only the
    OPEN_VIEWS: any other page sends the person to type their code (or to set up the app)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # A database lost while checking is the 503 of `handler500`, as on every path.
        return self._check(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.view_name in OPEN_VIEWS:
            return None
        need = needed(request)
        if need is None:
            return None
        target = reverse("twofactor:verify" if need == "verify" else "twofactor:setup")
        back = request.get_full_path() if request.method == "GET" else reverse("home")
        return redirect(f"{target}?next={quote(back)}")
