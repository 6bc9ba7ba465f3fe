"""Who may do what, when: every URL against every persona, and every action refused in the
states where the action table forbids it (above all after publication), through HTTP."""

from __future__ import annotations

import datetime
import inspect
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import strip_tags

from pmqa.api import tokens as api_tokens
from pmqa.assessments import policy
from pmqa.assessments import services as assessment_services
from pmqa.assessments.models import Answer, Assessment, Round, ScoreSnapshot, StatusChange
from pmqa.assessments.workflow import ACTIONS, ActionRefused, allowed_actions
from pmqa.audit.models import AuditEntry
from pmqa.feedback import services as feedback_services
from pmqa.feedback.models import Feedback, ReportRevision
from pmqa.verification import round2 as round2_services
from pmqa.verification import services as review_services
from pmqa.verification import teams
from pmqa.verification.models import (
    ApplicationReport,
    Clarification,
    ConsensusScore,
    ItemScore,
    Round2Score,
)
from tests.builders import (
    ITEMS,
    complete_report_blocks,
    login,
    open_round2,
    score_every_item,
)

pytestmark = pytest.mark.django_db


def verified(assessment):
    return (
        ScoreSnapshot.objects.filter(assessment=assessment, source="assessor", round_number=1)
        .order_by("-created_at", "-pk")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Every URL, every persona


PERSONAS = (
    "anonymous",
    "editor_b",
    "outsider",
    "member_open",
    "member",
    "lead",
    "editor_a",
    "approver_a",
    "admin",
)


def _row(*statuses):
    return dict(zip(PERSONAS, statuses, strict=True))


# The expected status of a GET of each URL name on a published assessment of agency A, by
# persona: agency B, an assessor not on the team, a team member who has not submitted a
# review, one who has, the lead, an editor where the approver is needed, and so on.
# 302 for the anonymous user is the login page; 405 is a POST-only URL reached by someone of
# the right role (what they may post is in the refusal tests below).
A = 200
ONLY_A = _row(302, 404, 404, 404, 404, 404, A, A, A)
POST_A = _row(302, 405, 404, 404, 404, 404, 405, 405, 405)
TEAM = _row(302, 404, 404, A, A, A, 404, 404, 404)
ADMIN = _row(302, 404, 404, 404, 404, 404, 404, 404, A)
API_ALL = _row(401, A, A, A, A, A, A, A, A)
API_ADMIN = _row(401, 404, 404, 404, 404, 404, 404, 404, A)
URL_TABLE = {
    "home": _row(302, 302, 302, 302, 302, 302, 302, 302, 302),
    "dashboards:agency": _row(302, A, 404, 404, 404, 404, A, A, A),
    "dashboards:assessment": ONLY_A,
    "dashboards:assessor": _row(302, 404, A, A, A, A, 404, 404, A),
    "dashboards:admin": ADMIN,
    "dashboards:what_if": _row(302, A, 404, 404, 404, 404, A, A, A),
    "assessments:start": _row(302, 405, 404, 404, 404, 404, 405, 405, 405),
    "assessments:home": ONLY_A,
    "assessments:profile": ONLY_A,
    "assessments:item": ONLY_A,
    "assessments:history": ONLY_A,
    "assessments:restore": POST_A,
    "assessments:evidence": ONLY_A,
    "assessments:evidence_file": _row(302, 404, 404, 404, 404, 404, 302, 302, 302),
    "assessments:evidence_delete": POST_A,
    "assessments:submit": ONLY_A,
    "assessments:return": POST_A,
    "assessments:ready": POST_A,
    "assessments:reopen": POST_A,
    "assessments:excel": ONLY_A,
    "assessments:excel_import": ONLY_A,
    "reviews_agency:answer": POST_A,
    "reviews_agency:round2": _row(302, 404, 404, 404, 404, 404, A, A, 404),
    "manage:cycles": ADMIN,
    "manage:cycle": ADMIN,
    "verification:assignments": ADMIN,
    "verification:conflicts": ADMIN,
    "feedback:reports": ADMIN,
    "feedback:report": ADMIN,
    "feedback:approve": ADMIN,
    "feedback:publish": ADMIN,
    "feedback:revise": ADMIN,
    "audit:trail": ADMIN,
    "dashboards:statistics_home": _row(302, 404, 404, 404, 404, 404, 404, 404, 302),
    "dashboards:statistics": ADMIN,
    "evaluation:kpi_home": _row(302, 404, 404, 404, 404, 404, 404, 404, 302),
    "evaluation:kpi": ADMIN,
    "evaluation:kpi_rules": ADMIN,
    "open_data": _row(A, A, A, A, A, A, A, A, A),
    # The cycle is still open: its open data appears once its last round has closed.
    "open_data_file": _row(404, 404, 404, 404, 404, 404, 404, 404, 404),
    "reviews:overview": TEAM,
    "reviews:item": TEAM,
    "reviews:profile": TEAM,
    "reviews:clarify": _row(302, 404, 405, 405, 405, 405, 404, 404, 405),
    "reviews:submit": TEAM,
    "reviews:evidence": TEAM,
    "reviews:consensus": _row(302, 404, 404, 404, 404, A, 404, 404, 404),
    "reviews:finalise": _row(302, 404, 404, 404, 404, A, 404, 404, 404),
    "feedback:edit": _row(302, 404, 404, 404, 404, A, 404, 404, 404),
    "feedback:send": _row(302, 404, 404, 404, 404, A, 404, 404, 404),
    "feedback:keep_mine": _row(302, 404, 405, 405, 405, 405, 404, 404, 405),
    "reviews:round2": TEAM,
    "reviews:round2_file": _row(302, 404, 404, 404, 404, 404, 404, 404, 404),
    # The team member who has not submitted a review does not see the team's report.
    "reports:page": _row(302, 404, 404, 404, A, A, A, A, A),
    "reports:xlsx": _row(302, 404, 404, 404, A, A, A, A, A),
    "criteria:list": _row(302, A, A, A, A, A, A, A, A),
    "criteria:detail": _row(302, A, A, A, A, A, A, A, A),
    "criteria:copy": ADMIN,
    "organisations:list": ADMIN,
    "login": _row(A, 302, 302, 302, 302, 302, 302, 302, 302),
    # A GET shows the button (anonymous: "you have logged out"); only a POST logs out.
    "logout": _row(A, A, A, A, A, A, A, A, A),
    "password_change": _row(302, A, A, A, A, A, A, A, A),
    "privacy:notice": _row(A, A, A, A, A, A, A, A, A),
    "privacy:my_data": _row(302, A, A, A, A, A, A, A, A),
    "password_change_done": _row(302, A, A, A, A, A, A, A, A),
    "password_reset": _row(A, A, A, A, A, A, A, A, A),
    "password_reset_done": _row(A, A, A, A, A, A, A, A, A),
    "password_reset_confirm": _row(A, A, A, A, A, A, A, A, A),
    "password_reset_complete": _row(A, A, A, A, A, A, A, A, A),
    "set_language": _row(302, 302, 302, 302, 302, 302, 302, 302, 302),
    # For the load balancer and the monitor: open to all, it says only ok or fail.
    "healthz": _row(A, A, A, A, A, A, A, A, A),
    "healthz_queue": _row(A, A, A, A, A, A, A, A, A),
    # Login safety: the second factor's pages (every persona here has given it, or needs
    # none), the idle timeout's question, and the administrators' audit log.
    "twofactor:verify": _row(302, 302, 302, 302, 302, 302, 302, 302, 302),
    "twofactor:setup": _row(302, A, 302, 302, 302, 302, A, A, 302),
    "twofactor:recovery_codes": _row(302, 302, 302, 302, 302, 302, 302, 302, 302),
    "twofactor:recovery_download": _row(302, 404, 404, 404, 404, 404, 404, 404, 404),
    "twofactor:new_codes": _row(302, 405, 405, 405, 405, 405, 405, 405, 405),
    "twofactor:manage": _row(302, A, A, A, A, A, A, A, A),
    "twofactor:remove": _row(302, 405, 405, 405, 405, 405, 405, 405, 405),
    "session": _row(A, A, A, A, A, A, A, A, A),
    "audit:log": ADMIN,
    "notifications:centre": _row(302, A, A, A, A, A, A, A, A),
    "notifications:go": _row(302, 405, 405, 405, 405, 405, 405, 405, 405),
    "notifications:read_all": _row(302, 405, 405, 405, 405, 405, 405, 405, 405),
    "notifications:settings": _row(302, A, A, A, A, A, A, A, A),
    "tokens:list": _row(302, A, A, A, A, A, A, A, A),
    "tokens:revoke": _row(302, 405, 405, 405, 405, 405, 405, 405, 405),
    # The REST API, asked with each persona's own token (none: 401). Its lists answer everyone
    # with a token, holding what the pages' policy lets them see (tests/test_api.py).
    "api:openapi-json": _row(A, A, A, A, A, A, A, A, A),
    "api:api-root": _row(A, A, A, A, A, A, A, A, A),
    "api:index": _row(A, A, A, A, A, A, A, A, A),
    "api:me": API_ALL,
    "api:organisations": API_ALL,
    "api:organisation": _row(401, 404, 404, A, A, A, A, A, A),
    "api:cycles": API_ALL,
    "api:cycle": API_ALL,
    "api:assessments": API_ALL,
    "api:assessment": _row(401, 404, 404, A, A, A, A, A, A),
    "api:scores": _row(401, 404, 404, A, A, A, A, A, A),
    "api:reports": API_ALL,
    # As reports:page: the team member who has not submitted a review does not see it.
    "api:report": _row(401, 404, 404, 404, A, A, A, A, A),
    # Its files are stored by a task that this test does not run: 404 (JSON) for all.
    "api:report_file": _row(401, 404, 404, 404, 404, 404, 404, 404, 404),
    "api:cycle_statistics": API_ADMIN,
    "api:kpi_results": API_ADMIN,
    "api:token_list": API_ALL,
    # DELETE only; asked with GET, the method is refused before the token is looked at.
    "api:token_revoke": _row(405, 405, 405, 405, 405, 405, 405, 405, 405),
}
# The PDF is printed by Chromium; its gate is the page's (same function), checked in reports.
NOT_IN_TABLE = {"reports:pdf"}


def url_parameters() -> dict[str, set[str]]:
    """Every named URL (Django admin aside) with the names of its parameters."""
    found: dict[str, set[str]] = {}

    def walk(patterns, namespace=None, params=frozenset()):
        for pattern in patterns:
            names = params | set(pattern.pattern.regex.groupindex)
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # Django admin: its own permission system, tested in test_web
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                walk(pattern.url_patterns, inner, names)
            elif isinstance(pattern, URLPattern) and pattern.name:
                found[f"{namespace}:{pattern.name}" if namespace else pattern.name] = names

    walk(get_resolver().url_patterns)
    return found


def test_every_url_is_in_the_permission_table():
    assert set(url_parameters()) - NOT_IN_TABLE == set(URL_TABLE), (
        "A URL exists that the permission table does not list, or the table lists one that "
        "no longer exists."
    )


def _kwargs(name, case, assessment):
    answer = Answer.objects.get(assessment=assessment, key="1.1")
    values = {
        "pk": assessment.pk,
        "code": {"criteria": "pmqa40", "assessments:profile": "OP1a"}.get(
            name.split(":")[0] if name.startswith("criteria:") else name, "1.1"
        ),
        "key": "1.1",
        "revision_pk": answer.revisions.first().pk,
        "kept_pk": 1,
        "evidence_pk": case.evidence.pk,
        "clarification_pk": case.clarification.pk,
        "fiscal_year": assessment.cycle.fiscal_year,
        "year": assessment.cycle.fiscal_year,
        "kind": "pdf" if name == "api:report_file" else "csv",
        "layout": "full",
        "assessment_id": assessment.pk,
        "token_id": 1,
        "cycle_pk": assessment.cycle_id,
        "uidb64": "MQ",
        "token": "set-password",
    }
    if name == "api:organisation":
        values["code"] = assessment.organisation.code
    return {key: values[key] for key in url_parameters()[name]}


def test_every_url_answers_each_persona_as_the_table_says(case):
    assessment = case.published()
    people = {
        "editor_b": case.p.editor_b,
        "outsider": case.outsider,
        "member_open": case.member_open,
        "member": case.member,
        "lead": case.p.lead,
        "editor_a": case.p.editor_a,
        "approver_a": case.p.approver_a,
        "admin": case.p.admin,
    }
    clients = {"anonymous": Client()}
    # The API takes no session: each persona asks it with a token of their own.
    api_clients = {"anonymous": Client()}
    for key, user in people.items():
        clients[key] = Client()
        clients[key].force_login(user)
        _token, secret = api_tokens.create_token(user=user, name="permission table")
        api_clients[key] = Client(headers={"Authorization": f"Bearer {secret}"})
    wrong = []
    for name, expected in URL_TABLE.items():
        url = reverse(name, kwargs=_kwargs(name, case, assessment))
        for persona, status in expected.items():
            client = (api_clients if name.startswith("api:") else clients)[persona]
            got = client.get(url).status_code
            if got != status:
                wrong.append(f"{name} {persona}: expected {status}, got {got}")
    assert wrong == [], "\n".join(wrong)


# ---------------------------------------------------------------------------------------------
# The action table itself


def test_every_action_names_statuses_and_a_capability():
    statuses = set(Assessment.Status.values)
    for name, action in ACTIONS.items():
        assert action.statuses and action.statuses <= statuses, name
        assert action.capability in {"edit", "submit", "review", "lead", "admin"}, name
    # Nothing but a correction by an administrator and round 2 happens after publication.
    after = {n for n, a in ACTIONS.items() if Assessment.Status.PUBLISHED in a.statuses}
    assert after == {
        "report.revise",
        "round2.upload",
        "round2.score",
        "round2.finalise",
    }


def test_the_policy_asks_verification_for_the_team_facts():
    # Reading the team's tables by relation name would tie the policy to verification's models.
    source = inspect.getsource(policy)
    assert not re.search(r"assignments|reviews", source)


# ---------------------------------------------------------------------------------------------
# Every action in every status, through its service


def _attempts(case, assessment):
    """Each action of the table done through its service by someone with its capability, and
    with every condition besides the status met: the member's own review still open, the
    lead's submitted, round 2 open and not yet scored. By action: (who, attempt)."""
    p = case.p
    items = [item for category in case.tree for item in category.items.all()]
    answer = Answer.objects.get(assessment=assessment, key="1.1")
    feedback = Feedback.objects.get(assessment=assessment)
    question = Clarification.objects.filter(assessment=assessment).first()

    def own_review():
        return review_services.review_for(assessment=assessment, assessor=case.member_open)

    def step(action, by, comment=""):
        return by, lambda: feedback_services.feedback_step(
            feedback=feedback, action=action, by=by, comment=comment
        )

    attempts = {
        "answer.edit": (
            p.editor_a,
            lambda: assessment_services.save_answer(
                answer=answer,
                data={**answer.data, "note": "x"},
                base_version=answer.version,
                by=p.editor_a,
            ),
        ),
        "assessment.submit": (
            p.approver_a,
            lambda: assessment_services.submit_assessment(assessment=assessment, by=p.approver_a),
        ),
        "assessment.ready": (
            p.editor_a,
            lambda: assessment_services.tell_ready(assessment=assessment, note="", by=p.editor_a),
        ),
        "assessment.return": (
            p.approver_a,
            lambda: assessment_services.return_to_editors(
                assessment=assessment, reason="แก้", by=p.approver_a
            ),
        ),
        "clarification.answer": (
            p.editor_a,
            lambda: review_services.answer(clarification=question, text="ตอบ", by=p.editor_a),
        ),
        "round2.upload": (
            p.editor_a,
            lambda: round2_services.upload_application_report(
                assessment=assessment,
                upload=SimpleUploadedFile("application.pdf", _pdf().getvalue()),
                raw_name=None,
                limit=1_048_576,
                by=p.editor_a,
            ),
        ),
        "assessment.reopen": (
            p.admin,
            lambda: assessment_services.reopen_assessment(
                assessment=assessment, reason="แก้", by=p.admin
            ),
        ),
        "team.assign": (
            p.admin,
            lambda: teams.assign_team(
                assessment=assessment,
                lead=p.lead,
                members=[case.member, case.member_open],
                by=p.admin,
            ),
        ),
        "report.approve": step("approve", p.admin),
        "report.return": step("return", p.admin, comment="แก้"),
        "report.publish": step("publish", p.admin),
        "report.revise": (
            p.admin,
            lambda: feedback_services.revise_published_report(
                assessment=assessment,
                tree=case.tree,
                scores={"1.1": Decimal(400)},
                reason="แก้",
                by=p.admin,
            ),
        ),
        "review.score": (
            case.member_open,
            lambda: review_services.save_item_score(
                review=own_review(),
                item=items[0],
                rule=case.edition.item_rule,
                given=review_services.ScoreInput(ticks={"basic": [1]}),
                by=case.member_open,
            ),
        ),
        "review.submit": (
            case.member_open,
            lambda: review_services.submit_review(
                review=own_review(), codes=ITEMS, by=case.member_open
            ),
        ),
        "clarification.ask": (
            case.member,
            lambda: review_services.ask(
                assessment=assessment, item_code="1.2", question="ขอเพิ่ม", by=case.member
            ),
        ),
        "round2.score": (
            case.member,
            lambda: round2_services.save_round2_score(
                assessment=assessment, assessor=case.member, score=Decimal(300), comment=""
            ),
        ),
        "consensus.set": (
            p.lead,
            lambda: review_services.set_consensus(
                assessment=assessment,
                items=items,
                given={"1.1": (Decimal(350), "มติทีม")},
                by=p.lead,
            ),
        ),
        "consensus.finalise": (
            p.lead,
            lambda: review_services.finalise_consensus(
                assessment=assessment, tree=case.tree, by=p.lead
            ),
        ),
        "report.draft": (
            p.lead,
            lambda: feedback_services.save_feedback(
                feedback=feedback,
                blocks=complete_report_blocks(case.edition),
                themes=[],
                conclusion="ผ่าน",
                by=p.lead,
            ),
        ),
        "report.submit": step("submit", p.lead),
        "round2.finalise": (
            p.lead,
            lambda: round2_services.finalise_round2(assessment=assessment, by=p.lead),
        ),
    }
    assert set(attempts) == set(ACTIONS), "An action of the table has no attempt here."
    return attempts


class _Undo(Exception):
    """Rolls back an attempt that the table allowed, so that the next starts from the same
    rows."""


@pytest.mark.parametrize("status", Assessment.Status.values)
def test_every_service_refuses_its_action_exactly_where_the_table_does(round2_case, status):
    case = round2_case
    assessment = case.published()
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assessment.refresh_from_db()
    refused, hidden = set(), set()
    for name in ACTIONS:
        # Each from the rows as they are: an attempt changes the objects it was given.
        assessment = case.refresh()
        by, attempt = _attempts(case, assessment)[name]
        # The pages show the action's button only where its service takes it.
        if name not in allowed_actions(assessment, policy.standing_of(by, assessment)):
            hidden.add(name)
        try:
            with transaction.atomic():
                attempt()
                raise _Undo
        except ActionRefused:
            refused.add(name)
        except (_Undo, assessment_services.ServiceError):
            pass  # allowed by the table; refused, if at all, for what the rows hold
    assert refused == {name for name, action in ACTIONS.items() if status not in action.statuses}
    assert hidden == refused
    assert case.refresh().status == status


# ---------------------------------------------------------------------------------------------
# After publication nothing changes


def _post(user, name, *args, data=None):
    client = login(Client(), user)
    return client.post(reverse(name, args=args), data or {})


def test_after_publication_the_lead_cannot_change_or_finalise_the_consensus(case):
    assessment = case.published()
    before = verified(assessment)
    response = _post(
        case.p.lead,
        "reviews:consensus",
        assessment.pk,
        data={**{f"score-{c}": "500" for c in ITEMS}, **{f"reason-{c}": "x" for c in ITEMS}},
    )
    assert response.status_code == 302
    assert set(
        ConsensusScore.objects.filter(assessment=assessment).values_list("score", flat=True)
    ) == {"350"}
    _post(case.p.lead, "reviews:finalise", assessment.pk)
    assert verified(assessment).pk == before.pk and before.total == Decimal("350.00")
    page = login(Client(), case.p.editor_a).get(reverse("reports:page", args=[assessment.pk]))
    assert "350.00" in page.content.decode() and "500.00" not in page.content.decode()


def test_after_publication_reviews_clarifications_and_the_report_text_are_closed(case):
    assessment = case.published()
    # The member who never submitted cannot score or submit now.
    response = _post(
        case.member_open, "reviews:item", assessment.pk, "1.1", data={"tick-basic": ["1"]}
    )
    assert response.status_code == 400
    assert "ไม่สามารถแก้ไขคะแนนในผลการตรวจของท่านได้" in response.content.decode()
    assert not ItemScore.objects.filter(review__assessor=case.member_open).exists()
    _post(case.member_open, "reviews:submit", assessment.pk)
    assert not assessment.reviews.filter(
        assessor=case.member_open, submitted_at__isnull=False
    ).exists()
    # Questions and answers are closed.
    _post(case.member, "reviews:clarify", assessment.pk, "1.2", data={"question": "เพิ่มเติม"})
    assert Clarification.objects.filter(assessment=assessment).count() == 1
    _post(
        case.p.editor_a,
        "reviews_agency:answer",
        assessment.pk,
        case.clarification.pk,
        data={"answer": "แก้คำตอบ"},
    )
    assert Clarification.objects.get(pk=case.clarification.pk).answer == "แนบแล้ว"
    # The report's text cannot change.
    before = list(Feedback.objects.get(assessment=assessment).entries.values_list("text"))
    _post(
        case.p.lead,
        "feedback:edit",
        assessment.pk,
        data={"form": "report", "conclusion": "ข้อความใหม่"},
    )
    _post(case.p.lead, "feedback:edit", assessment.pk, data={"action": "prefill"})
    feedback = Feedback.objects.get(assessment=assessment)
    assert feedback.conclusion == "ผ่านระดับพื้นฐาน"
    assert list(feedback.entries.values_list("text")) == before
    # Neither the team nor the answers nor the status move.
    _post(
        case.p.admin,
        "verification:assignments",
        data={"assessment": assessment.pk, "lead": case.p.lead.pk},
    )
    _post(case.p.admin, "assessments:reopen", assessment.pk, data={"reason": "แก้ไข"})
    _post(
        case.p.admin,
        "feedback:report",
        assessment.pk,
        data={"action": "return", "comment": "x"},
    )
    _post(case.p.admin, "feedback:publish", assessment.pk)
    assert case.refresh().status == "published"
    assert Feedback.objects.get(assessment=assessment).status == "published"


def test_a_correction_after_publication_is_an_audited_revision_printed_in_the_report(case):
    assessment = case.published()
    admin = login(Client(), case.p.admin)
    url = reverse("feedback:revise", args=[assessment.pk])
    form = {f"score-{c}": "350" for c in ITEMS}
    response = admin.post(url, {**form, "score-1.1": "450", "reason": ""})
    assert response.status_code == 400
    assert "กรุณาระบุเหตุผลของการแก้ไข" in response.content.decode()
    response = admin.post(url, {**form, "score-1.1": "abc", "reason": "แก้ไขตามคำอุทธรณ์"})
    assert response.status_code == 400 and "กรุณากรอกคะแนนตั้งแต่ 0 ถึง 500" in response.content.decode()
    assert ReportRevision.objects.count() == 0
    first = verified(assessment)
    response = admin.post(url, {**form, "score-1.1": "450", "reason": "แก้ไขตามคำอุทธรณ์"})
    assert response.status_code == 302
    revision = ReportRevision.objects.get()
    assert revision.old_total == first.total and revision.new_total > first.total
    assert revision.changes == {"1.1": ["350", "450"]}
    assert ScoreSnapshot.objects.filter(pk=first.pk, total=first.total).exists()
    assert AuditEntry.objects.filter(action="report.revise", reason="แก้ไขตามคำอุทธรณ์").exists()
    page = login(Client(), case.p.editor_a).get(reverse("reports:page", args=[assessment.pk]))
    # The words are kept whole in spans (lib.wordbreak); the text is read without them.
    text = strip_tags(page.content.decode())
    # A status assessment writes its text's numerals in Thai, as the letter does.
    assert "ฉบับแก้ไขครั้งที่ ๑" in text and "แก้ไขตามคำอุทธรณ์" in text
    assert f"{revision.new_total}" in text
    # Only administrators correct, and only what is published.
    lead = login(Client(), case.p.lead)
    assert lead.post(url, {**form, "reason": "x"}).status_code == 404


# ---------------------------------------------------------------------------------------------
# Each action refused in the states the table forbids


def test_answers_and_evidence_are_refused_once_submitted(client, case):
    assessment = case.submitted()
    login(client, case.p.editor_a)
    row = Answer.objects.get(assessment=assessment, key="1.1")
    response = client.post(
        reverse("assessments:item", args=[assessment.pk, "1.1"]),
        {"version": row.version, "tick-basic": ["1", "2"]},
        HTTP_HX_REQUEST="true",
    )
    assert "ไม่ได้บันทึก" in response.content.decode()
    assert Answer.objects.get(pk=row.pk).version == row.version
    client.post(
        reverse("assessments:evidence", args=[assessment.pk]),
        {"kind": "link", "url": "https://example.org/x", "label": "ใหม่"},
    )
    assert assessment.evidence.count() == 1
    with pytest.raises(assessment_services.ServiceError):
        assessment_services.save_answer(
            answer=row, data={"x": 1}, base_version=row.version, by=case.p.editor_a
        )


def test_only_a_draft_is_submitted_and_only_by_its_approver(client, case):
    assessment = case.submitted()
    login(client, case.p.approver_a)
    client.post(reverse("assessments:submit", args=[assessment.pk]))
    assert assessment.submissions.count() == 1
    with pytest.raises(assessment_services.ServiceError):
        assessment_services.submit_assessment(assessment=assessment, by=case.p.editor_b)


def test_the_approver_returns_a_draft_to_the_editors_with_a_reason(
    client, case, django_capture_on_commit_callbacks
):
    assessment = case.assessment
    url = reverse("assessments:return", args=[assessment.pk])
    login(client, case.p.editor_a)
    assert client.post(url, {"reason": "ขอแก้"}).status_code == 403
    login(client, case.p.approver_a)
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400 and "กรุณาระบุเหตุผล" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "กรุณาเพิ่มตัวชี้วัดหมวด 7"}).status_code == 302
    change = StatusChange.objects.get(assessment=assessment)
    assert (change.from_status, change.to_status) == ("draft", "draft")
    assert mail.outbox and mail.outbox[-1].to == ["editor_a@example.org"]
    assert "กรุณาเพิ่มตัวชี้วัดหมวด 7" in mail.outbox[-1].body
    home = login(Client(), case.p.editor_a).get(reverse("assessments:home", args=[assessment.pk]))
    assert "กรุณาเพิ่มตัวชี้วัดหมวด 7" in home.content.decode()
    # Once submitted there is no draft to return.
    case.submitted()
    response = client.post(url, {"reason": "อีกครั้ง"})
    assert (
        response.status_code == 400 and "ไม่สามารถส่งการประเมินตนเองกลับ" in response.content.decode()
    )
    assert StatusChange.objects.filter(from_status="draft", to_status="draft").count() == 1


def test_a_submitted_review_and_a_closed_review_refuse_new_scores(case):
    assessment = case.reviewed()
    before = ItemScore.objects.get(review__assessor=case.member, item_code="1.1").score
    _post(
        case.member,
        "reviews:item",
        assessment.pk,
        "1.1",
        data={"override": "500", "override_reason": "x"},
    )
    assert ItemScore.objects.get(review__assessor=case.member, item_code="1.1").score == before
    _post(case.member, "reviews:submit", assessment.pk)
    assert assessment.reviews.filter(submitted_at__isnull=False).count() == 2


def test_the_team_report_opens_to_an_assessor_only_after_their_own_review(case):
    assessment = case.consensus()
    for name in ("reports:page", "reports:xlsx"):
        url = reverse(name, args=[assessment.pk])
        assert login(Client(), case.member_open).get(url).status_code == 404
        assert login(Client(), case.member).get(url).status_code == 200
    # Nor can the late member still write scores after the consensus.
    _post(case.member_open, "reviews:item", assessment.pk, "1.1", data={"tick-basic": ["1"]})
    assert not ItemScore.objects.filter(review__assessor=case.member_open).exists()


def test_the_report_steps_follow_the_table(case):
    assessment = case.consensus()
    admin = login(Client(), case.p.admin)
    # Not yet submitted by the lead: nothing to approve or publish.
    admin.post(reverse("feedback:approve", args=[assessment.pk]))
    admin.post(reverse("feedback:publish", args=[assessment.pk]))
    assert all(f.status == "draft" for f in Feedback.objects.filter(assessment=assessment))
    case.refresh()
    assert assessment.status == "consensus"


def test_publication_asks_for_confirmation_and_says_what_becomes_final(case):
    assessment = case.approved()
    admin = login(Client(), case.p.admin)
    page = admin.get(reverse("feedback:publish", args=[assessment.pk])).content.decode()
    assert "สิ่งที่จะถือเป็นข้อยุติ" in page and "350.00" in page
    assert case.refresh().status == "report_approved"
    assert admin.post(reverse("feedback:publish", args=[assessment.pk])).status_code == 302
    assert case.refresh().status == "published"


# ---------------------------------------------------------------------------------------------
# Round 2


@pytest.fixture
def round2_case(case, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case.assessment.cycle.round2_threshold = Decimal("300")
    case.assessment.cycle.save()
    open_round2(case.assessment.cycle)
    return case


def _pdf(name="application.pdf"):
    upload = io.BytesIO(b"%PDF-1.4\nreport\n%%EOF\n")
    upload.name = name
    return upload


def test_round_2_is_closed_to_the_agency_before_publication_with_one_neutral_message(round2_case):
    case = round2_case
    assessment = case.approved()
    agency = login(Client(), case.p.approver_a)
    page = agency.get(reverse("reviews_agency:round2", args=[assessment.pk])).content.decode()
    # What the page says, not its addresses (an assessment's number may hold "300").
    shown = strip_tags(page)
    assert "350" not in shown and "300" not in shown
    response = agency.post(
        reverse("reviews_agency:round2", args=[assessment.pk]), {"file": _pdf()}, follow=True
    )
    text = response.content.decode()
    assert "รอบที่ 2 ยังไม่เปิดสำหรับการประเมินนี้" in text
    assert "เกณฑ์" not in text.split("รอบที่ 2 ยังไม่เปิด")[0][-200:]
    assert not ApplicationReport.objects.exists()


def test_round_2_is_scored_once_and_finalised_once(round2_case):
    case = round2_case
    assessment = case.published()
    agency = login(Client(), case.p.approver_a)
    agency.post(reverse("reviews_agency:round2", args=[assessment.pk]), {"file": _pdf()})
    assert ApplicationReport.objects.filter(assessment=assessment).exists()
    _post(case.member, "reviews:round2", assessment.pk, data={"score": "340"})
    _post(case.p.lead, "reviews:round2", assessment.pk, data={"score": "abc"})
    _post(case.p.lead, "reviews:round2", assessment.pk, data={"score": "350"})
    _post(case.p.lead, "reviews:round2", assessment.pk, data={"action": "finalise"})
    _post(case.p.lead, "reviews:round2", assessment.pk, data={"action": "finalise"})
    finals = ScoreSnapshot.objects.filter(assessment=assessment, round_number=2)
    assert [s.total for s in finals] == [Decimal("345.00")]
    _post(case.member, "reviews:round2", assessment.pk, data={"score": "500"})
    assert Round2Score.objects.get(assessor=case.member).score == Decimal("340")
    agency.post(reverse("reviews_agency:round2", args=[assessment.pk]), {"file": _pdf("v2.pdf")})
    assert ApplicationReport.objects.get().original_name == "application.pdf"


def test_round_2_uploads_follow_the_round_dates_and_stop_once_scoring_starts(
    round2_case, django_capture_on_commit_callbacks
):
    case = round2_case
    assessment = case.published()
    agency = login(Client(), case.p.approver_a)
    url = reverse("reviews_agency:round2", args=[assessment.pk])
    Round.objects.filter(cycle=assessment.cycle, number=2).update(
        closes_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    text = agency.post(url, {"file": _pdf()}, follow=True).content.decode()
    assert not ApplicationReport.objects.exists() and "รอบที่ 2 ยังไม่เปิด" in text
    Round.objects.filter(cycle=assessment.cycle, number=2).update(
        closes_on=datetime.date.today() + datetime.timedelta(days=1)
    )
    agency.post(url, {"file": _pdf("first.pdf")})
    with django_capture_on_commit_callbacks(execute=True):
        agency.post(url, {"file": _pdf("second.pdf")})
    report = ApplicationReport.objects.get()
    assert report.original_name == "second.pdf"
    # The first file is gone from storage; only the current one is kept.
    assert sorted(report.file.storage.listdir(f"application-reports/{assessment.pk}")[1]) == [
        report.file.name.rsplit("/", 1)[1]
    ]
    _post(case.member, "reviews:round2", assessment.pk, data={"score": "300"})
    agency.post(url, {"file": _pdf("third.pdf")})
    assert ApplicationReport.objects.get().original_name == "second.pdf"


def test_the_round_2_file_is_sandboxed_and_a_missing_file_is_not_found(round2_case):
    case = round2_case
    assessment = case.published()
    agency = login(Client(), case.p.approver_a)
    agency.post(reverse("reviews_agency:round2", args=[assessment.pk]), {"file": _pdf()})
    lead = login(Client(), case.p.lead)
    response = lead.get(reverse("reviews:round2_file", args=[assessment.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    report = ApplicationReport.objects.get()
    report.file.storage.delete(report.file.name)
    assert lead.get(reverse("reviews:round2_file", args=[assessment.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Bad input


def test_non_numeric_ids_in_the_assignment_form_get_a_message_not_a_500(client, case):
    assessment = case.submitted()
    login(client, case.p.admin)
    response = client.post(
        reverse("verification:assignments"),
        {"assessment": "abc", "lead": "x", "members": ["1; DROP"]},
    )
    assert response.status_code == 400
    assert "กรุณาเลือกการประเมิน" in response.content.decode()
    assert not assessment.assignments.exists()


def test_an_assignments_csv_field_over_the_csv_limit_gets_a_message(client, case):
    case.submitted()
    login(client, case.p.admin)
    text = "organisation,fiscal_year,username,role\n" + '"' + "x" * 200_000 + '",2570,a,lead\n'
    upload = io.BytesIO(text.encode())
    upload.name = "teams.csv"
    response = client.post(reverse("verification:assignments"), {"form": "csv", "file": upload})
    assert response.status_code == 400
    assert "อ่านไฟล์เป็น CSV ไม่ได้" in response.content.decode()


def test_control_characters_are_stripped_from_what_is_saved(client, case):
    login(client, case.p.editor_a)
    row = Answer.objects.get(assessment=case.assessment, key="1.1")
    client.post(
        reverse("assessments:item", args=[case.assessment.pk, "1.1"]),
        {
            "version": row.version,
            "tick-basic": ["1"],
            "n-basic-approach": "มีแนว\x00ทาง\x07ชัดเจน",
        },
    )
    saved = Answer.objects.get(pk=row.pk).data
    assert saved["narrative"]["basic"]["approach"] == "มีแนวทางชัดเจน"


def test_spreadsheet_text_that_starts_like_a_formula_is_written_as_text(case):
    assessment = case.approved()
    feedback = Feedback.objects.get(assessment=assessment)
    feedback.entries.filter(key="1.1").update(text='=HYPERLINK("http://x","y")')
    admin = login(Client(), case.p.admin)
    response = admin.get(reverse("reports:xlsx", args=[assessment.pk]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    hits = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert hits and all(c.data_type == "s" for c in hits)


def test_an_excel_import_with_a_formula_cell_is_refused_with_its_place(client, case):
    login(client, case.p.editor_a)
    download = client.get(reverse("assessments:excel", args=[case.assessment.pk]))
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = book.worksheets[1]
    sheet.cell(row=2, column=2).value = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "filled.xlsx"
    before = list(
        Answer.objects.filter(assessment=case.assessment).values_list("version", flat=True)
    )
    response = client.post(
        reverse("assessments:excel_import", args=[case.assessment.pk]), {"file": buffer}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "เซลล์นี้เป็นสูตร" in text and sheet.title in text
    after = list(
        Answer.objects.filter(assessment=case.assessment).values_list("version", flat=True)
    )
    assert before == after


def test_a_locked_database_answers_503_in_thai_and_can_be_retried(client, case, monkeypatch):
    login(client, case.p.editor_a)
    row = Answer.objects.get(assessment=case.assessment, key="1.1")

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(assessment_services, "save_answer", locked)
    response = client.post(
        reverse("assessments:item", args=[case.assessment.pk, "1.1"]),
        {"version": row.version, "tick-basic": ["1"]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "ระบบไม่ว่างหรือเชื่อมต่อฐานข้อมูลไม่ได้ชั่วคราว" in response.content.decode()
    monkeypatch.undo()
    retried = client.post(
        reverse("assessments:item", args=[case.assessment.pk, "1.1"]),
        {"version": row.version, "tick-basic": ["1"]},
        HTTP_HX_REQUEST="true",
    )
    assert retried.status_code == 200 and Answer.objects.get(pk=row.pk).version == row.version + 1


def test_a_review_page_opened_writes_nothing(case):
    assessment = case.in_review()
    count = assessment.reviews.count()
    client = login(Client(), case.member_open)
    assert client.get(reverse("reviews:overview", args=[assessment.pk])).status_code == 200
    assert client.get(reverse("reviews:item", args=[assessment.pk, "1.1"])).status_code == 200
    assert assessment.reviews.count() == count


@pytest.mark.parametrize("htmx", [True, False])
def test_a_non_numeric_kpi_value_or_version_gets_a_thai_message_not_a_500(client, case, htmx):
    login(client, case.p.editor_a)
    row = Answer.objects.get(assessment=case.assessment, key="7.1")
    url = reverse("assessments:item", args=[case.assessment.pk, "7.1"])
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    posted = {"version": row.version, "k-1-name": "ตัวชี้วัด", "k-1-value_2570": "abc"}
    posted.update({f"k-1-band_{score}": "abc" for score in (0, 500)})
    response = client.post(url, posted, **extra)
    assert response.status_code in (200, 400)
    assert "กรุณากรอกตัวเลข" in response.content.decode()
    # The rest is saved; each refused number is left empty and stays marked on the page.
    saved = Answer.objects.get(pk=row.pk)
    assert saved.version == row.version + 1
    assert saved.data["kpis"][0]["name"] == "ตัวชี้วัด"
    assert saved.data["kpis"][0]["values"]["2570"] == ""
    assert saved.data["kpis"][0]["band"]["0"] == ""
    response = client.post(url, {"version": "x", "k-1-value_2570": "1e99999"}, **extra)
    assert response.status_code < 500
    assert Answer.objects.get(pk=row.pk).version == saved.version


def test_a_bad_score_keeps_what_the_assessor_typed_and_saves_nothing(case):
    assessment = case.in_review()
    client = login(Client(), case.member)
    url = reverse("reviews:item", args=[assessment.pk, "1.1"])
    response = client.post(
        url,
        {
            "tick-basic": ["1", "9"],
            "override": "๖๐๐",
            "override_reason": "",
            "strengths": "ผู้บริหารสื่อสารชัดเจน",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "กรุณากรอกคะแนนตั้งแต่ 0 ถึง 500" in page
    assert "ผู้บริหารสื่อสารชัดเจน" in page and 'value="๖๐๐"' in page
    assert not ItemScore.objects.filter(review__assessor=case.member).exists()
    response = client.post(url, {"override": "450", "override_reason": ""})
    assert response.status_code == 400
    assert "กรุณาระบุเหตุผลที่กำหนดคะแนนแทนคะแนนที่คำนวณได้" in response.content.decode()
    assert not ItemScore.objects.filter(review__assessor=case.member).exists()
    response = client.post(url, {"tick-basic": ["1"], "strengths": "ดี"})
    assert response.status_code == 302
    assert ItemScore.objects.get(review__assessor=case.member, item_code="1.1").strengths == "ดี"


# ---------------------------------------------------------------------------------------------
# Closed doors found on review


def test_django_admin_shows_official_records_but_changes_none(case):
    assessment = case.published()
    admin = login(Client(), case.p.admin)
    snapshot = verified(assessment)
    change = reverse("admin:assessments_assessment_change", args=[assessment.pk])
    admin.post(change, {"status": "draft", "organisation": assessment.organisation_id})
    assert case.refresh().status == "published"
    delete = reverse("admin:assessments_scoresnapshot_delete", args=[snapshot.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 403
    assert ScoreSnapshot.objects.filter(pk=snapshot.pk).exists()
    entry = AuditEntry.objects.first()
    admin.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"reason": "x"})
    assert AuditEntry.objects.get(pk=entry.pk).reason == entry.reason


def test_an_assessment_with_a_submitted_review_is_not_reopened(case):
    assessment = case.in_review()
    review = review_services.review_for(assessment=assessment, assessor=case.member)
    score_every_item(review, case.edition, case.member)
    review_services.submit_review(review=review, codes=ITEMS, by=case.member)
    admin = login(Client(), case.p.admin)
    url = reverse("assessments:reopen", args=[assessment.pk])
    response = admin.post(url, {"reason": "แก้"}, follow=True)
    assert case.refresh().status == "clarification"
    text = response.content.decode()
    assert "ผู้ตรวจประเมินส่งผลการตรวจของการส่งผลครั้งนี้แล้ว" in text


def test_a_consensus_changed_after_it_was_recorded_records_the_result_again(case):
    assessment = case.consensus()
    assert verified(assessment).total == Decimal("350.00")
    form = {f"score-{c}": "350" for c in ITEMS} | {f"reason-{c}": "มติทีม" for c in ITEMS}
    form["score-1.1"] = "400"
    assert _post(case.p.lead, "reviews:consensus", assessment.pk, data=form).status_code == 302
    result = verified(assessment)
    assert result.total > Decimal("350.00")
    assert result.categories["1"] == "362.50"


def test_the_report_return_comment_stays_with_the_team_and_opdc(case):
    assessment = case.approved()
    _post(
        case.p.admin,
        "feedback:report",
        assessment.pk,
        data={"action": "return", "comment": "หมวด 4 ให้คะแนนสูงเกินไป"},
    )
    assert Feedback.objects.get(assessment=assessment).status == "returned"
    agency = login(Client(), case.p.approver_a)
    page = agency.get(reverse("assessments:home", args=[assessment.pk])).content.decode()
    assert "หมวด 4 ให้คะแนนสูงเกินไป" not in page
    assert case.p.lead.username not in page
    lead = login(Client(), case.p.lead)
    assert (
        "หมวด 4 ให้คะแนนสูงเกินไป"
        in lead.get(reverse("feedback:edit", args=[assessment.pk])).content.decode()
    )


def test_a_member_without_a_submitted_review_learns_nothing_of_round_2(round2_case):
    case = round2_case
    assessment = case.consensus()
    page = (
        login(Client(), case.member_open)
        .get(reverse("reviews:round2", args=[assessment.pk]))
        .content.decode()
    )
    assert "ยังไม่ได้อัปโหลด" not in page


def test_an_answered_question_keeps_its_answer(case):
    assessment = case.in_review()
    review_services.answer(clarification=case.clarification, text="แนบแล้ว", by=case.p.editor_a)
    review_services.ask(assessment=assessment, item_code="1.2", question="อีกข้อ", by=case.member)
    _post(
        case.p.editor_a,
        "reviews_agency:answer",
        assessment.pk,
        case.clarification.pk,
        data={"answer": "เปลี่ยนคำตอบ"},
    )
    assert Clarification.objects.get(pk=case.clarification.pk).answer == "แนบแล้ว"


@pytest.mark.parametrize(
    "name, args, query",
    [
        ("assessments:history", ("1.1",), {"revision": "²"}),
        ("dashboards:what_if", (), {"assessment": "²"}),
    ],
)
def test_odd_digits_in_a_query_are_not_a_500(client, case, name, args, query):
    login(client, case.p.editor_a)
    url_args = ([case.assessment.pk] if name.startswith("assessments") else []) + list(args)
    assert client.get(reverse(name, args=url_args), query).status_code in (200, 404)


def test_odd_digits_and_huge_ids_in_forms_and_urls_are_not_a_500(client, case):
    assessment = case.in_review()
    login(client, case.p.editor_a)
    response = client.post(
        reverse("assessments:item", args=[assessment.pk, "1.1"]), {"version": "²"}
    )
    assert response.status_code < 500
    login(client, case.member)
    response = client.post(
        reverse("reviews:item", args=[assessment.pk, "1.1"]), {"tick-basic": "²"}
    )
    assert response.status_code == 400
    login(client, case.p.admin)
    assert client.get(f"/manage/reports/{'9' * 30}/").status_code == 404
    response = client.post(
        reverse("verification:assignments"),
        {"assessment": assessment.pk, "lead": case.p.lead.pk, "members": ["9" * 30]},
    )
    assert response.status_code == 400 and "กรุณาเลือกสมาชิกทีมจากรายการ" in response.content.decode()


def test_the_history_of_an_answer_never_saved_is_an_empty_list(client, case):
    Answer.objects.filter(assessment=case.assessment, key="OP1a").delete()
    login(client, case.p.editor_a)
    response = client.get(reverse("assessments:history", args=[case.assessment.pk, "OP1a"]))
    assert response.status_code == 200


def test_nul_characters_in_a_csv_or_a_query_never_reach_the_database(client, case):
    case.submitted()
    login(client, case.p.admin)
    text = "organisation,fiscal_year,username,role\nTH-96,2570,lead\x00_1,lead\n"
    upload = io.BytesIO(text.encode())
    upload.name = "teams.csv"
    response = client.post(reverse("verification:assignments"), {"form": "csv", "file": upload})
    assert response.status_code in (200, 302, 400)
    assert client.get(reverse("organisations:list"), {"q": "นรา\x00ธิวาส"}).status_code == 200


def test_a_lost_connection_is_a_503_and_a_plain_form_is_told_to_go_back(client, case, monkeypatch):
    from django.db import InterfaceError

    login(client, case.p.editor_a)

    def closed(**kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(assessment_services, "save_answer", closed)
    url = reverse("assessments:item", args=[case.assessment.pk, "1.1"])
    response = client.post(url, {"version": "0", "tick-basic": ["1"]})
    assert response.status_code == 503
    text = response.content.decode()
    assert "ย้อนกลับหนึ่งหน้า" in text and 'http-equiv="refresh"' not in text


def test_the_review_form_saves_itself_and_marks_a_wrong_score(case):
    assessment = case.in_review()
    client = login(Client(), case.member)
    url = reverse("reviews:item", args=[assessment.pk, "1.1"])
    response = client.post(url, {"tick-basic": ["1"], "strengths": "ดี"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "บันทึกแล้วเมื่อ" in response.content.decode()
    assert ItemScore.objects.get(review__assessor=case.member, item_code="1.1").strengths == "ดี"
    response = client.post(url, {"override": "abc"}, HTTP_HX_REQUEST="true")
    assert "กรุณากรอกคะแนนตั้งแต่ 0 ถึง 500" in response.content.decode()
    assert ItemScore.objects.get(review__assessor=case.member, item_code="1.1").strengths == "ดี"


def test_a_refused_kpi_number_keeps_the_stored_one_and_says_which_box(client, case):
    login(client, case.p.editor_a)
    url = reverse("assessments:item", args=[case.assessment.pk, "7.1"])
    row = Answer.objects.get(assessment=case.assessment, key="7.1")
    kpi = {"k-1-name": "ตัวชี้วัด", "k-1-unit": "ร้อยละ", "k-1-value_2570": "100"}
    client.post(url, {"version": row.version, **kpi})
    saved = Answer.objects.get(pk=row.pk)
    response = client.post(
        url,
        {"version": saved.version, **kpi, "k-1-value_2570": "1O0", "k-2-value_2569": "x"},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert "ตัวชี้วัดที่ 1 ช่องปีงบประมาณ 2570" in text
    data = Answer.objects.get(pk=row.pk).data
    # The typo did not erase the stored 100, and a row holding only a refused value is no KPI.
    assert data["kpis"][0]["values"]["2570"] == "100"
    assert len(data["kpis"]) == 1
