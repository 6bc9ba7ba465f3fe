from django.contrib import admin

from pmqa.assessments.models import Assessment, Cycle, Round, ScoreSnapshot


class RoundInline(admin.TabularInline):
    model = Round
    extra = 0


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "edition"]
    inlines = [RoundInline]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "cycle", "status", "is_synthetic"]
    list_filter = ["cycle", "status", "is_synthetic"]
    search_fields = ["organisation__name_th", "organisation__code"]
    autocomplete_fields = ["organisation"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(admin.ModelAdmin):
    list_display = ["assessment", "source", "round_number", "total", "rating", "rules_version"]
    list_filter = ["source", "round_number", "assessment__cycle"]
    readonly_fields = [f.name for f in ScoreSnapshot._meta.fields]
