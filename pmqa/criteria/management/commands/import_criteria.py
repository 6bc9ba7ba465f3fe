"""pmqa import_criteria FILE: load a criteria edition from YAML (idempotent)."""

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmqa.criteria.services import CriteriaError, import_edition

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "pmqa40.yaml"


class Command(BaseCommand):
    help = "Import or update a criteria edition from a YAML file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=DEFAULT_FILE)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}", returncode=2) from None
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise CommandError(
                f"{path}: not a readable YAML file ({error})", returncode=2
            ) from None
        try:
            report = import_edition(data)
        except CriteriaError as error:
            raise CommandError(str(error), returncode=2) from None
        if report.changed:
            self.stdout.write(
                f"edition {report.edition.code}: {report.created} created, "
                f"{report.updated} updated, {report.deleted} removed"
            )
        else:
            self.stdout.write(f"edition {report.edition.code}: unchanged")
