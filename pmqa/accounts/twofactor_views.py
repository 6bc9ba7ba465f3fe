"""The second factor's pages: typing the code after the password, setting up the app, the
recovery codes (shown once, and as a file), and one's own settings."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from pmqa.accounts import twofactor
from pmqa.accounts.roles import request_access

# The secret being set up, kept in the session until a code proves the app has it.
PENDING_KEY = "pmqa_otp_pending_key"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        error_messages={
            "required": gettext_lazy("Type the code your app shows, or a recovery code."),
            "max_length": gettext_lazy("That is not a code. Type the code your app shows."),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
                "size": "12",
            }
        ),
    )


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return reverse("home")


def _with_next(name: str, after: str) -> str:
    return f"{reverse(name)}?next={quote(after)}"


def _verified(request: HttpRequest) -> bool:
    return bool(request.user.is_verified())  # type: ignore[union-attr]


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    after = _next(request)
    if _verified(request):
        return redirect(after)
    if not user_has_device(request.user):
        if twofactor.required_for(request.user, request_access(request)):
            return redirect(_with_next("twofactor:setup", after))
        request.session[twofactor.HAS_DEVICE] = False  # removed meanwhile: nothing to give
        return redirect(after)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            twofactor.verify(request=request, user=request.user, code=form.cleaned_data["code"])  # type: ignore[arg-type]
        except twofactor.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            return redirect(after)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": after},
        status=400 if form.errors else 200,
    )


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    after = _next(request)
    if user_has_device(request.user):
        if not _verified(request):
            return redirect(_with_next("twofactor:verify", after))
        if twofactor.totp_device(request.user) is not None:
            return redirect("twofactor:manage")
    # The secret lives in the session until confirmed: reloading the page keeps it, and a
    # GET writes no device.
    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = random_hex(20)
    device = TOTPDevice(user=request.user, key=key, name=_("Authenticator app"), confirmed=False)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        device, _created = TOTPDevice.objects.get_or_create(
            user=request.user, key=key, confirmed=False, defaults={"name": device.name}
        )
        try:
            codes = twofactor.confirm_setup(
                request=request, device=device, code=form.cleaned_data["code"]
            )
        except twofactor.CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            request.session.pop(PENDING_KEY, None)
            request.session[twofactor.NEW_CODES] = codes
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_with_next("twofactor:recovery_codes", after))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": after,
            "qr": twofactor.qr_svg(device),
            "secret": twofactor.secret_text(device),
            "required": twofactor.required_for(request.user, request_access(request)),
        },
        status=400 if form.errors else 200,
    )


@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The codes just made, once: going on forgets them (only their use is checked later)."""
    after = _next(request)
    if request.method == "POST":
        request.session.pop(twofactor.NEW_CODES, None)
        return redirect(after)
    codes = request.session.get(twofactor.NEW_CODES)
    if not codes:
        messages.info(
            request,
            _("Recovery codes are shown only once. Make new ones if you have lost yours."),
        )
        return redirect("twofactor:manage")
    return render(request, "registration/two_factor_recovery.html", {"codes": codes, "next": after})


@login_required
def recovery_download(request: HttpRequest) -> HttpResponse:
    codes = request.session.get(twofactor.NEW_CODES)
    if not codes:
        raise Http404
    lines = [
        _("PMQA 4.0 assessment: recovery codes for %(user)s")
        % {"user": request.user.get_username()},
        _("Each code works once, in place of the code from your app. Keep them somewhere safe."),
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\r\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pmqa-recovery-codes.txt"'
    return response


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    device = twofactor.totp_device(request.user)
    return render(
        request,
        "registration/two_factor_manage.html",
        {
            "device": device,
            "codes_left": twofactor.recovery_codes_left(request.user) if device else 0,  # type: ignore[arg-type]
            "required": twofactor.required_for(request.user, request_access(request)),
        },
    )


@login_required
@require_POST
def new_codes(request: HttpRequest) -> HttpResponse:
    if twofactor.totp_device(request.user) is None:
        return redirect("twofactor:manage")
    codes = twofactor.new_recovery_codes(request=request, user=request.user)  # type: ignore[arg-type]
    request.session[twofactor.NEW_CODES] = codes
    return redirect(_with_next("twofactor:recovery_codes", reverse("twofactor:manage")))


@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Agency users may turn their own second factor off; those who need it cannot."""
    if twofactor.required_for(request.user, request_access(request)):
        messages.error(
            request,
            _(
                "Assessors and administrators must keep two-factor authentication. If you have "
                "lost your phone, ask an OPDC administrator to reset it."
            ),
        )
        return redirect("twofactor:manage")
    twofactor.remove(request=request, user=request.user, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("twofactor:manage")
