"""The REST API, version 1 (`/api/v1/`, schema at `/api/v1/openapi.json`), read only but for
one's own tokens. Every answer is what the pages would show the token's owner: lists come from
the access policy's querysets and one object is fetched for a need, or 404."""

import json
from functools import wraps
from typing import Any, Literal

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.pagination import PaginationBase, paginate
from ninja.security import HttpBearer
from ninja.throttling import SimpleRateThrottle

from pmqa.accounts.models import ApiToken
from pmqa.accounts.roles import request_access
from pmqa.api import errors, tokens
from pmqa.api.schemas import (
    AssessmentOut,
    CycleOut,
    ErrorOut,
    Index,
    KpiOut,
    Me,
    OrganisationOut,
    ReportOut,
    ScoresOut,
    TokenOut,
)
from pmqa.assessments import policy
from pmqa.assessments.models import Assessment, Cycle, Round, ScoreSnapshot
from pmqa.audit import services as audit
from pmqa.dashboards import statistics
from pmqa.evaluation import kpi
from pmqa.lib.errors import ServiceError
from pmqa.lib.text import strip_controls
from pmqa.organisations.models import Organisation
from pmqa.reports import stored
from pmqa.reports.builders import LAYOUTS
from pmqa.reports.models import StoredReport
from pmqa.reports.views import XLSX_TYPE
from pmqa.scoring.kpi import NoRuleSet

MAX_ID = 10**18 - 1  # as the pages' ids: no lookup overflows a 64-bit column
YEAR = {"ge": 1, "le": 9999}
DEFAULT_PAGE = 20
MAX_PAGE = 100
MAX_OFFSET = 10**9


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`: the request then acts as the token's owner."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = tokens.authenticate(token, request=request)
        if found is None:
            return None
        request.user = found.user
        return found


class TokenThrottle(SimpleRateThrottle):
    """At most PMQA_API_RATE requests per token (each process counts its own)."""

    def __init__(self) -> None:
        self.rate = None

    def allow_request(self, request: HttpRequest) -> bool:
        self.num_requests, self.duration = self.parse_rate(settings.PMQA_API_RATE or None)
        if self.num_requests is None:
            return True
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        token = getattr(request, "auth", None)
        return f"pmqa:api-rate:{token.pk}" if token is not None else None


api = NinjaAPI(
    title="PMQA 4.0",
    version="1",
    description=(
        "Read the organisations, cycles, assessments, scores, published Feedback Reports, "
        "statistics and KPI results that the token's owner may see on the pages. Errors are "
        '`{"error": {"code", "message_th", "message_en"}}`.'
    ),
    urls_namespace="api",
    docs_url=None,
    auth=BearerToken(),
    throttle=TokenThrottle(),
)
errors.install(api)
# What any operation may answer besides its 200, each as `{"error": …}` (pmqa/api/errors.py):
# no or a bad token, not allowed, nothing to see, a method the address does not take, bad
# parameters, too many requests.
FAILURES: dict[int, Any] = {status: ErrorOut for status in (401, 403, 404, 405, 422, 429)}


class Page(PaginationBase):
    """limit (1–100, 20 by default) and offset; every list has a fixed order."""

    class Input(Schema):
        limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[Any]
        count: int
        limit: int
        offset: int

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        offset, limit = pagination.offset, pagination.limit
        return {
            "items": list(queryset[offset : offset + limit]),
            "count": queryset.count(),
            "limit": limit,
            "offset": offset,
        }


class _Rows:
    """A queryset whose page is turned into plain rows (the schema's shape) once sliced."""

    def __init__(self, queryset: QuerySet[Any], shape: Any) -> None:
        self.queryset, self.shape = queryset, shape

    def __getitem__(self, window: slice) -> list[Any]:
        return [self.shape(row) for row in self.queryset[window]]

    def count(self) -> int:
        return self.queryset.count()


def _access(request: HttpRequest) -> Any:
    return request_access(request)


def _admin(request: HttpRequest) -> None:
    # As the pages' admin_required: anyone else is told nothing exists here.
    if not _access(request).is_admin:
        raise Http404


# ---------------------------------------------------------------------------------------------
# Who is asking


@api.get("/", auth=None, response=Index, summary="What this API is", include_in_schema=False)
def index(request: HttpRequest) -> dict[str, str]:
    return {"name": "PMQA 4.0", "version": "1", "schema_url": reverse("api:openapi-json")}


@api.get(
    "/me",
    response={200: Me, **FAILURES},
    summary="The token's owner, their roles and organisations",
)
def me(request: HttpRequest) -> dict[str, Any]:
    access = _access(request)
    codes = Organisation.objects.filter(pk__in=access.agency_org_ids).order_by("code")
    return {
        "username": request.user.get_username(),
        "full_name": request.user.get_full_name(),
        "roles": sorted(access.roles),
        "organisations": list(codes.values_list("code", flat=True)),
    }


# ---------------------------------------------------------------------------------------------
# Organisations and cycles


def _organisations(request: HttpRequest) -> QuerySet[Organisation]:
    access = _access(request)
    found = Organisation.objects.select_related("parent")
    if access.is_admin:
        return found
    visible = policy.visible_to(access, request.user).values("organisation_id")
    return found.filter(Q(pk__in=access.agency_org_ids) | Q(pk__in=visible))


def _organisation(o: Organisation) -> dict[str, Any]:
    return {
        "code": o.code,
        "kind": o.kind,
        "name_th": o.official_name_th,
        "name_en": o.official_name_en,
        "short_name_th": o.short_name_th,
        "parent": o.parent.code if o.parent_id else None,
        "is_active": o.is_active,
    }


OrganisationKind = Literal[tuple(Organisation.Kind.values)]


@api.get(
    "/organisations",
    response={200: list[OrganisationOut], **FAILURES},
    summary="Organisations: all for an administrator; one's own and those one assesses",
)
@paginate(Page)
def organisations(request: HttpRequest, kind: OrganisationKind | None = None) -> _Rows:
    found = _organisations(request)
    if kind:
        found = found.filter(kind=kind)
    return _Rows(found.order_by("code", "pk"), _organisation)


@api.get(
    "/organisations/{code}", response={200: OrganisationOut, **FAILURES}, summary="One organisation"
)
def organisation(
    request: HttpRequest, code: str = Path(..., min_length=1, max_length=32)
) -> dict[str, Any]:
    # The path is not cleaned as queries and forms are: a control character (PostgreSQL
    # refuses a NUL in a text value) names no organisation.
    if strip_controls(code) != code:
        raise Http404
    found = _organisations(request).filter(code=code).first()
    if found is None:
        raise Http404
    return _organisation(found)


def _cycle(cycle: Cycle) -> dict[str, Any]:
    return {
        "fiscal_year": cycle.fiscal_year,
        "edition": cycle.edition.code,
        "round2_threshold": str(cycle.round2_threshold) if cycle.round2_threshold else None,
        "review_due_on": cycle.review_due_on,
        "rounds": [
            {"number": r.number, "opens_on": r.opens_on, "closes_on": r.closes_on}
            for r in cycle.rounds.all()
        ],
    }


def _cycles() -> QuerySet[Cycle]:
    return Cycle.objects.select_related("edition").prefetch_related(
        Prefetch("rounds", queryset=Round.objects.order_by("number"))
    )


@api.get(
    "/cycles",
    response={200: list[CycleOut], **FAILURES},
    summary="Assessment cycles and their rounds",
)
@paginate(Page)
def cycles(request: HttpRequest) -> _Rows:
    return _Rows(_cycles().order_by("-fiscal_year", "pk"), _cycle)


@api.get(
    "/cycles/{fiscal_year}",
    response={200: CycleOut, **FAILURES},
    summary="One cycle, by its fiscal year",
)
def cycle(request: HttpRequest, fiscal_year: int = Path(..., **YEAR)) -> dict[str, Any]:
    found = _cycles().filter(fiscal_year=fiscal_year).first()
    if found is None:
        raise Http404
    return _cycle(found)


# ---------------------------------------------------------------------------------------------
# Assessments and their scores


def _assessment(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "fiscal_year": a.cycle.fiscal_year,
        "organisation": a.organisation.code,
        "organisation_name_th": a.organisation.official_name_th,
        "status": a.status,
        "is_synthetic": a.is_synthetic,
        "created_at": a.created_at,
    }


AssessmentStatus = Literal[tuple(Assessment.Status.values)]


@api.get(
    "/assessments",
    response={200: list[AssessmentOut], **FAILURES},
    summary="The assessments one may open: one's own agency's, the team's once submitted, all "
    "for an administrator",
)
@paginate(Page)
def assessments(
    request: HttpRequest,
    fiscal_year: int | None = Query(None, **YEAR),
    organisation: str | None = Query(None, max_length=32),
    status: AssessmentStatus | None = None,
) -> _Rows:
    found = policy.visible_to(_access(request), request.user).select_related(
        "cycle", "organisation"
    )
    if fiscal_year is not None:
        found = found.filter(cycle__fiscal_year=fiscal_year)
    if organisation:
        found = found.filter(organisation__code=organisation)
    if status:
        found = found.filter(status=status)
    return _Rows(found.order_by("-cycle__fiscal_year", "organisation__code", "pk"), _assessment)


def _get(request: HttpRequest, assessment_id: int, need: str) -> Assessment:
    return policy.get_assessment(request, assessment_id, need)


ID = Path(..., ge=1, le=MAX_ID)


@api.get(
    "/assessments/{assessment_id}",
    response={200: AssessmentOut, **FAILURES},
    summary="One assessment",
)
def assessment(request: HttpRequest, assessment_id: int = ID) -> dict[str, Any]:
    return _assessment(_get(request, assessment_id, policy.VIEW))


def _snapshot(s: ScoreSnapshot) -> dict[str, Any]:
    return {
        "source": s.source,
        "round_number": s.round_number,
        "total": str(s.total),
        "rating": str(s.rating) if s.rating is not None else None,
        "level": s.level,
        "categories": {key: str(value) for key, value in s.categories.items()},
        "rules_version": s.rules_version,
        "created_at": s.created_at,
    }


@api.get(
    "/assessments/{assessment_id}/scores",
    response={200: ScoresOut, **FAILURES},
    summary="The self-assessment's figures, and the verified ones where one may see them",
)
def scores(request: HttpRequest, assessment_id: int = ID) -> dict[str, Any]:
    found = _get(request, assessment_id, policy.VIEW)
    own = found.scores.newest(ScoreSnapshot.Source.SELF)
    verified = None
    if policy.standing(request, found).has(policy.RESULTS):
        verified = []
        for number in (1, 2):
            newest = found.scores.newest(ScoreSnapshot.Source.ASSESSOR, number)
            if newest is not None:
                verified.append(_snapshot(newest))
    return {
        "assessment": found.pk,
        "self_assessment": _snapshot(own) if own is not None else None,
        "verified": verified,
    }


# ---------------------------------------------------------------------------------------------
# Published reports


def _report(a: Assessment) -> dict[str, Any]:
    revision = stored.current_revision(a)
    files = [
        {
            "layout": f.layout,
            "kind": f.kind,
            "size": f.size,
            "sha256": f.sha256,
            "url": reverse(
                "api:report_file",
                kwargs={"assessment_id": a.pk, "layout": f.layout, "kind": f.kind},
            ),
        }
        for f in sorted(a.stored_reports.all(), key=lambda f: (f.layout, f.kind))
        if f.revision == revision
    ]
    return {
        "assessment": a.pk,
        "fiscal_year": a.cycle.fiscal_year,
        "organisation": a.organisation.code,
        "organisation_name_th": a.organisation.official_name_th,
        "published_on": a.feedback.published_on,
        "corrections": revision,
        "files": files,
    }


def _reports(request: HttpRequest) -> QuerySet[Assessment]:
    return (
        policy.published_reports_visible_to(_access(request), request.user)
        .select_related("cycle", "organisation", "feedback")
        .prefetch_related("stored_reports", "feedback__revisions")
    )


@api.get(
    "/reports",
    response={200: list[ReportOut], **FAILURES},
    summary="Published Feedback Reports one may open, with their stored files",
)
@paginate(Page)
def reports(request: HttpRequest, fiscal_year: int | None = Query(None, **YEAR)) -> _Rows:
    found = _reports(request)
    if fiscal_year is not None:
        found = found.filter(cycle__fiscal_year=fiscal_year)
    return _Rows(found.order_by("-cycle__fiscal_year", "organisation__code", "pk"), _report)


def _published(request: HttpRequest, assessment_id: int) -> Assessment:
    # The pages' gate of the report (the `report` need), and only once published.
    found = _get(request, assessment_id, policy.REPORT)
    if not found.is_published:
        raise Http404
    return found


@api.get(
    "/reports/{assessment_id}",
    response={200: ReportOut, **FAILURES},
    summary="One published report",
)
def report(request: HttpRequest, assessment_id: int = ID) -> dict[str, Any]:
    return _report(_published(request, assessment_id))


@api.get(
    "/reports/{assessment_id}/{layout}/{kind}",
    summary="A published report's stored file (PDF or Excel), as it was issued",
    response=FAILURES,
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def report_file(
    request: HttpRequest,
    assessment_id: int = ID,
    layout: Literal[LAYOUTS] = Path(...),
    kind: Literal[tuple(StoredReport.Kind.values)] = Path(...),
) -> Any:
    found = _published(request, assessment_id)
    row = stored.stored_file(found, layout, kind)
    try:
        handle = row.file.open("rb") if row is not None else None
    except (FileNotFoundError, OSError):
        handle = None
    if row is None or handle is None:
        return errors.respond(
            api,
            request,
            "not_found",
            _(
                "This file of the report is not stored yet; it is made in the background "
                "after publication. Try again in a few minutes."
            ),
        )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=stored.download_name(found, layout, kind),
        content_type="application/pdf" if kind == StoredReport.Kind.PDF else XLSX_TYPE,
    )
    response["ETag"] = f'"{row.sha256}"'
    # Handed out as the pages hand it out, and recorded alike.
    audit.record_download(
        request,
        action="download.report",
        obj=found,
        new={"format": kind, "layout": layout, "via": "api"},
    )
    return response


# ---------------------------------------------------------------------------------------------
# Statistics and the KPI (administrators, as the pages)

StatisticsKind = Literal["department", "province", "public_organisation", "other"]


@api.get(
    "/statistics/{fiscal_year}",
    response={200: dict[str, Any], **FAILURES},
    summary="A cycle's statistics, as the statistics page's JSON download (administrators)",
)
def cycle_statistics(
    request: HttpRequest,
    fiscal_year: int = Path(..., **YEAR),
    type: StatisticsKind | None = None,  # noqa: A002  (the page's own parameter name)
    parent: str | None = Query(None, max_length=32),
    include_synthetic: bool = False,
) -> Any:
    _admin(request)
    found = Cycle.objects.select_related("edition").filter(fiscal_year=fiscal_year).first()
    if found is None:
        raise Http404
    above = None
    if parent:
        above = Organisation.objects.filter(
            code=parent,
            kind__in=(Organisation.Kind.MINISTRY, Organisation.Kind.PROVINCE_CLUSTER),
        ).first()
        if above is None:
            raise ServiceError(
                _("No ministry or province cluster has this code; give a code from /organisations.")
            )
    filters = statistics.Filters(kind=type or "", parent=above, include_synthetic=include_synthetic)
    figures = json.loads(statistics.to_json(statistics.compute(found, filters)))
    audit.record_download(
        request, action="export.statistics", obj=found, new={"format": "json", "via": "api"}
    )
    return figures


def _figure(value: Any) -> str | None:
    return None if value is None else str(value)


@api.get(
    "/kpi/{fiscal_year}",
    response={200: KpiOut, **FAILURES},
    summary="Every organisation's PMQA KPI targets and score for a fiscal year (administrators)",
)
def kpi_results(request: HttpRequest, fiscal_year: int = Path(..., **YEAR)) -> dict[str, Any]:
    _admin(request)
    try:
        rules, rows = kpi.organisation_kpis(fiscal_year)
    except NoRuleSet:
        return errors.respond(  # type: ignore[return-value]
            api,
            request,
            "not_found",
            _("No KPI rule set covers this fiscal year; it is before the first one."),
        )
    out = [
        {
            "code": r.code,
            "organisation": r.organisation,
            "prior_total": str(r.prior),
            "type": r.type,
            "minimum": str(r.minimum),
            "standard": _figure(r.standard),
            "advanced": str(r.advanced),
            "totals_for_scores": {key: str(value) for key, value in r.reaches.items()},
            "actual_total": _figure(r.actual),
            "kpi_score": _figure(r.score),
        }
        for r in rows
    ]
    audit.record_download(
        request,
        action="export.kpi",
        object_type="kpi",
        object_id=fiscal_year,
        new={"format": "json", "via": "api"},
    )
    return {"fiscal_year": fiscal_year, "rule_set": rules.to_dict(), "organisations": out}


# ---------------------------------------------------------------------------------------------
# One's own tokens


def _token(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "last_used_at": t.last_used_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
    }


@api.get(
    "/tokens",
    response={200: list[TokenOut], **FAILURES},
    summary="One's own API tokens (never the secret)",
)
@paginate(Page)
def token_list(request: HttpRequest) -> _Rows:
    return _Rows(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk"), _token)


@api.delete(
    "/tokens/{token_id}",
    response={200: TokenOut, **FAILURES},
    summary="Revoke one of one's own tokens",
)
def token_revoke(request: HttpRequest, token_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    found = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if found is None:
        raise Http404
    return _token(tokens.revoke_token(token=found, by=request.user, request=request))


def not_found(request: HttpRequest) -> HttpResponse:
    """Any address under /api/ that names no operation."""
    return JsonResponse(errors.body("not_found"), status=404)


def _json_not_allowed(view: Any) -> Any:
    """ninja answers a method an address does not take in plain text: ours in JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse(errors.body("method_not_allowed"), status=405)
            response["Allow"] = allowed
        return response

    return wrapped


def urls() -> tuple[list[Any], str, str]:
    """The API's URL patterns (for include), each answering a wrong method in JSON too."""
    patterns, app_name, namespace = api.urls
    wrapped = [
        URLPattern(p.pattern, _json_not_allowed(p.callback), p.default_args, p.name)
        for p in patterns
    ]
    return wrapped, app_name, namespace
