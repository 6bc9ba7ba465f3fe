"""Feedback Reports in Django admin, read only: their texts change through the report pages,
where the action table applies, and a published one never changes."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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
    list_display = ["assessment", "report_status", "published_on"]
    list_filter = ["assessment__status"]
    list_select_related = ["assessment__organisation", "assessment__cycle"]
    inlines = [FeedbackEntryInline, ReportRevisionInline]

    @admin.display(description=_("status"))
    def report_status(self, feedback: Feedback) -> str:
        return feedback.get_status_display()
