"""pmqa kpi --prior P [--actual X] [--fiscal-year Y]: next year's PMQA KPI targets and score."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmqa.scoring.cli import InputError, kpi_document


class Command(BaseCommand):
    help = "KPI type and targets from last year's verified total, and the KPI score of a total."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--prior", required=True, help="last year's verified round-1 total")
        parser.add_argument("--actual", help="this year's verified round-1 total")
        parser.add_argument("--fiscal-year", type=int, help="B.E. fiscal year of the evaluation")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = kpi_document(options["prior"], options["actual"], options["fiscal_year"])
        except InputError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
