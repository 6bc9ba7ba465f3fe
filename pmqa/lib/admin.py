"""Django admin as OPDC's administrators read it: dates in B.E. and Thailand's time, labels in
Thai (also where a field's name was never marked for translation), official records read only
and the background tasks' table named in Thai."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

import django_tasks_db.admin as tasks_admin
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.utils import display_for_field
from django.db import models
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult, get_date_max

from pmqa.lib.forms import BEDateField
from pmqa.lib.thai import format_date_be

# The name under which a field is shown, not edited, in B.E. or with its label in Thai.
SHOWN = "shown__"


def be_text(value: object) -> str | None:
    """A date as `8 ธ.ค. 2569`, a time as `8 ธ.ค. 2569 07:34` in Thailand's time; None for none."""
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{format_date_be(moment.date(), short=True)} {moment:%H:%M}"
    if isinstance(value, datetime.date):
        return format_date_be(value, short=True)
    return None if value is None else str(value)


def label(field: models.Field[Any, Any]) -> Any:
    """The field's label in the reader's language: a name never marked for translation (a third
    party's `id`, a `created by` of ours) is looked up in the project's catalogue."""
    name = field.verbose_name
    return name if isinstance(name, Promise) else _(str(name))  # noqa: INT001 - the field's own name


def yes_no_icon(value: bool | None) -> str:
    """Django admin's yes/no icon, its text (read out, shown without images) in Thai: Django
    writes "True" and "False" there, untranslated."""
    icon = {True: "yes", False: "no", None: "unknown"}[value]
    words = {True: gettext("yes"), False: gettext("no"), None: gettext("unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), words)


def _needs_showing(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, (models.DateField, models.BooleanField)) or not isinstance(
        field.verbose_name, Promise
    )


def _shown(field: models.Field[Any, Any], empty: str) -> Callable[[Any], Any]:
    def show(obj: Any) -> Any:
        value = getattr(obj, field.name)
        if value is None and not isinstance(field, models.BooleanField):
            return empty  # a read-only form would write "None"
        if isinstance(field, models.DateField):
            return be_text(value)
        if isinstance(field, models.BooleanField):
            return yes_no_icon(value)
        return display_for_field(value, field, empty)

    show.short_description = label(field)  # type: ignore[attr-defined]
    show.admin_order_field = field.name  # type: ignore[attr-defined]
    return show


class ThaiAdmin(BaseModelAdmin[Any]):
    """Mixed into every ModelAdmin and inline, before Django's class. Where a date is shown
    (the change list, a read-only form) it is shown in B.E.; where it is typed, it is typed in
    B.E. (pmqa.lib.forms.BEDateField). A date-time records when something happened: it is
    shown, never typed. A field whose name was never marked for translation is labelled from
    the project's catalogue, and a yes or no says so in Thai to a screen reader."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        empty = str(getattr(self, "empty_value_display", "-"))
        for field in self.model._meta.fields:
            if _needs_showing(field):
                setattr(self, SHOWN + field.name, _shown(field, empty))

    def _special(self) -> dict[str, models.Field[Any, Any]]:
        return {f.name: f for f in self.model._meta.fields if _needs_showing(f)}

    def _shown_not_typed(self, request: HttpRequest, obj: Any) -> set[str]:
        """The special fields this form shows rather than lets be typed."""
        declared = set(super().get_readonly_fields(request, obj))
        view_only = not self.has_change_permission(request, obj)
        # An inline's link to the row it is shown in is no field of its form.
        parent = getattr(self, "parent_model", None)
        return {
            name
            for name, field in self._special().items()
            if name in declared
            or (
                field.editable
                and not field.primary_key
                and not (parent is not None and field.related_model is parent)
                and (view_only or isinstance(field, models.DateTimeField))
            )
        }

    def _renamed(self, names: Sequence[Any], shown: set[str]) -> list[Any]:
        renamed: list[Any] = []
        for name in names:
            if isinstance(name, (list, tuple)):
                renamed.append(tuple(self._renamed(name, shown)))
            else:
                renamed.append(SHOWN + name if isinstance(name, str) and name in shown else name)
        return renamed

    def get_list_display(self, request: HttpRequest) -> Any:
        names = super().get_list_display(request)  # type: ignore[misc]
        return self._renamed(names, set(self._special()))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        names = list(super().get_readonly_fields(request, obj))
        shown = self._shown_not_typed(request, obj)
        renamed = self._renamed(names, shown)
        # Shown, not typed, though the admin did not say so: after the others.
        return renamed + [SHOWN + n for n in sorted(shown) if SHOWN + n not in renamed]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str] | None:
        excluded = super().get_exclude(request, obj)
        shown = sorted(self._shown_not_typed(request, obj))
        if not shown:
            return None if excluded is None else list(excluded)
        own = getattr(getattr(self, "form", None), "_meta", None)
        base = list(excluded) if excluded is not None else list(getattr(own, "exclude", None) or [])
        return base + [name for name in shown if name not in base]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        shown = self._shown_not_typed(request, obj)
        return [
            (title, {**options, "fields": self._renamed(options["fields"], shown)})
            for title, options in fieldsets
        ]

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        if isinstance(db_field, models.DateField) and not isinstance(
            db_field, models.DateTimeField
        ):
            hint = db_field.help_text or BEDateField().help_text
            return db_field.formfield(form_class=BEDateField, help_text=hint, **kwargs)
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and not isinstance(db_field.verbose_name, Promise):
            formfield.label = capfirst(label(db_field))
        return formfield


class ReadOnlyAdmin(ThaiAdmin):
    """Mixed into a ModelAdmin or inline: nothing can be added, changed or deleted here, because
    the record is official (a status, a score, a published text, the audit trail) and its
    changes go through the services, where the action table and the audit trail apply."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# ---------------------------------------------------------------------------------------------
# The background tasks' table (django-tasks-db, pmqa.lib.tasks), as its own admin shows it but
# in Thai: its app name is not translatable, so it is set here.

apps.get_app_config("django_tasks_database").verbose_name = _("Background tasks")


# What each task does, by the path it is queued under (the tasks' own names are code).
TASKS = {
    "pmqa.notifications.tasks.deliver": _("E-mail of a notification"),
    "pmqa.assessments.tasks.deliver_mail": _("E-mail about an assessment"),
    "pmqa.reports.tasks.store_published_report": _("Printing and storing a published report"),
    "pmqa.accounts.tasks.send_password_reset": _("Password reset e-mail"),
}


class TaskResultAdmin(ThaiAdmin, tasks_admin.DBTaskResultAdmin):
    @admin.display(description=_("task"), ordering="task_path")
    def task_name(self, obj: DBTaskResult[Any, Any]) -> str:
        # From the path as queued: the task itself is not loaded (a page of the admin must
        # open whatever the backend and whichever tasks still exist).
        return str(TASKS.get(obj.task_path, obj.task_path))

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: DBTaskResult[Any, Any]) -> str:
        return str(super().formatted_traceback(obj))

    @admin.display(description=_("run after"))
    def display_run_after(self, obj: DBTaskResult[Any, Any]) -> str:
        if obj.run_after == get_date_max():
            return self.get_empty_value_display()
        return be_text(obj.run_after) or self.get_empty_value_display()


def _task_name(result: DBTaskResult[Any, Any]) -> str:
    """A task as the admin titles it (django-tasks-db gives it none): what it does, when
    queued."""
    return f"{TASKS.get(result.task_path, result.task_path)} · {be_text(result.enqueued_at)}"


DBTaskResult.__str__ = _task_name  # type: ignore[method-assign,assignment]
admin.site.unregister(DBTaskResult)
admin.site.register(DBTaskResult, TaskResultAdmin)
