"""Answer content: cleaning what an agency typed, what is still missing, and the self-score.

The same cleaners serve the web forms and the Excel import, so both accept and refuse exactly
the same things. Cleaning never looks at "required": a draft may be half done; what a
submission still needs is listed by `missing_*`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmqa import scoring
from pmqa.assessments.profile import Field, Group, Label, Section
from pmqa.criteria.models import Category, Edition, Item, ItemRule, LevelCode
from pmqa.lib.thai import ThaiDateError, arabic_digits, format_date_be_numeric, parse_date_be
from pmqa.scoring.results import check_band

LEVELS = (LevelCode.BASIC, LevelCode.ADVANCE, LevelCode.SIGNIFICANCE)
NARRATIVE_PARTS: tuple[tuple[str, str | Promise], ...] = (
    ("approach", gettext_lazy("Approach (A)")),
    ("deployment", gettext_lazy("Deployment (D)")),
    ("learning", gettext_lazy("Learning (L)")),
    ("integration", gettext_lazy("Integration (I)")),
)
NARRATIVE_MAX = 4000
KPI_NOTE_MAX = 3000
KPI_TEXT_MAX = 300
BAND_SCORES = ("0", "100", "200", "300", "400", "500")
DIRECTIONS = (
    ("higher", gettext_lazy("Higher is better")),
    ("lower", gettext_lazy("Lower is better")),
)
MAX_KPIS = 30

Errors = dict[str, str]


# ---------------------------------------------------------------------------------------------
# Small value parsers


# Commas only between groups of three digits before the point: 1,250,000.5.
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def parse_number(raw: object) -> Decimal | None:
    """A number as people type it: Thai or Arabic digits, thousands commas, spaces."""
    text = arabic_digits(str(raw if raw is not None else "")).replace(" ", "")
    if "," in text:
        # "85,5" is a decimal comma, not 855: refused rather than guessed.
        if not _THOUSANDS.fullmatch(text):
            raise ValueError(
                _(
                    "A comma may only separate thousands, as in 1,250,000. For a decimal, "
                    "type a point: 85.5."
                )
            )
        text = text.replace(",", "")
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Enter a number, for example 1,250,000 or 12.5.")) from None
    # Beyond a quadrillion or six decimals nothing real is being typed, and writing such a
    # number out in full (1e99999) would cost the server seconds.
    if not value.is_finite():
        raise ValueError(_("Enter a number, for example 1,250,000 or 12.5."))
    if value.adjusted() > 14:
        raise ValueError(_("This number is too large: at most 15 digits before the point."))
    if value.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ValueError(_("Too many decimals: at most 6 digits after the point."))
    return value


def number_text(value: Decimal) -> str:
    """Normalised storage form: no exponent, no trailing zeros after the point."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _text(raw: object) -> str:
    # Normalise line endings so that an unchanged form compares equal to what is stored.
    return str(raw if raw is not None else "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _length_error(value: str, limit: int) -> str:
    return _("This text has %(count)s characters; the limit is %(limit)s.") % {
        "count": f"{len(value):,}",
        "limit": f"{limit:,}",
    }


def clean_value(spec: Field, raw: object) -> str:
    """One field's stored string, or ValueError with the message for the person typing."""
    if spec.kind in ("text", "line"):
        value = _text(raw)
        if len(value) > spec.max_length:
            raise ValueError(_length_error(value, spec.max_length))
        return value
    if spec.kind == "number":
        number = parse_number(raw)
        if number is None:
            return ""
        if number < 0:
            raise ValueError(_("Enter zero or more."))
        if spec.whole and number != number.to_integral_value():
            raise ValueError(_("Enter a whole number, without a fraction."))
        return number_text(number)
    if spec.kind == "date":
        text = _text(raw)
        if text == "":
            return ""
        if hasattr(raw, "isoformat"):
            return str(raw.isoformat())[:10]
        try:
            return parse_date_be(text).isoformat()
        except ThaiDateError as error:
            raise ValueError(str(error)) from None
    if spec.kind == "choice":
        text = _text(raw)
        allowed = {key for key, _label in spec.choices}
        labels = {str(label): key for key, label in spec.choices}
        if text == "" or text in allowed:
            return text
        if text in labels:
            return labels[text]
        raise ValueError(
            _("Choose one of: %(choices)s.")
            % {"choices": ", ".join(str(label) for _key, label in spec.choices)}
        )
    raise AssertionError(spec.kind)


def display_value(spec: Field, stored: str) -> str:
    """A stored value as the form shows it (dates in B.E.)."""
    if spec.kind == "date" and stored:
        from datetime import date

        return format_date_be_numeric(date.fromisoformat(stored))
    if spec.kind == "number" and stored:
        number = Decimal(stored)
        return f"{number:,}"
    return stored


# ---------------------------------------------------------------------------------------------
# Organisational profile


@dataclass(frozen=True)
class ShownField:
    label: Label
    text: str = ""
    columns: tuple[Label, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ShownSection:
    """A profile section as a read-only page shows it: each field's label and text, each
    table's columns and rows; what was left empty is shown as such."""

    code: str
    title: Label
    fields: tuple[ShownField, ...]


def profile_shown(section: Section, data: Mapping[str, Any]) -> ShownSection:
    shown: list[ShownField] = []
    for spec in section.fields:
        if isinstance(spec, Group):
            rows = tuple(
                tuple(display_value(c, str(row.get(c.key, ""))) for c in spec.columns)
                for row in data.get(spec.key) or []
            )
            shown.append(
                ShownField(spec.label, columns=tuple(c.label for c in spec.columns), rows=rows)
            )
        else:
            shown.append(ShownField(spec.label, display_value(spec, str(data.get(spec.key, "")))))
    return ShownSection(section.code, section.title, tuple(shown))


def clean_profile(
    section: Section,
    scalars: Mapping[str, object],
    groups: Mapping[str, Iterable[Mapping[str, Any]]],
) -> tuple[dict[str, Any], Errors]:
    """Profile section content from typed values; errors keyed `field` or `group.row.column`
    (rows counted from 1, blank rows dropped)."""
    data: dict[str, Any] = {}
    errors: Errors = {}
    for spec in section.fields:
        if isinstance(spec, Group):
            rows: list[dict[str, str]] = []
            # Errors are numbered as the form lists the posted rows (blank ones too), so the
            # page marks the row that was typed.
            for position, row in enumerate(groups.get(spec.key, ()), start=1):
                cleaned: dict[str, str] = {}
                row_errors: dict[str, str] = {}
                for column in spec.columns:
                    try:
                        cleaned[column.key] = clean_value(column, row.get(column.key, ""))
                    except ValueError as error:
                        row_errors[column.key] = str(error)
                        cleaned[column.key] = _text(row.get(column.key, ""))
                if not any(cleaned.values()) and not row_errors:
                    continue
                rows.append(cleaned)
                for column_key, message in row_errors.items():
                    errors[f"{spec.key}.{position}.{column_key}"] = message
            data[spec.key] = rows
        else:
            try:
                data[spec.key] = clean_value(spec, scalars.get(spec.key, ""))
            except ValueError as error:
                errors[spec.key] = str(error)
    return data, errors


def filled(value: Any) -> Any:
    """Content with its empty parts left out: a part never opened is stored as {}, and a form
    or workbook gives it back with every field present and empty; both are the same."""
    if isinstance(value, dict):
        kept = {k: filled(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in ("", None, [], {})}
    if isinstance(value, list):
        kept_list = [filled(v) for v in value]
        return [v for v in kept_list if v not in ("", None, [], {})]
    return value


def profile_without_refused_values(
    section: Section, data: Mapping[str, Any], errors: Errors, saved: Mapping[str, Any]
) -> dict[str, Any]:
    """What may be saved of a section with refused values: every other field as typed, and
    for a refused field (or a table with a refused cell) what was saved before."""
    refused = {key.split(".")[0] for key in errors}
    savable = dict(data)
    for key in refused:
        if key in saved:
            savable[key] = saved[key]
        else:
            savable.pop(key, None)
    return savable


def missing_profile(section: Section, data: Mapping[str, Any]) -> list[str]:
    """What a submission still needs in this section, as sentences."""
    missing: list[str] = []
    for spec in section.fields:
        if isinstance(spec, Group):
            rows = data.get(spec.key) or []
            if spec.required and not rows:
                missing.append(_("%(field)s: add at least one row.") % {"field": spec.label})
            for number, row in enumerate(rows, start=1):
                empty = [str(c.label) for c in spec.columns if c.required and not row.get(c.key)]
                if empty:
                    missing.append(
                        _("%(field)s, row %(row)s: fill in %(columns)s.")
                        % {"field": spec.label, "row": number, "columns": ", ".join(empty)}
                    )
        elif spec.required and not data.get(spec.key):
            missing.append(_("%(field)s is required.") % {"field": spec.label})
    return missing


# ---------------------------------------------------------------------------------------------
# Process items (1.1–6.4)


def clean_process(
    item: Item,
    *,
    ticks: Mapping[str, Iterable[object]],
    narrative: Mapping[str, Mapping[str, object]],
    evidence: Iterable[object],
    allowed_evidence: set[int],
    self_score: object = "",
    rule: str = ItemRule.GATED_CHECKLIST,
) -> tuple[dict[str, Any], Errors]:
    errors: Errors = {}
    positions = {
        level.level: {cp.position for cp in level.checkpoints.all()} for level in item.levels.all()
    }
    clean_ticks: dict[str, list[int]] = {}
    for level in LEVELS:
        chosen: set[int] = set()
        for raw in ticks.get(level, ()):
            try:
                position = int(str(raw))
            except ValueError:
                position = -1
            if position not in positions.get(level, set()):
                errors[f"ticks.{level}"] = _(
                    "Checkpoint %(value)s does not exist at this level."
                ) % {"value": raw}
                continue
            chosen.add(position)
        clean_ticks[level] = sorted(chosen)
    clean_narrative: dict[str, dict[str, str]] = {}
    for level in LEVELS:
        parts: dict[str, str] = {}
        for part, _label in NARRATIVE_PARTS:
            value = _text(narrative.get(level, {}).get(part, ""))
            if len(value) > NARRATIVE_MAX:
                errors[f"narrative.{level}.{part}"] = _length_error(value, NARRATIVE_MAX)
            parts[part] = value
        clean_narrative[level] = parts
    cited = _clean_evidence(evidence, allowed_evidence, errors)
    data: dict[str, Any] = {"ticks": clean_ticks, "narrative": clean_narrative, "evidence": cited}
    if rule != ItemRule.GATED_CHECKLIST:
        data["self_score"] = _clean_self_score(self_score, rule, errors)
    return data, errors


def _clean_evidence(raw: Iterable[object], allowed: set[int], errors: Errors) -> list[int]:
    cited: list[int] = []
    for value in raw:
        try:
            pk = int(str(value))
        except ValueError:
            pk = -1
        if pk not in allowed:
            errors["evidence"] = _("That evidence no longer exists; reload the page.")
            continue
        if pk not in cited:
            cited.append(pk)
    return sorted(cited)


def _clean_self_score(raw: object, rule: str, errors: Errors) -> str:
    try:
        number = parse_number(raw)
    except ValueError as error:
        errors["self_score"] = str(error)
        return ""
    if number is None:
        return ""
    try:
        value = (
            scoring.level_pick(number) if rule == ItemRule.LEVEL_PICK else scoring.numeric(number)
        )
    except scoring.ItemRuleError:
        errors["self_score"] = (
            _("Choose 0, 300, 400 or 500.")
            if rule == ItemRule.LEVEL_PICK
            else _("Enter a score from 0 to 500.")
        )
        return ""
    return number_text(value)


def has_narrative(data: Mapping[str, Any]) -> bool:
    return any(
        (text or "").strip()
        for parts in (data.get("narrative") or {}).values()
        for text in parts.values()
    )


def missing_process(item: Item, data: Mapping[str, Any], rule: str) -> list[str]:
    missing: list[str] = []
    if not has_narrative(data):
        missing.append(_("Describe how the agency works on this item (approach, deployment, …)."))
    level_names = dict(LevelCode.choices)
    for level in LEVELS:
        ticked = (data.get("ticks") or {}).get(level) or []
        parts = ((data.get("narrative") or {}).get(level)) or {}
        if ticked and not any((text or "").strip() for text in parts.values()):
            missing.append(
                _("Checkpoints are ticked at the %(level)s level but nothing describes them.")
                % {"level": level_names[level]}
            )
    if rule != ItemRule.GATED_CHECKLIST and not data.get("self_score"):
        missing.append(_("Give the item's self-assessed score."))
    return missing


@dataclass(frozen=True)
class ItemFigure:
    score: Decimal
    level: str  # "" when not a checklist rule
    answered: bool
    flagged: bool = False  # results item without a KPI score
    kpis: tuple[KpiFigure, ...] = ()


def process_figure(item: Item, data: Mapping[str, Any], rule: str) -> ItemFigure:
    answered = has_narrative(data)
    if rule != ItemRule.GATED_CHECKLIST:
        raw = data.get("self_score") or ""
        return ItemFigure(Decimal(raw) if raw else Decimal(0), "", answered)
    ticks = data.get("ticks") or {}
    counts: dict[str, scoring.LevelTicks] = {}
    for level in item.levels.all():
        total = len(level.checkpoints.all())
        met = len(ticks.get(level.level) or [])
        counts[level.level] = scoring.LevelTicks(met=min(met, total), count=total)
    basic, advance, significance = (counts[level] for level in LEVELS)
    return ItemFigure(
        scoring.gated_checklist(basic, advance, significance),
        scoring.level_reached(basic, advance, significance),
        answered,
    )


# ---------------------------------------------------------------------------------------------
# Results items (7.1–7.6)


def kpi_years(fiscal_year: int) -> list[str]:
    """The fiscal years a KPI table asks for: this cycle's and the two before it."""
    return [str(year) for year in range(fiscal_year - 2, fiscal_year + 1)]


def clean_results(
    *,
    kpis: Iterable[Mapping[str, object]],
    note: object,
    evidence: Iterable[object],
    allowed_evidence: set[int],
    years: list[str],
) -> tuple[dict[str, Any], Errors]:
    """KPI rows from typed values; errors keyed `kpis.<row>.<field>` (rows from 1)."""
    errors: Errors = {}
    rows: list[dict[str, Any]] = []
    for raw in kpis:
        row_errors: Errors = {}
        kpi: dict[str, Any] = {}
        for key in ("name", "unit", "comparison_source"):
            value = _text(raw.get(key, ""))
            if len(value) > KPI_TEXT_MAX:
                row_errors[key] = _length_error(value, KPI_TEXT_MAX)
            kpi[key] = value
        direction = _text(raw.get("direction", "")) or "higher"
        labels = {str(label): key for key, label in DIRECTIONS}
        direction = labels.get(direction, direction)
        if direction not in dict(DIRECTIONS):
            row_errors["direction"] = _("Choose 'higher is better' or 'lower is better'.")
            direction = "higher"
        kpi["direction"] = direction
        values: dict[str, str] = {}
        for year in years:
            values[year] = _number_field(raw.get(f"value_{year}", ""), f"value_{year}", row_errors)
        kpi["values"] = values
        for key in ("target", "comparison"):
            kpi[key] = _number_field(raw.get(key, ""), key, row_errors)
        band: dict[str, str] = {}
        for score in BAND_SCORES:
            band[score] = _number_field(raw.get(f"band_{score}", ""), f"band_{score}", row_errors)
        kpi["band"] = band
        blank = not any(
            [kpi["name"], kpi["unit"], kpi["comparison_source"], kpi["target"], kpi["comparison"]]
            + list(values.values())
            + list(band.values())
        )
        if blank and not row_errors:
            continue
        if not any(key.startswith("band_") for key in row_errors):
            message = band_problem(kpi)
            if message:
                row_errors["band"] = message
        rows.append(kpi)
        for key, message in row_errors.items():
            errors[f"kpis.{len(rows)}.{key}"] = message
    if len(rows) > MAX_KPIS:
        errors["kpis"] = _("An item can have at most %(count)s KPIs.") % {"count": MAX_KPIS}
    note_text = _text(note)
    if len(note_text) > KPI_NOTE_MAX:
        errors["note"] = _length_error(note_text, KPI_NOTE_MAX)
    cited = _clean_evidence(evidence, allowed_evidence, errors)
    return {"kpis": rows, "note": note_text, "evidence": cited}, errors


_KPI_CELL = re.compile(r"^kpis\.(?P<row>\d+)\.(?P<field>value_\d+|target|comparison|band_\d+)$")


def results_without_refused_numbers(
    data: Mapping[str, Any], errors: Mapping[str, str], stored: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The results answer to save despite refused numbers: each refused cell keeps what was
    stored for it before (or stays empty), and a row left with nothing is dropped. None when
    something other than a KPI number was refused (a band against the KPI's direction is
    refused whole, so that no KPI is stored that cannot be scored)."""
    if not errors or not all(_KPI_CELL.match(key) for key in errors):
        return None
    kept = copy.deepcopy(dict(data))
    before = list(stored.get("kpis") or [])
    for key in errors:
        match = _KPI_CELL.match(key)
        assert match is not None
        index, field = int(match["row"]) - 1, match["field"]
        kpi = kept["kpis"][index]
        old = (
            before[index]
            if index < len(before) and before[index].get("name") == kpi.get("name")
            else {}
        )
        if field.startswith("value_"):
            year = field.removeprefix("value_")
            kpi["values"][year] = (old.get("values") or {}).get(year, "")
        elif field.startswith("band_"):
            score = field.removeprefix("band_")
            kpi["band"][score] = (old.get("band") or {}).get(score, "")
        else:
            kpi[field] = old.get(field, "")
    kept["kpis"] = [kpi for kpi in kept["kpis"] if not _blank_kpi(kpi)]
    return kept


def _blank_kpi(kpi: Mapping[str, Any]) -> bool:
    texts = [kpi.get(k) for k in ("name", "unit", "comparison_source", "target", "comparison")]
    return not any(
        texts + list((kpi.get("values") or {}).values()) + list((kpi.get("band") or {}).values())
    )


def _number_field(raw: object, key: str, errors: Errors) -> str:
    try:
        number = parse_number(raw)
    except ValueError as error:
        errors[key] = str(error)
        return _text(raw)
    return "" if number is None else number_text(number)


def _stored_number(value: object) -> Decimal | None:
    """A cleaned figure, or None. Posted rows that failed cleaning keep the typed text for the
    form; the live figures skip such values instead of failing on them."""
    try:
        number = Decimal(str(value)) if value not in ("", None) else None
    except InvalidOperation:
        return None
    return number if number is not None and number.is_finite() else None


def band_points(kpi: Mapping[str, Any]) -> list[tuple[Decimal, Decimal]]:
    band = kpi.get("band") or {}
    points = [(_stored_number(band.get(score)), Decimal(score)) for score in BAND_SCORES]
    return [(value, score) for value, score in points if value is not None]


def band_problem(kpi: Mapping[str, Any]) -> str:
    """Why a KPI's score band cannot be used, or ""."""
    points = band_points(kpi)
    if not points:
        return ""
    try:
        higher_better = check_band(points)
    except scoring.BandError:
        return _(
            "The score band's values must run steadily from the value that scores 0 to the "
            "value that scores 500."
        )
    if len(points) > 1 and higher_better != (kpi.get("direction") == "higher"):
        if kpi.get("direction") == "higher":
            return _("Higher is better, so the band's values must grow from 0 points to 500.")
        return _("Lower is better, so the band's values must fall from 0 points to 500.")
    return ""


def latest_value(kpi: Mapping[str, Any]) -> tuple[str, Decimal] | None:
    values = kpi.get("values") or {}
    for year in sorted(values, reverse=True):
        number = _stored_number(values[year])
        if number is not None:
            return year, number
    return None


@dataclass(frozen=True)
class KpiFigure:
    score: Decimal | None
    latest_year: str = ""
    latest: Decimal | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)


def kpi_figure(kpi: Mapping[str, Any]) -> KpiFigure:
    problems = []
    if not kpi.get("name"):
        problems.append(_("Give the KPI a name."))
    if not kpi.get("unit"):
        problems.append(_("Give the unit."))
    latest = latest_value(kpi)
    if latest is None:
        problems.append(_("Enter at least one yearly value."))
    points = band_points(kpi)
    if not points:
        problems.append(_("Fill in the score band (the value that scores 0 … 500)."))
    elif band_problem(kpi):
        problems.append(band_problem(kpi))
    if latest is None or not points or band_problem(kpi):
        return KpiFigure(
            None, latest[0] if latest else "", latest[1] if latest else None, tuple(problems)
        )
    score = scoring.kpi_band_score(latest[1], points)
    return KpiFigure(score, latest[0], latest[1], tuple(problems))


def results_figure(data: Mapping[str, Any]) -> ItemFigure:
    kpis = tuple(kpi_figure(kpi) for kpi in data.get("kpis") or [])
    scores = [figure.score for figure in kpis if figure.score is not None]
    score, flagged = scoring.results_item_score(scores)
    return ItemFigure(score, "", bool(data.get("kpis")), flagged, kpis)


def missing_results(data: Mapping[str, Any]) -> list[str]:
    kpis = data.get("kpis") or []
    if not kpis:
        return [_("Add at least one KPI.")]
    missing = []
    for number, kpi in enumerate(kpis, start=1):
        for problem in kpi_figure(kpi).problems:
            missing.append(_("KPI %(row)s: %(problem)s") % {"row": number, "problem": problem})
    return missing


# ---------------------------------------------------------------------------------------------
# The whole assessment


_FROZEN_TREES: dict[tuple[int, Any], list[Category]] = {}


def criteria_tree(edition: Edition) -> list[Category]:
    """Categories with items, levels and checkpoints in four queries. A frozen edition (one a
    cycle uses) never changes, so its tree is built once per process and shared: pages and
    autosaves read it and never change it. An edition still being edited is read each time."""
    key = (edition.pk, edition.created_at)
    tree = _FROZEN_TREES.get(key)
    if tree is not None:
        return tree
    tree = list(
        edition.categories.prefetch_related("items__levels__checkpoints").order_by("number")
    )
    if edition.is_frozen:
        _FROZEN_TREES[key] = tree
    return tree


@dataclass(frozen=True)
class Figures:
    items: dict[str, ItemFigure]
    categories: dict[str, Decimal]
    progress: list[dict[str, Any]]
    result: scoring.AssessmentScore


# Item figures of saved answers, by (answer, version, time saved): a saved version never
# changes, so an autosave rescores the item it changed and takes the others from here. Per
# process and bounded; emptied when full, which only costs a rescoring.
_SAVED_FIGURES: dict[tuple[int, str, int, Any], ItemFigure] = {}
_SAVED_FIGURES_LIMIT = 100_000


def _saved_key(answer: Any) -> tuple[int, str, int, Any] | None:
    # Never-saved answers are empty and cheap to score; they are not kept.
    if not answer.pk or not answer.version:
        return None
    return (answer.pk, answer.key, answer.version, answer.updated_at)


def saved_figures(answers: Mapping[str, Any]) -> dict[str, ItemFigure]:
    """The item figures already computed for these saved answers, by item code."""
    known = {}
    for code, answer in answers.items():
        key = _saved_key(answer)
        figure = _SAVED_FIGURES.get(key) if key else None
        if figure is not None:
            known[code] = figure
    return known


def remember_figures(answers: Mapping[str, Any], figures: Mapping[str, ItemFigure]) -> None:
    if len(_SAVED_FIGURES) > _SAVED_FIGURES_LIMIT:
        _SAVED_FIGURES.clear()
    for code, figure in figures.items():
        key = _saved_key(answers[code]) if code in answers else None
        if key:
            _SAVED_FIGURES[key] = figure


def self_figures(
    edition: Edition,
    tree: list[Category],
    contents: Mapping[str, Mapping[str, Any]],
    *,
    known: Mapping[str, ItemFigure] | None = None,
) -> Figures:
    """Every item's figure, category progress and the engine's totals for the current answers.
    `known` holds figures already computed for unchanged items."""
    known = known or {}
    items: dict[str, ItemFigure] = {}
    categories: dict[str, Decimal] = {}
    progress = []
    for category in tree:
        scores = []
        answered = 0
        category_items = list(category.items.all())
        for item in category_items:
            data = contents.get(item.code) or {}
            figure = known.get(item.code)
            if figure is None and category.kind == Category.Kind.RESULTS:
                figure = results_figure(data)
            elif figure is None:
                figure = process_figure(item, data, edition.item_rule)
            items[item.code] = figure
            scores.append(figure.score)
            answered += 1 if figure.answered else 0
        categories[str(category.number)] = scoring.category_score(scores)
        total = len(category_items)
        progress.append(
            {
                "category": category,
                "answered": answered,
                "total": total,
                "percent": round(100 * answered / total) if total else 0,
            }
        )
    result = scoring.score_categories(categories, edition.thresholds())
    return Figures(items, categories, progress, result)
