"""Permissions follow roles: an OPDC administrator may change any record in the admin."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from pmqa.accounts.models import Membership, Role


class RoleBackend(ModelBackend):
    def _is_admin(self, user_obj: Any) -> bool:
        if not user_obj.is_active or user_obj.is_anonymous:
            return False
        cached = getattr(user_obj, "_pmqa_is_admin", None)
        if cached is None:
            cached = (
                Membership.objects.current().filter(user=user_obj, role=Role.ADMINISTRATOR).exists()
            )
            user_obj._pmqa_is_admin = cached
        return cached

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return self._is_admin(user_obj) or super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return self._is_admin(user_obj) or super().has_module_perms(user_obj, app_label)
