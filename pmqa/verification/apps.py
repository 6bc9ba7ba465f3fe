"""What did assessors decide: teams, independent reviews, clarification, consensus, round 2."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "pmqa.verification"
    # The label the app was created with: its tables, migrations and audit entries keep it.
    label = "reviews"
    verbose_name = _("Verification")

    def ready(self) -> None:
        from pmqa.assessments import policy
        from pmqa.verification import handoffs, team_facts

        policy.provide_team_facts(team_facts)
        handoffs.register()
