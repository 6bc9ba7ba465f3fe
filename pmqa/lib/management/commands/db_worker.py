"""`pmqa db_worker`: django-tasks-db's worker, which also puts back the tasks of dead workers,
says it is alive, and outlives its database.

A worker killed in the middle of a task (a machine lost, an out-of-memory kill) leaves that
task marked as running for ever. This worker, when it starts and then every minute, puts
such tasks back in the queue (pmqa.lib.tasks.requeue_abandoned); every task of the project
may run again without harm. Every 30 seconds it records a heartbeat, from which the queue's
health (`/healthz/queue`) counts the workers alive.

A database that stops, restarts or cannot be reached yet (PostgreSQL, or PgBouncer before it)
is waited for: the worker tries again after 1, 2, 4 … up to 60 seconds, says so in its log,
and goes on once the database answers, first putting back a task it had claimed when the
connection broke.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any

from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from pmqa.lib.middleware import database_unavailable
from pmqa.lib.tasks import BEAT_SECONDS, beat, forget, requeue_abandoned, requeue_own, worker_id

RECOVERY_INTERVAL_SECONDS = 60
LONGEST_WAIT_SECONDS = 60
log = logging.getLogger(__name__)


class SteadyWorker(db_worker.Worker):
    """The library's worker loop, run again after the database comes back."""

    def run(self) -> None:
        wait = 1
        recover = False
        while self.running:
            started = time.monotonic()
            try:
                if recover:
                    # Once the database answers: the task claimed when it went away.
                    requeue_own(self.worker_id)
                    recover = False
                super().run()
                return
            except (OperationalError, InterfaceError) as error:
                if not database_unavailable(error):
                    raise
                if time.monotonic() - started > LONGEST_WAIT_SECONDS:
                    wait = 1  # it had been working: a new outage starts short
                log.warning(
                    "worker %s: the database cannot be reached (%s); trying again in %s s",
                    self.worker_id,
                    error,
                    wait,
                )
                self.running_task = False
                recover = True
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT_SECONDS)

    def run_task(self, db_task_result: Any) -> None:
        """A task whose own query met the database away is not a failed task: the error goes
        up to `run`, which waits, then puts the task back in the queue."""
        record_failure = db_task_result.set_failed

        def set_failed(error: BaseException) -> None:
            if isinstance(error, (OperationalError, InterfaceError)) and database_unavailable(
                error
            ):
                raise error
            record_failure(error)

        db_task_result.set_failed = set_failed
        super().run_task(db_task_result)


class Command(db_worker.Command):
    help = "Run background tasks from the database queue; put back those of dead workers."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # host:pid instead of a random id, so that a dead worker's tasks are recognised.
        parser.set_defaults(worker_id=worker_id())

    def handle(self, *args: Any, **options: Any) -> None:
        db_worker.Worker = SteadyWorker  # type: ignore[misc]  # the library builds its own
        me = options["worker_id"]
        # Before the first task, the tasks of workers that died (from then on, the watcher's);
        # a database away at the start is waited for by the loop.
        with contextlib.suppress(OperationalError, InterfaceError):
            requeue_abandoned()
        if options["batch"]:
            # Until the queue is empty, then gone: no heartbeat to keep.
            super().handle(*args, **options)
            return
        stop = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(stop, me), daemon=True)
        watcher.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            watcher.join(timeout=5)
            with contextlib.suppress(OperationalError, InterfaceError):
                forget(me)  # else the heartbeat ages out by itself

    @staticmethod
    def _watch(stop: threading.Event, me: str) -> None:
        """Beside the loop: the heartbeat, and the recovery of dead workers' tasks."""
        started = timezone.now()
        last_recovery = time.monotonic()
        while True:
            try:
                beat(me, started)
                if time.monotonic() - last_recovery >= RECOVERY_INTERVAL_SECONDS:
                    requeue_abandoned()
                    last_recovery = time.monotonic()
            except Exception:  # a database hiccup must not end the heartbeat for good
                log.warning("worker %s: heartbeat or recovery failed; trying again", me)
            finally:
                close_old_connections()
            if stop.wait(BEAT_SECONDS):
                connections.close_all()  # this thread's own
                return
