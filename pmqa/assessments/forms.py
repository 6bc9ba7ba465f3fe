"""Reading the workspace forms out of a POST, and laying them out for the templates.

The forms are dynamic (repeatable rows, a criteria tree per edition), so they are read here by
field name rather than with Django form classes; the rules live in `answers`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from pmqa.assessments import answers as content
from pmqa.assessments.profile import Group, Section
from pmqa.criteria.models import Item

BLANK_ROWS = 1
_GROUP_NAME = re.compile(r"^g-(?P<group>[a-z_]+)-(?P<row>\d+)-(?P<column>[a-z_]+)$")
_KPI_NAME = re.compile(r"^k-(?P<row>\d+)-(?P<field>[a-z_0-9]+)$")


def _rows(
    post: QueryDict, pattern: re.Pattern[str], key: str
) -> dict[str, dict[int, dict[str, str]]]:
    found: dict[str, dict[int, dict[str, str]]] = {}
    for name in post:
        match = pattern.match(name)
        if match:
            group = match.groupdict().get("group", key)
            column = match.group("column" if "column" in match.groupdict() else "field")
            found.setdefault(group, {}).setdefault(int(match.group("row")), {})[column] = post.get(
                name, ""
            )
    return found


def posted_profile(
    section: Section, post: QueryDict
) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
    scalars = {spec.key: post.get(f"f-{spec.key}", "") for spec in section.scalar_fields()}
    groups: dict[str, list[dict[str, str]]] = {}
    found = _rows(post, _GROUP_NAME, "")
    for group in section.groups():
        rows = found.get(group.key, {})
        # Each row keeps the number it was posted with ("_row"): the page the person sees
        # still shows it, rows removed in the same post included.
        groups[group.key] = [
            {**row, "_row": str(index)}
            for index, row in sorted(rows.items())
            if row.get("delete") != "on"
        ]
    return scalars, groups


def profile_layout(
    section: Section,
    data: Mapping[str, Any],
    *,
    posted: QueryDict | None = None,
    errors: Mapping[str, str] | None = None,
    extra_rows: str = "",
) -> list[dict[str, Any]]:
    """Each field with its input name, current value and error, ready for the template."""
    errors = errors or {}
    scalars, groups = posted_profile(section, posted) if posted is not None else ({}, {})
    layout: list[dict[str, Any]] = []
    for spec in section.fields:
        if isinstance(spec, Group):
            if posted is not None:
                rows = groups.get(spec.key, [])
            else:
                rows = [
                    {c.key: content.display_value(c, row.get(c.key, "")) for c in spec.columns}
                    for row in data.get(spec.key) or []
                ]
            blanks = BLANK_ROWS + (2 if extra_rows == spec.key else 0)
            rows = list(rows) + [{} for _ in range(blanks)]
            layout.append(
                {
                    "group": spec,
                    "rows": [
                        {
                            "number": number,
                            "cells": [
                                {
                                    "spec": column,
                                    "name": f"g-{spec.key}-{number}-{column.key}",
                                    "value": row.get(column.key, ""),
                                    "error": errors.get(f"{spec.key}.{number}.{column.key}", ""),
                                }
                                for column in spec.columns
                            ],
                            "delete": f"g-{spec.key}-{number}-delete",
                            "filled": any(v for k, v in row.items() if k != "direction"),
                        }
                        for number, row in enumerate(rows, start=1)
                    ],
                }
            )
        else:
            value = (
                scalars.get(spec.key, "")
                if posted is not None
                else content.display_value(spec, data.get(spec.key, ""))
            )
            layout.append(
                {
                    "field": spec,
                    "name": f"f-{spec.key}",
                    "value": value,
                    "error": errors.get(spec.key, ""),
                }
            )
    return layout


def posted_process(post: QueryDict) -> dict[str, Any]:
    ticks = {level: post.getlist(f"tick-{level}") for level in content.LEVELS}
    narrative = {
        level: {part: post.get(f"n-{level}-{part}", "") for part, _label in content.NARRATIVE_PARTS}
        for level in content.LEVELS
    }
    return {
        "ticks": ticks,
        "narrative": narrative,
        "evidence": post.getlist("evidence"),
        "self_score": post.get("self_score", ""),
    }


def process_layout(
    item: Item,
    data: Mapping[str, Any],
    *,
    errors: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    errors = errors or {}
    ticks = data.get("ticks") or {}
    narrative = data.get("narrative") or {}
    levels = []
    for level in item.levels.all():
        ticked = {str(value) for value in ticks.get(level.level) or []}
        levels.append(
            {
                "level": level,
                "error": errors.get(f"ticks.{level.level}", ""),
                "checkpoints": [
                    {"checkpoint": cp, "checked": str(cp.position) in ticked}
                    for cp in level.checkpoints.all()
                ],
                "parts": [
                    {
                        "name": f"n-{level.level}-{part}",
                        "label": label,
                        "value": (narrative.get(level.level) or {}).get(part, ""),
                        "error": errors.get(f"narrative.{level.level}.{part}", ""),
                    }
                    for part, label in content.NARRATIVE_PARTS
                ],
            }
        )
    return levels


KPI_FIELDS = ("name", "unit", "direction", "target", "comparison", "comparison_source")


def posted_results(post: QueryDict, years: list[str]) -> dict[str, Any]:
    found = _rows(post, _KPI_NAME, "kpi").get("kpi", {})
    kpis = [row for _index, row in sorted(found.items()) if row.get("delete") != "on"]
    return {"kpis": kpis, "note": post.get("note", ""), "evidence": post.getlist("evidence")}


def results_layout(
    data: Mapping[str, Any],
    years: list[str],
    *,
    posted: QueryDict | None = None,
    errors: Mapping[str, str] | None = None,
    extra_rows: int = 0,
) -> dict[str, Any]:
    errors = errors or {}
    if posted is not None:
        # Numbered as the cleaner numbers them: rows left empty are not KPIs.
        rows = [
            row
            for row in posted_results(posted, years)["kpis"]
            if any(value for key, value in row.items() if key != "direction")
        ]
    else:
        rows = [_flat_kpi(kpi, years) for kpi in data.get("kpis") or []]
    stored = data.get("kpis") or []
    # Every row carries every field, so that an empty cell renders empty.
    blank = _flat_kpi({"direction": "higher"}, years)
    rows = [{**blank, **row} for row in rows] + [
        dict(blank) for _ in range(BLANK_ROWS + extra_rows)
    ]
    layout = []
    for number, row in enumerate(rows, start=1):
        figure = (
            content.kpi_figure(stored[number - 1])
            if posted is None and number <= len(stored)
            else None
        )
        layout.append(
            {
                "number": number,
                "values": row,
                "prefix": f"k-{number}-",
                "errors": {
                    key.split(".", 2)[2]: message
                    for key, message in errors.items()
                    if key.startswith(f"kpis.{number}.")
                },
                "figure": figure,
                "trend": trend_points(stored[number - 1], years)
                if posted is None and number <= len(stored)
                else "",
                "filled": any(v for k, v in row.items() if k != "direction"),
            }
        )
    return {"rows": layout, "years": years, "bands": content.BAND_SCORES}


def _flat_kpi(kpi: Mapping[str, Any], years: list[str]) -> dict[str, str]:
    flat = {field: kpi.get(field, "") for field in KPI_FIELDS}
    for year in years:
        flat[f"value_{year}"] = (kpi.get("values") or {}).get(year, "")
    for score in content.BAND_SCORES:
        flat[f"band_{score}"] = (kpi.get("band") or {}).get(score, "")
    return flat


def trend_points(
    kpi: Mapping[str, Any], years: list[str], width: int = 120, height: int = 36
) -> str:
    """SVG polyline points for the KPI's yearly values, or "" with fewer than two values."""
    values = [
        (index, float((kpi.get("values") or {}).get(year)))
        for index, year in enumerate(years)
        if (kpi.get("values") or {}).get(year) not in (None, "")
    ]
    if len(values) < 2:
        return ""
    low = min(v for _i, v in values)
    high = max(v for _i, v in values)
    span = (high - low) or 1.0
    step = (width - 8) / max(len(years) - 1, 1)
    return " ".join(
        f"{4 + index * step:.1f},{height - 4 - (value - low) / span * (height - 8):.1f}"
        for index, value in values
    )


class StartForm(forms.Form):
    """Which of the user's organisations starts the cycle."""

    organisation = forms.ModelChoiceField(queryset=None)  # type: ignore[arg-type]

    def __init__(self, *args: Any, organisations: frozenset[int], **kwargs: Any) -> None:
        from pmqa.organisations.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=organisations
        )


class ReasonForm(forms.Form):
    """A reason the other side will read: returning, reopening, correcting."""

    reason = forms.CharField(
        max_length=2000,
        error_messages={
            "required": _("Give the reason; the people who receive it will read it."),
            "max_length": _("Keep the reason to %(limit_value)d characters or fewer."),
        },
    )
