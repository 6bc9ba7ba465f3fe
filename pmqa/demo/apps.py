"""Demo data: the two seed cases, a labelled synthetic cohort and demo accounts."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pmqa.demo"
    label = "demo"
