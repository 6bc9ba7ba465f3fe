"""What assessors decided: teams, independent reviews, clarification, consensus, round 2."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assignment(models.Model):
    """An assessor on the team that verifies one assessment; one member of a team is the lead."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("assessment"),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("assessor"),
    )
    is_lead = models.BooleanField(_("team lead"), default=False)
    assigned_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "-is_lead", "assessor__full_name"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "assessor"], name="assessor_once_per_assessment"
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(is_lead=True),
                name="one_lead_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.assessor}"


class Review(models.Model):
    """One assessor's independent review of one submission; hidden from the other assessors
    until this one is submitted."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("assessment"),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("assessor"),
    )
    submission = models.ForeignKey(
        "assessments.Submission",
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("submission reviewed"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "assessor__full_name"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "assessor"], name="one_review_per_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.assessor}"


class ItemScore(models.Model):
    """An assessor's score and comments for one item. `score` is the engine's figure in full
    precision (a Decimal as text), computed from the inputs by the edition's rule."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="item_scores", verbose_name=_("review")
    )
    item_code = models.CharField(_("item"), max_length=8)
    ticks = models.JSONField(_("checkpoints met"), default=dict, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    kpi_scores = models.JSONField(_("KPI scores"), default=list, blank=True)
    override = models.DecimalField(
        _("override score"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    override_reason = models.TextField(_("reason for the override"), blank=True)
    score = models.CharField(_("item score"), max_length=40, blank=True)
    strengths = models.TextField(_("strengths"), blank=True)
    ofis = models.TextField(_("opportunities for improvement"), blank=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        ordering = ["review", "item_code"]
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "item_code"], name="one_score_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.review} · {self.item_code} · {self.score}"


class Clarification(models.Model):
    """An assessor's question on an item and the agency's answer, kept with the assessment."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="clarifications",
        verbose_name=_("assessment"),
    )
    item_code = models.CharField(_("item"), max_length=8)
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(_("asked"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    # A document the agency sent with its answer: kept as evidence of the assessment (so
    # retention and backups treat it as the others), readable by the team.
    attachment = models.ForeignKey(
        "assessments.Evidence",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("attached file"),
    )

    class Meta:
        ordering = ["assessment", "item_code", "asked_at"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")

    def __str__(self) -> str:
        return f"{self.assessment} · {self.item_code}"


class ConsensusScore(models.Model):
    """The lead's final score for an item, with the reason when it is far from the mean."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="consensus_scores",
        verbose_name=_("assessment"),
    )
    item_code = models.CharField(_("item"), max_length=8)
    score = models.CharField(_("consensus score"), max_length=40)
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("set"), auto_now=True)

    class Meta:
        ordering = ["assessment", "item_code"]
        verbose_name = _("consensus score")
        verbose_name_plural = _("consensus scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item_code"], name="one_consensus_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.item_code} · {self.score}"


def application_report_path(instance: "ApplicationReport", filename: str) -> str:
    return f"application-reports/{instance.assessment_id}/{uuid.uuid4().hex}"


class ApplicationReport(models.Model):
    """Round 2: the written report an agency that passed round 1 uploads."""

    assessment = models.OneToOneField(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="application_report",
        verbose_name=_("assessment"),
    )
    file = models.FileField(_("file"), upload_to=application_report_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now=True)

    class Meta:
        verbose_name = _("application report")
        verbose_name_plural = _("application reports")

    def __str__(self) -> str:
        return f"{self.assessment} · {self.original_name}"


class Round2Score(models.Model):
    """An assessor's 0–500 score of the Application Report, with comments."""

    assessment = models.ForeignKey(
        "assessments.Assessment",
        on_delete=models.CASCADE,
        related_name="round2_scores",
        verbose_name=_("assessment"),
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comments"), blank=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        ordering = ["assessment", "assessor__full_name"]
        verbose_name = _("round 2 score")
        verbose_name_plural = _("round 2 scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "assessor"], name="one_round2_score_per_assessor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.score}"
