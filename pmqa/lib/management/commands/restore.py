"""`pmqa restore ARCHIVE`: an archive of `pmqa backup` into an empty database and the storage."""

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from pmqa.lib.backup import BackupRefused, check_archive, restore_backup


def _made(manifest: dict[str, Any]) -> dict[str, Any]:
    created = datetime.datetime.fromisoformat(str(manifest.get("created")))
    rows = sum(entry["rows"] for entry in manifest["models"].values())
    return {
        "created": f"{timezone.localtime(created):%Y-%m-%d %H:%M}",
        "version": manifest.get("app_version"),
        "rows": rows,
        "tables": len(manifest["models"]),
        "files": manifest.get("files", 0),
    }


class Command(BaseCommand):
    help = (
        "Restore an archive of pmqa backup into an empty database (migrated first if new) and "
        "the file storage; refuses a damaged archive, other migrations or a database in use."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="a .tar.gz written by pmqa backup")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the archive's checksums and migrations; change nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(str(options["archive"]))
        verbosity = int(options["verbosity"])

        def progress(label: str, rows: int) -> None:
            if verbosity >= 2:
                self.stdout.write(_("%(label)s: %(rows)s rows") % {"label": label, "rows": rows})

        try:
            if options["check"]:
                manifest = check_archive(archive)
                self.stdout.write(
                    _(
                        "%(archive)s is whole and fits this code: %(rows)s rows of %(tables)s "
                        "tables and %(files)s files, made %(created)s by pmqa %(version)s."
                    )
                    % {"archive": archive, **_made(manifest)}
                )
                return
            result = restore_backup(archive, progress=progress)
        except BackupRefused as error:
            raise CommandError(str(error)) from None
        if verbosity == 0:
            return
        if result.migrated:
            self.stdout.write(_("The new database was migrated first."))
        self.stdout.write(
            _(
                "Restored %(rows)s rows of %(tables)s tables and %(files)s files from "
                "%(archive)s, made %(created)s by pmqa %(version)s."
            )
            % {"archive": archive, **_made(result.manifest)}
        )
