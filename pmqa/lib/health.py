"""/healthz: whether this application server can do its work, for a load balancer or a monitor."""

from __future__ import annotations

import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

# A task waiting longer than this means the workers are stopped or cannot keep up.
TASK_LAG_LIMIT_SECONDS = 300


def task_queue_lag() -> float | None:
    """Seconds the oldest waiting background task has waited (0 when none waits), or None
    when tasks run in process (no queue)."""
    from pmqa.lib.tasks import queue_lag

    return queue_lag()


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _storage() -> str:
    # A probe of its own name, so that two monitors asking at once do not collide.
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)
    return "ok"


def _tasks() -> str:
    lag = task_queue_lag()
    if lag is None:
        return "in process"  # no queue: tasks run where they are queued
    return "ok" if lag <= TASK_LAG_LIMIT_SECONDS else "fail"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Open to anyone and says only ok or fail: the reason goes to the log, with the request
    id, since an error's text can name hosts and paths. Writing the probe file is the point of
    the storage check, the one write a GET makes here."""
    checks: dict[str, str] = {}
    for name, check in (("database", _database), ("storage", _storage), ("tasks", _tasks)):
        try:
            checks[name] = check()
        except Exception:
            log.exception("health check %s failed", name)
            checks[name] = "fail"
    healthy = "fail" not in checks.values()
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
