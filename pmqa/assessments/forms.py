"""The workspace's forms: Django forms over the answer cleaners, and layouts for the templates.

Each answer page posts one form: `ProfileForm`, `ProcessForm` or `ResultsForm`. Their fields
take the text as typed; judging it is left to the cleaners in `answers`, which the Excel import
shares, so that both accept and refuse exactly the same things. After `is_valid()` a form holds
`content` (the answer as cleaned), `refused` (the cleaners' errors: `field`, `group.row.column`,
`kpis.row.field`, …) and `savable` (what may be saved despite them, or None).

The repeatable rows (a profile table, the KPI table) are formsets whose rows are named
`<prefix>-<n>-<field>` with n counted from 1, as the page shows them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any

from django import forms
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT, ManagementForm
from django.utils.translation import gettext_lazy as _

from pmqa.assessments import answers as content
from pmqa.assessments.profile import Group, Section
from pmqa.criteria.models import Item

BLANK_ROWS = 1


def _typed() -> forms.CharField:
    """A box as typed: the answer cleaners strip and judge it."""
    return forms.CharField(required=False, strip=False)


class TypedList(forms.Field):
    """Every value posted under one name (ticked boxes, cited evidence), as typed."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(v) for v in value] if value else []


class RowForm(forms.Form):
    """One row of a table: a box per column, and the row's "delete" tick."""

    delete = forms.BooleanField(required=False)

    def __init__(self, *args: Any, columns: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for column in columns:
            self.fields[column] = _typed()

    def values(self) -> dict[str, str]:
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or "" for name in self.fields if name != "delete"}


class NumberedRows(forms.BaseFormSet):  # type: ignore[type-arg]
    """A table's rows as posted: one form per row number found in the post, in order. The
    pages never send Django's management form; rows are counted from what was posted."""

    def add_prefix(self, index: int | str) -> str:
        return f"{self.prefix}-{self.numbers[int(index)]}"

    @cached_property
    def numbers(self) -> list[int]:
        # Row numbers as a page writes them; anything longer is no row of a page.
        pattern = re.compile(rf"^{re.escape(str(self.prefix))}-([0-9]{{1,5}})-")
        found = {int(match[1]) for name in self.data if (match := pattern.match(name))}
        return sorted(found)

    @cached_property
    def management_form(self) -> ManagementForm:
        counts = {TOTAL_FORM_COUNT: len(self.numbers), INITIAL_FORM_COUNT: 0}
        form = ManagementForm(
            {f"{self.prefix}-{key}": value for key, value in counts.items()},
            auto_id=self.auto_id,
            prefix=self.prefix,
            renderer=self.renderer,  # type: ignore[attr-defined]  # set by BaseFormSet
        )
        form.full_clean()
        return form

    def rows(self) -> list[tuple[int, dict[str, str]]]:
        """(number on the page, values) of each row not ticked for deletion."""
        return [
            (self.numbers[index], form.values())
            for index, form in enumerate(self.forms)
            if not getattr(form, "cleaned_data", {}).get("delete")
        ]


def _rows_formset() -> type[NumberedRows]:
    return forms.formset_factory(  # type: ignore[return-value]  # the formset class given
        RowForm, formset=NumberedRows, extra=0, absolute_max=10_000, max_num=10_000
    )


RowsFormSet = _rows_formset()


class VersionForm(forms.Form):
    """The version of an answer the page was showing (restoring one from its history)."""

    # Beyond what the database holds, a version is no version (and a conflict, not an error).
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, required=False)

    @property
    def base_version(self) -> int:
        """The version the page was showing; -1 (never stored) when none came with it."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        version = self.cleaned_data.get("version")
        return -1 if version is None else version


class EvidenceForm(forms.Form):
    """A file or a link added to the evidence list; the service judges each value."""

    kind = forms.CharField(required=False)
    label = forms.CharField(required=False, strip=False)
    url = forms.CharField(required=False, strip=False)
    file = forms.Field(required=False, widget=forms.FileInput)


class AnswerForm(VersionForm):
    """What every answer page posts: its content, the version it was typed on, and the button
    pressed (none for an autosave)."""

    action = forms.CharField(required=False)

    content: dict[str, Any]
    refused: dict[str, str]
    savable: dict[str, Any] | None = None
    # (table, row as the cleaner counts it) -> the row's number on the page as posted.
    row_numbers: dict[tuple[str, int], str]

    def clean(self) -> dict[str, Any]:
        self.row_numbers = {}
        data = super().clean() or {}
        self.content, self.refused = self.clean_content(data)
        return data

    def clean_content(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        raise NotImplementedError

    def blank_rows(self, table: str) -> int:
        """How many rows of `table` were posted empty (and are not stored)."""
        return 0


class ProfileForm(AnswerForm):
    """One section of the organisational profile: its fields, and its tables as formsets."""

    def __init__(
        self, *args: Any, section: Section, saved: Mapping[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.section, self.saved = section, saved
        # Each table's rows posted empty: "add a row" shows them again, and one more.
        self.blanks: dict[str, int] = {}
        for spec in section.scalar_fields():
            self.fields[f"f-{spec.key}"] = _typed()
        self.tables = {
            group.key: RowsFormSet(
                self.data if self.is_bound else None,
                prefix=f"g-{group.key}",
                form_kwargs={"columns": [column.key for column in group.columns]},
            )
            for group in section.groups()
        }

    def posted(self) -> tuple[dict[str, str], dict[str, list[dict[str, str]]]]:
        """What was typed: each field, and each table's rows; a row keeps the number it was
        posted with ("_row"), as the page still shows it."""
        data = getattr(self, "cleaned_data", {})
        scalars = {
            spec.key: data.get(f"f-{spec.key}") or "" for spec in self.section.scalar_fields()
        }
        for table in self.tables.values():
            table.is_valid()
        groups = {
            key: [{**values, "_row": str(number)} for number, values in table.rows()]
            for key, table in self.tables.items()
        }
        return scalars, groups

    def clean_content(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        scalars, groups = self.posted()
        # The number each posted row has on the page as it stands (the autosave redraws none).
        self.row_numbers = {
            (key, position): row["_row"]
            for key, rows in groups.items()
            for position, row in enumerate(rows, start=1)
        }
        self.blanks = {
            key: sum(1 for row in rows if not any(v for k, v in row.items() if k != "_row"))
            for key, rows in groups.items()
        }
        found, refused = content.clean_profile(self.section, scalars, groups)
        if refused:
            # The rest of the section is saved; a refused value keeps what was saved before.
            self.savable = content.profile_without_refused_values(
                self.section, found, refused, self.saved
            )
        return found, refused

    def blank_rows(self, table: str) -> int:
        return self.blanks.get(table, 0)


class _Cited(AnswerForm):
    """An item's answer: it cites evidence, by ticking it or by naming [its label] in a text."""

    evidence = TypedList(required=False)

    def __init__(self, *args: Any, evidence: Callable[[], list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evidence_list = evidence

    def allowed(self, data: Mapping[str, Any]) -> set[int]:
        # An autosave that cites no evidence does not read the evidence list.
        return {evidence.pk for evidence in self.evidence_list()} if data["evidence"] else set()

    def cite_labels(self, found: dict[str, Any], texts: list[str]) -> None:
        """Evidence named as [label] in a text counts as cited by the item."""
        cited = set(found.get("evidence") or [])
        labels = [label for text in texts for label in re.findall(r"\[([^\[\]]+)\]", text)]
        if labels:
            by_label = {evidence.label: evidence.pk for evidence in self.evidence_list()}
            cited.update(by_label[label.strip()] for label in labels if label.strip() in by_label)
        found["evidence"] = sorted(cited)


class ProcessForm(_Cited):
    """A process item (1.1–6.4): ticked checkpoints, the narrative by level and part, the
    evidence, and under some rules the self-score."""

    self_score = _typed()

    def __init__(self, *args: Any, item: Item, rule: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item, self.rule = item, rule
        for level in content.LEVELS:
            self.fields[f"tick-{level}"] = TypedList(required=False)
            for part, _label in content.NARRATIVE_PARTS:
                self.fields[f"n-{level}-{part}"] = _typed()

    def clean_content(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        found, refused = content.clean_process(
            self.item,
            ticks={level: data[f"tick-{level}"] for level in content.LEVELS},
            narrative={
                level: {part: data[f"n-{level}-{part}"] for part, _l in content.NARRATIVE_PARTS}
                for level in content.LEVELS
            },
            evidence=data["evidence"],
            allowed_evidence=self.allowed(data),
            self_score=data["self_score"],
            rule=self.rule,
        )
        texts = [text for parts in found["narrative"].values() for text in parts.values()]
        self.cite_labels(found, texts)
        return found, refused


KPI_FIELDS = ("name", "unit", "direction", "target", "comparison", "comparison_source")


class ResultsForm(_Cited):
    """A results item (7.1–7.6): the KPI table as a formset, the note and the evidence."""

    note = _typed()

    def __init__(
        self, *args: Any, years: list[str], saved: Mapping[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.years, self.saved = years, saved
        columns = [*KPI_FIELDS, *(f"value_{year}" for year in years)]
        columns += [f"band_{score}" for score in content.BAND_SCORES]
        self.kpis = RowsFormSet(
            self.data if self.is_bound else None, prefix="k", form_kwargs={"columns": columns}
        )

    def posted_kpis(self) -> list[dict[str, str]]:
        self.kpis.is_valid()
        return [values for _number, values in self.kpis.rows()]

    @cached_property
    def page_rows(self) -> list[tuple[int, int | None]]:
        """Each posted row's number on the page, with the KPI it is as the cleaner counts
        them (from 1), or None: a row left empty or ticked for removal is no KPI."""
        self.kpis.is_valid()
        kept = dict(self.kpis.rows())
        rows: list[tuple[int, int | None]] = []
        count = 0
        for number in self.kpis.numbers:
            values = kept.get(number)
            # The cleaner alone says which rows are KPIs (it strips, reads numbers, keeps a
            # row with a refused value): each row is asked on its own.
            if values is not None and self._is_kpi(values):
                count += 1
                rows.append((number, count))
            else:
                rows.append((number, None))
        return rows

    def _is_kpi(self, values: Mapping[str, str]) -> bool:
        found, _refused = content.clean_results(
            kpis=[values], note="", evidence=[], allowed_evidence=set(), years=self.years
        )
        return bool(found["kpis"])

    def blank_rows(self, table: str) -> int:
        if table != "kpi":
            return 0
        deleted = set(self.kpis.numbers) - {number for number, _values in self.kpis.rows()}
        return sum(1 for number, kpi in self.page_rows if kpi is None and number not in deleted)

    def live_rows(self) -> list[dict[str, Any]]:
        """Each posted row as the autosave redraws it: its KPI's score and trend from what was
        typed, none for a row that is no KPI."""
        kpis = self.content["kpis"]
        rows = []
        for number, kpi in self.page_rows:
            row = kpis[kpi - 1] if kpi is not None else None
            rows.append(
                {
                    "number": number,
                    "filled": row is not None,
                    "figure": content.kpi_figure(row) if row is not None else None,
                    "trend": trend_points(row, self.years) if row is not None else "",
                    "errors": any(key.startswith(f"kpis.{kpi}.") for key in self.refused),
                }
            )
        return rows

    def clean_content(self, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        self.row_numbers = {
            ("kpis", kpi): str(number) for number, kpi in self.page_rows if kpi is not None
        }
        found, refused = content.clean_results(
            kpis=self.posted_kpis(),
            note=data["note"],
            evidence=data["evidence"],
            allowed_evidence=self.allowed(data),
            years=self.years,
        )
        self.cite_labels(found, [found["note"]])
        # The rest of the table is saved; a refused number keeps what was stored for it.
        self.savable = content.results_without_refused_numbers(found, refused, self.saved)
        return found, refused


def profile_layout(
    section: Section,
    data: Mapping[str, Any],
    *,
    posted: ProfileForm | None = None,
    errors: Mapping[str, str] | None = None,
    added: tuple[str, int] = ("", BLANK_ROWS),
) -> list[dict[str, Any]]:
    """Each field with its input name, current value and error, ready for the template: what
    is stored, or with `posted` what was typed. `added` is a table that asked for more rows
    and how many empty rows it shows."""
    errors = errors or {}
    scalars, groups = posted.posted() if posted is not None else ({}, {})
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
            blanks = added[1] if added[0] == spec.key else BLANK_ROWS
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


def results_layout(
    data: Mapping[str, Any],
    years: list[str],
    *,
    posted: ResultsForm | None = None,
    errors: Mapping[str, str] | None = None,
    blank_rows: int = BLANK_ROWS,
) -> dict[str, Any]:
    """The KPI table for the template: what is stored, or with `posted` what was typed, each
    KPI with its score and trend; then `blank_rows` empty rows."""
    errors = errors or {}
    if posted is not None:
        # Numbered as the cleaner numbers them: rows left empty are not KPIs.
        kept = dict(posted.kpis.rows())
        rows = [kept[number] for number, kpi in posted.page_rows if kpi is not None]
        kpis = posted.content["kpis"]
    else:
        kpis = data.get("kpis") or []
        rows = [_flat_kpi(kpi, years) for kpi in kpis]
    # Every row carries every field, so that an empty cell renders empty.
    blank = _flat_kpi({"direction": "higher"}, years)
    rows = [{**blank, **row} for row in rows] + [dict(blank) for _ in range(blank_rows)]
    layout = []
    for number, row in enumerate(rows, start=1):
        kpi = kpis[number - 1] if number <= len(kpis) else None
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
                "figure": content.kpi_figure(kpi) if kpi is not None else None,
                "trend": trend_points(kpi, years) if kpi is not None else "",
                "filled": kpi is not None,
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
    given = kpi.get("values") or {}
    values = [
        (index, number)
        for index, year in enumerate(years)
        if (number := _figure(given.get(year))) is not None
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


def _figure(value: object) -> float | None:
    """A yearly value as a number to draw, or None: empty, or typed and refused."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


class StartForm(forms.Form):
    """Which of the user's organisations starts the cycle."""

    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args: Any, organisations: frozenset[int], **kwargs: Any) -> None:
        from pmqa.organisations.models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=organisations
        )


class ReadyForm(forms.Form):
    """An editor's optional word to the approvers with "it is ready"."""

    note = forms.CharField(
        required=False,
        max_length=2000,
        error_messages={"max_length": _("Keep the note to %(limit_value)d characters or fewer.")},
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
