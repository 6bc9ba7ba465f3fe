"""Narratives cite evidence as [label]; this filter turns the citations into links."""

import html
import re

from django import template
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
_CITATION = re.compile(r"\[([^\[\]]+)\]")


@register.filter
def cite(text: str, evidence_by_label: dict) -> SafeString:  # type: ignore[type-arg]
    """Escaped text with paragraphs, each [label] of known evidence linked to its file."""

    def link(match: re.Match[str]) -> str:
        evidence = evidence_by_label.get(html.unescape(match.group(1)).strip())
        if evidence is None:
            return match.group(0)
        url = reverse("assessments:evidence_file", args=[evidence.assessment_id, evidence.pk])
        return f'<a href="{escape(url)}" target="_blank" rel="noopener">{match.group(0)}</a>'

    linked = _CITATION.sub(link, str(escape(text or "")))
    return mark_safe(linebreaks(linked, autoescape=False))  # noqa: S308 - escaped above
