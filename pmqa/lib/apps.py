"""App config so Django loads the template tags of pmqa.lib and knows its URL converter."""

from django.apps import AppConfig
from django.urls import register_converter


class LibConfig(AppConfig):
    name = "pmqa.lib"
    label = "pmqa_lib"

    def ready(self) -> None:
        from pmqa.lib.converters import IdConverter

        register_converter(IdConverter, "id")
