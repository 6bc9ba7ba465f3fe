"""App config so Django loads the template tags of pmqa.lib."""

from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "pmqa.lib"
    label = "pmqa_lib"
