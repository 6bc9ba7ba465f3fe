"""The Feedback Report as a document: its texts, its approval status and its corrections."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmqa.assessments.models import Assessment


class Feedback(models.Model):
    # The report's status is read from its assessment's (`status`), never stored beside it.
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        RETURNED = "returned", _("Returned with comments")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    assessment = models.OneToOneField(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("assessment"),
    )
    conclusion = models.TextField(_("overall conclusion"), blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    return_comment = models.TextField(_("comment when returned"), blank=True)
    # The organisation's names as they stood at publication: a published report prints them,
    # like its scores, whatever the organisation is called later.
    organisation_name = models.CharField(
        _("organisation name as published"), max_length=255, blank=True
    )
    organisation_short_name = models.CharField(
        _("organisation abbreviation as published"), max_length=64, blank=True
    )
    # Each save of the texts makes a new version; a page that saves from an older one is
    # refused, and what it sent is kept (KeptReportEdit) beside the newer texts.
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last saved by"),
    )

    class Meta:
        verbose_name = _("feedback report")
        verbose_name_plural = _("feedback reports")

    def __str__(self) -> str:
        return str(self.assessment)

    @property
    def status(self) -> str:
        """Where the report stands, from its assessment's status: written during consensus
        ("returned" once OPDC has sent it back, its comment in `return_comment`), submitted
        while the report is drafted, then approved and published with the assessment."""
        status = self.assessment.status
        if self.assessment.is_published:
            return self.Status.PUBLISHED
        if status == Assessment.Status.REPORT_APPROVED:
            return self.Status.APPROVED
        if status == Assessment.Status.REPORT_DRAFTED:
            return self.Status.SUBMITTED
        # Only a return brings the assessment back to consensus once the report was sent,
        # and only a return writes the comment.
        return self.Status.RETURNED if self.return_comment else self.Status.DRAFT

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class FeedbackEntry(models.Model):
    """One paragraph of the report, placed by scope (where) and kind (what)."""

    class Scope(models.TextChoices):
        CATEGORY = "category", _("Category")
        ITEM = "item", _("Item")
        PILLAR = "pillar", _("Gov 4.0 pillar")
        OVERALL = "overall", _("Whole organisation")

    class Kind(models.TextChoices):
        STRENGTH = "strength", _("Strength")
        OFI = "ofi", _("Opportunity for improvement")
        ACHIEVEMENT = "achievement", _("Outstanding achievement")
        THEME = "theme", _("Development theme")

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="entries")
    scope = models.CharField(_("scope"), max_length=12, choices=Scope.choices)
    key = models.CharField(_("category, item or pillar"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=255, blank=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["feedback", "scope", "key", "kind", "position"]
        verbose_name = _("feedback entry")
        verbose_name_plural = _("feedback entries")

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key} · {self.get_kind_display()} {self.position}"


class KeptReportEdit(models.Model):
    """The report's texts as a page sent them when someone else had saved a newer version
    first: kept, not saved over theirs, until the lead chooses. Later refusals of the same
    person against the same version replace it."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="kept_edits")
    against_version = models.PositiveIntegerField(_("refused against version"))
    texts = models.JSONField(_("texts"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    saved_at = models.DateTimeField(_("sent"), auto_now=True)

    class Meta:
        verbose_name = _("kept edit of a report")
        verbose_name_plural = _("kept edits of reports")

    def __str__(self) -> str:
        return f"{self.feedback} · {self.against_version}"


class ReportRevision(models.Model):
    """A correction of a published report by an administrator: the consensus item scores that
    changed, the totals before and after, and why. The report says it was revised."""

    feedback = models.ForeignKey(
        Feedback, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("report")
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    reason = models.TextField(_("reason"))
    changes = models.JSONField(_("item scores changed"), default=dict)
    old_total = models.DecimalField(_("total before"), max_digits=6, decimal_places=2)
    new_total = models.DecimalField(_("total after"), max_digits=6, decimal_places=2)
    revised_on = models.DateField(_("revised on"))
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["feedback", "number"]
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")
        constraints = [
            models.UniqueConstraint(fields=["feedback", "number"], name="report_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.feedback} · {self.number}"
