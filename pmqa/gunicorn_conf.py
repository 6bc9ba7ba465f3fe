"""gunicorn's settings for production (`make serve`; `gunicorn -c python:pmqa.gunicorn_conf
pmqa.wsgi`), read from the same environment and .env file as pmqa/settings.py."""

import io
import os
import sys

from gunicorn import glogging

from pmqa import settings
from pmqa.lib.requestid import JsonFormatter

# Behind nginx on the same machine by default (docs/deploy.md); gunicorn trusts its
# X-Forwarded-Proto from 127.0.0.1 only (FORWARDED_ALLOW_IPS names another proxy).
bind = [settings.env_str("PMQA_BIND", "127.0.0.1:8000")]
# Sync workers: each request holds one process, and a page waits on the database, not on
# the processor, so two per core keep the cores busy.
workers = settings.env_int("PMQA_WORKERS", 2 * len(os.sched_getaffinity(0)))
# Printing a long Feedback Report as PDF takes a few seconds; past a minute a worker is stuck.
timeout = settings.env_int("PMQA_TIMEOUT", 60)
graceful_timeout = 30
# A worker is replaced after about 20,000 requests, at different moments (the jitter), so a
# slow leak never grows and the workers never restart all at once. At 1,000 a busy worker
# (150 autosaves a second) restarted every few seconds and lost its caches each time
# (bench/README.md). The application is loaded once in the master and each worker forked
# from it, so a new worker starts in milliseconds, not in the second an import takes.
max_requests = 20_000
max_requests_jitter = 2_000
preload_app = True
proc_name = "pmqa"
# The application writes the request log itself (pmqa.lib.requestid: request id, user, time
# taken, one JSON object per line on standard output); gunicorn's would repeat it.
accesslog = None
errorlog = "-"
# Stopped and restarted by systemd or `make serve`, not through gunicorn's control socket,
# whose default path in the home folder would be shared by two instances.
control_socket_disable = True


class JsonLogger(glogging.Logger):
    """gunicorn's own messages (workers starting, timeouts) in the application's JSON."""

    def setup(self, cfg):
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())


if settings.PMQA_LOG_FORMAT == "json":
    logger_class = JsonLogger


def on_starting(server):
    """Refuse an unsafe configuration, however gunicorn was started with this file."""
    import django
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmqa.settings")
    if not apps.ready:
        django.setup()
    try:
        # Quiet unless refused: `make serve` has just printed the warnings.
        call_command("check", deploy=True, stdout=io.StringIO(), stderr=io.StringIO())
    except SystemCheckError as error:
        sys.exit(f"Not serving: the configuration is unsafe.\n{error}")
    # Made once in the master, so that every worker forked from it has them.
    from pmqa.reports.render import warm_print_fonts

    warm_print_fonts()


def pre_fork(server, worker):
    """No database connection crosses a fork (with preload_app the master has loaded the
    application): each worker opens its own."""
    from django.db import connections

    connections.close_all()
