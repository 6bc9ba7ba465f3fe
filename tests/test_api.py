"""The REST API through HTTP with personal tokens: each persona sees exactly what the pages let
them see, tokens are hashed at rest and refused once revoked, lists are paged, errors are JSON
in Thai and English, a stored report downloads, and the OpenAPI schema is served."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pmqa.accounts.models import ApiToken
from pmqa.accounts.roles import access_for
from pmqa.api import tokens
from pmqa.assessments import policy
from pmqa.assessments.models import Assessment
from pmqa.audit.models import AuditEntry
from pmqa.lib.errors import ServiceError
from pmqa.reports import stored
from pmqa.reports.models import StoredReport
from tests.builders import PASSWORD, Case, login

pytestmark = pytest.mark.django_db

THAI = re.compile("[\u0e00-\u0e7f]")


def bearer(user, name="ระบบทดสอบ", **extra):
    _token, secret = tokens.create_token(user=user, name=name, **extra)
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def case(personas, work_a, work_b, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PMQA_API_RATE = ""
    return Case(personas, work_a)


def people(case):
    return {
        "editor_a": case.p.editor_a,
        "approver_a": case.p.approver_a,
        "editor_b": case.p.editor_b,
        "outsider": case.outsider,
        "member_open": case.member_open,
        "member": case.member,
        "lead": case.p.lead,
        "admin": case.p.admin,
    }


def listed(client, path, **query):
    """Every row of a paged list, page by page."""
    rows, offset = [], 0
    while True:
        response = client.get(path, {**query, "limit": 100, "offset": offset})
        assert response.status_code == 200, response.content
        page = response.json()
        rows += page["items"]
        offset += 100
        if offset >= page["count"]:
            return rows


# ---------------------------------------------------------------------------------------------
# Rights: the pages' policy, persona by persona


def test_each_persona_lists_and_opens_exactly_the_assessments_the_pages_let_them_open(case):
    published = case.published()
    draft_b = Assessment.objects.get(cycle=published.cycle, organisation=case.p.agency_b)
    every = list(Assessment.objects.all())
    expected = {
        "editor_a": {published.pk, case.p.assessment_a.pk},
        "approver_a": {published.pk, case.p.assessment_a.pk},
        "editor_b": {draft_b.pk, case.p.assessment_b.pk},
        "outsider": set(),
        "member_open": {published.pk},
        "member": {published.pk},
        "lead": {published.pk},
        "admin": {a.pk for a in every},
    }
    for name, user in people(case).items():
        client = bearer(user)
        ids = {row["id"] for row in listed(client, "/api/v1/assessments")}
        assert ids == expected[name], name
        assert ids == set(policy.visible_to(access_for(user), user).values_list("pk", flat=True))
        for assessment in every:
            response = client.get(f"/api/v1/assessments/{assessment.pk}")
            assert response.status_code == (200 if assessment.pk in ids else 404), (
                name,
                assessment,
            )


def test_an_assessor_sees_the_team_assessment_only_once_it_is_submitted(case):
    assessment = case.in_review()
    client = bearer(case.member)
    assert client.get(f"/api/v1/assessments/{assessment.pk}").status_code == 200
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.DRAFT)
    assert client.get(f"/api/v1/assessments/{assessment.pk}").status_code == 404
    assert listed(client, "/api/v1/assessments") == []
    assert client.get(f"/api/v1/assessments/{assessment.pk}/scores").status_code == 404


def test_agency_b_never_sees_agency_a_in_any_list_or_object(case):
    published = case.published()
    client = bearer(case.p.editor_b)
    for path in ("/api/v1/assessments", "/api/v1/reports", "/api/v1/organisations"):
        text = str(listed(client, path))
        assert case.p.agency_a.code not in text, path
    for path in (
        f"/api/v1/assessments/{published.pk}",
        f"/api/v1/assessments/{published.pk}/scores",
        f"/api/v1/reports/{published.pk}",
        f"/api/v1/reports/{published.pk}/full/pdf",
        f"/api/v1/organisations/{case.p.agency_a.code}",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_verified_scores_reach_the_agency_only_once_the_report_is_published(case):
    assessment = case.approved()
    editor = bearer(case.p.editor_a)
    scores = editor.get(f"/api/v1/assessments/{assessment.pk}/scores").json()
    assert scores["self_assessment"]["source"] == "self"
    assert scores["verified"] is None
    admin = bearer(case.p.admin).get(f"/api/v1/assessments/{assessment.pk}/scores").json()
    assert [s["round_number"] for s in admin["verified"]] == [1]
    assert admin["verified"][0]["total"] == "350.00"
    # A team member whose own review is not submitted sees the self-assessment, not the verdict.
    member_open = bearer(case.member_open).get(f"/api/v1/assessments/{assessment.pk}/scores")
    assert member_open.json()["verified"] is None
    case.published()
    scores = editor.get(f"/api/v1/assessments/{assessment.pk}/scores").json()
    assert scores["verified"][0]["total"] == "350.00"
    assert scores["verified"][0]["categories"] == admin["verified"][0]["categories"]


def test_the_report_list_is_the_report_need_of_the_pages(case):
    published = case.published()
    for name, user in people(case).items():
        ids = {row["assessment"] for row in listed(bearer(user), "/api/v1/reports")}
        may = policy.standing_of(user, published).has(policy.REPORT)
        assert ids == ({published.pk} if may else set()), name
        page = Client()
        page.force_login(user)
        assert page.get(reverse("reports:page", args=[published.pk])).status_code == (
            200 if may else 404
        ), name
    # A team member who has not submitted a review: as the page, nothing.
    assert not policy.standing_of(case.member_open, published).has(policy.REPORT)


def test_statistics_and_kpi_answer_administrators_only(case):
    case.published()
    year = case.assessment.cycle.fiscal_year
    admin = bearer(case.p.admin)
    statistics = admin.get(f"/api/v1/statistics/{year}")
    assert statistics.status_code == 200
    assert statistics.json()["fiscal_year"] == year
    assert statistics.json()["organisations"] == 1
    kpi = admin.get(f"/api/v1/kpi/{year}")
    assert kpi.status_code == 200
    assert kpi.json()["fiscal_year"] == year
    assert kpi.json()["organisations"] == []  # nobody has a verified total the year before
    before_the_rules = admin.get("/api/v1/kpi/2400")
    assert before_the_rules.status_code == 404
    assert "KPI rule set" in before_the_rules.json()["error"]["message_en"]
    exports = AuditEntry.objects.filter(action__in=["export.statistics", "export.kpi"])
    assert sorted(exports.values_list("action", flat=True)) == ["export.kpi", "export.statistics"]
    assert admin.get(f"/api/v1/statistics/{year}", {"parent": "NO-SUCH"}).status_code == 400
    for name in ("editor_a", "lead", "member", "outsider"):
        client = bearer(people(case)[name])
        for path in (f"/api/v1/statistics/{year}", f"/api/v1/kpi/{year}"):
            assert client.get(path).status_code == 404, (name, path)


def test_organisations_are_everyone_for_an_administrator_and_ones_own_for_an_agency(case):
    case.published()
    admin_codes = [row["code"] for row in listed(bearer(case.p.admin), "/api/v1/organisations")]
    assert len(admin_codes) > 100
    assert admin_codes == sorted(admin_codes)
    editor = [row["code"] for row in listed(bearer(case.p.editor_a), "/api/v1/organisations")]
    assert editor == [case.p.agency_a.code]
    member = [row["code"] for row in listed(bearer(case.member), "/api/v1/organisations")]
    assert member == [case.p.agency_a.code]
    assert listed(bearer(case.outsider), "/api/v1/organisations") == []


def test_me_names_the_roles_and_organisations_of_the_token(case):
    me = bearer(case.p.approver_a).get("/api/v1/me").json()
    assert me == {
        "username": "approver_a",
        "full_name": "approver_a",
        "roles": ["agency_approver"],
        "organisations": [case.p.agency_a.code],
    }


# ---------------------------------------------------------------------------------------------
# Stored report files


def test_a_published_report_downloads_its_stored_file_through_the_report_gate(
    case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        published = case.published()
    stored.store_published_report(published.pk)  # the database queue (PostgreSQL) runs no task
    row = StoredReport.objects.get(assessment=published, layout="full", kind="pdf", revision=0)
    editor = bearer(case.p.editor_a)
    report = editor.get(f"/api/v1/reports/{published.pk}").json()
    assert {(f["layout"], f["kind"]) for f in report["files"]} == {
        ("full", "pdf"),
        ("full", "xlsx"),
        ("short", "pdf"),
        ("short", "xlsx"),
    }
    url = next(f["url"] for f in report["files"] if (f["layout"], f["kind"]) == ("full", "pdf"))
    response = editor.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    assert hashlib.sha256(content).hexdigest() == row.sha256 == report["files"][0]["sha256"]
    downloads = AuditEntry.objects.filter(action="download.report", object_id=str(published.pk))
    assert [entry.new for entry in downloads] == [{"format": "pdf", "layout": "full", "via": "api"}]
    assert downloads[0].actor == case.p.editor_a
    for user in (case.p.editor_b, case.member_open, case.outsider):
        refused = bearer(user).get(url)
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "not_found"


def test_a_report_not_stored_yet_is_a_json_404_that_says_so(case):
    published = case.published()  # its storing task is never run here
    assert not StoredReport.objects.filter(assessment=published).exists()
    response = bearer(case.p.editor_a).get(f"/api/v1/reports/{published.pk}/short/xlsx")
    assert response.status_code == 404
    error = response.json()["error"]
    assert "not stored yet" in error["message_en"]
    assert THAI.search(error["message_th"])


def test_an_unpublished_report_has_no_file_even_for_the_administrator(case):
    approved = case.approved()
    response = bearer(case.p.admin).get(f"/api/v1/reports/{approved.pk}/full/pdf")
    assert response.status_code == 404


# ---------------------------------------------------------------------------------------------
# Tokens


def test_a_token_made_on_the_page_is_shown_once_and_only_its_hash_is_stored(client, personas):
    login(client, personas.editor_a)
    made = client.post(reverse("tokens:list"), {"name": "ระบบประเมินส่วนราชการ", "lifetime": "30"})
    assert made.status_code == 200
    assert made["Cache-Control"] == "no-store"
    secret = re.search(r'value="(pmqa_[A-Za-z0-9_-]{43})"', made.content.decode()).group(1)
    token = ApiToken.objects.get(user=personas.editor_a)
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[5:13]
    assert timezone.now() + datetime.timedelta(days=29) < token.expires_at
    # Nowhere in the database: not the token table, not the audit trail, not the sessions.
    random_part = secret[5:]
    for table in ("accounts_apitoken", "audit_auditentry", "django_session"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  (fixed table names)
            dump = repr(cursor.fetchall())
        assert random_part not in dump and random_part[8:20] not in dump, table
    assert AuditEntry.objects.filter(action="api.token.create", object_id=str(token.pk)).exists()
    # Shown once: the page again lists it by its first characters only.
    again = client.get(reverse("tokens:list")).content.decode()
    assert random_part not in again and token.prefix in again
    me = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/me")
    assert me.json()["username"] == "editor_a"


def test_a_revoked_token_is_refused_with_a_json_401(client, personas):
    token, secret = tokens.create_token(user=personas.editor_a, name="ทดสอบ")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/me").status_code == 200
    login(client, personas.editor_a)
    response = client.post(reverse("tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    refused = api.get("/api/v1/me")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"].startswith("Bearer")
    assert refused.json()["error"]["code"] == "unauthorized"
    assert AuditEntry.objects.filter(action="api.token.revoke", object_id=str(token.pk)).exists()
    # Already revoked: said so, nothing changes.
    again = client.post(reverse("tokens:revoke", args=[token.pk]), follow=True)
    assert "already revoked" in again.content.decode() or "เพิกถอน" in again.content.decode()
    assert AuditEntry.objects.filter(action="api.token.revoke").count() == 1


def test_expired_unknown_malformed_and_closed_account_tokens_are_refused(personas):
    _t, expired = tokens.create_token(user=personas.editor_a, name="เก่า")
    ApiToken.objects.filter(prefix=expired[5:13]).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    _t, closed = tokens.create_token(user=personas.editor_b, name="ปิด")
    personas.editor_b.is_active = False
    personas.editor_b.save(update_fields=["is_active"])
    for header in (
        f"Bearer {expired}",
        f"Bearer {closed}",
        "Bearer pmqa_" + "A" * 43,
        "Bearer " + "x" * 5000,
        "Basic ZWRpdG9yX2E6cGFzcw==",
        "Bearer",
    ):
        response = Client(headers={"Authorization": header}).get("/api/v1/assessments")
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "unauthorized"
    assert Client().get("/api/v1/assessments").status_code == 401


def test_a_session_without_a_token_is_not_enough(client, personas):
    login(client, personas.admin)
    assert client.get("/api/v1/assessments").status_code == 401


def test_someone_elses_token_cannot_be_revoked_by_page_or_api(client, personas):
    token, _secret = tokens.create_token(user=personas.editor_a, name="ของเอ")
    login(client, personas.editor_b)
    assert client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 404
    response = bearer(personas.editor_b).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_api_lists_and_revokes_ones_own_tokens_without_their_secret(personas):
    token, secret = tokens.create_token(user=personas.editor_a, name="ใช้แล้วทิ้ง")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    rows = api.get("/api/v1/tokens").json()["items"]
    assert [(row["id"], row["prefix"]) for row in rows] == [(token.pk, secret[5:13])]
    assert secret[5:] not in str(rows)
    revoked = api.delete(f"/api/v1/tokens/{token.pk}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert api.get("/api/v1/tokens").status_code == 401


def test_token_use_is_recorded_once_a_minute_and_audited_once_a_day(personas):
    token, secret = tokens.create_token(user=personas.editor_a, name="ใช้งาน")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    for _ in range(3):
        assert api.get("/api/v1/me").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEntry.objects.filter(action="api.token.use", object_id=str(token.pk)).count() == 1


def test_every_token_expires_within_the_longest_life_the_settings_allow(client, personas, settings):
    # Made without an expiry (a script, another caller of the service): it gets the cap.
    api = bearer(personas.editor_a)
    (listed_token,) = api.get("/api/v1/tokens").json()["items"]
    expires = datetime.datetime.fromisoformat(listed_token["expires_at"])
    cap = timezone.now() + datetime.timedelta(days=90)
    assert cap - datetime.timedelta(minutes=1) < expires <= cap
    # Longer than the cap is refused, by the service and on the page, which offers no more.
    with pytest.raises(ServiceError, match="90"):
        tokens.create_token(
            user=personas.editor_a,
            name="นานเกิน",
            expires_at=timezone.now() + datetime.timedelta(days=91),
        )
    login(client, personas.editor_a)
    page = client.get(reverse("tokens:list")).content.decode()
    assert 'value="90"' in page and 'value="365"' not in page and 'value=""' not in page
    assert client.post(reverse("tokens:list"), {"name": "ปี", "lifetime": "365"}).status_code == 400
    assert client.post(reverse("tokens:list"), {"name": "ไม่หมด", "lifetime": ""}).status_code == 400
    settings.PMQA_API_TOKEN_MAX_DAYS = 30
    page = client.get(reverse("tokens:list")).content.decode()
    assert 'value="30"' in page and 'value="90"' not in page
    assert ApiToken.objects.filter(user=personas.editor_a).count() == 1


def password_reset_link(client, email):
    from django.core import mail

    mail.outbox.clear()
    assert client.post(reverse("password_reset"), {"email": email}).status_code == 302
    (sent,) = mail.outbox
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", sent.body).group(1)
    return client.get(link, follow=True).redirect_chain[-1][0]


def test_a_password_change_or_reset_ends_every_token_of_the_account(client, personas):
    new = {"new_password1": "brand-new-pass-2569", "new_password2": "brand-new-pass-2569"}
    api = bearer(personas.editor_a)
    other = bearer(personas.approver_a)
    assert api.get("/api/v1/me").status_code == 200
    login(client, personas.editor_a)
    changed = client.post(reverse("password_change"), {"old_password": PASSWORD, **new})
    assert changed.status_code == 302
    assert api.get("/api/v1/me").status_code == 401
    assert other.get("/api/v1/me").status_code == 200  # another person's token stays
    revoked = AuditEntry.objects.get(action="api.token.revoke")
    assert revoked.reason == "password changed" and revoked.actor == personas.editor_a
    # A password set from a reset e-mail ends them too.
    api = bearer(personas.editor_a)
    assert api.get("/api/v1/me").status_code == 200
    reset = Client()
    form = password_reset_link(reset, "editor_a@example.org")
    again = {"new_password1": "another-pass-2569", "new_password2": "another-pass-2569"}
    assert reset.post(form, again).status_code == 302
    assert api.get("/api/v1/me").status_code == 401


def test_an_administrators_second_factor_reset_ends_the_persons_tokens(client, personas):
    api = bearer(personas.assessor)
    assert api.get("/api/v1/me").status_code == 200
    login(client, personas.admin)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [personas.assessor.pk]},
    )
    assert api.get("/api/v1/me").status_code == 401
    revoked = AuditEntry.objects.get(action="api.token.revoke")
    assert revoked.actor == personas.admin and "second factor" in revoked.reason


def test_the_page_refuses_a_token_without_a_name_and_past_the_limit(client, personas):
    login(client, personas.editor_a)
    response = client.post(reverse("tokens:list"), {"name": "   ", "lifetime": "30"})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    for n in range(tokens.MAX_ACTIVE):
        tokens.create_token(user=personas.editor_a, name=f"ระบบ {n}")
    response = client.post(reverse("tokens:list"), {"name": "อีกหนึ่ง", "lifetime": "30"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == tokens.MAX_ACTIVE


def test_the_token_page_needs_a_login(client):
    response = client.get(reverse("tokens:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---------------------------------------------------------------------------------------------
# Pages of lists, errors, the schema


def test_lists_are_paged_in_a_fixed_order_with_a_largest_page(personas):
    admin = bearer(personas.admin)
    first = admin.get("/api/v1/organisations", {"limit": 5}).json()
    second = admin.get("/api/v1/organisations", {"limit": 5, "offset": 5}).json()
    assert first["count"] == second["count"] > 10
    assert (first["limit"], first["offset"], second["offset"]) == (5, 0, 5)
    codes = [row["code"] for row in first["items"] + second["items"]]
    assert codes == sorted(codes) and len(set(codes)) == 10
    assert admin.get("/api/v1/organisations").json()["limit"] == 20
    beyond = admin.get("/api/v1/organisations", {"offset": 10**9}).json()
    assert beyond["items"] == [] and beyond["count"] == first["count"]
    for query in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"limit": "many"}):
        response = admin.get("/api/v1/organisations", query)
        assert response.status_code == 422, query
        assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/assessments/999999", 404, "not_found"),
        ("/api/v1/assessments/99999999999999999999999", 422, "validation_error"),
        ("/api/v1/no-such-thing", 404, "not_found"),
        ("/api/v2/assessments", 404, "not_found"),
        ("/api/v1/assessments?status=lost", 422, "validation_error"),
        ("/api/v1/reports/1/full/docx", 422, "validation_error"),
        # A NUL in the path never reaches PostgreSQL, which refuses it in a text value.
        ("/api/v1/organisations/TH%0096", 404, "not_found"),
        ("/api/v1/organisations/%00", 404, "not_found"),
    ],
)
def test_errors_are_json_with_a_thai_and_an_english_message(personas, path, status, code):
    response = bearer(personas.admin).get(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert THAI.search(error["message_th"]), error
    assert error["message_en"] and not THAI.search(error["message_en"])
    if code == "validation_error":
        assert error["details"][0]["location"]


def test_a_method_an_address_does_not_take_is_a_json_405(personas):
    response = bearer(personas.admin).post("/api/v1/assessments")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert Client().put("/api/v1/tokens/1").json()["error"]["code"] == "method_not_allowed"


def test_too_many_requests_is_a_json_429_with_retry_after(personas, settings):
    settings.PMQA_API_RATE = "2/min"
    cache.clear()
    api = bearer(personas.editor_a)
    assert [api.get("/api/v1/me").status_code for _ in range(2)] == [200, 200]
    response = api.get("/api/v1/me")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "too_many_requests"
    cache.clear()


def test_an_unexpected_error_is_a_json_500_and_a_lost_database_a_503(personas, monkeypatch):
    import pmqa.api.v1 as v1

    api = bearer(personas.admin)

    def broken(cycle):
        raise RuntimeError("a bug")

    monkeypatch.setattr(v1, "_cycle", broken)
    personas.cycle.rounds.exists()
    response = api.get("/api/v1/cycles")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"

    def lost(cycle):
        raise OperationalError("database is locked")

    monkeypatch.setattr(v1, "_cycle", lost)
    response = api.get("/api/v1/cycles")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response.json()["error"]["code"] == "unavailable"


def test_the_openapi_schema_is_served_and_names_the_bearer_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/me",
        "/api/v1/organisations",
        "/api/v1/cycles",
        "/api/v1/assessments",
        "/api/v1/assessments/{assessment_id}/scores",
        "/api/v1/reports",
        "/api/v1/reports/{assessment_id}/{layout}/{kind}",
        "/api/v1/statistics/{fiscal_year}",
        "/api/v1/kpi/{fiscal_year}",
        "/api/v1/tokens",
    } <= set(schema["paths"])
    schemes = schema["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"bearer"}


def test_the_openapi_schema_declares_every_error_an_operation_answers(client, personas):
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]

    def resolved(node):
        return components[node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node

    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 14
    for path, method, operation in operations:
        responses = operation["responses"]
        assert "200" in responses, (path, method)
        for status in ("401", "403", "404", "405", "422", "429"):
            assert status in responses, (path, method, status)
            error = resolved(responses[status]["content"]["application/json"]["schema"])
            body = resolved(error["properties"]["error"])
            assert {"code", "message_th", "message_en"} <= set(body["required"]), (path, status)
    # What the API really answers has the declared shape: a 422 with its details, a 401.
    declared = resolved(
        resolved(
            schema["paths"]["/api/v1/assessments"]["get"]["responses"]["422"]["content"][
                "application/json"
            ]["schema"]
        )["properties"]["error"]
    )
    answered = bearer(personas.admin).get("/api/v1/assessments?status=lost").json()["error"]
    assert set(answered) <= set(declared["properties"])
    assert set(declared["required"]) <= set(answered)
    refused = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer pmqa_nothing")
    assert refused.status_code == 401 and set(refused.json()) == {"error"}


def test_an_api_call_leaves_the_browsers_login_mark_alone(personas):
    """The token's owner is not who the browser's tabs are logged in as (accounts/tabs.py)."""
    response = bearer(personas.editor_a).get("/api/v1/me")
    assert response.status_code == 200
    assert "pmqa_user" not in response.cookies
