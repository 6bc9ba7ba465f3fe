"""Feedback Reports in Django admin, read only: their texts change through the report pages,
where the action table applies, and a published one never changes."""

from django.contrib import admin

from pmqa.feedback.models import Feedback, FeedbackEntry, ReportRevision
from pmqa.lib.admin import ReadOnlyAdmin


class FeedbackEntryInline(ReadOnlyAdmin, admin.StackedInline):  # type: ignore[misc]
    model = FeedbackEntry
    extra = 0


class ReportRevisionInline(ReadOnlyAdmin, admin.TabularInline):  # type: ignore[misc]
    model = ReportRevision
    extra = 0


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # type: ignore[misc]
    list_display = ["assessment", "status", "published_on"]
    list_filter = ["assessment__status"]
    inlines = [FeedbackEntryInline, ReportRevisionInline]
