"""Web hardening: a Content-Security-Policy with no inline script, frames refused, https
enforced by the settings, and `pmqa check --deploy` without a single warning."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from pmqa.assessments.models import Answer
from tests.builders import PDF, PMQA, ROOT, item_url, login, narrative_post, production_env, upload

TEMPLATES = Path(__file__).resolve().parent.parent / "pmqa" / "templates"
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {m.group(0)[:60]}" for m in INLINE_HANDLER.finditer(text)]
        found += [f"{path.name}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
    assert found == []


def test_every_kind_of_page_forbids_inline_script_and_framing(client, personas, work_a):
    pages = [client.get(reverse("login"))]
    login(client, personas.editor_a)
    pages += [
        client.get(reverse("assessments:home", args=[work_a.pk])),
        client.get(reverse("assessments:item", args=[work_a.pk, "1.1"])),
    ]
    for response in pages:
        assert response.status_code == 200
        rules = policy(response)
        assert rules["script-src"] == "script-src 'self'"
        assert rules["default-src"] == "default-src 'self'"
        assert rules["frame-ancestors"] == "frame-ancestors 'none'"
        assert rules["object-src"] == "object-src 'none'"
        assert response["X-Frame-Options"] == "DENY"
        assert "camera=()" in response["Permissions-Policy"]
        assert response["Referrer-Policy"] == "same-origin"
        body = response.content.decode()
        assert not INLINE_HANDLER.search(body) and not INLINE_SCRIPT.search(body)
        assert '"allowEval": false' in body


def test_an_evidence_pdf_may_be_framed_by_our_own_pages_only(
    client, personas, work_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    login(client, personas.editor_a)
    client.get(reverse("assessments:evidence", args=[work_a.pk]))
    assert upload(client, work_a, "plan.pdf", PDF).status_code == 302
    from pmqa.assessments.models import Evidence

    evidence = Evidence.objects.get()
    response = client.get(reverse("assessments:evidence_file", args=[work_a.pk, evidence.pk]))
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_a_plain_http_request_is_redirected_to_https_on_an_https_site(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/accounts/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert Client().get("/healthz").status_code == 200  # the local probe stays on http
    secure = Client().get("/accounts/login/", secure=True)
    assert secure.status_code == 200


def test_https_and_hsts_follow_the_site_address(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS)"
    )

    def read(env):
        result = subprocess.run(
            [str(Path(PMQA).parent / "python"), "-c", code],
            env={**env, "DJANGO_SETTINGS_MODULE": "pmqa.settings"},
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.split()

    env = production_env(tmp_path)
    assert read(env) == ["True", "31536000", "DENY"]
    plain = {**env, "PMQA_SITE_URL": "http://10.0.0.5", "PMQA_SECURE_COOKIES": "0"}
    assert read(plain) == ["False", "0", "DENY"]
    assert read({**env, "PMQA_HSTS_SECONDS": "600"})[1] == "600"


@pytest.mark.parametrize("site", ["https://pmqa.example.go.th"])
def test_the_deploy_check_is_clean_with_production_settings(tmp_path, site):
    env = production_env(tmp_path) | {"PMQA_SITE_URL": site}
    result = subprocess.run(
        [PMQA, "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def test_a_form_with_a_stale_token_is_refused_in_thai_and_saves_nothing(personas, work_a):
    """Django's CSRF check stays on; what it refuses is said in the user's language."""
    client = Client(enforce_csrf_checks=True)
    login(client, personas.editor_a)
    client.get(item_url(work_a, "1.1"))  # the page sets the session's CSRF cookie
    # A token of another secret: that of the page as it was before logging in again.
    response = client.post(
        item_url(work_a, "1.1"), {**narrative_post(0), "csrfmiddlewaretoken": "x" * 32}
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "ส่งแบบฟอร์มไม่สำเร็จ" in body and "โหลดหน้านั้นใหม่" in body
    assert not Answer.objects.filter(assessment=work_a, key="1.1", version__gt=0).exists()

    no_cookie = Client(enforce_csrf_checks=True)
    login(no_cookie, personas.editor_a)
    response = no_cookie.post(item_url(work_a, "1.1"), narrative_post(0))
    assert response.status_code == 403 and "อนุญาตคุกกี้" in response.content.decode()
    assert not Answer.objects.filter(assessment=work_a, key="1.1", version__gt=0).exists()
