"""`pmqa backup`: the database and every stored file in one archive with a manifest of checksums."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from pmqa.lib.backup import BackupRefused, code_migrations, migration_state, write_backup


class Command(BaseCommand):
    help = (
        "Write the database (read in one transaction) and every stored file to one tar.gz "
        "archive with a manifest of checksums; `pmqa restore` reads it on SQLite or PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="a folder, for a new archive named by the time (default var/backups), or a "
            "file ending in .tar.gz",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = (
            Path(str(options["output"]))
            if options.get("output")
            else Path(settings.BASE_DIR).parent / "var" / "backups"
        )
        if migration_state(connection) != code_migrations(connection):
            self.stderr.write(
                _(
                    "This database lacks some of this code's migrations; the archive restores "
                    "only with code that has the same ones. Run pmqa migrate and back up again."
                )
            )
        verbosity = int(options["verbosity"])

        def progress(label: str, rows: int) -> None:
            if verbosity >= 2:
                self.stdout.write(_("%(label)s: %(rows)s rows") % {"label": label, "rows": rows})

        try:
            result = write_backup(output, progress=progress)
        except BackupRefused as error:
            raise CommandError(str(error)) from None
        if verbosity == 0:
            return
        self.stdout.write(
            _(
                "Wrote %(path)s: %(rows)s rows of %(tables)s tables and %(files)s files, "
                "%(size)s MB."
            )
            % {
                "path": result.path,
                "rows": sum(result.rows.values()),
                "tables": len(result.rows),
                "files": result.files,
                "size": f"{result.size / 1_048_576:.1f}",
            }
        )
        self.stdout.write(f"SHA-256 {result.sha256}")
