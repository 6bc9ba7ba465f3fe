"""Importing, freezing and copying criteria editions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from pmqa.criteria.models import (
    Category,
    Checkpoint,
    Edition,
    Item,
    ItemLevel,
    ItemRule,
    LevelCode,
    LevelName,
    Pillar,
    ProfileSection,
)

LEVEL_ORDER = [LevelCode.BASIC, LevelCode.ADVANCE, LevelCode.SIGNIFICANCE]


class CriteriaError(Exception):
    """A criteria file or change that cannot be applied; the message is for the user."""


class FrozenEditionError(CriteriaError):
    pass


def frozen_message(edition: Edition) -> str:
    years = ", ".join(str(y) for y in edition.cycles.values_list("fiscal_year", flat=True))
    return _(
        "Criteria edition “%(code)s” is used by the assessment cycle of fiscal year %(years)s "
        "and can no longer be changed. Use “Copy to new edition” to make an editable copy."
    ) % {"code": edition.code, "years": years}


def ensure_editable(edition: Edition) -> None:
    if edition.is_frozen:
        raise FrozenEditionError(frozen_message(edition))


@dataclass
class ImportReport:
    edition: Edition
    created: int = 0
    updated: int = 0
    deleted: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)


class _Sync:
    """update_or_create that only writes when a value really changed, counting what it did."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report

    def upsert(
        self, model: type[Any], label: str, keys: dict[str, Any], values: dict[str, Any]
    ) -> Any:
        obj = model._default_manager.filter(**keys).first()
        if obj is None:
            self.report.created += 1
            self.report.changes.append(_("new: %(label)s") % {"label": label})
            return model._default_manager.create(**keys, **values)
        changed = [name for name, value in values.items() if _differs(getattr(obj, name), value)]
        if changed:
            self.report.updated += 1
            self.report.changes.append(
                _("changed: %(label)s (%(fields)s)")
                % {"label": label, "fields": ", ".join(changed)}
            )
            for name in changed:
                setattr(obj, name, values[name])
            obj.save(update_fields=changed)
        return obj

    def prune(self, queryset: models.QuerySet[Any], keep: set[int], label: str) -> None:
        stale = queryset.exclude(pk__in=keep)
        count = stale.count()
        if count:
            self.report.deleted += count
            self.report.changes.append(
                _("removed: %(count)d %(label)s") % {"count": count, "label": label}
            )
            stale.delete()


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(new, Decimal):
        return Decimal(str(current)) != Decimal(str(new))
    return bool(current != new)


def _require(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] in (None, ""):
        raise CriteriaError(_("%(where)s: “%(key)s” is missing.") % {"where": where, "key": key})
    return data[key]


def _require_shape(value: Any, kind: type, where: str) -> None:
    if not isinstance(value, kind):
        expected = _("a list") if kind is list else _("a mapping (key: value)")
        raise CriteriaError(
            _("%(where)s must be %(expected)s.") % {"where": where, "expected": expected}
        )


def validate(data: Any) -> None:
    """Structural checks so that a bad file stops before anything is written."""
    if not isinstance(data, dict):
        raise CriteriaError(_("The criteria file must be a mapping at the top level."))
    for key in ("code", "name_th", "categories"):
        _require(data, key, _("edition"))
    _require_shape(data["categories"], list, "categories")
    for index, category in enumerate(data["categories"], start=1):
        where = f"categories[{index}]"
        _require_shape(category, dict, where)
        _require_shape(category.get("items") or [], list, f"{where}.items")
        for position, item in enumerate(category.get("items") or [], start=1):
            _require_shape(item, dict, f"{where}.items[{position}]")
            _require_shape(item.get("levels") or {}, dict, f"{where}.items[{position}].levels")
            for level_code, level in (item.get("levels") or {}).items():
                level_where = f"{where}.items[{position}].levels.{level_code}"
                _require_shape(level, dict, level_where)
                checkpoints = level.get("checkpoints") or []
                _require_shape(checkpoints, list, f"{level_where}.checkpoints")
                for n, checkpoint in enumerate(checkpoints, start=1):
                    _require_shape(checkpoint, dict, f"{level_where}.checkpoints[{n}]")
    if data.get("item_rule", ItemRule.GATED_CHECKLIST) not in ItemRule.values:
        raise CriteriaError(
            _("edition: unknown item rule “%(rule)s”.") % {"rule": data["item_rule"]}
        )
    numbers = [c.get("number") for c in data["categories"]]
    if sorted(numbers) != list(range(1, 8)):
        raise CriteriaError(_("The edition must have categories 1 to 7 exactly once each."))
    seen: set[str] = set()
    for category in data["categories"]:
        where = _("category %(n)s") % {"n": category["number"]}
        _require(category, "th", where)
        if category.get("kind") not in Category.Kind.values:
            raise CriteriaError(_("%(where)s: kind must be process or results.") % {"where": where})
        if not category.get("items"):
            raise CriteriaError(_("%(where)s has no items.") % {"where": where})
        for item in category["items"]:
            code = str(_require(item, "code", where))
            if code in seen:
                raise CriteriaError(_("Item %(code)s appears twice.") % {"code": code})
            seen.add(code)
            _require(item, "title_th", _("item %(code)s") % {"code": code})
            if category["kind"] == Category.Kind.PROCESS:
                levels = item.get("levels") or {}
                for level in LEVEL_ORDER:
                    if level.value not in levels:
                        raise CriteriaError(
                            _("Item %(code)s has no %(level)s level.")
                            % {"code": code, "level": level.label}
                        )
                    for checkpoint in levels[level.value].get("checkpoints") or []:
                        _require(checkpoint, "th", _("item %(code)s") % {"code": code})


@transaction.atomic
def import_edition(data: Any) -> ImportReport:
    """Create or update an edition from parsed file data. Idempotent: a second run with the
    same data changes nothing. A frozen edition accepts the file only if nothing differs; any
    difference rolls the whole import back."""
    validate(data)
    existing = Edition.objects.filter(code=data["code"]).first()
    frozen = existing is not None and existing.is_frozen
    thresholds = data.get("thresholds", {})
    points = data.get("level_points", {})
    report = ImportReport(edition=existing or Edition(code=data["code"]))
    sync = _Sync(report)
    edition = sync.upsert(
        Edition,
        _("edition %(code)s") % {"code": data["code"]},
        {"code": data["code"]},
        {
            "name_th": data["name_th"],
            "name_en": data.get("name_en", ""),
            "source_note": data.get("source_note", ""),
            "item_rule": data.get("item_rule", ItemRule.GATED_CHECKLIST),
            "strength_threshold": Decimal(str(thresholds.get("strength", 450))),
            "develop_threshold": Decimal(str(thresholds.get("develop", 300))),
            "basic_points": Decimal(str(points.get("basic", 300))),
            "advance_points": Decimal(str(points.get("advance", 400))),
            "significance_points": Decimal(str(points.get("significance", 500))),
        },
    )
    report.edition = edition
    _import_tree(sync, edition, data)
    if frozen and report.changed:
        raise FrozenEditionError(
            frozen_message(edition)
            + " "
            + _("Differences: %(list)s") % {"list": "; ".join(report.changes[:10])}
        )
    return report


def _import_tree(sync: _Sync, edition: Edition, data: dict[str, Any]) -> None:
    keep = {
        sync.upsert(
            LevelName,
            _("level name %(c)s") % {"c": level["code"]},
            {"edition": edition, "level": level["code"]},
            {"name_th": level["th"], "name_en": level.get("en", "")},
        ).pk
        for level in data.get("levels", [])
    }
    sync.prune(edition.level_names.all(), keep, _("level names"))

    keep = {
        sync.upsert(
            Pillar,
            _("pillar %(c)s") % {"c": pillar["code"]},
            {"edition": edition, "code": pillar["code"]},
            {"name_th": pillar["th"], "name_en": pillar.get("en", ""), "position": position},
        ).pk
        for position, pillar in enumerate(data.get("pillars", []), start=1)
    }
    sync.prune(edition.pillars.all(), keep, _("pillars"))

    keep = set()

    def profile(nodes: list[dict[str, Any]], parent: ProfileSection | None, depth: int) -> None:
        for position, node in enumerate(nodes, start=1):
            obj = sync.upsert(
                ProfileSection,
                _("profile %(c)s") % {"c": node["code"]},
                {"edition": edition, "code": node["code"]},
                {
                    "name_th": node["th"],
                    "name_en": node.get("en", ""),
                    "parent": parent,
                    "depth": depth,
                    "position": position,
                },
            )
            keep.add(obj.pk)
            profile(node.get("parts") or node.get("fields") or [], obj, depth + 1)

    profile(data.get("profile", []), None, 1)
    sync.prune(edition.profile_sections.all(), keep, _("profile sections"))

    keep = set()
    for category_data in data["categories"]:
        category = sync.upsert(
            Category,
            _("category %(n)s") % {"n": category_data["number"]},
            {"edition": edition, "number": category_data["number"]},
            {
                "name_th": category_data["th"],
                "name_en": category_data.get("en", ""),
                "kind": category_data["kind"],
            },
        )
        keep.add(category.pk)
        _import_items(sync, category, category_data)
    sync.prune(edition.categories.all(), keep, _("categories"))


def _import_items(sync: _Sync, category: Category, category_data: dict[str, Any]) -> None:
    keep_items: set[int] = set()
    for position, item_data in enumerate(category_data["items"], start=1):
        code = str(item_data["code"])
        item = sync.upsert(
            Item,
            _("item %(code)s") % {"code": code},
            {"category": category, "code": code},
            {
                "position": position,
                "title_th": item_data["title_th"],
                "title_en": item_data.get("title_en", ""),
                "report_title_th": item_data.get("report_title_th") or item_data["title_th"],
                "report_title_en": item_data.get("report_title_en", ""),
                "example_kpis_en": item_data.get("example_kpis_en", []),
            },
        )
        keep_items.add(item.pk)
        keep_levels: set[int] = set()
        for level_code, level_data in (item_data.get("levels") or {}).items():
            level = sync.upsert(
                ItemLevel,
                _("item %(code)s %(level)s") % {"code": code, "level": level_code},
                {"item": item, "level": level_code},
                {
                    "tag": level_data.get("tag", ""),
                    "tag_th": level_data.get("tag_th", ""),
                    "summary_th": level_data.get("summary_th", ""),
                    "summary_en": level_data.get("summary_en", ""),
                },
            )
            keep_levels.add(level.pk)
            keep_checkpoints = {
                sync.upsert(
                    Checkpoint,
                    _("checkpoint %(code)s %(level)s #%(n)d")
                    % {"code": code, "level": level_code, "n": cp_position},
                    {"item_level": level, "position": cp_position},
                    {"text_th": cp["th"], "text_en": cp.get("en", "")},
                ).pk
                for cp_position, cp in enumerate(level_data.get("checkpoints") or [], start=1)
            }
            sync.prune(level.checkpoints.all(), keep_checkpoints, _("checkpoints"))
        sync.prune(item.levels.all(), keep_levels, _("levels"))
    sync.prune(category.items.all(), keep_items, _("items"))


@transaction.atomic
def copy_edition(*, edition: Edition, code: str, name_th: str | None = None) -> Edition:
    """An editable copy of an edition (frozen or not) under a new code."""
    if Edition.objects.filter(code=code).exists():
        raise CriteriaError(_("An edition with code “%(code)s” already exists.") % {"code": code})
    copy = Edition.objects.create(
        code=code,
        name_th=name_th or edition.name_th,
        name_en=edition.name_en,
        source_note=edition.source_note,
        item_rule=edition.item_rule,
        strength_threshold=edition.strength_threshold,
        develop_threshold=edition.develop_threshold,
        basic_points=edition.basic_points,
        advance_points=edition.advance_points,
        significance_points=edition.significance_points,
        copied_from=edition,
    )
    for level in edition.level_names.all():
        LevelName.objects.create(
            edition=copy, level=level.level, name_th=level.name_th, name_en=level.name_en
        )
    for pillar in edition.pillars.all():
        Pillar.objects.create(
            edition=copy,
            code=pillar.code,
            position=pillar.position,
            name_th=pillar.name_th,
            name_en=pillar.name_en,
        )
    mapping: dict[int, ProfileSection] = {}
    for section in edition.profile_sections.order_by("depth", "position"):
        mapping[section.pk] = ProfileSection.objects.create(
            edition=copy,
            code=section.code,
            depth=section.depth,
            position=section.position,
            name_th=section.name_th,
            name_en=section.name_en,
            parent=mapping.get(section.parent_id) if section.parent_id else None,
        )
    for category in edition.categories.prefetch_related("items__levels__checkpoints"):
        new_category = Category.objects.create(
            edition=copy,
            number=category.number,
            kind=category.kind,
            name_th=category.name_th,
            name_en=category.name_en,
        )
        for item in category.items.all():
            new_item = Item.objects.create(
                category=new_category,
                code=item.code,
                position=item.position,
                title_th=item.title_th,
                title_en=item.title_en,
                report_title_th=item.report_title_th,
                report_title_en=item.report_title_en,
                example_kpis_en=item.example_kpis_en,
            )
            for level in item.levels.all():
                new_level = ItemLevel.objects.create(
                    item=new_item,
                    level=level.level,
                    tag=level.tag,
                    tag_th=level.tag_th,
                    summary_th=level.summary_th,
                    summary_en=level.summary_en,
                )
                Checkpoint.objects.bulk_create(
                    Checkpoint(
                        item_level=new_level,
                        position=cp.position,
                        text_th=cp.text_th,
                        text_en=cp.text_en,
                    )
                    for cp in level.checkpoints.all()
                )
    return copy
