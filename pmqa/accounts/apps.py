"""Who is this person: users, their memberships and roles."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "pmqa.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The audit trail of logins, failures, logouts and lockouts (signal receivers).
        from pmqa.accounts import signin  # noqa: F401
