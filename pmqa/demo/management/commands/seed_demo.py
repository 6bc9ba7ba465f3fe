"""pmqa seed_demo: load the demo data and print the demo logins (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from pmqa.demo.services import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load demo data: the two seed cases, a synthetic cohort and demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = seed_demo()
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for account in accounts:
            self.stdout.write(f"  {account.username:<22} {account.role:<16} {account.full_name}")
