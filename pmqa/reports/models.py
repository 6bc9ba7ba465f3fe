"""Published reports' files, printed once and then downloaded as they are."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmqa.assessments.models import Assessment


def stored_report_path(instance: "StoredReport", filename: str) -> str:
    return f"reports/{instance.assessment.cycle.fiscal_year}/{filename}"


class StoredReport(models.Model):
    """One file of a published Feedback Report (a layout as PDF or Excel), made when the report
    was published, or again when a correction was published (`revision`: how many corrections
    it includes). A stored file is never replaced: it is the report as it was issued."""

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="stored_reports",
        verbose_name=_("assessment"),
    )
    layout = models.CharField(_("layout"), max_length=8)
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    revision = models.PositiveSmallIntegerField(_("corrections included"), default=0)
    file = models.FileField(_("file"), upload_to=stored_report_path, max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored report file")
        verbose_name_plural = _("stored report files")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "layout", "kind", "revision"],
                name="stored_report_unique",
            )
        ]

    def __str__(self) -> str:
        return self.file.name
