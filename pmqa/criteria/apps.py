"""What is assessed: versioned PMQA criteria editions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CriteriaConfig(AppConfig):
    name = "pmqa.criteria"
    verbose_name = _("Criteria")
