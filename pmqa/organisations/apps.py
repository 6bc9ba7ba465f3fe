"""Who is assessed: ministries, departments, provinces and their groupings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "pmqa.organisations"
    verbose_name = _("Organisations")
