"""A cycle's statistics as CSV, JSON or Excel: `pmqa statistics --cycle 2563 --format csv`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmqa.assessments.models import Cycle
from pmqa.dashboards import statistics
from pmqa.organisations.models import Organisation


class Command(BaseCommand):
    help = (
        "A cycle's statistics: score groups, distribution, levels, category classes and gaps "
        "(CSV: one row per organisation; JSON: everything; Excel: a sheet per table)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, required=True, help="fiscal year (B.E.)")
        parser.add_argument("--format", choices=["csv", "json", "xlsx"], default="csv")
        parser.add_argument(
            "--type",
            choices=[k for k, _label in Organisation.Kind.choices],
            default="",
            help="only organisations of this type",
        )
        parser.add_argument("--parent", default="", help="code of a ministry or province cluster")
        parser.add_argument(
            "--include-synthetic",
            action="store_true",
            help="include the synthetic demonstration data (left out by default)",
        )
        parser.add_argument("--out", help="file to write (required for xlsx; default stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        year = int(options["cycle"])
        cycle = Cycle.objects.select_related("edition").filter(fiscal_year=year).first()
        if cycle is None:
            raise CommandError(f"cycle: no cycle for fiscal year {year}")
        parent = None
        if options["parent"]:
            parent = Organisation.objects.filter(
                code=options["parent"],
                kind__in=(Organisation.Kind.MINISTRY, Organisation.Kind.PROVINCE_CLUSTER),
            ).first()
            if parent is None:
                raise CommandError(
                    f"parent: no ministry or province cluster with code {options['parent']}"
                )
        kind = str(options["format"])
        if kind == "xlsx" and not options.get("out"):
            raise CommandError("out: an Excel file needs --out FILE")
        stats = statistics.compute(
            cycle,
            statistics.Filters(
                kind=str(options["type"]),
                parent=parent,
                include_synthetic=bool(options["include_synthetic"]),
            ),
        )
        if kind == "xlsx":
            Path(str(options["out"])).write_bytes(statistics.to_xlsx(stats))
        else:
            text = statistics.to_csv(stats) if kind == "csv" else statistics.to_json(stats) + "\n"
            if options.get("out"):
                Path(str(options["out"])).write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text, ending="")
        self.stderr.write(statistics.describe(stats))
