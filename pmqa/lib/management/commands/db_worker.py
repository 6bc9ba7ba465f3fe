"""`pmqa db_worker`: django-tasks-db's worker, which also puts back the tasks of dead workers.

A worker killed in the middle of a task (a machine lost, an out-of-memory kill) leaves that
task marked as running for ever. This worker, when it starts and then every minute, puts
such tasks back in the queue (pmqa.lib.tasks.requeue_abandoned); every task of the project
may run again without harm.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands import db_worker

from pmqa.lib.tasks import requeue_abandoned, worker_id

RECOVERY_INTERVAL_SECONDS = 60
log = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = "Run background tasks from the database queue; put back those of dead workers."

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # host:pid instead of a random id, so that a dead worker's tasks are recognised.
        parser.set_defaults(worker_id=worker_id())

    def handle(self, *args: Any, **options: Any) -> None:
        requeue_abandoned()
        stop = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(stop,), daemon=True)
        watcher.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()

    @staticmethod
    def _watch(stop: threading.Event) -> None:
        while not stop.wait(RECOVERY_INTERVAL_SECONDS):
            try:
                requeue_abandoned()
            except Exception:  # a database hiccup must not end recovery for good
                log.exception("recovering abandoned tasks failed; trying again in a minute")
            finally:
                close_old_connections()
