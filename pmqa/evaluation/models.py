"""The agency evaluation's KPI rule sets as administrators keep them: each change a new,
numbered version with its reason; nothing is edited in place."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KpiRuleSetVersion(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    number = models.PositiveSmallIntegerField(_("version"))
    data = models.JSONField(_("rule set"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["fiscal_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="kpi_rule_set_version")
        ]
        # The table keeps the name it had when the rule sets were part of the dashboards.
        db_table = "dashboards_kpirulesetversion"
        verbose_name = _("KPI rule set version")
        verbose_name_plural = _("KPI rule set versions")

    def __str__(self) -> str:
        return f"{self.fiscal_year} · {self.number}"
