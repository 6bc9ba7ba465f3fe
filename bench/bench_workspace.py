"""Workspace benchmark (not a test): an agency's autosave, assessment home and item pages in
process on the national dataset, median server time against a bare page in the same run.

Run: .venv/bin/python bench/bench_workspace.py [--organisations 500] [--years 10]
     scripts/with-postgres .venv/bin/python bench/bench_workspace.py --keep-db
Without DATABASE_URL it builds a throwaway SQLite database (never var/).

On top of `bench_national.py`'s dataset, one organisation has a draft FY2570 assessment with
every profile section and item answered (synthetic answers, as the demo's review case) and
eight evidence files. The editor autosaves one item's narrative with a new text each time, as
the page's htmx request does, and opens the assessment home and an item page of each kind.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def build_workspace():  # type: ignore[no-untyped-def]
    """The draft assessment, its editor and the URLs measured."""
    from django.core.files.base import ContentFile

    from pmqa.accounts.models import Membership, Role, User
    from pmqa.assessments.models import Answer, Assessment, Cycle, Evidence
    from pmqa.assessments.profile import SECTIONS
    from pmqa.assessments.services import ensure_answers
    from pmqa.demo.services import _load_answer, _synthetic_answer
    from pmqa.organisations.models import Organisation

    organisation = Organisation.objects.create(
        code="BENCH-WORKSPACE", kind="department", name_th="หน่วยงานทดสอบพื้นที่ทำงาน"
    )
    editor = User.objects.create_user(username="bench-ws-editor", password="bench-password-1")
    Membership.objects.create(
        user=editor, role=Role.AGENCY_EDITOR, organisation=organisation, starts_on="2020-01-01"
    )
    assessment = Assessment.objects.create(
        cycle=Cycle.objects.get(fiscal_year=2570), organisation=organisation
    )
    ensure_answers(assessment=assessment)
    rng = random.Random(2570)
    for answer in Answer.objects.filter(assessment=assessment).order_by("key"):
        _load_answer(answer, _synthetic_answer(answer, SECTIONS, rng), editor)
    for n in range(1, 9):
        Evidence.objects.create(
            assessment=assessment,
            label=f"E{n}",
            kind="file",
            file=ContentFile(b"%PDF-1.4\n%bench\n", name=f"e{n}.pdf"),
            original_name=f"e{n}.pdf",
            content_type="application/pdf",
            size=16,
            uploaded_by=editor,
        )
    return assessment, editor


def main() -> None:
    from bench_national import dataset_parser

    parser = dataset_parser()
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="pmqa-bench-"))
    if not args.keep_db or "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'workspace.sqlite3'}"
    # Production settings (DEBUG off), as the pages run in production.
    os.environ.setdefault("PMQA_DEBUG", "0")
    os.environ["PMQA_ENV_FILE"] = ""
    os.environ.setdefault("PMQA_SECRET_KEY", "bench-only")
    os.environ["PMQA_MEDIA_ROOT"] = str(workdir / "media")
    os.environ["PMQA_STATIC_ROOT"] = str(workdir / "static")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmqa.settings"
    import django

    django.setup()
    import logging

    from bench_national import build_dataset
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from pmqa.assessments.models import Answer

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("collectstatic", interactive=False, verbosity=0)
    logging.getLogger("pmqa.request").setLevel(logging.WARNING)  # no line per request here
    started = time.perf_counter()
    build_dataset(args.organisations, args.years)
    assessment, editor = build_workspace()
    built = time.perf_counter() - started

    editor_client, anonymous = Client(), Client()
    editor_client.force_login(editor)
    process_item, results_item = "4.2", "7.1"
    item_url = reverse("assessments:item", args=[assessment.pk, process_item])
    counter = iter(range(10**9))

    def autosave():  # type: ignore[no-untyped-def]
        version = Answer.objects.get(assessment=assessment, key=process_item).version
        return editor_client.post(
            item_url,
            {
                "version": str(version),
                "n-basic-approach": f"ทบทวนแผนทุกไตรมาส รอบที่ {next(counter)}",
                "tick-basic": ["1", "2"],
            },
            HTTP_HX_REQUEST="true",
        )

    requests = [
        ("bare page (baseline)", lambda: anonymous.get("/accounts/login/")),
        (
            "assessment home",
            lambda: editor_client.get(reverse("assessments:home", args=[assessment.pk])),
        ),
        ("item page, process", lambda: editor_client.get(item_url)),
        (
            "item page, results",
            lambda: editor_client.get(
                reverse("assessments:item", args=[assessment.pk, results_item])
            ),
        ),
        ("autosave", autosave),
    ]
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}",
        "database": connection.vendor,
        "organisations": args.organisations,
        "years": args.years,
        "dataset_seconds": round(built, 1),
        "requests": {},
    }
    baseline = None
    for label, call in requests:
        response = call()
        assert response.status_code == 200, (label, response.status_code)
        if label == "autosave":
            body = response.content.decode()
            assert "save-status saved" in body, body[:400]
        times = []
        for _ in range(args.repeat):
            if label == "autosave":
                # The version read belongs to the editor's page, not to the request.
                version = Answer.objects.get(assessment=assessment, key=process_item).version
                payload = {
                    "version": str(version),
                    "n-basic-approach": f"ทบทวนแผนทุกไตรมาส รอบที่ {next(counter)}",
                    "tick-basic": ["1", "2"],
                }
                begin = time.perf_counter()
                response = editor_client.post(item_url, payload, HTTP_HX_REQUEST="true")
            else:
                begin = time.perf_counter()
                response = call()
            times.append(time.perf_counter() - begin)
            assert response.status_code == 200, (label, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            call()
            count = len(queries)
        median = statistics.median(times) * 1000
        if baseline is None:
            baseline = median
        results["requests"][label] = {  # type: ignore[index]
            "median_ms": round(median, 2),
            "ratio": round(median / baseline, 1),
            "queries": count,
        }
        print(f"{label:24} {median:7.2f} ms  ×{median / baseline:5.1f}  {count:3} queries")
    out = ROOT / "bench" / f"workspace-{connection.vendor}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"dataset built in {built:.1f} s; results in {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
