"""App config of the REST API (`/api/v1/`) and the personal token pages."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pmqa.api"
    label = "api"
