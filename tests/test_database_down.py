"""The database lost under a request, on every path (the session, the tabs' mark, the login
checks, the view): a retryable 503 in Thai with `Retry-After`, never a 500. The fault is the
real one of each database: PostgreSQL refusing the connection (a port nothing listens on),
SQLite's file locked by another connection."""

from __future__ import annotations

import socket
import sqlite3
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from pmqa.lib.middleware import unavailable_response
from tests.builders import PASSWORD, item_url, login

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_gone():
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    if connection.vendor == "postgresql":
        connection.close()
        settings_dict.update(HOST="127.0.0.1", PORT=str(free_port()))
        try:
            yield
        finally:
            connection.close()
            settings_dict.clear()
            settings_dict.update(saved)
        return
    # The test database is SQLite in memory, shared between connections: another one holds
    # it locked for writing, as a long import or a backup would.
    other = sqlite3.connect(settings_dict["NAME"], uri=True, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO django_session VALUES ('lock', '', '2999-01-01')")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def assert_retryable(response):
    assert response.status_code == 503, response.content.decode()[:300]
    assert response["Retry-After"]
    assert "ฐานข้อมูล" in response.content.decode()


def test_every_path_answers_503_while_the_database_is_gone(reference_data, case, caplog):
    # As a browser meets it: the exception is answered by the site, not raised to the test.
    client = Client(raise_request_exception=False)
    login(client, case.p.editor_a)
    page = item_url(case.assessment, "1.1")
    stranger = Client(raise_request_exception=False)
    with database_gone():
        assert_retryable(client.get(page))
        autosave = client.post(page, {"version": "1"}, headers={"HX-Request": "true"})
        assert_retryable(autosave)
        assert "ยังอยู่" in autosave.content.decode()  # the text is still on the page
        assert_retryable(
            stranger.post(
                reverse("login"), {"username": case.p.editor_a.username, "password": PASSWORD}
            )
        )
    # Each is logged once, as a warning; not again as an error with its traceback.
    assert not [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert any("database unavailable" in r.getMessage() for r in caplog.records)
    # Back again: the same pages answer as before.
    assert client.get(page).status_code == 200


@pytest.mark.parametrize(
    "said",
    [
        "FATAL:  sorry, too many clients already",
        "FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute",
        "ERROR:  no more connections allowed (max_client_conn)",
        "ERROR:  query_wait_timeout",
        "ERROR:  server login has been failing, try again later (server_login_retry)",
        "ERROR:  pgbouncer cannot connect to server",
    ],
)
def test_every_connection_slot_taken_is_the_same_503(rf, said):
    # PostgreSQL's and PgBouncer's own words when no connection is left for the request.
    response = unavailable_response(rf.get("/"), OperationalError(said))
    assert response is not None and response.status_code == 503
    assert not unavailable_response(rf.get("/"), OperationalError("syntax error at or near"))


def test_a_stopped_local_server_is_the_same_503(rf):
    # PostgreSQL stopped on the machine itself, reached through its socket.
    said = (
        'connection is bad: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" '
        "failed: No such file or directory\n\tIs the server running locally and accepting "
        "connections on that socket?"
    )
    response = unavailable_response(rf.get("/"), OperationalError(said))
    assert response is not None and response.status_code == 503


def test_every_connection_slot_taken_on_a_real_server_is_a_503(reference_data, case):
    if connection.vendor != "postgresql":
        pytest.skip("connection limits are PostgreSQL's")
    client = Client(raise_request_exception=False)
    login(client, case.p.editor_a)
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    with connection.cursor() as cursor:
        # A role whose every slot is taken: what PostgreSQL says once max_connections or a
        # role's or database's CONNECTION LIMIT is reached.
        cursor.execute("CREATE ROLE pmqa_capped LOGIN PASSWORD 'capped' CONNECTION LIMIT 0")
    try:
        connection.close()
        settings_dict.update(USER="pmqa_capped", PASSWORD="capped")
        assert_retryable(client.get(item_url(case.assessment, "1.1")))
    finally:
        connection.close()
        settings_dict.clear()
        settings_dict.update(saved)
        with connection.cursor() as cursor:
            cursor.execute("DROP ROLE pmqa_capped")
