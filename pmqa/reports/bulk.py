"""Every published Feedback Report of a cycle as PDF and Excel, plus one zip.

Each report's final HTML is hashed; a report whose PDF and Excel exist beside a matching hash
file is up to date and skipped, so an interrupted run resumes where it stopped. A report that
fails is listed at the end and does not stop the others.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pmqa.assessments.models import Assessment
from pmqa.lib.pdf import PdfPrinter
from pmqa.reports.builders import build
from pmqa.reports.render import render_html
from pmqa.reports.xlsx import build_workbook

FORMAT_VERSION = "1"  # change when the files should be rebuilt although the HTML is the same


@dataclass
class BulkResult:
    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    zip_path: Path | None = None


def published(fiscal_year: int, round_number: int = 1) -> list[Assessment]:
    queryset = (
        Assessment.objects.published()
        .filter(cycle__fiscal_year=fiscal_year)
        .select_related("organisation")
    )
    if round_number == 2:
        queryset = queryset.filter(scores__round_number=2).distinct()
    return list(queryset.order_by("organisation__code"))


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def build_reports(
    *,
    fiscal_year: int,
    layout: str,
    out: Path,
    round_number: int = 1,
    thai: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> BulkResult:
    out.mkdir(parents=True, exist_ok=True)
    result = BulkResult()
    assessments = published(fiscal_year, round_number)
    with PdfPrinter() as printer:
        for index, assessment in enumerate(assessments, start=1):
            stem = f"pmqa-{fiscal_year}-{assessment.organisation.code}-{layout}"
            if progress:
                progress(index, len(assessments), assessment.organisation.code)
            try:
                data = build(assessment, layout, thai=thai, thai_tables=thai)
                html = render_html(data, for_print=True)
                digest = hashlib.sha256((FORMAT_VERSION + html).encode()).hexdigest()
                pdf_path, xlsx_path = out / f"{stem}.pdf", out / f"{stem}.xlsx"
                hash_path = out / f"{stem}.sha256"
                if (
                    pdf_path.exists()
                    and xlsx_path.exists()
                    and hash_path.exists()
                    and hash_path.read_text().strip() == digest
                ):
                    result.skipped.append(stem)
                    continue
                _write(pdf_path, printer.print(html))
                _write(xlsx_path, build_workbook(data, data.published_date))
                # Written last: a report counts as done only when both files are complete.
                _write(hash_path, digest.encode())
                result.written.append(stem)
            except Exception as error:  # noqa: BLE001 - one report's failure must not stop the rest
                result.failed.append(
                    (assessment.organisation.code, f"{type(error).__name__}: {error}")
                )
    done = [stem for stem in result.written + result.skipped]
    if done:
        zip_path = out / f"pmqa-{fiscal_year}-{layout}.zip"
        temporary = zip_path.with_suffix(".zip.part")
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for stem in sorted(done):
                for extension in ("pdf", "xlsx"):
                    archive.write(out / f"{stem}.{extension}", f"{stem}.{extension}")
        os.replace(temporary, zip_path)
        result.zip_path = zip_path
    return result
