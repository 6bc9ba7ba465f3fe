"""Every response carries a request id, and the logs are one JSON object per line with it."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.urls import reverse

from pmqa.lib.requestid import JsonFormatter, RequestIdFilter, request_id
from tests.builders import PASSWORD


@pytest.fixture
def request_log():
    """The request log as production writes it, into a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("pmqa.request")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(level)


def lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_it_makes_a_request_id_when_none_comes_in(client):
    response = client.get(reverse("login"))
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    assert client.get(reverse("login")).headers["X-Request-ID"] != request_id


def test_it_keeps_the_proxys_request_id(client):
    response = client.get(reverse("login"), headers={"X-Request-ID": "a1b2c3d4-from.nginx_1"})
    assert response.headers["X-Request-ID"] == "a1b2c3d4-from.nginx_1"


@pytest.mark.parametrize(
    "incoming", ["two words", "x" * 65, "-leading-dash", 'quote"', "ไทย", "a\tb"]
)
def test_it_replaces_an_unsafe_incoming_request_id(client, incoming):
    response = client.get(reverse("login"), headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] != incoming
    assert len(response.headers["X-Request-ID"]) == 32


def test_static_files_and_refusals_carry_the_id_too(client):
    assert "X-Request-ID" in client.get("/favicon.ico").headers
    assert "X-Request-ID" in client.get("/no-such-page/").headers


def test_the_request_log_line_is_json_with_the_request_id(client, request_log):
    client.get(reverse("login"), headers={"X-Request-ID": "req-42"})
    [line] = lines(request_log)
    assert line["request_id"] == "req-42"
    assert line["level"] == "INFO" and line["logger"] == "pmqa.request"
    assert line["method"] == "GET" and line["path"] == "/accounts/login/"
    assert line["status"] == 200 and line["user_id"] is None
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["message"] == "GET /accounts/login/ 200"
    assert line["time"].endswith("+00:00")


def test_the_request_log_names_the_user_but_never_the_password_or_the_body(
    client, personas, request_log
):
    client.post(reverse("login"), {"username": personas.editor_a.username, "password": PASSWORD})
    client.get(reverse("password_change"))
    login, page = lines(request_log)
    assert login["method"] == "POST" and login["status"] == 302
    assert page["user_id"] == personas.editor_a.pk
    assert PASSWORD not in request_log.getvalue()
    assert "username" not in request_log.getvalue()


def test_the_password_reset_token_is_not_logged(client, db, request_log):
    client.get("/accounts/reset/MQ/czr6ab-0123456789abcdef/")
    [line] = lines(request_log)
    assert "czr6ab" not in request_log.getvalue()
    assert line["path"] == "/accounts/reset/…/…/"


def test_every_log_line_of_a_request_has_its_id(client, db, request_log, monkeypatch):
    from pmqa.lib import health

    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(health, "_storage", broken)
    request_handlers = logging.getLogger("pmqa.request").handlers
    [handler] = [h for h in request_handlers if getattr(h, "stream", None) is request_log]
    others = [logging.getLogger("pmqa.lib.health"), logging.getLogger("django.request")]
    for logger in others:
        logger.addHandler(handler)
    try:
        client.get(reverse("healthz"), headers={"X-Request-ID": "probe-7"})
    finally:
        for logger in others:
            logger.removeHandler(handler)
    failure, request, refusal = lines(request_log)
    assert failure["logger"] == "pmqa.lib.health" and "disk gone" in failure["exception"]
    assert refusal["logger"] == "django.request" and refusal["level"] == "ERROR"
    assert {failure["request_id"], request["request_id"], refusal["request_id"]} == {"probe-7"}
    assert request_id.get() is None, "the id outlived its request"


def log_from_a_new_process(env):
    code = (
        "import os, logging, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'pmqa.settings';"
        "django.setup(); logging.getLogger('pmqa.example').warning('ไฟล์ %s', 'หาย')"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("PMQA_")}
    base |= {"PMQA_ENV_FILE": "", "PMQA_SECRET_KEY": "test-only"} | env
    result = subprocess.run(
        [sys.executable, "-c", code], env=base, capture_output=True, text=True, check=True
    )
    return result.stderr.strip()


def test_production_logs_json_and_development_text():
    line = json.loads(log_from_a_new_process({}))
    assert line["message"] == "ไฟล์ หาย" and line["logger"] == "pmqa.example"
    assert line["level"] == "WARNING" and line["request_id"] is None
    text = log_from_a_new_process({"PMQA_DEBUG": "1"})
    assert text.endswith("WARNING pmqa.example [-] ไฟล์ หาย")
    assert log_from_a_new_process({"PMQA_LOG_FORMAT": "text"}).endswith("ไฟล์ หาย")


def test_an_unknown_log_format_is_refused():
    with pytest.raises(subprocess.CalledProcessError) as refused:
        log_from_a_new_process({"PMQA_LOG_FORMAT": "xml"})
    assert "PMQA_LOG_FORMAT must be json or text, not 'xml'." in refused.value.stderr
