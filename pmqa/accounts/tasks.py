"""The accounts' background tasks: the password reset e-mail, sent by the queue so that the
reset page answers in the same time whether or not the address has an account."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from pmqa.accounts.models import User

SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"
EMAIL_TEMPLATE = "registration/password_reset_email.html"


@task()
def send_password_reset(user_ids: list[int], language: str) -> int:
    """Mail each account its reset link. Only account numbers wait in the queue: the link is
    made here, when the mail goes, and no address or token is stored. Returns how many went."""
    site = urlsplit(settings.PMQA_SITE_URL)
    sent = 0
    # As Django's form: an account closed or without a password since the request gets none.
    users = User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    with translation.override(language):
        for user in users:
            if not user.has_usable_password():
                continue
            context = {
                "email": user.email,
                "domain": site.netloc,
                "site_name": site.netloc,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "user": user,
                "token": default_token_generator.make_token(user),
                "protocol": site.scheme,
            }
            PasswordResetForm().send_mail(
                SUBJECT_TEMPLATE, EMAIL_TEMPLATE, context, None, user.email
            )
            sent += 1
    return sent
