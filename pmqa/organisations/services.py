"""Importing the organisation register from reference CSV files."""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from pmqa.organisations.models import Organisation

DATA_DIR = Path(__file__).resolve().parent / "data"
# Files in the order they must load: parents before children.
REFERENCE_FILES = ("ministries.csv", "province_clusters.csv", "provinces.csv", "departments.csv")


class OrganisationImportError(Exception):
    pass


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _kind_for(path: Path, row: dict[str, str]) -> str:
    name = path.name
    if name.startswith("ministries"):
        return Organisation.Kind.MINISTRY
    if name.startswith("province_clusters"):
        return Organisation.Kind.PROVINCE_CLUSTER
    if name.startswith("provinces"):
        return Organisation.Kind.PROVINCE
    kind = (row.get("kind") or "").strip()
    if kind not in Organisation.Kind.values:
        raise OrganisationImportError(
            _("%(file)s: unknown type “%(kind)s”.") % {"file": name, "kind": kind}
        )
    return kind


@transaction.atomic
def import_organisations(paths: list[Path]) -> ImportCounts:
    """update_or_create on the stable code; all files apply or none does."""
    counts = ImportCounts()
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise OrganisationImportError(
                _("%(file)s is not UTF-8 text. Save it as “CSV UTF-8” and import it again.")
                % {"file": path.name}
            ) from None
        for line, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), start=2):
            code = (row.get("code") or "").strip()
            name_th = (row.get("name_th") or "").strip()
            if not code or not name_th:
                raise OrganisationImportError(
                    _("%(file)s line %(line)d: code and name_th are required.")
                    % {"file": path.name, "line": line}
                )
            parent_code = (row.get("parent") or row.get("cluster") or "").strip()
            parent = None
            if parent_code:
                parent = Organisation.objects.filter(code=parent_code).first()
                if parent is None:
                    raise OrganisationImportError(
                        _("%(file)s line %(line)d: parent “%(parent)s” is not known.")
                        % {"file": path.name, "line": line, "parent": parent_code}
                    )
            values = {
                "kind": _kind_for(path, row),
                "name_th": name_th,
                "name_en": (row.get("name_en") or "").strip(),
                "short_name_th": (row.get("short_name_th") or "").strip(),
                "parent": parent,
            }
            obj = Organisation.objects.filter(code=code).first()
            if obj is None:
                obj = Organisation(code=code, **values)
                obj.full_clean()
                obj.save()
                counts.created += 1
                continue
            changed = [k for k, v in values.items() if getattr(obj, k) != v]
            if not changed:
                counts.unchanged += 1
                continue
            for key in changed:
                setattr(obj, key, values[key])
            obj.full_clean()
            obj.save(update_fields=[k if k != "parent" else "parent" for k in changed])
            counts.updated += 1
    return counts
