"""Health for machines: `/healthz`, whether this application server can serve (its database
and its storage), for a load balancer; and `/healthz/queue`, the background queue's own
health (workers alive by heartbeat, the oldest waiting task), for a monitor that alerts.

A backlog of background work never takes a server out of the load balancer: the servers still
serve every page, and taking them all out at once (a deadline's rush of e-mail) would stop
everything."""

from __future__ import annotations

import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from pmqa.lib.tasks import queue_health

log = logging.getLogger(__name__)


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


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Open to anyone and says only ok or fail: the reason goes to the log, with the request
    id, since an error's text can name hosts and paths. Writing the probe file is the point of
    the storage check, the one write a GET makes here."""
    checks: dict[str, str] = {}
    for name, check in (("database", _database), ("storage", _storage)):
        try:
            checks[name] = check()
        except Exception:
            log.exception("health check %s failed", name)
            checks[name] = "fail"
    healthy = "fail" not in checks.values()
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )


@never_cache
@require_safe
def queue(request: HttpRequest) -> JsonResponse:
    """The background queue: 200 while it keeps up, 503 when a task has waited too long or no
    worker is alive, for a monitor to alert on (never for a load balancer)."""
    try:
        health = queue_health()
    except Exception:
        log.exception("queue health check failed")
        return JsonResponse({"status": "fail"}, status=503)
    ok = health["status"] in ("ok", "in process")
    return JsonResponse(health, status=200 if ok else 503)
