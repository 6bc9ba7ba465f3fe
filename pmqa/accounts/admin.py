from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from pmqa.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class PmqaUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("PMQA", {"fields": ("full_name",)}))
    list_display = ["username", "full_name", "email", "is_active"]
    search_fields = ["username", "full_name", "email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "starts_on", "ends_on"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "organisation__name_th"]
    autocomplete_fields = ["user", "organisation"]
