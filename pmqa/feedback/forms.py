"""The lead's report form: every text box of the page, named as it renders them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

TEXT_MAX = 20_000
THEMES = 10


def _text(max_length: int = TEXT_MAX) -> forms.CharField:
    return forms.CharField(
        required=False,
        strip=True,
        max_length=max_length,
        error_messages={"max_length": _("Keep each box to %(limit_value)d characters or fewer.")},
    )


class VersionForm(forms.Form):
    """The version of the texts the page was showing."""

    version = forms.IntegerField(min_value=0, required=False)


class FeedbackForm(VersionForm):
    conclusion = _text()

    def __init__(
        self,
        *args: Any,
        item_codes: list[str],
        category_numbers: list[int],
        pillar_codes: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for code in item_codes:
            for kind in ("strength", "ofi"):
                self.fields[f"item-{code}-{kind}"] = _text()
        for number in category_numbers:
            for kind in ("strength", "ofi"):
                self.fields[f"category-{number}-{kind}"] = _text()
        for code in pillar_codes:
            self.fields[f"pillar-{code}"] = _text()
        for n in range(1, THEMES + 1):
            self.fields[f"theme-{n}-title"] = _text(255)
            self.fields[f"theme-{n}-text"] = _text()

    def blocks(self) -> dict[tuple[str, str, str], str]:
        """The report's texts by (scope, key, kind), as the service stores them."""
        found: dict[tuple[str, str, str], str] = {}
        for name, value in self.cleaned_data.items():
            scope, _sep, rest = name.partition("-")
            if scope in ("item", "category"):
                key, kind = rest.rsplit("-", 1)
                found[(scope, key, kind)] = value
            elif scope == "pillar":
                found[("pillar", rest, "achievement")] = value
        return found

    def themes(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [(data[f"theme-{n}-title"], data[f"theme-{n}-text"]) for n in range(1, THEMES + 1)]
