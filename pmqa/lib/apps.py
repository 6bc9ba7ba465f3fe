"""App config so Django loads the template tags of pmqa.lib, knows its URL converter and runs
its deploy checks."""

from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class LibConfig(AppConfig):
    name = "pmqa.lib"
    label = "pmqa_lib"
    verbose_name = _("Shared services")

    def ready(self) -> None:
        from pmqa.lib import checks  # noqa: F401  (registers the deploy checks)
        from pmqa.lib.converters import IdConverter

        register_converter(IdConverter, "id")
