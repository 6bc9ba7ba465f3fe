"""The audit trail in Django admin: append-only, so read only; in words, as the audit log page
reads it (what was done, about what, old and new values), each page named in one query per
kind of object."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pmqa.audit.labels import ACTIONS, OBJECT_TYPES, action_label, object_label, readable
from pmqa.audit.models import AuditEntry
from pmqa.audit.names import name_entries, people_of
from pmqa.lib.admin import ReadOnlyAdmin


class _Words(admin.SimpleListFilter):
    words: dict[str, Any]

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        present = set(
            model_admin.get_queryset(request)
            .order_by()
            .values_list(self.parameter_name, flat=True)
            .distinct()
        )
        return sorted(
            ((code, str(self.words.get(code, code))) for code in present), key=lambda c: c[1]
        )

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[AuditEntry]
    ) -> QuerySet[AuditEntry]:
        value = self.value()
        if value:
            return queryset.filter(**{str(self.parameter_name): value})
        return queryset


class ActionFilter(_Words):
    title = _("action")
    parameter_name = "action"
    words = ACTIONS


class AboutFilter(_Words):
    title = _("object type")
    parameter_name = "object_type"
    words = OBJECT_TYPES


class NamedChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        name_entries(self.result_list)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["at", "actor", "what", "kind", "about"]
    list_filter = [ActionFilter, AboutFilter]
    list_select_related = ["actor"]
    fields = ["at", "actor", "what", "kind", "about", "old_value", "new_value", "reason", "ip"]
    readonly_fields = ["at", "what", "kind", "about", "old_value", "new_value"]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return NamedChangeList

    @admin.display(description=_("action"), ordering="action")
    def what(self, entry: AuditEntry) -> str:
        return action_label(entry.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def kind(self, entry: AuditEntry) -> str:
        return object_label(entry.object_type)

    @admin.display(description=_("About"))
    def about(self, entry: AuditEntry) -> str:
        if not hasattr(entry, "named"):  # one entry's own page
            name_entries([entry])
        named = entry.named  # type: ignore[attr-defined]
        return named.text if named else ""

    @admin.display(description=_("old value"))
    def old_value(self, entry: AuditEntry) -> str:
        return readable(entry.old, people=people_of([entry]))

    @admin.display(description=_("new value"))
    def new_value(self, entry: AuditEntry) -> str:
        return readable(entry.new, people=people_of([entry]))
