"""A request id on every response and log line, and the one-JSON-object-per-line log format."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# What a proxy such as nginx ($request_id, 32 hex digits) or a load balancer sends. Anything
# else (too long, spaces, line breaks) could forge or break a log line, so it is replaced.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# URL parameters that are credentials: the password reset link's token is not logged.
_SECRET_PARAMETERS = ("uidb64", "token")
# The request log's own fields; nothing else a caller passes in `extra` is written.
_FIELDS = ("method", "path", "status", "duration_ms", "user_id")

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
request_log = logging.getLogger("pmqa.request")


def incoming_or_new(value: str | None) -> str:
    if value and _SAFE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def _logged_path(request: HttpRequest) -> str:
    match = request.resolver_match
    path = request.path
    if match is not None:
        for name in _SECRET_PARAMETERS:
            value = match.kwargs.get(name)
            if value and value != "set-password":
                path = path.replace(f"/{value}/", "/…/")
    return path


class RequestIdMiddleware:
    """Outermost middleware: every response, a static file or an error page, carries the id,
    and one request log line is written with how long the rest of the stack took."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        current = incoming_or_new(request.headers.get(HEADER))
        # Kept until the response is closed: Django logs an error response after the last
        # middleware has returned, and that line needs the id too.
        request_id.set(current)
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = current
        # The user only if a view already looked them up: asking here would cost queries.
        user = getattr(request, "_cached_user", None)
        path = _logged_path(request)
        request_log.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None else None,
            },
        )
        return response


def _forget_request_id(**kwargs: Any) -> None:
    request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="pmqa.lib.requestid")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id (null outside a
    request), the request log's fields when present, and the traceback of an exception.
    Handlers write in the thread that logs, so the request's id is still current here."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        for field in _FIELDS:
            if field in record.__dict__:
                entry[field] = record.__dict__[field]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
