"""Template filters for Thai dates, digits and scores."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa import scoring
from pmqa.lib import thai

register = template.Library()


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    return None


@register.filter
def be_date(value: object, style: str = "") -> str:
    """{{ d|be_date }} → 26 พฤศจิกายน 2568; {{ d|be_date:"short" }} → 26 พ.ย. 2568."""
    day = _as_date(value)
    if day is None:
        return ""
    return thai.format_date_be(day, short=style == "short")


@register.filter
def thai_digits(value: object) -> str:
    return thai.thai_digits(value)


@register.filter
def keep_words(value: object) -> str:
    """{{ title|keep_words }}: a title that breaks between words only (see lib.wordbreak)."""
    from django.utils.safestring import mark_safe

    from pmqa.lib.wordbreak import keep_words_html

    return mark_safe(keep_words_html(str(value)))  # noqa: S308 - every word is escaped


@register.filter
def numeral(value: object, thai_numerals: bool = False) -> str:
    """{{ forloop.counter|numeral:r.thai_points }} → 3, or ๓ where the document numbers its
    points in Thai numerals."""
    return thai.thai_digits(value) if thai_numerals else str(value)


@register.filter
def score(value: object) -> str:
    """Two decimals, half-up, as every score is shown; empty for no value."""
    if value is None or value == "":
        return ""
    try:
        return f"{scoring.q2(Decimal(str(value)))}"
    except InvalidOperation:
        return ""


@register.filter
def level_label(value: str) -> str:
    labels = {
        "below_basic": _("Below Basic"),
        "basic": _("Basic"),
        "advance": _("Advance"),
        "significance": _("Significance"),
    }
    return labels.get(value, "")


@register.filter
def classification_label(value: str) -> str:
    labels = {
        "strength": _("Strength of the organisation"),
        "develop": _("Should be developed further"),
        "urgent": _("Needs urgent development"),
    }
    return labels.get(value, "")


@register.filter
def get(mapping: object, key: object) -> object:
    if isinstance(mapping, dict):
        return mapping.get(key) if key in mapping else mapping.get(str(key))
    try:
        return mapping[key]  # type: ignore[index]  # a form's field by name
    except (KeyError, TypeError, IndexError):
        return None


@register.filter
def person(user: object) -> str:
    """A person's name as pages show it: full name, else username, else a dash (a deleted
    account leaves no name behind)."""
    if user is None:
        return "—"
    name = getattr(user, "get_full_name", lambda: "")() or getattr(user, "username", "")
    return str(name) or "—"
