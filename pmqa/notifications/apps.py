"""Hand-offs: the notification centre, the e-mails at once or in a daily digest, and each
person's choice of how they are told."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "pmqa.notifications"
    verbose_name = _("Notifications")
