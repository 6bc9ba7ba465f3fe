"""Loading demo data: deterministic and idempotent (running it again changes nothing)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from pmqa import scoring
from pmqa.accounts.models import Membership, Role, User
from pmqa.assessments.models import Assessment, Cycle, Round, ScoreSnapshot
from pmqa.assessments.services import record_category_scores
from pmqa.criteria.models import Edition
from pmqa.criteria.services import copy_edition, import_edition
from pmqa.feedback.models import Feedback, FeedbackEntry
from pmqa.organisations.models import Organisation
from pmqa.organisations.services import DATA_DIR, REFERENCE_FILES, import_organisations

DATA = Path(__file__).resolve().parent / "data"
CRITERIA_FILE = Path(__file__).resolve().parents[1] / "criteria" / "data" / "pmqa40.yaml"
DEMO_PASSWORD = "pmqa-demo"
# The seed reports' data, by fiscal year.
SEED_FILES = {2561: "narathiwat_2561.yaml", 2563: "isoc_2563.yaml"}
COHORT_YEARS = (2562, 2563, 2564)
COHORT_SIZE = 150

# Round windows as OPDC ran them in these years (round 1 self-assessment, round 2 report).
CYCLES = {
    2561: ((datetime.date(2018, 5, 1), datetime.date(2018, 8, 31)), None),
    2562: ((datetime.date(2019, 4, 1), datetime.date(2019, 7, 31)), None),
    2563: (
        (datetime.date(2020, 3, 1), datetime.date(2020, 6, 30)),
        (datetime.date(2020, 7, 15), datetime.date(2020, 8, 31)),
    ),
    2564: ((datetime.date(2021, 3, 1), datetime.date(2021, 6, 30)), None),
    2570: ((datetime.date(2026, 11, 1), datetime.date(2027, 2, 26)), None),
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    organisation: str | None


ACCOUNTS = (
    DemoAccount("admin", "ผู้ดูแลระบบ สำนักงาน ก.พ.ร.", Role.ADMINISTRATOR, "DEP-OPDC"),
    DemoAccount("narathiwat.editor", "ผู้กรอกข้อมูล จังหวัดนราธิวาส", Role.AGENCY_EDITOR, "TH-96"),
    DemoAccount("narathiwat.approver", "ผู้บริหาร จังหวัดนราธิวาส", Role.AGENCY_APPROVER, "TH-96"),
    DemoAccount("isoc.editor", "ผู้กรอกข้อมูล กอ.รมน.", Role.AGENCY_EDITOR, "DEP-ISOC"),
    DemoAccount("isoc.approver", "ผู้บริหาร กอ.รมน.", Role.AGENCY_APPROVER, "DEP-ISOC"),
    DemoAccount("assessor", "ผู้ตรวจประเมิน", Role.ASSESSOR, "DEP-OCSC"),
    DemoAccount("lead", "หัวหน้าทีมผู้ตรวจประเมิน", Role.LEAD_ASSESSOR, "DEP-NESDC"),
    DemoAccount(
        "chiangmai.approver", "ผู้บริหาร จังหวัดเชียงใหม่ (ข้อมูลสังเคราะห์)", Role.AGENCY_APPROVER, "TH-50"
    ),
)


def ensure_reference_data() -> Edition:
    import_organisations([DATA_DIR / name for name in REFERENCE_FILES])
    edition = Edition.objects.filter(code="pmqa40").first()
    if edition is None or not edition.is_frozen:
        edition = import_edition(yaml.safe_load(CRITERIA_FILE.read_text(encoding="utf-8"))).edition
    return edition


def ensure_year_edition(edition: Edition, year: int) -> Edition:
    """A seed year's criteria, named as OPDC's report of that year names them.

    The FY2561 report's score table calls category 4 "การวัด การวิเคราะห์ และจัดการความรู้"
    (four times, the same each time), and the FY2563 report heads the Government 4.0 pillars
    "ระบบราชการที่…"; the criteria of FY2564 on, and the other years' reports, say "…
    และการจัดการความรู้" and "ภาครัฐที่…". An edition keeps the names its year's reports
    print, so each seed year has its own: a copy of PMQA 4.0 with the names of its report.
    """
    code = f"{edition.code}-{year}"
    existing = Edition.objects.filter(code=code).first()
    if existing is not None:
        return existing
    data = yaml.safe_load((DATA / SEED_FILES[year]).read_text(encoding="utf-8"))
    copy = copy_edition(
        edition=edition, code=code, name_th=f"{edition.name_th} (ปีงบประมาณ พ.ศ. {year})"
    )
    copy.source_note = (
        f"{edition.source_note}; names as OPDC's FY{year} feedback report prints them"
    )
    copy.save(update_fields=["source_note"])
    for number, name in data.get("category_names", {}).items():
        copy.categories.filter(number=number).update(name_th=name)
    for pillar, name in data.get("pillar_names", {}).items():
        copy.pillars.filter(code=pillar).update(name_th=name)
    return copy


def ensure_cycles(edition: Edition) -> dict[int, Cycle]:
    cycles = {}
    for year, windows in CYCLES.items():
        # Each seed year's report is of the kind its document is: FY2563's the award report.
        kind = Cycle.ReportType.AWARD if year == 2563 else Cycle.ReportType.STATUS
        cycle = Cycle.objects.filter(fiscal_year=year).first()
        if cycle is None:
            # A seed year's edition is made with its cycle; a cycle that exists keeps the
            # edition its reports were printed with.
            cycle = Cycle.objects.create(
                fiscal_year=year,
                report_type=kind,
                edition=ensure_year_edition(edition, year) if year in SEED_FILES else edition,
                round2_threshold=Decimal(400),
            )
        # A cycle with a published report keeps its kind: the official record does not change.
        if cycle.report_type != kind and not cycle.assessments.published().exists():
            cycle.report_type = kind
            cycle.save(update_fields=["report_type"])
        for number, window in enumerate(windows, start=1):
            if window is not None:
                Round.objects.get_or_create(
                    cycle=cycle,
                    number=number,
                    defaults={"opens_on": window[0], "closes_on": window[1]},
                )
        cycles[year] = cycle
    return cycles


def ensure_accounts() -> list[DemoAccount]:
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={"full_name": account.full_name, "email": f"{account.username}@example.org"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        organisation = (
            Organisation.objects.get(code=account.organisation) if account.organisation else None
        )
        Membership.objects.get_or_create(
            user=user,
            role=account.role,
            organisation=organisation,
            defaults={"starts_on": datetime.date(2018, 1, 1)},
        )
    return list(ACCOUNTS)


def _snapshot(assessment: Assessment, source: str, categories: list[str]) -> None:
    if assessment.scores.filter(source=source, round_number=1).exists():
        return
    record_category_scores(
        assessment=assessment,
        source=source,
        categories={str(i): Decimal(v) for i, v in enumerate(categories, start=1)},
    )


def _published(assessment: Assessment, published_on: datetime.date | None) -> Feedback:
    organisation = assessment.organisation
    published = {
        "published_on": published_on,
        # The names the report was published under, as publishing keeps them.
        "organisation_name": organisation.official_name_th,
        "organisation_short_name": organisation.short_name_th,
    }
    feedback, created = Feedback.objects.get_or_create(assessment=assessment, defaults=published)
    changed = [name for name, value in published.items() if getattr(feedback, name) != value]
    if changed and not created:
        for name in changed:
            setattr(feedback, name, published[name])
        feedback.save(update_fields=changed)
    return feedback


def _replace_entries(feedback: Feedback, entries: list[dict[str, Any]]) -> None:
    feedback.entries.all().delete()
    FeedbackEntry.objects.bulk_create(FeedbackEntry(feedback=feedback, **e) for e in entries)


def load_narathiwat(cycles: dict[int, Cycle]) -> Assessment:
    data = yaml.safe_load((DATA / SEED_FILES[2561]).read_text(encoding="utf-8"))
    assessment, _created = Assessment.objects.get_or_create(
        cycle=cycles[2561],
        organisation=Organisation.objects.get(code=data["organisation"]),
        defaults={"status": Assessment.Status.PUBLISHED},
    )
    _snapshot(assessment, "self", data["self"])
    _snapshot(assessment, "assessor", data["assessor"])
    feedback = _published(assessment, datetime.date(2018, 11, 26))
    entries = []
    for number, texts in data["categories"].items():
        for kind, key in (("strength", "strengths"), ("ofi", "ofis")):
            for position, text in enumerate(texts[key], start=1):
                entries.append(
                    {
                        "scope": "category",
                        "key": str(number),
                        "kind": kind,
                        "position": position,
                        "text": text,
                    }
                )
    _replace_entries(feedback, entries)
    return assessment


def load_isoc(cycles: dict[int, Cycle]) -> Assessment:
    data = yaml.safe_load((DATA / SEED_FILES[2563]).read_text(encoding="utf-8"))
    assessment, _created = Assessment.objects.get_or_create(
        cycle=cycles[2563],
        organisation=Organisation.objects.get(code=data["organisation"]),
        defaults={"status": Assessment.Status.PUBLISHED},
    )
    _snapshot(assessment, "self", data["self"])
    _snapshot(assessment, "assessor", data["assessor"])
    if not assessment.scores.filter(round_number=2).exists():
        ScoreSnapshot.objects.create(
            assessment=assessment,
            source="assessor",
            round_number=2,
            categories={},
            total=Decimal(data["round2"]),
            rules_version=scoring.RULES_VERSION,
        )
    # The seed report carries no date, so none is printed.
    feedback = _published(assessment, None)
    if feedback.conclusion != data["conclusion"]:
        feedback.conclusion = data["conclusion"]
        feedback.save(update_fields=["conclusion"])
    entries: list[dict[str, Any]] = []
    for pillar, texts in data["achievements"].items():
        entries += [
            {"scope": "pillar", "key": pillar, "kind": "achievement", "position": i, "text": t}
            for i, t in enumerate(texts, start=1)
        ]
    for code, texts in data["items"].items():
        entries += [
            {"scope": "item", "key": code, "kind": "ofi", "position": i, "text": t}
            for i, t in enumerate(texts, start=1)
        ]
    entries += [
        {"scope": "category", "key": "7", "kind": "ofi", "position": i, "text": t}
        for i, t in enumerate(data["category7_ofis"], start=1)
    ]
    entries += [
        {
            "scope": "overall",
            "key": "",
            "kind": "theme",
            "position": i,
            "title": theme["title"],
            "text": theme["text"],
        }
        for i, theme in enumerate(data["themes"], start=1)
    ]
    _replace_entries(feedback, entries)
    return assessment


def load_cohort(cycles: dict[int, Cycle]) -> int:
    """About 150 organisations of every assessed type over three years, clearly synthetic."""
    rng = random.Random(4_0_2563)  # fixed seed: the same cohort every run
    candidates = list(
        Organisation.objects.filter(
            kind__in=[
                Organisation.Kind.PROVINCE,
                Organisation.Kind.DEPARTMENT,
                Organisation.Kind.PUBLIC_ORGANISATION,
            ]
        )
        .exclude(code__in=["DEP-OPDC"])
        .order_by("code")
    )
    chosen = rng.sample(candidates, min(COHORT_SIZE, len(candidates)))
    created = 0
    for organisation in chosen:
        ability = Decimal(rng.randint(2200, 4300)) / 10
        for year in COHORT_YEARS:
            ability = min(Decimal(480), ability + Decimal(rng.randint(0, 250)) / 10)
            cycle = cycles[year]
            if Assessment.objects.filter(cycle=cycle, organisation=organisation).exists():
                continue
            assessment = Assessment.objects.create(
                cycle=cycle,
                organisation=organisation,
                status=Assessment.Status.PUBLISHED,
                is_synthetic=True,
            )
            verified = [_clamp(ability + Decimal(rng.randint(-600, 600)) / 10) for _ in range(7)]
            optimism = Decimal(rng.randint(0, 700)) / 10
            own = [_clamp(v + optimism + Decimal(rng.randint(-150, 150)) / 10) for v in verified]
            _snapshot(assessment, "self", [f"{v}" for v in own])
            _snapshot(assessment, "assessor", [f"{v}" for v in verified])
            _published(assessment, datetime.date(year - 543, 12, 15))
            created += 1
    return created


def load_isoc_profile(assessment: Assessment) -> None:
    """ISOC's organisational profile as its FY2563 report printed it, field by field."""
    from pmqa.accounts.models import User
    from pmqa.assessments.models import Answer
    from pmqa.assessments.services import ensure_answers

    profile = yaml.safe_load((DATA / SEED_FILES[2563]).read_text(encoding="utf-8"))["profile"]
    editor = User.objects.filter(username="isoc.editor").first()
    ensure_answers(assessment=assessment)
    for code, data in profile.items():
        _load_answer(Answer.objects.get(assessment=assessment, key=code), data, editor)


def _load_answer(answer: Any, data: dict[str, Any], by: Any) -> None:
    """Write a loaded answer as its first version. Seed records are loaded, not typed: they
    bypass the editing rules of the workspace (a published assessment is never edited)."""
    from pmqa.assessments.models import Revision

    if answer.data == data:
        return
    answer.data, answer.version = data, answer.version + 1
    answer.updated_at, answer.updated_by = timezone.now(), by
    answer.save(update_fields=["data", "version", "updated_at", "updated_by"])
    Revision.objects.create(
        answer=answer, version=answer.version, data=data, saved_by=by, note="seed_demo"
    )


REVIEW_CASE = "TH-50"  # a province with no tie to the demo assessors' organisations
SYNTHETIC = "ข้อมูลสังเคราะห์สำหรับสาธิต"


def load_review_case(cycles: dict[int, Cycle]) -> Assessment | None:
    """A synthetic, labelled FY2570 submission assigned to the demo assessor team, so that
    the assessor and lead pages have something to show. Never a real agency's answers."""
    from pmqa.assessments.models import Answer
    from pmqa.assessments.profile import SECTIONS
    from pmqa.assessments.services import ensure_answers, submit_assessment
    from pmqa.verification.teams import assign_team

    organisation = Organisation.objects.get(code=REVIEW_CASE)
    cycle = cycles[2570]
    if Assessment.objects.filter(cycle=cycle, organisation=organisation).exists():
        return None
    admin = User.objects.get(username="admin")
    approver = User.objects.get(username="chiangmai.approver")
    assessment = Assessment.objects.create(
        cycle=cycle, organisation=organisation, is_synthetic=True
    )
    ensure_answers(assessment=assessment)
    rng = random.Random(2570)
    for answer in Answer.objects.filter(assessment=assessment).order_by("key"):
        _load_answer(answer, _synthetic_answer(answer, SECTIONS, rng), approver)
    round1 = cycle.rounds.get(number=1)
    submit_assessment(assessment=assessment, by=approver, today=round1.opens_on)
    assign_team(
        assessment=assessment,
        lead=User.objects.get(username="lead"),
        members=[User.objects.get(username="assessor")],
        by=admin,
    )
    return assessment


def _synthetic_answer(answer: Any, sections: Any, rng: random.Random) -> dict[str, Any]:
    if answer.kind == "profile":
        section = next(s for s in sections if s.code == answer.key)
        data: dict[str, Any] = {}
        for spec in section.fields:
            if spec.is_group:
                data[spec.key] = [
                    {
                        c.key: ("partner" if c.kind == "choice" else f"{SYNTHETIC} ({c.label})")
                        for c in spec.columns
                    }
                ]
            elif spec.kind == "number":
                data[spec.key] = str(rng.randint(100, 900) * 1000)
            elif spec.kind == "date":
                data[spec.key] = "2026-10-01"
            else:
                data[spec.key] = f"{SYNTHETIC}: {spec.label}"
        return data
    if answer.kind == "results":
        low = rng.randint(50, 70)
        return {
            "kpis": [
                {
                    "name": f"{SYNTHETIC}: ตัวชี้วัดข้อ {answer.key}",
                    "unit": "ร้อยละ",
                    "direction": "higher",
                    "values": {"2568": str(low), "2569": str(low + 5), "2570": str(low + 9)},
                    "target": "80",
                    "comparison": "75",
                    "comparison_source": SYNTHETIC,
                    "band": {"0": "50", "100": "", "200": "", "300": "", "400": "", "500": "90"},
                }
            ],
            "note": "",
            "evidence": [],
        }
    empty = {"approach": "", "deployment": "", "learning": "", "integration": ""}
    return {
        "ticks": {
            "basic": list(range(1, rng.randint(1, 3) + 1)),
            "advance": [],
            "significance": [],
        },
        "narrative": {
            "basic": {**empty, "approach": f"{SYNTHETIC}: การดำเนินการในข้อ {answer.key}"},
            "advance": dict(empty),
            "significance": dict(empty),
        },
        "evidence": [],
    }


def _clamp(value: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(500), value)).quantize(Decimal("0.01"))


@transaction.atomic
def seed_demo() -> list[DemoAccount]:
    edition = ensure_reference_data()
    cycles = ensure_cycles(edition)
    accounts = ensure_accounts()
    load_narathiwat(cycles)
    isoc = load_isoc(cycles)
    load_isoc_profile(isoc)
    load_cohort(cycles)
    load_review_case(cycles)
    return accounts
