from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmqa.accounts import twofactor
from pmqa.accounts.models import Membership, User
from pmqa.audit import services as audit

# Second-factor devices hold secrets and change only through the audited pages and the reset
# action below, never as rows here.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)

# A user's access flags: a change of them is audited like a change of role.
ACCESS_FLAGS = ("is_active", "is_staff", "is_superuser")


def membership_values(m: Membership) -> dict[str, Any]:
    return {
        "user": m.user_id,  # the account's number: its name may be erased later
        "role": m.role,
        "organisation": str(m.organisation) if m.organisation_id else "",
        "starts_on": m.starts_on.isoformat() if m.starts_on else "",
        "ends_on": m.ends_on.isoformat() if m.ends_on else "",
    }


def _record_membership(request: HttpRequest, action: str, pk: Any, **values: Any) -> None:
    audit.record(
        actor=request.user,
        action=action,
        object_type="accounts.membership",
        object_id=pk,
        request=request,
        **values,
    )


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
    actions = ["reset_two_factor"]

    def get_list_display(self, request: HttpRequest) -> list[str]:
        return [*super().get_list_display(request), "two_factor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(devices))

    @admin.display(boolean=True, description=gettext_lazy("Two-factor"))
    def two_factor(self, user: User) -> bool:
        return bool(getattr(user, "has_two_factor", False))

    @admin.action(description=gettext_lazy("Reset two-factor authentication (set up again)"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        people = list(queryset)
        for user in people:
            twofactor.remove(request=request, user=user, by=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d person: they set it up again "
                "at their next login.",
                "Two-factor authentication reset for %(count)d people: they set it up again "
                "at their next login.",
                len(people),
            )
            % {"count": len(people)},
        )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        before = User.objects.filter(pk=obj.pk).values(*ACCESS_FLAGS).first() if change else None
        super().save_model(request, obj, form, change)
        after = {flag: getattr(obj, flag) for flag in ACCESS_FLAGS}
        if before != after:
            audit.record(
                actor=request.user,
                action="user.change",
                obj=obj,
                old=before,
                new=after,
                request=request,
            )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        # The rows as they were, before the formset changes or deletes them.
        touched = [f.instance.pk for f in formset.forms if f.instance.pk and f.has_changed()]
        touched += [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
        rows = Membership.objects.filter(pk__in=touched).select_related("user", "organisation")
        before = {m.pk: membership_values(m) for m in rows}
        deleted = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        for m in formset.new_objects:
            _record_membership(request, "membership.add", m.pk, new=membership_values(m))
        for m, _fields in formset.changed_objects:
            _record_membership(
                request, "membership.change", m.pk, old=before.get(m.pk), new=membership_values(m)
            )
        for pk in deleted:
            _record_membership(request, "membership.delete", pk, old=before.get(pk))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "organisation", "starts_on", "ends_on"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "organisation__name_th"]
    autocomplete_fields = ["user", "organisation"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        before = None
        if change:
            before = membership_values(
                Membership.objects.select_related("user", "organisation").get(pk=obj.pk)
            )
        super().save_model(request, obj, form, change)
        _record_membership(
            request,
            "membership.change" if change else "membership.add",
            obj.pk,
            old=before,
            new=membership_values(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        _record_membership(request, "membership.delete", obj.pk, old=membership_values(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for m in queryset.select_related("user", "organisation"):
            _record_membership(request, "membership.delete", m.pk, old=membership_values(m))
        super().delete_queryset(request, queryset)
