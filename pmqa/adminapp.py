"""App config that makes PmqaAdminSite the admin site (kept apart: it must not import models)."""

from django.contrib.admin.apps import AdminConfig


class PmqaAdminConfig(AdminConfig):
    default_site = "pmqa.adminsite.PmqaAdminSite"
