"""`make run` serves where it is asked (`PORT=8001 make run`), and the links of the e-mails it
sends then lead there, unless the site's address is set in the environment or .env."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PMQA = str(Path(sys.executable).with_name("pmqa"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def shell(tmp_path):
    """A new shell's environment: no PMQA_ variable, a .env as `make run` writes it (its secret
    key), the database in a folder of the test's own."""
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"PMQA_SECRET_KEY=generated-for-this-test\nDATABASE_URL=sqlite:///{tmp_path}/db.sqlite3\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMQA_", "DATABASE_URL"))}
    env.pop("HOST", None)
    env["PMQA_ENV_FILE"] = str(env_file)
    return env


def serve_command(env: dict[str, str]) -> str:
    """The line `make run` serves with, as make would run it."""
    made = subprocess.run(
        ["make", "--dry-run", "run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    lines = [line for line in made.stdout.splitlines() if " runserver " in line]
    assert len(lines) == 1, made.stdout
    return lines[0]


def site_url(env: dict[str, str]) -> str:
    code = "from django.conf import settings; print(settings.PMQA_SITE_URL)"
    shown = subprocess.run(
        [PMQA, "shell", "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return shown.stdout.strip().splitlines()[-1]


def test_make_run_serves_on_the_chosen_port_and_mails_link_there(shell, tmp_path):
    port = free_port()
    command = serve_command({**shell, "PORT": str(port)})
    assert f"runserver 127.0.0.1:{port}" in command
    subprocess.run([PMQA, "migrate", "--verbosity", "0"], env=shell, check=True)
    subprocess.run(
        [PMQA, "createsuperuser", "--no-input", "--username", "somchai"]
        + ["--email", "somchai@example.org"],
        env={**shell, "DJANGO_SUPERUSER_PASSWORD": "a-long-test-password"},
        check=True,
        capture_output=True,
    )
    log = (tmp_path / "server.log").open("w+", encoding="utf-8")
    server = subprocess.Popen(
        ["bash", "-c", command],
        cwd=ROOT,
        env=shell,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        for _ in range(120):
            try:
                form = browser.open(f"{base}/accounts/password_reset/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        else:
            log.seek(0)
            pytest.fail(f"make run's server did not answer on port {port}:\n{log.read()}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        sent = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "email": "somchai@example.org"}
        ).encode()
        browser.open(f"{base}/accounts/password_reset/", data=sent, timeout=30)
        for _ in range(40):  # the console e-mail is written when the task has sent it
            log.seek(0)
            output = log.read()
            if "/accounts/reset/" in output:
                break
            time.sleep(0.25)
        links = re.findall(r"https?://[^\s/]+/accounts/reset/", output)
        assert links == [f"{base}/accounts/reset/"], output[-3000:]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def test_the_host_is_chosen_as_the_port_is(shell):
    command = serve_command({**shell, "HOST": "localhost", "PORT": "8002"})
    assert "PMQA_RUN_URL=http://localhost:8002 " in command
    assert command.endswith("runserver localhost:8002")


def test_without_a_choice_make_run_serves_where_it_always_did(shell):
    command = serve_command(shell)
    assert command.endswith("runserver 127.0.0.1:8000")
    assert site_url(shell) == "http://127.0.0.1:8000"


def test_a_site_address_set_by_hand_wins_over_the_port_make_run_serves_on(shell):
    run = {**shell, "PMQA_RUN_URL": "http://127.0.0.1:8001"}
    assert site_url(run) == "http://127.0.0.1:8001"
    assert site_url({**run, "PMQA_SITE_URL": "https://pmqa.example.go.th/"}) == (
        "https://pmqa.example.go.th"
    )
    env_file = Path(shell["PMQA_ENV_FILE"])
    env_file.write_text(
        env_file.read_text(encoding="utf-8") + "PMQA_SITE_URL=http://pmqa.office.local:8080\n",
        encoding="utf-8",
    )
    assert site_url(run) == "http://pmqa.office.local:8080"
