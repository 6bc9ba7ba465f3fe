"""Who changed what: an append-only record of state changes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "pmqa.audit"
    verbose_name = _("Audit trail")
