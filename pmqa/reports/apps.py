from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _store_issued_report(sender: Any, *, assessment_id: int, **kwargs: Any) -> None:
    from pmqa.reports.tasks import store_published_report

    store_published_report.enqueue(assessment_id)


class ReportsConfig(AppConfig):
    name = "pmqa.reports"
    verbose_name = _("Feedback Reports")

    def ready(self) -> None:
        from pmqa.feedback.signals import report_issued

        report_issued.connect(_store_issued_report, dispatch_uid="pmqa.reports.store")
