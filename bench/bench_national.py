"""National-view benchmark (not a test): the statistics, KPI, open-data, administrator and
agency pages, the assessor teams and a cycle's page on a national dataset, median server time
per page against a bare page measured in the same run.

Run: PMQA_DEBUG=1 .venv/bin/python bench/bench_national.py [--organisations 500] [--years 10]
     scripts/with-postgres env PMQA_DEBUG=1 .venv/bin/python bench/bench_national.py --keep-db
Without DATABASE_URL it builds a throwaway SQLite database (never var/).

The dataset: the organisation register, topped up with generated departments to the number
asked for, and per fiscal year an assessment of each with self and verified round-1 scores
from the scoring engine, the submitted answers' snapshot, two submitted reviews with a score
for every item, the team's consensus per item and a published report. Answer and report texts
are not generated: the pages measured read scores, statuses and publication only. Five of the
twenty assessors are lead assessors. The year after them (`rush=True`, as this script builds
it) is the deadline rush: its round 1 is open, and of every organisation's assessment 40 % are
submitted without a team, 40 % in review with a lead and a member, 20 % still drafts.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_dataset(organisations: int, years: int, *, rush: bool = False) -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from pmqa import scoring
    from pmqa.assessments.models import Assessment, Cycle, Round, ScoreSnapshot
    from pmqa.criteria.models import Edition
    from pmqa.feedback.models import Feedback
    from pmqa.organisations.models import Organisation

    call_command("migrate", verbosity=0)
    call_command("import_organisations", verbosity=0)
    from pmqa.demo.services import CRITERIA_FILE

    call_command("import_criteria", str(CRITERIA_FILE), verbosity=0)
    edition = Edition.objects.get(code="pmqa40")
    thresholds = edition.thresholds()
    ministry = Organisation.objects.filter(kind="ministry").first()
    members = list(
        Organisation.objects.exclude(kind__in=("ministry", "province_cluster")).order_by("code")
    )
    with transaction.atomic():
        extra = [
            Organisation(
                code=f"BENCH-{n:04d}",
                kind="department",
                parent=ministry,
                name_th=f"หน่วยงานทดสอบภาระ {n}",
            )
            for n in range(max(0, organisations - len(members)))
        ]
        Organisation.objects.bulk_create(extra)
    members = list(
        Organisation.objects.exclude(kind__in=("ministry", "province_cluster")).order_by("code")
    )[:organisations]
    from pmqa.accounts.models import Membership, Role, User
    from pmqa.assessments.models import Submission
    from pmqa.verification.models import ConsensusScore, ItemScore, Review

    items = [item.code for category in edition.categories.all() for item in category.items.all()]
    assessors = []
    for n in range(20):
        user = User.objects.create_user(username=f"bench-assessor-{n}", password=None)
        role = Role.LEAD_ASSESSOR if n < 5 else Role.ASSESSOR
        Membership.objects.create(user=user, role=role, starts_on="2020-01-01")
        assessors.append(user)
    rng = random.Random(2563)
    first = 2570 - years + 1
    for year in range(first, 2571):
        with transaction.atomic():
            cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
            Round.objects.create(
                cycle=cycle,
                number=1,
                opens_on=datetime.date(year - 544, 11, 1),
                closes_on=datetime.date(year - 543, 2, 28),
            )
            assessments = Assessment.objects.bulk_create(
                Assessment(cycle=cycle, organisation=o, status="published") for o in members
            )
            snapshots, reports = [], []
            for assessment in assessments:
                base = rng.uniform(150, 470)
                for source, shift in (("self", rng.uniform(0, 60)), ("assessor", 0)):
                    categories = {}
                    for c in range(1, 8):
                        value = min(500, max(0, base + shift + rng.uniform(-40, 40)))
                        categories[str(c)] = scoring.q2(Decimal(value))
                    result = scoring.score_categories(categories, thresholds)
                    snapshots.append(
                        ScoreSnapshot(
                            assessment=assessment,
                            source=source,
                            categories={k: str(v) for k, v in result.categories.items()},
                            total=scoring.q2(result.total),
                            rating=scoring.q2(result.rating),
                            level=result.level or "",
                            rules_version=result.rules_version,
                        )
                    )
                # Published: the assessment's status says so (the report reads it from there).
                reports.append(
                    Feedback(
                        assessment=assessment,
                        organisation_name=assessment.organisation.official_name_th,
                    )
                )
            ScoreSnapshot.objects.bulk_create(snapshots, batch_size=2000)
            Feedback.objects.bulk_create(reports, batch_size=2000)
            # The submitted answers, two submitted reviews with a score per item, and the
            # team's consensus, as the services leave them (texts left out).
            submissions = Submission.objects.bulk_create(
                Submission(assessment=a, number=1, content={"items": {}}) for a in assessments
            )
            now = timezone.now()
            reviews = Review.objects.bulk_create(
                Review(
                    assessment=a,
                    assessor=assessors[(i + k) % len(assessors)],
                    submission=submission,
                    submitted_at=now,
                )
                for i, (a, submission) in enumerate(zip(assessments, submissions, strict=True))
                for k in (0, 1)
            )
            ItemScore.objects.bulk_create(
                (
                    ItemScore(review=review, item_code=code, score=str(rng.choice((100, 200, 300))))
                    for review in reviews
                    for code in items
                ),
                batch_size=5000,
            )
            ConsensusScore.objects.bulk_create(
                (
                    ConsensusScore(assessment=a, item_code=code, score="200")
                    for a in assessments
                    for code in items
                ),
                batch_size=5000,
            )
    if rush:
        build_open_cycle(edition, members, assessors, 2571)


def build_open_cycle(edition, members, assessors, year: int) -> None:  # type: ignore[no-untyped-def]
    """The cycle under way: round 1 open today, assessments submitted, in review or drafts."""
    from django.db import transaction
    from django.utils import timezone

    from pmqa.assessments.models import Assessment, Cycle, Round
    from pmqa.verification.models import Assignment

    today = timezone.localdate()
    with transaction.atomic():
        cycle = Cycle.objects.create(fiscal_year=year, edition=edition)
        Round.objects.create(
            cycle=cycle,
            number=1,
            opens_on=today - datetime.timedelta(days=60),
            closes_on=today + datetime.timedelta(days=30),
        )
        statuses = ["submitted", "submitted", "in_review", "in_review", "draft"]
        assessments = Assessment.objects.bulk_create(
            Assessment(cycle=cycle, organisation=o, status=statuses[i % len(statuses)])
            for i, o in enumerate(members)
        )
        Assignment.objects.bulk_create(
            Assignment(
                assessment=a, assessor=assessors[i % 5 if lead else 5 + i % 15], is_lead=lead
            )
            for i, a in enumerate(assessments)
            if a.status == "in_review"
            for lead in (True, False)
        )


def dataset_parser() -> argparse.ArgumentParser:
    """The options of every benchmark on this dataset: its size, and whether to use the
    database DATABASE_URL names as it is."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--keep-db", action="store_true", help="use DATABASE_URL as it is")
    return parser


def main() -> None:
    parser = dataset_parser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    if not args.keep_db or "DATABASE_URL" not in os.environ:
        workdir = Path(tempfile.mkdtemp(prefix="pmqa-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'national.sqlite3'}"
    os.environ.setdefault("PMQA_DEBUG", "1")
    os.environ["PMQA_ENV_FILE"] = ""
    os.environ.setdefault("PMQA_SECRET_KEY", "bench-only")
    os.environ["DJANGO_SETTINGS_MODULE"] = "pmqa.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    started = time.perf_counter()
    build_dataset(args.organisations, args.years, rush=True)
    built = time.perf_counter() - started

    from pmqa.accounts.models import Membership, Role, User
    from pmqa.assessments.models import Assessment
    from pmqa.organisations.models import Organisation

    admin = User.objects.create_user(username="bench-admin", password="bench-password-1")
    Membership.objects.create(user=admin, role=Role.ADMINISTRATOR, starts_on="2020-01-01")
    agency = Organisation.objects.get(code="TH-96")
    editor = User.objects.create_user(username="bench-editor", password="bench-password-1")
    Membership.objects.create(
        user=editor, role=Role.AGENCY_EDITOR, organisation=agency, starts_on="2020-01-01"
    )
    clients = {"admin": Client(), "editor": Client(), "anonymous": Client()}
    clients["admin"].force_login(admin)
    clients["editor"].force_login(editor)
    from django.core.cache import cache

    pages = [
        ("bare page (baseline)", "anonymous", "/accounts/login/"),
        ("administrator's home", "admin", "/manage/"),
        ("administrator's home, uncached", "admin", "/manage/", cache.clear),
        ("statistics 2569", "admin", "/manage/statistics/2569/"),
        ("statistics CSV", "admin", "/manage/statistics/2569/?format=csv"),
        ("evaluation KPI 2570", "admin", "/manage/kpi/2570/"),
        ("open data CSV 2569", "anonymous", "/open-data/2569.csv"),
        ("agency's home", "editor", "/agency/"),
        ("assessor teams", "admin", "/manage/assignments/"),
        ("assessor teams, filtered", "admin", "/manage/assignments/?year=2571&unassigned=on"),
        ("cycle 2571", "admin", "/manage/cycles/2571/"),
    ]
    results: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load {os.getloadavg()[0]:.2f}",
        "database": connection.vendor,
        "organisations": args.organisations,
        "years": args.years,
        "assessments": Assessment.objects.count(),
        "dataset_seconds": round(built, 1),
        "pages": {},
    }
    baseline = None
    for label, who, url, *before in pages:
        client = clients[who]
        prepare = before[0] if before else lambda: None
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
        times = []
        for _ in range(args.repeat):
            prepare()
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        prepare()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        median = statistics.median(times)
        baseline = baseline or median
        results["pages"][label] = {  # type: ignore[index]
            "median_ms": round(median * 1000, 1),
            "ratio_to_bare": round(median / baseline, 1),
            "queries": len(captured),
            "kilobytes": round(size / 1024),
        }
        ratio = median / baseline
        print(
            f"{label:32} {median * 1000:8.1f} ms  ×{ratio:6.1f}  {len(captured):3} queries"
            f"  {size / 1024:6.0f} KB"
        )
    results["load_after"] = round(os.getloadavg()[0], 2)
    out = ROOT / "bench" / f"national-{connection.vendor}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print("written", out)


if __name__ == "__main__":
    main()
