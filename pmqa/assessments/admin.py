"""Cycles, assessments and score snapshots in Django admin, read only: cycles and rounds change
on the cycle pages, statuses and scores only through the services."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pmqa.assessments.models import Assessment, Cycle, Round, ScoreSnapshot
from pmqa.lib.admin import ReadOnlyAdmin
from pmqa.lib.templatetags.thai import level_label


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
    list_select_related = ["organisation", "cycle"]
    search_fields = ["organisation__name_th", "organisation__code"]


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["assessment", "source", "round_number", "total", "rating", "rules_version"]
    list_filter = ["source", "round_number", "assessment__cycle"]
    list_select_related = ["assessment__organisation", "assessment__cycle"]
    fields = [
        "assessment",
        "source",
        "round_number",
        "category_scores",
        "total",
        "rating",
        "level_reached",
        "rules_version",
        "created_at",
        "created_by",
    ]
    readonly_fields = ["category_scores", "level_reached", "created_at"]

    @admin.display(description=_("category scores"))
    def category_scores(self, snapshot: ScoreSnapshot) -> str:
        return " · ".join(
            f"{gettext('category %(n)s') % {'n': number}}: {score}"
            for number, score in sorted(snapshot.categories.items(), key=lambda c: int(c[0]))
        )

    @admin.display(description=_("level"))
    def level_reached(self, snapshot: ScoreSnapshot) -> str:
        return level_label(snapshot.level)
