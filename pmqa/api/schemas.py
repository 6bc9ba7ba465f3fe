"""What the API answers, as pydantic schemas (they make the OpenAPI schema). Figures are
strings with two decimals, as the reports print them, so that no client rounds them again."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Schema


class Me(Schema):
    username: str
    full_name: str
    roles: list[str]
    organisations: list[str]  # codes of the organisations the person edits or approves for


class OrganisationOut(Schema):
    code: str
    kind: str
    name_th: str
    name_en: str
    short_name_th: str
    parent: str | None  # the parent's code
    is_active: bool


class RoundOut(Schema):
    number: int
    opens_on: datetime.date
    closes_on: datetime.date


class CycleOut(Schema):
    fiscal_year: int
    edition: str
    round2_threshold: str | None
    review_due_on: datetime.date | None
    rounds: list[RoundOut]


class AssessmentOut(Schema):
    id: int
    fiscal_year: int
    organisation: str  # code
    organisation_name_th: str
    status: str
    is_synthetic: bool
    created_at: datetime.datetime


class SnapshotOut(Schema):
    source: str
    round_number: int
    total: str
    rating: str | None
    level: str
    categories: dict[str, str]
    rules_version: str
    created_at: datetime.datetime


class ScoresOut(Schema):
    assessment: int
    self_assessment: SnapshotOut | None
    # The newest verified snapshot of each round; null where the person may not see verified
    # scores yet (as on the pages: the agency once the report is published).
    verified: list[SnapshotOut] | None


class ReportFileOut(Schema):
    layout: str
    kind: str
    size: int
    sha256: str
    url: str


class ReportOut(Schema):
    assessment: int
    fiscal_year: int
    organisation: str
    organisation_name_th: str
    published_on: datetime.date | None
    corrections: int
    files: list[ReportFileOut]  # the stored files of the report as it stands; empty until made


class KpiRowOut(Schema):
    code: str
    organisation: str
    prior_total: str
    type: int
    minimum: str
    standard: str | None
    advanced: str
    totals_for_scores: dict[str, str]
    actual_total: str | None
    kpi_score: str | None


class KpiOut(Schema):
    fiscal_year: int
    rule_set: dict[str, Any]
    organisations: list[KpiRowOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class Index(Schema):
    name: str
    version: str
    schema_url: str


class ErrorDetailOut(Schema):
    location: list[str]
    type: str
    message_en: str


class ErrorBodyOut(Schema):
    code: str
    message_th: str
    message_en: str
    details: list[ErrorDetailOut] | None = None  # a 422's parameters, each with why


class ErrorOut(Schema):
    """Every error the API answers: `{"error": {"code", "message_th", "message_en"}}`."""

    error: ErrorBodyOut
