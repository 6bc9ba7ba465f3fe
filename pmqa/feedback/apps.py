"""What does the Feedback Report say: its texts, approval, publication and corrections."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "pmqa.feedback"
    verbose_name = _("Feedback Reports")
