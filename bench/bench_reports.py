"""Feedback Report benchmark (not a test): time per report for each layout with a warm
browser, the time Chromium alone takes to print the same final HTML, and a bulk run of 300.

Run: make bench   (or: PMQA_DEBUG=1 .venv/bin/python bench/bench_reports.py [--repeat N])
It builds a throwaway SQLite database with the demo data, so it never touches var/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--bulk", type=int, default=300)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pmqa-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ.setdefault("PMQA_DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmqa.settings"
    import django

    django.setup()
    from django.core.management import call_command

    for command in ("migrate", "import_organisations", "import_criteria", "seed_demo"):
        call_command(command, verbosity=0)

    from pmqa.assessments.models import Assessment
    from pmqa.lib.pdf import PdfPrinter
    from pmqa.reports import bulk
    from pmqa.reports.builders import build
    from pmqa.reports.render import render_html

    cases = {
        "full": Assessment.objects.get(organisation__code="DEP-ISOC", cycle__fiscal_year=2563),
        "short": Assessment.objects.get(organisation__code="TH-96", cycle__fiscal_year=2561),
    }
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    results: dict[str, object] = {"machine": f"{machine}, Python {platform.python_version()}"}
    with PdfPrinter() as printer:
        for layout, assessment in cases.items():
            html = render_html(build(assessment, layout), for_print=True)
            printer.print(html)  # warm: fonts decoded, page ready
            pipeline, chromium = [], []
            for _ in range(args.repeat):
                start = time.perf_counter()
                data = build(assessment, layout)
                pdf = printer.print(render_html(data, for_print=True))
                pipeline.append(time.perf_counter() - start)
                start = time.perf_counter()
                printer.print(html)
                chromium.append(time.perf_counter() - start)
            results[layout] = {
                "report_median_s": round(statistics.median(pipeline), 3),
                "chromium_only_median_s": round(statistics.median(chromium), 3),
                "overhead_ratio": round(
                    statistics.median(pipeline) / statistics.median(chromium), 2
                ),
                "pdf_bytes": len(pdf),
            }

    years = [2562, 2563, 2564]
    chosen: list[Assessment] = []
    for year in years:
        chosen += bulk.published(year)
    chosen = chosen[: args.bulk]
    by_year: dict[int, int] = {}
    for assessment in chosen:
        by_year[assessment.cycle.fiscal_year] = by_year.get(assessment.cycle.fiscal_year, 0) + 1
    out = workdir / "bulk"
    start = time.perf_counter()
    written = 0
    for year in sorted(by_year):
        result = bulk.build_reports(fiscal_year=year, layout="full", out=out / str(year))
        written += len(result.written)
    results["bulk"] = {
        "reports": written,
        "layout": "full",
        "seconds": round(time.perf_counter() - start, 1),
    }
    print(json.dumps(results, ensure_ascii=False, indent=2))
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
