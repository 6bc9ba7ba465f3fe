"""What did the organisation declare: cycles, rounds, assessments and their scores."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "pmqa.assessments"
    verbose_name = _("Assessments")
