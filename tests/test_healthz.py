"""/healthz tells a load balancer whether this server can serve: its database and its storage
(the background queue has its own, tests/test_background.py)."""

import pytest
from django.db import OperationalError, connection
from django.urls import reverse


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_it_answers_ok_with_each_check(client, db, media):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok"},
    }
    assert "no-cache" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]


def test_the_storage_probe_leaves_no_file(client, db, media):
    client.get(reverse("healthz"))
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_it_needs_no_login_and_sets_no_cookie(client, db, media):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and not response.cookies


def test_it_answers_503_when_the_database_is_down(client, db, media, monkeypatch):
    def refused(*args, **kwargs):
        raise OperationalError("could not connect to server at 10.1.2.3: Connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", refused)
        response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "fail", "storage": "ok"},
    }
    assert b"10.1.2.3" not in response.content, "the reason is logged, not shown"


def test_it_answers_503_when_the_storage_cannot_be_written(client, db, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "fail"
    assert response.json()["checks"]["database"] == "ok"


def test_the_queue_without_a_queue_is_in_process(client, db):
    response = client.get(reverse("healthz_queue"))
    assert response.status_code == 200 and response.json()["status"] == "in process"


def test_it_refuses_a_post(client, db, media):
    assert client.post(reverse("healthz")).status_code == 405
    assert client.head(reverse("healthz")).status_code == 200
