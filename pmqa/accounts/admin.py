"""Accounts, roles and login safety in Django admin: a change of role or access is audited,
second-factor secrets never show, and the lockout records of django-axes read in Thai."""

from typing import Any

from axes import admin as axes_admin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, Field, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pmqa.accounts import twofactor
from pmqa.accounts.models import Membership, User
from pmqa.audit import services as audit
from pmqa.lib.admin import ThaiAdmin, be_text, yes_no_icon

# Second-factor devices hold secrets and change only through the audited pages and the reset
# action below, never as rows here. Their apps, named nowhere else, still name permissions.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)
apps.get_app_config("otp_totp").verbose_name = gettext_lazy("Two-factor authentication apps")
apps.get_app_config("otp_static").verbose_name = gettext_lazy("Two-factor recovery codes")

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


# Permissions as Django names them ("Can add api token") are stored in English: named here
# from their model's and app's Thai names and what they allow.
PERMITS = {
    "add": gettext_lazy("may add"),
    "change": gettext_lazy("may change"),
    "delete": gettext_lazy("may delete"),
    "view": gettext_lazy("may view"),
}


def permission_label(permission: Permission) -> str:
    model = permission.content_type.model_class()
    permits = PERMITS.get(permission.codename.split("_", 1)[0])
    if model is None or permits is None:
        return str(permission)
    app = apps.get_app_config(model._meta.app_label).verbose_name
    name = model._meta.verbose_name
    if not isinstance(name, Promise):  # never marked for translation (django-otp's)
        name = gettext(str(name))  # noqa: INT001 - the model's own name
    return f"{app} | {name} | {permits}"


class PermissionNames:
    """Mixed into the admins whose forms choose permissions."""

    def formfield_for_manytomany(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.related_model is Permission:
            formfield.label_from_instance = permission_label
        return formfield


class MembershipInline(ThaiAdmin, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class PmqaUserAdmin(ThaiAdmin, PermissionNames, UserAdmin):
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

    @admin.display(description=gettext_lazy("Two-factor"))
    def two_factor(self, user: User) -> str:
        return yes_no_icon(bool(getattr(user, "has_two_factor", False)))

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
class MembershipAdmin(ThaiAdmin, admin.ModelAdmin):
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


admin.site.unregister(Group)


@admin.register(Group)
class PmqaGroupAdmin(ThaiAdmin, PermissionNames, GroupAdmin):
    pass


# ---------------------------------------------------------------------------------------------
# django-axes' records of logins (docs/security.md), read only, in Thai. Its app has no name to
# translate, its status column no label, and its date hierarchy shows Gregorian years: set here.

apps.get_app_config("axes").verbose_name = gettext_lazy("Login safety")


def _attempt_name(record: Any) -> str:
    """A login record as the admin titles it (django-axes' own names are English with a UTC
    time): who, from where, when."""
    return f"{record.username or '—'} · {record.ip_address or '—'} · {be_text(record.attempt_time)}"


for _record in (AccessAttempt, AccessFailureLog, AccessLog):
    _record.__str__ = _attempt_name


class AccessAttemptAdmin(ThaiAdmin, axes_admin.AccessAttemptAdmin):
    date_hierarchy = None

    @admin.display(description=gettext_lazy("Status"))
    def status(self, obj: AccessAttempt) -> str:
        limit = axes_settings.AXES_FAILURE_LIMIT
        if obj.failures_since_start < limit:
            left = limit - obj.failures_since_start
            return ngettext("%(count)d try left", "%(count)d tries left", left) % {"count": left}
        return gettext("Locked out")

    @admin.display(description=gettext_lazy("Expires At"))
    def expiration(self, obj: AccessAttempt) -> str:
        if hasattr(obj, "expiration"):
            return be_text(obj.expiration.expires_at) or ""
        return gettext("Not set")

    @admin.action(description=gettext_lazy("Clean up expired attempts"))
    def cleanup_expired_attempts(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(
            request,
            ngettext(
                "%(count)d expired login attempt cleaned up.",
                "%(count)d expired login attempts cleaned up.",
                count,
            )
            % {"count": count},
        )


class AccessLogAdmin(ThaiAdmin, axes_admin.AccessLogAdmin):
    date_hierarchy = None


class AccessFailureLogAdmin(ThaiAdmin, axes_admin.AccessFailureLogAdmin):
    date_hierarchy = None


for _model, _admin in (
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(_model, _admin)
