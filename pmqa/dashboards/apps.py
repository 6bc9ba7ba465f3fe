"""How is it summarised: role homes and statistics."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "pmqa.dashboards"
    verbose_name = _("Dashboards")
