"""View decorators that check roles; a user without the role gets 404 (never a hint)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from pmqa.accounts.models import User
from pmqa.accounts.roles import Access, request_access


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind login_required (or a role decorator): its user is signed
    in, so a service that records who acted can be handed request.user."""

    user: User


def role_required(check: Callable[[Access], bool]) -> Callable[..., Any]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request_access(request)):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(lambda access: access.is_admin)
agency_required = role_required(lambda access: access.is_agency or access.is_admin)
assessor_required = role_required(lambda access: access.is_assessor or access.is_admin)
