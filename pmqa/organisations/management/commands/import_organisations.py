"""pmqa import_organisations [FILE ...]: load the organisation register (idempotent)."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmqa.organisations.services import (
    DATA_DIR,
    REFERENCE_FILES,
    OrganisationImportError,
    import_organisations,
)


class Command(BaseCommand):
    help = "Import organisations from CSV files (default: the shipped reference files)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        paths = options["files"] or [DATA_DIR / name for name in REFERENCE_FILES]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}", returncode=2)
        try:
            counts = import_organisations(paths)
        except (OrganisationImportError, ValidationError) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else error
            raise CommandError(str(message), returncode=2) from None
        self.stdout.write(
            f"organisations: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged"
        )
