"""The idle timeout: a session that made no request for PMQA_IDLE_MINUTES is logged out on its
next one; the page warns a little before (static/js/idle.js) and can ask to stay."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

# When the session last made a request that counts as activity, in seconds since the epoch.
SEEN = "pmqa_seen"


def limit_seconds() -> int:
    return max(1, round(settings.PMQA_IDLE_MINUTES * 60))


def warning_seconds() -> int:
    """How long before the timeout the page warns: two minutes, less for a short timeout."""
    return min(120, limit_seconds() // 2)


def _refresh_seconds() -> int:
    # The session is written at most this often (once a minute), not on every request.
    return min(60, max(1, limit_seconds() // 4))


def touch(request: HttpRequest) -> None:
    request.session[SEEN] = int(time.time())


def remaining(request: HttpRequest) -> int:
    seen = request.session.get(SEEN)
    if seen is None:
        return limit_seconds()
    return max(0, limit_seconds() - (int(time.time()) - int(seen)))


def minutes_text() -> str:
    minutes = settings.PMQA_IDLE_MINUTES
    return str(int(minutes)) if float(minutes).is_integer() else str(minutes)


def _page_to_return_to(request: HttpRequest) -> str | None:
    """Where the login should lead back to: the page itself, or for an autosave the page it
    was sent from (the autosave's own address takes no GET)."""
    if request.method == "GET":
        return request.get_full_path()
    current = request.headers.get("HX-Current-URL", "")
    if current and url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}):
        parts = urlsplit(current)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


class IdleTimeoutMiddleware:
    """Each request of a logged-in session is activity (an autosave too) except the page's own
    question of how long is left. A session idle for longer is logged out, with a message, and
    the request goes to the login page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A database lost while checking is the 503 of `handler500`, as on every path.
        return self._check(request) or self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        now = int(time.time())
        seen = request.session.get(SEEN)
        asking = request.path_info == reverse("session")
        if seen is not None and now - int(seen) >= limit_seconds():
            request.pmqa_idle_logout = True  # type: ignore[attr-defined]
            logout(request)
            messages.warning(
                request,
                _(
                    "You were logged out after %(minutes)s minutes without activity. Log in "
                    "again to go on."
                )
                % {"minutes": minutes_text()},
            )
            if asking:
                return None  # the page's question is answered: the session has ended
            return redirect_to_login(_page_to_return_to(request) or reverse("home"))
        if asking and request.method == "GET":
            return None
        if seen is None or now - int(seen) >= _refresh_seconds():
            request.session[SEEN] = now
        return None


@require_http_methods(["GET", "POST"])
def session_status(request: HttpRequest) -> HttpResponse:
    """GET: how many seconds the session has left (asking is not activity). POST: stay logged
    in. JSON for the page's script; a plain form post returns to the page."""
    if not request.user.is_authenticated:
        return JsonResponse({"expired": True, "remaining": 0, "login": reverse("login")})
    if request.method == "POST":
        touch(request)
        if "application/json" not in request.headers.get("Accept", ""):
            back = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
                back = reverse("home")
            return redirect(back)
    return JsonResponse(
        {"expired": False, "remaining": remaining(request), "warning": warning_seconds()}
    )
