"""pmqa seed_demo: load the demo data and print the demo logins (idempotent)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmqa.accounts.models import User
from pmqa.demo.services import ACCOUNTS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load demo data: the two seed cases, a synthetic cohort and demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="load it also into an installation served without PMQA_DEBUG (a training one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Production runs without debug mode; the demo's accounts, an administrator among
        # them, share the password the README publishes.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "This installation runs without PMQA_DEBUG, as production does. The demo data "
                f"adds accounts, an administrator among them, whose password ({DEMO_PASSWORD}) "
                "is published in the README. Load it only into a local or training "
                "installation: PMQA_DEBUG=1 pmqa seed_demo, or pmqa seed_demo --force."
            )
        # Nor into a database that already has people of its own (a debugging shell pointed
        # at production): only the demo's own accounts may be there.
        others = User.objects.exclude(username__in=[a.username for a in ACCOUNTS])
        if others.exists() and not options["force"]:
            raise CommandError(
                "This database already has accounts that are not the demo's (for example "
                f"{others.order_by('pk').first()}): it is in use. The demo data is for a new "
                "local or training database; pmqa seed_demo --force loads it anyway."
            )
        accounts = seed_demo()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for account in accounts:
            self.stdout.write(f"  {account.username:<22} {account.role:<16} {account.full_name}")
