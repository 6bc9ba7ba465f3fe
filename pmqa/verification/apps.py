"""What did assessors decide: verified scores and the Feedback Report text."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "pmqa.reviews"
    verbose_name = _("Reviews")
