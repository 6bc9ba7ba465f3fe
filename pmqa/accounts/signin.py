"""Signing in safely: failed logins counted by user name and address (django-axes) with a
lockout page that says nothing of the account, password change and reset forms that cannot be
used to guess or to flood a mailbox, and every sign-in event in the audit trail."""

from __future__ import annotations

import datetime
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset as reset_attempts
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pmqa.accounts import credentials, idle, twofactor
from pmqa.accounts.models import User
from pmqa.accounts.passwords import PasswordChangeForm, SetPasswordForm
from pmqa.accounts.tasks import send_password_reset
from pmqa.audit import services as audit
from pmqa.audit.models import AuditEntry
from pmqa.lib.clientaddr import client_address

# Password reset e-mails asked for within an hour: from one address (beyond it the form says
# to wait), and for one e-mail address (beyond it nothing more is sent, and nothing is said).
RESET_PER_ADDRESS = 5
RESET_PER_EMAIL = 3


class LoginAttempts(AxesDatabaseHandler):
    """django-axes' database handler, counting both a user name's failures at an address and
    the address's failures over all user names (so that guessing many names from one place is
    stopped too, at its own limit)."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        pair = super().get_failures(request, credentials)
        address = (
            AccessAttempt.objects.filter(
                ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
                attempt_time__gte=get_cool_off_threshold(request),
            ).aggregate(n=Sum("failures_since_start"))["n"]
            or 0
        )
        # Axes compares one figure with one limit: the address's count is scaled to it.
        scaled = (
            address * settings.PMQA_LOGIN_FAILURE_LIMIT // settings.PMQA_LOGIN_ADDRESS_FAILURE_LIMIT
        )
        return max(pair, scaled)


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The same page whether or not the user name exists, so that it tells an attacker nothing."""
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": settings.PMQA_LOGIN_LOCKOUT_MINUTES},
        status=429,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused because its security token is no longer the session's (the page was
    opened before logging in again, or cookies are blocked): said in the user's language,
    with the way back, instead of Django's page for developers."""
    if "cookie" in reason:
        kind = "cookies"
    elif reason.startswith(("Origin checking", "Referer checking")):
        kind = "origin"
    else:
        kind = "token"
    return render(request, "403_csrf.html", {"kind": kind}, status=403)


def _user_id(username: str | None) -> str:
    if not username:
        return ""
    found = User.objects.filter(username=username).values_list("pk", flat=True).first()
    return str(found) if found else ""


# ---------------------------------------------------------------------------------------------
# The audit trail of signing in: never a password; the user name typed at a failed login
# only as a keyed hash (audit.typed_identifier).


@receiver(user_logged_in, dispatch_uid="pmqa_audit_login")
def _logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit.record(actor=user, action="auth.login", obj=user, request=request)
    idle.touch(request)
    twofactor.note_devices(request, user)


@receiver(user_login_failed, dispatch_uid="pmqa_audit_login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username") or "")[:150]
    new: dict[str, str] = {"username_hash": audit.typed_identifier(username)}
    if request is not None and request.path != reverse("login"):
        new["page"] = request.path
    audit.record(
        actor=None,
        action="auth.login_failed",
        object_type="accounts.user",
        object_id=_user_id(username),
        new=new,
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="pmqa_audit_logout")
def _logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    if getattr(request, "pmqa_idle_logout", False):
        audit.record(
            actor=user,
            action="auth.idle_logout",
            obj=user,
            new={"minutes": settings.PMQA_IDLE_MINUTES},
            request=request,
        )
    else:
        audit.record(actor=user, action="auth.logout", obj=user, request=request)


@receiver(user_locked_out, dispatch_uid="pmqa_audit_lockout")
def _locked_out(sender: Any, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    audit.record(
        actor=None,
        action="auth.lockout",
        object_type="accounts.user",
        object_id=_user_id(username),
        new={"username_hash": audit.typed_identifier(str(username or "")[:150])},
        request=request,
    )


# ---------------------------------------------------------------------------------------------
# Password change and reset


class GuardedPasswordChangeForm(PasswordChangeForm):
    """The current password is checked through django-axes, as a login is: wrong guesses
    count towards the same lockout, and a locked-out account cannot guess here either."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old) is None:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return str(old)


class LogoutView(auth_views.LogoutView):
    """Logging out is a POST (a link must not log anyone out); an address typed or followed
    to it shows a page with the button instead of an empty refusal."""

    http_method_names = ["get", "head", "post", "options"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return render(request, "registration/logged_out.html")
        return render(request, "registration/logout_confirm.html")


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = GuardedPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(
            actor=self.request.user,
            action="auth.password_change",
            obj=self.request.user,  # type: ignore[arg-type]
            request=self.request,
        )
        credentials.end_api_tokens(
            user=form.user,
            reason=credentials.PASSWORD_CHANGED,
            by=form.user,
            request=self.request,
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """At most RESET_PER_ADDRESS e-mails an hour from one address and RESET_PER_EMAIL to one
    e-mail address; the page never says whether the address belongs to an account."""

    def form_valid(self, form: Any) -> HttpResponse:
        email = form.cleaned_data["email"]
        recent = AuditEntry.objects.filter(
            action="auth.password_reset_request",
            at__gte=timezone.now() - datetime.timedelta(hours=1),
        )
        address = client_address(self.request)
        if address and recent.filter(ip=address).count() >= RESET_PER_ADDRESS:
            form.add_error(
                None,
                _(
                    "Too many password reset e-mails have been asked for from your address. "
                    "Try again in an hour."
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        typed = audit.typed_identifier(email[:254])
        too_many = recent.filter(new__email_hash=typed).count() >= RESET_PER_EMAIL
        audit.record(
            actor=None,
            action="auth.password_reset_request",
            object_type="accounts.user",
            new={"email_hash": typed},
            request=self.request,
        )
        # The same work whether the address has an account or not (one look-up, one task
        # queued): the mail goes from the queue, so the answer's time tells nothing.
        found = [user.pk for user in form.get_users(email)]
        users = [] if too_many else found
        send_password_reset.enqueue(users, translation.get_language() or settings.LANGUAGE_CODE)
        return super(auth_views.PasswordResetView, self).form_valid(form)  # redirects only


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(
            actor=form.user, action="auth.password_reset", obj=form.user, request=self.request
        )
        # Whoever could read the e-mail owns the account: its lockout ends with the new password,
        # and so do the API tokens made with the old one.
        reset_attempts(username=form.user.get_username())
        credentials.end_api_tokens(
            user=form.user, reason=credentials.PASSWORD_RESET, by=form.user, request=self.request
        )
        return response
