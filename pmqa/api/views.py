"""The account's API token page: make a token (shown once), list and revoke one's tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.models import ApiToken
from pmqa.api import tokens
from pmqa.api.forms import TokenForm
from pmqa.lib.errors import ServiceError


def _page(
    request: HttpRequest, form: TokenForm, *, secret: str = "", status: int = 200
) -> HttpResponse:
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk"),
            "schema_url": reverse("api:openapi-json"),
        },
        status=status,
    )
    # The page may hold a token shown once: no cache keeps it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        token, secret = tokens.create_token(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
            request=request,
        )
    except ServiceError as error:
        form.add_error(None, str(error))
        return _page(request, form, status=400)
    messages.success(
        request,
        _("The token “%(name)s” is made. Copy it now: it is shown only this once.")
        % {"name": token.name},
    )
    # Rendered, not redirected: the token is in this answer only, never kept to show again.
    return _page(request, TokenForm(), secret=secret)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        tokens.revoke_token(token=token, by=request.user, request=request)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("The token “%(name)s” is revoked; the API refuses it from now on.")
            % {"name": token.name},
        )
    return redirect("tokens:list")
