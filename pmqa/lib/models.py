"""The background workers' heartbeats: which `pmqa db_worker` processes are alive, for the
queue's own health (`/healthz/queue`, the administrator's home), apart from the servers'."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    worker_id = models.CharField(_("worker"), max_length=64, unique=True)  # host:pid
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("background worker")
        verbose_name_plural = _("background workers")

    def __str__(self) -> str:
        return self.worker_id
