"""The API's errors as JSON, each with a code and the message in Thai and in English:
`{"error": {"code": "not_found", "message_th": "…", "message_en": "…"}}`."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, InterfaceError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from pmqa.lib.errors import ServiceError
from pmqa.lib.middleware import RETRY_AFTER_SECONDS, database_unavailable

log = logging.getLogger(__name__)

# code → (status, message). Whole sentences that say what to do.
ERRORS: dict[str, tuple[int, Promise]] = {
    "bad_request": (400, _("The request cannot be carried out as it is; read the details.")),
    "unauthorized": (
        401,
        _(
            "Send a personal API token in the header Authorization: Bearer <token>. The token "
            "given is unknown, revoked or expired, or its account is closed."
        ),
    ),
    "forbidden": (403, _("Your account may not do this.")),
    "not_found": (
        404,
        _("There is nothing here that you may see. Check the address and the identifier."),
    ),
    "method_not_allowed": (405, _("This address does not take this method.")),
    "validation_error": (
        422,
        _("Some parameters are missing or not valid; the details say which and why."),
    ),
    "too_many_requests": (
        429,
        _("Too many requests with this token. Wait for the seconds in Retry-After, then retry."),
    ),
    "server_error": (
        500,
        _("Something went wrong on the server. Try again later; the error has been logged."),
    ),
    "unavailable": (
        503,
        _("The database cannot be reached for a moment. Try again in a few seconds."),
    ),
}
BY_STATUS = {status: code for code, (status, _message) in ERRORS.items()}


def both(message: Any) -> tuple[str, str]:
    """A translatable message in Thai and in English."""
    with translation.override("th"):
        thai = str(message)
    with translation.override("en"):
        english = str(message)
    return thai, english


def body(code: str, message: Any = None, **extra: Any) -> dict[str, Any]:
    thai, english = both(message if message is not None else ERRORS[code][1])
    return {"error": {"code": code, "message_th": thai, "message_en": english, **extra}}


def respond(
    api: NinjaAPI, request: HttpRequest, code: str, message: Any = None, **extra: Any
) -> HttpResponse:
    status = ERRORS[code][0]
    return api.create_response(request, body(code, message, **extra), status=status)


def install(api: NinjaAPI) -> None:
    """Replace django-ninja's handlers (English `detail`, a traceback in debug) by ours."""

    def validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        details = [
            {
                "location": [str(part) for part in error.get("loc", ())],
                "type": str(error.get("type", "")),
                "message_en": str(error.get("msg", "")),
            }
            for error in exc.errors
        ]
        return respond(api, request, "validation_error", details=details)

    def authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = respond(api, request, "unauthorized")
        response["WWW-Authenticate"] = 'Bearer realm="pmqa"'
        return response

    def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return respond(api, request, "too_many_requests")

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = BY_STATUS.get(exc.status_code, "bad_request" if exc.status_code < 500 else "")
        if not code:
            code = "server_error"
        return respond(api, request, code)

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return respond(api, request, "not_found")

    def refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return respond(api, request, "bad_request", exc.args[0] if exc.args else None)

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        if isinstance(exc, (DatabaseError, InterfaceError)) and database_unavailable(exc):
            log.warning("database unavailable for %s %s: %s", request.method, request.path, exc)
            response = respond(api, request, "unavailable")
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        log.exception("API error on %s %s", request.method, request.path)
        return respond(api, request, "server_error")

    api.add_exception_handler(ValidationError, validation)
    api.add_exception_handler(AuthenticationError, authentication)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ServiceError, refused)
    api.add_exception_handler(Exception, unexpected)
