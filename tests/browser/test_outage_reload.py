"""The database really stops while an editor types, on PostgreSQL: the autosave is answered 503
and retried, a reload during the outage loses nothing (the page keeps the text in the tab's
storage and puts it back), and the text is saved once the database is back."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from pmqa.assessments.models import Answer

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def database_accepts_connections(on: bool) -> None:
    """New connections to the test database refused (or taken again), and every one open but
    the test's own ended, as a stop of the server does to the application. Said from the
    server's maintenance database: a database cannot refuse connections from within."""
    name = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (mine,) = cursor.fetchone()
    params = {**connection.get_connection_params(), "dbname": "postgres", "autocommit": True}
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(on).lower()}')
        if not on:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [name, mine],
            )


def test_a_reload_during_an_outage_keeps_the_text_and_saves_it_after(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    if connection.vendor != "postgresql":
        pytest.skip("stopping the database is PostgreSQL's (SQLite has no server)")
    editor = person("editor")
    editor.login(personas.editor_a.username)
    page_url = f"/agency/assessments/{work_a.pk}/items/1.1/"
    editor.open(page_url)
    page = editor.page
    text = "ทบทวนแผนทุกไตรมาสร่วมกับผู้บริหาร"
    database_accepts_connections(False)
    try:
        page.fill("#n-basic-approach", text)
        page.locator("#n-basic-approach").blur()
        page.wait_for_function(
            "() => document.getElementById('save-status').textContent.includes('ยังไม่ได้บันทึก')"
        )
        assert "ข้อความของท่านยังอยู่" in editor.text()
        # The editor reloads while the database is still away: the page itself is a 503 that
        # tries again by itself; the text is in the tab's storage meanwhile.
        page.reload()
        assert "ฐานข้อมูล" in page.inner_text("body")
    finally:
        database_accepts_connections(True)
    # Back: the 503 page reloads itself, the form comes back with the text and saves it.
    page.wait_for_selector("#n-basic-approach", timeout=30_000)
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('บันทึกแล้ว')",
        timeout=30_000,
    )
    assert page.input_value("#n-basic-approach") == text
    outage = [p for p in editor.problems if "503" in p]
    assert outage
    editor.problems = [p for p in editor.problems if p not in outage]
    saved = Answer.objects.get(assessment=work_a, key="1.1")
    assert saved.data["narrative"]["basic"]["approach"] == text
    editor.open(page_url)
    assert page.input_value("#n-basic-approach") == text


def test_a_proxy_that_cannot_reach_the_server_is_retried_not_called_an_error(
    reference_data,  # noqa: F811
    person,
    personas,
    work_a,
):
    # nginx answers 502 while gunicorn restarts: the page says it retries, and it does.
    editor = person("editor")
    editor.login(personas.editor_a.username)
    editor.open(f"/agency/assessments/{work_a.pk}/items/1.1/")
    page = editor.page
    answered = []

    def restarting(route):
        if route.request.method == "POST" and not answered:
            answered.append(502)
            route.fulfill(status=502, body="<html><body>502 Bad Gateway</body></html>")
        else:
            route.continue_()

    page.route(f"**/agency/assessments/{work_a.pk}/items/1.1/", restarting)
    page.fill("#n-basic-approach", "ประชุมทบทวนทุกเดือน")
    page.locator("#n-basic-approach").blur()
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('จะลองบันทึกอีกครั้งเอง')"
    )
    assert "ผู้ดูแลระบบ" not in page.inner_text("#save-status")
    page.wait_for_function(
        "() => document.getElementById('save-status').textContent.includes('บันทึกแล้ว')",
        timeout=20_000,
    )
    editor.problems = [p for p in editor.problems if "502" not in p]
    saved = Answer.objects.get(assessment=work_a, key="1.1")
    assert saved.data["narrative"]["basic"]["approach"] == "ประชุมทบทวนทุกเดือน"
