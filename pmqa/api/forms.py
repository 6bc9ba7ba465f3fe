"""The form that makes a personal API token."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# How long a new token may last, in days, up to PMQA_API_TOKEN_MAX_DAYS.
LIFETIMES = [
    (30, _("30 days")),
    (90, _("90 days")),
    (180, _("180 days")),
    (365, _("One year")),
]


def lifetimes() -> list[tuple[str, Any]]:
    longest = settings.PMQA_API_TOKEN_MAX_DAYS
    choices = [(str(days), label) for days, label in LIFETIMES if days < longest]
    return [
        *choices,
        (str(longest), ngettext("%(n)s day", "%(n)s days", longest) % {"n": longest}),
    ]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Where the token is used, e.g. the agency evaluation system."),
    )
    lifetime = forms.ChoiceField(label=_("Valid for"), choices=lifetimes)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lifetime"].initial = str(min(90, settings.PMQA_API_TOKEN_MAX_DAYS))

    def expires_at(self) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(days=int(self.cleaned_data["lifetime"]))
