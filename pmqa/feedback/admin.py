"""Feedback Reports in Django admin, read only: their texts change through the report pages,
where the action table applies, and a published one never changes."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from pmqa.feedback.models import Feedback, FeedbackEntry, ReportRevision


class ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FeedbackEntryInline(ReadOnly, admin.StackedInline):  # type: ignore[misc]
    model = FeedbackEntry
    extra = 0


class ReportRevisionInline(ReadOnly, admin.TabularInline):  # type: ignore[misc]
    model = ReportRevision
    extra = 0


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["assessment", "status", "published_on"]
    list_filter = ["status"]
    inlines = [FeedbackEntryInline, ReportRevisionInline]
