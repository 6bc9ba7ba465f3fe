"""The organisation register in Django admin."""

from django.contrib import admin

from pmqa.lib.admin import ThaiAdmin
from pmqa.organisations.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(ThaiAdmin, admin.ModelAdmin):
    list_display = ["code", "name_th", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_th", "name_en", "short_name_th"]
    autocomplete_fields = ["parent"]
