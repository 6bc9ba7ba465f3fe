"""Django's password validators and password forms, with messages in our own words so that
they reach the user in Thai (Django's Thai catalogue leaves these messages untranslated)."""

from __future__ import annotations

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation as django_validation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(min_length)d character.",
            "This password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "At least %(min_length)d character.",
            "At least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return _("This password is too like your %(verbose_name)s.")

    def get_help_text(self) -> str:
        return _("Not like your name, user name or e-mail address.")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is one of the most common passwords; choose another.")

    def get_help_text(self) -> str:
        return _("Not a commonly used password.")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is only digits; add letters or signs.")

    def get_help_text(self) -> str:
        return _("Not only digits.")


MISMATCH = gettext_lazy("The two new passwords are not the same; type them again.")


class SetPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {**auth_forms.SetPasswordForm.error_messages, "password_mismatch": MISMATCH}


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_mismatch": MISMATCH,
        "password_incorrect": gettext_lazy("The current password is not right; type it again."),
    }
