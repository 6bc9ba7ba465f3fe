"""Form fields for Thai conventions: dates typed and shown with a Buddhist-era year."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from pmqa.lib.thai import ThaiDateError, format_date_be_numeric, parse_date_be


class BEDateInput(forms.TextInput):
    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            return format_date_be_numeric(value)
        return super().format_value(value)


class BEDateField(forms.Field):
    """A date typed as วว/ดด/ปปปป (B.E.), or in words; stored Gregorian."""

    widget = BEDateInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "วว/ดด/ปปปป (พ.ศ.) เช่น 26/11/2568")
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "size": "12"})
        return attrs

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date_be(str(value))
        except ThaiDateError as error:
            raise forms.ValidationError(str(error), code="invalid") from None
