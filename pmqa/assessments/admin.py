"""Cycles, assessments and score snapshots in Django admin, read only: cycles and rounds change
on the cycle pages, statuses and scores only through the services."""

from django.contrib import admin

from pmqa.assessments.models import Assessment, Cycle, Round, ScoreSnapshot
from pmqa.lib.admin import ReadOnlyAdmin


class RoundInline(ReadOnlyAdmin, admin.TabularInline):
    model = Round
    extra = 0


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["fiscal_year", "edition"]
    inlines = [RoundInline]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["organisation", "cycle", "status", "is_synthetic"]
    list_filter = ["cycle", "status", "is_synthetic"]
    search_fields = ["organisation__name_th", "organisation__code"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["assessment", "source", "round_number", "total", "rating", "rules_version"]
    list_filter = ["source", "round_number", "assessment__cycle"]
