"""Cycles (one per fiscal year), their rounds, assessments and score snapshots."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Cycle(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (B.E.)"), unique=True)
    edition = models.ForeignKey(
        "criteria.Edition",
        on_delete=models.PROTECT,
        related_name="cycles",
        verbose_name=_("criteria edition"),
    )
    round2_threshold = models.DecimalField(
        _("round 2 threshold"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Verified round-1 total an agency needs to enter round 2."),
    )

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")

    def __str__(self) -> str:
        return _("Fiscal year %(year)s") % {"year": self.fiscal_year}


class Round(models.Model):
    class Number(models.IntegerChoices):
        SELF_ASSESSMENT = 1, _("Round 1: self-assessment")
        APPLICATION_REPORT = 2, _("Round 2: application report")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"), choices=Number.choices)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    class Meta:
        ordering = ["cycle", "number"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="round_number_unique"),
            models.CheckConstraint(
                name="round_closes_after_opening",
                condition=models.Q(closes_on__gte=models.F("opens_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.get_number_display()}"


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        CLARIFICATION = "clarification", _("Clarification requested")
        CONSENSUS = "consensus", _("Consensus")
        REPORT_DRAFTED = "report_drafted", _("Report drafted")
        REPORT_APPROVED = "report_approved", _("Report approved")
        PUBLISHED = "published", _("Published")

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("cycle")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    is_synthetic = models.BooleanField(
        _("synthetic demo data"),
        default=False,
        help_text=_("Generated for demonstration; never a real agency's result."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-cycle__fiscal_year", "organisation__name_th"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "organisation"], name="one_assessment_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.cycle}"


class ScoreSnapshot(models.Model):
    """A frozen set of figures from the scoring engine, with the rules version that made it."""

    class Source(models.TextChoices):
        SELF = "self", _("Self-assessment")
        ASSESSOR = "assessor", _("Assessor (verified)")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    round_number = models.PositiveSmallIntegerField(_("round"), default=1)
    categories = models.JSONField(_("category scores"), default=dict, blank=True)
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2)
    rating = models.DecimalField(_("rating"), max_digits=4, decimal_places=2, null=True, blank=True)
    level = models.CharField(_("level"), max_length=16, blank=True)
    rules_version = models.CharField(_("rules version"), max_length=32)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "round_number", "source", "-created_at"]
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_source_display()} · {self.total}"

    def category_scores(self) -> dict[str, Decimal]:
        return {key: Decimal(value) for key, value in self.categories.items()}
