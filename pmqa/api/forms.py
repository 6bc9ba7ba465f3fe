"""The form that makes a personal API token."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# How long a new token lasts, in days ("" = until revoked).
LIFETIMES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("One year")),
    ("", _("Until I revoke it")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the token is used, e.g. the agency evaluation system."),
    )
    lifetime = forms.ChoiceField(
        label=_("Valid for"), choices=LIFETIMES, initial="90", required=False
    )

    def expires_at(self) -> datetime.datetime | None:
        days = self.cleaned_data.get("lifetime") or ""
        return timezone.now() + datetime.timedelta(days=int(days)) if days else None
