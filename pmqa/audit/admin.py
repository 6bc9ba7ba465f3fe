"""The audit trail in Django admin: append-only, so read only."""

from django.contrib import admin

from pmqa.audit.models import AuditEntry
from pmqa.lib.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
