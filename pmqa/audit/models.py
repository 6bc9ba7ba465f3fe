"""Append-only audit entries: who, when, what, old and new."""

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmqa.lib.thai import format_date_be


class AppendOnlyError(Exception):
    """An audit entry is never changed or removed once written."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError("Audit entries are append-only: they cannot be changed or deleted.")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    # The database refuses too (migration 0003); this says so before any SQL is sent.
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse
    _raw_delete = _refuse


class AuditEntry(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # PROTECT: a person with entries is deactivated or pseudonymised, never deleted, so that
    # "who" stays answerable (and SET_NULL would be an UPDATE, which the database refuses).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    old = models.JSONField(_("old value"), null=True, blank=True)
    new = models.JSONField(_("new value"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["action", "at"], name="audit_action_at_idx"),
        ]

    def __str__(self) -> str:
        # As an administrator names it (Django admin's title of the entry): its number and when.
        when = timezone.localtime(self.at) if self.at else None
        return _("Audit entry %(number)s, %(when)s") % {
            "number": self.pk,
            "when": f"{format_date_be(when.date(), short=True)} {when:%H:%M:%S}" if when else "",
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()
