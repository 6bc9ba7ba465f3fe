"""Background work through Django's Tasks API (the django-tasks backport): queueing after the
transaction commits, the queue's lag and health (/healthz/queue, the administrator's home),
the workers' heartbeats, and recovery of tasks whose worker died.

With the database backend (production) the queue is a table of the application's own
database and `pmqa db_worker` processes run it, on any number of machines. With the immediate
backend (the embedded default) a task runs in the process that queues it, once the
transaction that queued it has committed. Every task is written so that running it again is
harmless: a worker killed in the middle leaves its task to be run again from the start.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)


def uses_queue() -> bool:
    """Whether tasks wait in the database for a worker (rather than run where queued)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits, so that a worker never sees a task
    for rows it cannot read yet, and a rolled-back change queues nothing."""
    # robust: the change is committed; a queue that fails is logged, not the user's error.
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs), robust=True)


def worker_id() -> str:
    """host:pid, so that a worker starting on the same machine can tell a dead one's tasks."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def queue_lag() -> float | None:
    """Seconds the oldest ready task has waited, 0 when none waits; None without a queue."""
    if not uses_queue():
        return None
    from django_tasks_db.models import DBTaskResult

    oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values("enqueued_at").first()
    if oldest is None:
        return 0.0
    return max(0.0, (timezone.now() - oldest["enqueued_at"]).total_seconds())


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_abandoned(*, now: datetime.datetime | None = None) -> int:
    """Put back in the queue the tasks left running by a worker that is gone: one of this
    machine whose process no longer exists, or any that has run longer than
    PMQA_TASK_STALE_MINUTES (each task is kept far shorter: a bulk build queues one task per
    report). Returns how many were put back."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale_before = now - datetime.timedelta(minutes=settings.PMQA_TASK_STALE_MINUTES)
    host = socket.gethostname()[:40]
    requeued = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for task in running.only("id", "worker_ids", "started_at", "task_path"):
        last = (task.worker_ids or [""])[-1]
        worker_host, _sep, pid = last.rpartition(":")
        dead_here = worker_host == host and pid.isdigit() and not _pid_alive(int(pid))
        # A live process of that number may be another one (a container's restarted worker is
        # PID 1 again): past the stale age it is judged as any other machine's.
        stale = task.started_at is not None and task.started_at < stale_before
        if not (dead_here or stale):
            continue
        # Only if still running as read: another worker may have put it back meanwhile.
        if DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        ).update(status=TaskResultStatus.READY, started_at=None):
            requeued += 1
            log.warning(
                "requeued task %s (%s) left running by worker %s", task.pk, task.task_path, last
            )
    return requeued


# A worker beats every BEAT_SECONDS; one not seen for WORKER_LOST_SECONDS is counted gone. A
# task waiting longer than TASK_LAG_LIMIT_SECONDS means the workers cannot keep up.
BEAT_SECONDS = 30
WORKER_LOST_SECONDS = 90
TASK_LAG_LIMIT_SECONDS = 300


def beat(worker: str, started_at: datetime.datetime) -> None:
    """Say this worker is alive now."""
    from pmqa.lib.models import WorkerBeat

    now = timezone.now()
    WorkerBeat.objects.update_or_create(
        worker_id=worker[:64], defaults={"started_at": started_at, "seen_at": now}
    )
    # Workers killed without stopping cleanly leave a row: gone after a day.
    WorkerBeat.objects.filter(seen_at__lt=now - datetime.timedelta(days=1)).delete()


def requeue_own(worker: str) -> int:
    """Put back the tasks still marked running by this worker, which is not running any (its
    connection broke in the middle); returns how many."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    mine = [
        task.pk
        for task in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
            "id", "worker_ids"
        )
        if (task.worker_ids or [""])[-1] == worker
    ]
    count = DBTaskResult.objects.filter(pk__in=mine, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None
    )
    if count:
        log.warning("requeued %s task(s) of worker %s after its connection broke", count, worker)
    return count


def forget(worker: str) -> None:
    """A worker stopping cleanly takes its heartbeat with it."""
    from pmqa.lib.models import WorkerBeat

    WorkerBeat.objects.filter(worker_id=worker[:64]).delete()


def queue_health(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """The background queue as a monitor reads it: the workers seen alive, the oldest waiting
    task's wait, and whether it is "ok", "behind" (a task has waited past TASK_LAG_LIMIT) or
    "no worker" (no worker has beaten lately, whether or not a task waits yet). Without a
    queue (tasks run where they are queued) it is "in process"."""
    from pmqa.lib.models import WorkerBeat

    lag = queue_lag()
    if lag is None:
        return {"status": "in process", "workers": 0, "oldest_wait_seconds": 0}
    now = now or timezone.now()
    alive = WorkerBeat.objects.filter(
        seen_at__gte=now - datetime.timedelta(seconds=WORKER_LOST_SECONDS)
    ).count()
    if not alive:
        status = "no worker"
    elif lag > TASK_LAG_LIMIT_SECONDS:
        status = "behind"
    else:
        status = "ok"
    return {"status": status, "workers": alive, "oldest_wait_seconds": round(lag)}
