"""Which person a page was shown to, so that a tab left open cannot send its form as someone
else.

Logging in as another person in another tab changes the session every tab shares; a form in
a tab opened before would then be saved under that other person's name. Each page carries a
mark of the person it was shown to (`data-user` on its body, from `page_user`), and a cookie
carries the mark of the person logged in now; `static/js/site.js` sends nothing from a page
whose mark is not the cookie's, and says why. The mark is a keyed hash, not the user's id.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

COOKIE = "pmqa_user"


def _mark(user_id: object) -> str:
    return salted_hmac("pmqa.accounts.tabs", str(user_id)).hexdigest()[:16]


def page_user(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return _mark(user.pk)


def session_user(request: HttpRequest) -> str:
    """The mark of the person the browser's session is logged in as, after the request (a
    login or logout in it included). Not `request.user`: an API call sets that from its
    token, which is not who the browser's tabs are logged in as."""
    session = getattr(request, "session", None)
    user_id = session.get(SESSION_KEY) if session is not None else None
    return _mark(user_id) if user_id is not None else ""


class PageUserMiddleware:
    """Keeps the cookie to the person logged in after the request (a login or logout in it
    included); an anonymous response clears it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        mark = session_user(request)
        current = request.COOKIES.get(COOKIE, "")
        if mark and mark != current:
            response.set_cookie(
                COOKIE,
                mark,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
                httponly=False,  # read by the page's script, and all it says is "who"
            )
        elif not mark and current:
            response.delete_cookie(COOKIE, samesite="Lax")
        return response


def context(request: HttpRequest) -> dict[str, str]:
    return {"page_user": page_user(request)}
