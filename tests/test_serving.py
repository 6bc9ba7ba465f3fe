"""Production serving: an unsafe configuration is refused, gunicorn's settings come from the
environment, and the static files are served by their hashed names."""

import os
import re
import runpy
import subprocess
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.templatetags.static import static
from django.test import Client, override_settings

from tests.builders import GOOD_KEY, PMQA, ROOT, production_env

# ---------------------------------------------------------------------------------------------
# Refused: `pmqa check --deploy`

SAFE = {
    "DEBUG": False,
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": ["pmqa.example.go.th"],
    "PMQA_SITE_URL": "https://pmqa.example.go.th",
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


def deploy_errors(**overrides):
    """The ids of the project's deploy errors `pmqa check --deploy` reports."""
    out, err = StringIO(), StringIO()
    with override_settings(**(SAFE | overrides)):
        try:
            call_command("check", deploy=True, stdout=out, stderr=err)
        except SystemCheckError as error:
            return set(re.findall(r"pmqa\.E\d+", str(error)))
    return set(re.findall(r"pmqa\.E\d+", out.getvalue() + err.getvalue()))


@pytest.mark.parametrize(
    "unsafe, refusal",
    [
        ({"DEBUG": True}, "pmqa.E001"),
        ({"SECRET_KEY": "test-only"}, "pmqa.E002"),
        ({"SECRET_KEY": "insecure-development-key"}, "pmqa.E002"),
        ({"SECRET_KEY": "ab" * 40}, "pmqa.E002"),
        ({"SECRET_KEY": "django-insecure-" + GOOD_KEY}, "pmqa.E002"),
        ({"ALLOWED_HOSTS": []}, "pmqa.E003"),
        ({"ALLOWED_HOSTS": ["pmqa.example.go.th", "*"]}, "pmqa.E003"),
        ({"SESSION_COOKIE_SECURE": False, "CSRF_COOKIE_SECURE": False}, "pmqa.E004"),
        ({"MEDIA_ROOT": "/srv/pmqa/static/media", "STATIC_ROOT": "/srv/pmqa/static"}, "pmqa.E006"),
        ({"MEDIA_ROOT": "/srv/pmqa", "STATIC_ROOT": "/srv/pmqa/static"}, "pmqa.E006"),
    ],
)
def test_an_unsafe_setting_is_refused(unsafe, refusal):
    # The suite's own in-memory database is refused too (pmqa.E005): compare with the safe set.
    assert deploy_errors(**unsafe) - deploy_errors() == {refusal}


def test_cookies_may_be_plain_on_a_plain_http_site():
    assert "pmqa.E004" not in deploy_errors(
        PMQA_SITE_URL="http://10.0.0.5:8000", SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    )


def check_deploy(env):
    return subprocess.run(
        [PMQA, "check", "--deploy"], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_a_safe_production_configuration_passes_the_deploy_check(tmp_path):
    result = check_deploy(production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "pmqa.E" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "env, says",
    [
        ({"PMQA_SECRET_KEY": "test-only"}, "PMQA_SECRET_KEY is short"),
        ({"PMQA_ALLOWED_HOSTS": "*"}, "PMQA_ALLOWED_HOSTS is empty or '*'"),
        ({"PMQA_SECURE_COOKIES": "0"}, "PMQA_SITE_URL is https but PMQA_SECURE_COOKIES is off"),
        ({"DATABASE_URL": "sqlite:///:memory:"}, "in-memory SQLite database"),
        ({"PMQA_DEBUG": "1"}, "PMQA_DEBUG is on"),
    ],
)
def test_the_command_refuses_an_unsafe_configuration_and_says_what_to_set(tmp_path, env, says):
    result = check_deploy(production_env(tmp_path, **env))
    assert result.returncode == 1
    assert says in result.stderr and "HINT: " in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------------------
# gunicorn


def gunicorn_settings(monkeypatch, **env):
    for name in ("PMQA_BIND", "PMQA_WORKERS", "PMQA_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "pmqa" / "gunicorn_conf.py"))


def test_gunicorn_listens_locally_with_two_workers_a_core_by_default(monkeypatch):
    conf = gunicorn_settings(monkeypatch)
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["workers"] == 2 * len(os.sched_getaffinity(0))
    assert conf["timeout"] == 60
    assert conf["max_requests"] == 20_000 and 0 < conf["max_requests_jitter"] < 20_000
    assert conf["preload_app"] is True
    assert conf["accesslog"] is None, "the application writes the request log"
    assert conf["logger_class"].__name__ == "JsonLogger"


def test_gunicorn_takes_its_address_workers_and_timeout_from_the_environment(monkeypatch):
    conf = gunicorn_settings(
        monkeypatch, PMQA_BIND="0.0.0.0:9000", PMQA_WORKERS="3", PMQA_TIMEOUT="120"
    )
    assert (conf["bind"], conf["workers"], conf["timeout"]) == (["0.0.0.0:9000"], 3, 120)


def test_gunicorn_refuses_a_wrong_number_of_workers(monkeypatch):
    with pytest.raises(
        ImproperlyConfigured, match="PMQA_WORKERS must be a whole number, not 'many'"
    ):
        gunicorn_settings(monkeypatch, PMQA_WORKERS="many")


def test_gunicorn_does_not_start_on_an_unsafe_configuration(monkeypatch):
    """However gunicorn is started with this file, not only through `make serve`."""
    conf = gunicorn_settings(monkeypatch)
    with override_settings(**(SAFE | {"SECRET_KEY": "test-only"})), pytest.raises(SystemExit) as e:
        conf["on_starting"](server=None)
    assert "Not serving: the configuration is unsafe." in str(e.value.code)
    assert "PMQA_SECRET_KEY is short" in str(e.value.code)


def test_gunicorn_makes_the_print_fonts_in_the_master_for_every_worker(monkeypatch):
    from pmqa.reports import render

    render._font_data_uri.cache_clear()
    conf = gunicorn_settings(monkeypatch)
    # The deploy check passes (tested above); here only what follows it.
    monkeypatch.setattr("django.core.management.call_command", lambda *args, **kwargs: None)
    conf["on_starting"](server=None)
    assert render._font_data_uri.cache_info().currsize == len(render.PRINT_FONTS)


def test_make_serve_checks_before_it_migrates_and_serves():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^serve:.*\n((?:\t.*\n)+)", makefile, re.M).group(1).split("\n")
    assert [line.split()[1] for line in recipe if line] == [
        "check",
        "migrate",
        "collectstatic",
        "$(BIN)/gunicorn",
    ]
    assert "--deploy" in recipe[0] and "python:pmqa.gunicorn_conf pmqa.wsgi" in recipe[3]


# ---------------------------------------------------------------------------------------------
# Static files in production


PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture
def collected(tmp_path):
    with override_settings(STORAGES=PRODUCTION_STATIC, STATIC_ROOT=tmp_path / "static"):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield tmp_path / "static"


def test_production_serves_static_files_by_hashed_name_for_a_year(collected, db):
    stylesheet = static("css/app.css")
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", stylesheet)
    client = Client()  # a new handler: WhiteNoise reads the collected files when it starts
    page = client.get("/accounts/login/").content.decode()
    assert stylesheet in page
    response = client.get(stylesheet, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert (
        "immutable" in response["Cache-Control"]
        and "max-age=315360000" in response["Cache-Control"]
    )
    assert client.get("/favicon.ico").url == static("img/favicon.svg")


def test_the_stylesheet_names_the_fonts_by_their_hashed_names(collected):
    css = (collected / static("css/app.css").removeprefix("/static/")).read_text()
    fonts = re.findall(r'url\("([^"]+)"\)', css)
    assert fonts and all(re.search(r"\.[0-9a-f]{12}\.ttf$", url) for url in fonts)
    assert all((collected / "css" / url).resolve().is_file() for url in fonts)
