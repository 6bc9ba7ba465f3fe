from django.contrib import admin

from pmqa.reviews.models import Feedback, FeedbackEntry


class FeedbackEntryInline(admin.StackedInline):
    model = FeedbackEntry
    extra = 0


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["assessment", "status", "published_on"]
    list_filter = ["status"]
    inlines = [FeedbackEntryInline]
