"""Background workers outlive their database: one started while it cannot be reached waits for
it instead of exiting, and one whose connections the server drops (a restart, PgBouncer
reconnecting) goes on with the next task. Real processes and a real PostgreSQL server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pmqa.accounts.tasks import send_password_reset
from pmqa.lib.models import WorkerBeat

ROOT = Path(__file__).resolve().parent.parent
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_worker(database_url: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PMQA_TASKS": "database",
        "PMQA_ENV_FILE": "",
        "PMQA_SECRET_KEY": "test-only",
        "PMQA_MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "pmqa.settings",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pmqa", "db_worker", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(worker: subprocess.Popen[str]) -> str:
    worker.send_signal(signal.SIGTERM)
    output, _unused = worker.communicate(timeout=30)
    return output


def test_a_worker_started_while_the_database_is_away_waits_for_it(tmp_path):
    worker = start_worker(f"postgres://pmqa@127.0.0.1:{free_port()}/pmqa", tmp_path)
    try:
        time.sleep(8)
        assert worker.poll() is None, "the worker exited instead of waiting"
    finally:
        output = stop(worker)
    assert "cannot be reached" in output and "trying again" in output
    assert worker.returncode == 0


def until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_worker_goes_on_after_the_server_drops_its_connections(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "dropping a connection from the server is PostgreSQL's (the SQLite run has none)"
        )
    # The suite's own server (scripts/with-postgres), its test database.
    url = (
        urlsplit(os.environ["DATABASE_URL"])
        ._replace(path="/" + connection.settings_dict["NAME"])
        .geturl()
    )
    worker = start_worker(url, tmp_path)
    try:
        if not until(lambda: WorkerBeat.objects.exists()):
            raise AssertionError(f"the worker never said it was alive: {stop(worker)[-3000:]}")
        # The server ends every other session of this database, as a restart does.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        settings.TASKS = DATABASE_QUEUE
        result = send_password_reset.enqueue([], "th")
        done = until(
            lambda: DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
        )
        assert worker.poll() is None, "the worker exited with its connection"
        assert done, "the task queued after the restart never ran"
    finally:
        stop(worker)
