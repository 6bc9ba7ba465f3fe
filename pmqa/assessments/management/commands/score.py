"""pmqa score FILE|-: score category or item answers given as JSON and print JSON."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from pmqa.criteria.models import Edition
from pmqa.scoring.cli import InputError, parse_json, score_document


class Command(BaseCommand):
    help = "Score a JSON document of category scores or item answers (see docs/scoring.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON file, or - for standard input")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["file"] == "-":
                text = sys.stdin.read()
            else:
                text = Path(options["file"]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                f"input: cannot read {options['file']} ({error})", returncode=2
            ) from None
        try:
            document = parse_json(text)
            counts, thresholds = None, None
            if isinstance(document, dict) and "edition" in document:
                edition = Edition.objects.filter(code=str(document["edition"])).first()
                if edition is None:
                    raise InputError(
                        f"edition: unknown edition {json.dumps(str(document['edition']))}"
                    )
                counts = edition_counts(edition)
                thresholds = edition.thresholds()
            result = score_document(document, counts, thresholds)
        except InputError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))


def edition_counts(edition: Edition) -> dict[str, dict[str, int]]:
    from django.db.models import Count

    from pmqa.criteria.models import Item, ItemLevel

    counts: dict[str, dict[str, int]] = {
        code: {}
        for code in Item.objects.filter(category__edition=edition).values_list("code", flat=True)
    }
    rows = (
        ItemLevel.objects.filter(item__category__edition=edition)
        .values("item__code", "level")
        .annotate(n=Count("checkpoints"))
    )
    for row in rows:
        counts[row["item__code"]][row["level"]] = row["n"]
    return counts
