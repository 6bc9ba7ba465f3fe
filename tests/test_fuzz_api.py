"""The API fuzzed from its own OpenAPI schema with schemathesis, in process through Django's
WSGI application, as an administrator and as an agency editor: whatever the parameters, valid
for the schema or not, no answer is a server error, and every documented answer matches the
schema.

Three kinds of cases per operation: valid for the schema, invalid, and valid with the path
naming rows that exist (a published assessment, its organisation and cycle), so that the
query parameters are fuzzed past the 404. Bounded for the suite: EXAMPLES cases of each kind
per operation and persona, derandomised so that a run is repeatable, no example database, no
time limit per case. The operations are read from the schema, so a new endpoint is fuzzed as
soon as it exists. (schemathesis's pytest plugin does not run under pytest 9 yet: its
strategies are driven with hypothesis here.)"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from pmqa.accounts.models import ApiToken
from pmqa.api import tokens
from pmqa.wsgi import application
from tests.builders import Case

pytestmark = pytest.mark.django_db

EXAMPLES = 25
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def api_schema(settings, tmp_path):
    settings.PMQA_API_RATE = ""
    settings.ALLOWED_HOSTS = ["localhost"]  # the host schemathesis's WSGI client names
    settings.MEDIA_ROOT = tmp_path / "media"
    # As Django's test client does: a request through the WSGI application must not close the
    # test's connection at its end (PostgreSQL's is inside the test's transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz_operation(operation, strategy, token, headers, statuses):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case):
        # DELETE /tokens/{id} may revoke the fuzzing token: it stays usable for the next case.
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
        response = case.call(headers=headers)
        statuses.append((operation.label, response.status_code))
        case.validate_response(response, checks=CHECKS)

    fuzz()


def test_no_input_makes_the_api_answer_a_server_error(api_schema, personas, work_a):
    published = Case(personas, work_a).published()
    known = {
        "assessment_id": published.pk,
        "code": published.organisation.code,
        "fiscal_year": published.cycle.fiscal_year,
    }
    found = [result.ok() for result in api_schema.get_all_operations()]
    assert len(found) >= 15, "the schema lost its operations"
    statuses: list[tuple[str, int]] = []
    for persona in ("admin", "editor_a"):
        token, secret = tokens.create_token(user=getattr(personas, persona), name="fuzz")
        headers = {"Authorization": f"Bearer {secret}"}
        for operation in found:
            names = {p.name for p in operation.path_parameters}
            strategies = [
                operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
            ]
            if names & set(known):
                fixed = {name: value for name, value in known.items() if name in names}
                strategies.append(operation.as_strategy(path_parameters=fixed))
            for strategy in strategies:
                fuzz_operation(operation, strategy, token, headers, statuses)
    # The cases went past the token check to the operations, and reached existing rows.
    reached = {label for label, status in statuses if status == 200}
    assert {
        "GET /api/v1/assessments/{assessment_id}/scores",
        "GET /api/v1/reports/{assessment_id}",
        "GET /api/v1/statistics/{fiscal_year}",
    } <= reached
    assert sum(status == 401 for _label, status in statuses) < len(statuses) / 4
