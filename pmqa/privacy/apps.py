"""Personal data: the privacy notice, what the platform holds about a person, and erasure."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "pmqa.privacy"
    verbose_name = _("Personal data")
