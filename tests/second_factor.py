"""The second factor as a person gives it in the tests: their TOTP device, and the code their
app would show now (a code is accepted once, so a second login in the same 30 seconds takes
the next one, as django-otp allows).

A code is chosen to stay good for a whole time step after it is chosen, so that a test never
fails because the clock passed into the next step between typing the code and the server
checking it (a code of the step before the current one would then be too old)."""

from __future__ import annotations

import time

from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmqa.accounts import twofactor


def device_of(user) -> TOTPDevice:
    """The person's confirmed app, set up for them if they have none."""
    return twofactor.totp_device(user) or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )


def code_for(device: TOTPDevice) -> str:
    """A code the device accepts now and still accepts once the clock is in the next time
    step: of the current step or a later one within the tolerance (never the step before),
    after the last step it accepted; when none is left, the next step is waited for."""
    while True:
        device.refresh_from_db()
        centre = (int(time.time()) - device.t0) // device.step + device.drift
        first = max(centre, device.last_t + 1)
        if first <= centre + device.tolerance:
            return f"{hotp(device.bin_key, first, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


def code_from_secret(secret: str, *, step: int = 30) -> str:
    """What an app shows for the key typed from the setup page (base32, in groups)."""
    from base64 import b32decode

    text = secret.replace(" ", "").upper()
    key = b32decode(text + "=" * (-len(text) % 8))
    return f"{hotp(key, int(time.time()) // step):06d}"
