"""The agency evaluation's PMQA KPI: every organisation's KPI figure of a fiscal year, and the
rule sets (grouping and score bands) administrators keep as numbered versions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "pmqa.evaluation"
    verbose_name = _("Agency evaluation KPI")
