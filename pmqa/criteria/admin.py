"""Admin for criteria editions; a frozen edition refuses every change with a clear message."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from pmqa.criteria.models import Category, Checkpoint, Edition, Item, ItemLevel
from pmqa.criteria.services import frozen_message
from pmqa.lib.admin import ThaiAdmin


def _edition_of(obj: models.Model) -> Edition | None:
    if isinstance(obj, Edition):
        return obj if obj.pk else None
    if isinstance(obj, Category):
        return obj.edition if obj.edition_id else None
    if isinstance(obj, Item):
        return obj.category.edition if obj.category_id else None
    if isinstance(obj, ItemLevel):
        return obj.item.category.edition if obj.item_id else None
    if isinstance(obj, Checkpoint):
        return obj.item_level.item.category.edition if obj.item_level_id else None
    return None


class FrozenGuardForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        edition = _edition_of(self.instance)
        if edition is not None and edition.is_frozen:
            raise ValidationError(frozen_message(edition))
        return cleaned


class FrozenGuardInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        edition = _edition_of(self.instance)
        if edition is not None and edition.is_frozen and self.has_changed():
            raise ValidationError(frozen_message(edition))


class GuardedAdmin(ThaiAdmin, admin.ModelAdmin):
    form = FrozenGuardForm

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        edition = _edition_of(obj) if obj is not None else None
        if edition is not None and edition.is_frozen:
            return False
        return super().has_delete_permission(request, obj)


class CheckpointInline(ThaiAdmin, admin.TabularInline):
    model = Checkpoint
    formset = FrozenGuardInlineFormSet
    extra = 0


@admin.register(ItemLevel)
class ItemLevelAdmin(GuardedAdmin):
    list_display = ["item", "level", "tag", "tag_th"]
    list_filter = ["item__category__edition", "level"]
    inlines = [CheckpointInline]


class ItemLevelInline(ThaiAdmin, admin.StackedInline):
    model = ItemLevel
    formset = FrozenGuardInlineFormSet
    extra = 0
    show_change_link = True


@admin.register(Item)
class ItemAdmin(GuardedAdmin):
    list_display = ["code", "report_title_th", "category"]
    list_filter = ["category__edition"]
    search_fields = ["code", "title_th", "report_title_th"]
    inlines = [ItemLevelInline]


@admin.register(Category)
class CategoryAdmin(GuardedAdmin):
    list_display = ["number", "name_th", "edition"]
    list_filter = ["edition"]


@admin.register(Checkpoint)
class CheckpointAdmin(GuardedAdmin):
    list_display = ["item_level", "position", "text_th"]
    list_filter = ["item_level__item__category__edition"]
    search_fields = ["text_th", "text_en"]


@admin.register(Edition)
class EditionAdmin(GuardedAdmin):
    list_display = ["code", "name_th", "item_rule", "created_at"]
    readonly_fields = ["copied_from", "created_at"]
