"""Delete the evidence files of cycles whose retention period has ended, and say what went."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from pmqa.assessments.retention import apply_retention
from pmqa.lib.thai import format_date_be, parse_date_be


class Command(BaseCommand):
    help = "Delete evidence files past their cycle's retention period (set on the cycle)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would go; delete nothing"
        )
        parser.add_argument("--today", help="as on this day (DD/MM/YYYY, B.E.)")

    def handle(self, *args: object, **options: object) -> None:
        today = None
        if options.get("today"):
            try:
                today = parse_date_be(str(options["today"]))
            except ValueError as error:
                raise CommandError(str(error)) from None
        removed = apply_retention(today=today, dry_run=bool(options["dry_run"]))
        for row in removed:
            text = (
                _(
                    "FY %(year)s (kept until %(day)s): %(files)s files, %(mb).1f MB would be "
                    "deleted."
                )
                if options["dry_run"]
                else _("FY %(year)s (kept until %(day)s): %(files)s files, %(mb).1f MB deleted.")
            )
            self.stdout.write(
                text
                % {
                    "year": row.fiscal_year,
                    "day": format_date_be(row.kept_until),
                    "files": row.files,
                    "mb": row.bytes / 1_048_576,
                }
            )
        if not removed:
            self.stdout.write(_("No evidence file is past its retention period."))
