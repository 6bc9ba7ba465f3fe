"""{% idle_warning %}: the idle timeout's warning, and what its script needs, as data."""

from __future__ import annotations

from typing import Any

from django import template

from pmqa.accounts import idle

register = template.Library()


@register.inclusion_tag("_idle_warning.html", takes_context=True)
def idle_warning(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {"show": False}
    return {
        "show": True,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
        "remaining": idle.remaining(request),
        "warning": idle.warning_seconds(),
        "minutes": idle.minutes_text(),
        "warning_minutes": max(1, round(idle.warning_seconds() / 60)),
    }
