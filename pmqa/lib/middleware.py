"""Request guards shared by every page: the language, control characters out of the data, and
a database that is busy or down answered as a retryable 503 in the user's language."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from pmqa.lib.text import strip_controls

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _cleaned(data: QueryDict) -> QueryDict:
    cleaned = QueryDict(mutable=True)
    for key, values in data.lists():
        cleaned.setlist(strip_controls(key), [strip_controls(v) for v in values])
    cleaned._mutable = False
    return cleaned


def clean_post(request: HttpRequest) -> None:
    """Replace request.POST by a copy without control characters."""
    request.POST = _cleaned(request.POST)


def database_unavailable(exception: BaseException) -> bool:
    """Whether the error is the database busy, down or out of connections (worth a retry),
    not a fault of the query."""
    if isinstance(exception, InterfaceError):
        return True
    if not isinstance(exception, OperationalError):
        return False
    text = str(exception).lower()
    # Locked or busy (SQLite), or the server unreachable or shutting down (PostgreSQL).
    return any(
        marker in text
        for marker in (
            "locked",
            "busy",
            "could not connect",
            "connection refused",
            "server closed the connection",
            "terminating connection",
            "the database system is",
            "connection is closed",
            "no connection to the server",
            "is the server running",  # over TCP or the local socket, PostgreSQL stopped
            "connection is bad",
            "unable to open database file",
            # Every connection slot taken (PostgreSQL), or PgBouncer's pool full or waiting.
            "too many clients",
            "too many connections",  # a role's or a database's own CONNECTION LIMIT
            "is not currently accepting connections",
            "timeout expired",  # the host not answering within connect_timeout
            "remaining connection slots",
            "no more connections allowed",
            "query_wait_timeout",
            "server login has been failing",
            "pgbouncer cannot connect to server",
        )
    )


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.GET = _cleaned(request.GET)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        # Upload views install their own handler before the body is read and clean it then.
        if request.method == "POST" and not getattr(view, "keeps_upload_names", False):
            clean_post(request)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable_response(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 view (`handler500`), which Django calls for an exception raised anywhere in the
    request: a view, or a middleware before it (the session, the login and idle checks, the
    tabs' mark, the lockout's record). A database that is busy or down is the retryable 503 on
    every one of these paths, decided here once."""
    exception = sys.exc_info()[1]
    if exception is not None:
        unavailable = unavailable_response(request, exception)
        if unavailable is not None:
            return unavailable
    return HttpResponseServerError(render_to_string("500.html"))


def unavailable_response(request: HttpRequest, exception: BaseException) -> HttpResponse | None:
    """The 503 in the user's language when the database is busy or down, else None. Also for
    middleware that reads the database before the view (the session's login checks)."""
    # InterfaceError ("connection already closed") is not a DatabaseError.
    if not isinstance(exception, (DatabaseError, InterfaceError)):
        return None
    if not database_unavailable(exception):
        return None
    log.warning("database unavailable for %s %s: %s", request.method, request.path, exception)
    if request.headers.get("HX-Request"):
        message = _(
            "The system is busy or its database cannot be reached for a moment. Nothing was "
            "lost: what you typed is still on the page, and it will be sent again shortly."
        )
        body = render_to_string("_unavailable_fragment.html", {"message": message})
    elif request.method == "POST":
        # A plain form: the typed text is in the browser's form, one step back.
        message = _(
            "The system is busy or its database cannot be reached for a moment, so nothing "
            "was saved. Go back one page: what you typed is still in the form. Then save it "
            "again in a moment."
        )
        body = render_to_string("503.html", {"message": message, "retry": False})
    else:
        message = _(
            "The system is busy or its database cannot be reached for a moment. This page "
            "tries again by itself in a few seconds."
        )
        body = render_to_string("503.html", {"message": message, "retry": True})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged once above, as a warning: Django's request log would add an error, with the
    # traceback, for each request of an outage (flooding the log and its alerts).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class ChosenLanguageMiddleware:
    """Thai unless the person chose another language with the switch (Django's language
    cookie). The browser's Accept-Language is not asked: official users work in Thai even on
    machines set up in English."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PermissionsPolicyMiddleware:
    """Turn off the browser features no page uses (camera, microphone, location, …), so that
    nothing injected into a page could ask for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PMQA_PERMISSIONS_POLICY)
        return response
