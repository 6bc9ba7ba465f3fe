"""Django admin for OPDC administrators: access comes from the administrator role."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from pmqa.accounts.roles import request_access


class PmqaAdminSite(admin.AdminSite):
    site_header = _("PMQA 4.0 data administration")
    site_title = _("PMQA 4.0")
    index_title = _("Data administration")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request_access(request).is_admin)
