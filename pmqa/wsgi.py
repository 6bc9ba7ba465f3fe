"""WSGI entry point for production servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmqa.settings")
application = get_wsgi_application()

# Loaded once in gunicorn's master (`preload_app`): every worker forks warm (bench/bench_login.py).
import gc  # noqa: E402

from pmqa.lib.warm import warm  # noqa: E402  (after the settings are loaded)

warm()
# What was loaded lives as long as the process: the collector need not scan it again in each
# worker (nor touch its pages, which the forked workers share until written).
gc.freeze()
