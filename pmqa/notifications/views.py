"""The notification centre and each person's choice of how they are told."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pmqa.accounts.decorators import AuthenticatedHttpRequest
from pmqa.accounts.roles import request_access
from pmqa.notifications import services
from pmqa.notifications.models import (
    ADMIN_KINDS,
    AGENCY_KINDS,
    ASSESSOR_KINDS,
    Delivery,
    Kind,
    Notification,
    Preference,
)

PAGE_SIZE = 30


@login_required
def centre(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(recipient=request.user)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/centre.html", {"page": page})


@login_required
@require_POST
def go(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to where the person acts; it is read from then on."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(request.user, [notification])
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:centre")
    return redirect(notification.url)


@login_required
@require_POST
def read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.mark_read(request.user)
    messages.success(request, _("%(count)s notifications marked as read.") % {"count": count})
    return redirect("notifications:centre")


class PreferencesForm(forms.Form):
    """One choice per kind of hand-off: at once, in the daily digest, or not by e-mail."""

    def __init__(self, *args: object, kinds: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for value, label in kinds:
            self.fields[value] = forms.ChoiceField(
                label=label,
                choices=Delivery.choices,
                widget=forms.RadioSelect,
                initial=Delivery.NOW,
            )


@login_required
def settings_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    access = request_access(request)
    offered = set(AGENCY_KINDS if access.is_agency else ())
    offered |= set(ASSESSOR_KINDS if access.is_assessor else ())
    offered |= set(ADMIN_KINDS if access.is_admin else ())
    kinds = [(value, str(label)) for value, label in Kind.choices if value in offered]
    chosen = dict(Preference.objects.filter(user=request.user).values_list("kind", "delivery"))
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        kinds=kinds,
        initial={value: chosen.get(value, Delivery.NOW) for value, _label in kinds},
    )
    if form.is_bound and form.is_valid():
        services.set_preferences(request.user, form.cleaned_data)
        messages.success(request, _("Saved. You are told as you chose from now on."))
        return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )
