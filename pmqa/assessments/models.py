"""Cycles (one per fiscal year), their rounds, assessments and score snapshots."""

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
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
    review_due_on = models.DateField(
        _("assessors' reviews due on"),
        null=True,
        blank=True,
        help_text=_("The date by which assessors submit their independent reviews."),
    )
    evidence_retention_years = models.PositiveSmallIntegerField(
        _("evidence kept for (years)"),
        null=True,
        blank=True,
        help_text=_(
            "Years after the fiscal year ends that the agencies' evidence files are kept; "
            "`pmqa apply_retention` deletes them afterwards. Empty: kept."
        ),
    )

    class ReportType(models.TextChoices):
        # The kind of Feedback Report the cycle publishes: its cover, headings and what must be
        # written before it goes for approval (pmqa/feedback/kinds.py).
        STATUS = "status", _("Status assessment (ระบบราชการ 4.0)")
        AWARD = "award", _("Award (รางวัลคุณภาพการบริหารจัดการภาครัฐ)")

    report_type = models.CharField(
        _("report type"), max_length=12, choices=ReportType.choices, default=ReportType.STATUS
    )
    # Verdicts the seed reports do not print; a cycle may turn them on.
    report_shows_level = models.BooleanField(_("print the level reached"), default=False)
    report_shows_gap = models.BooleanField(_("print the self − assessor gap column"), default=False)
    report_shows_chart = models.BooleanField(_("print the radar chart"), default=False)

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


def published(prefix: str = "") -> Q:
    """Published, defined once: the assessment's Feedback Report was published, which makes
    its verified scores and report the official record. `prefix` reaches the assessment from
    another model ("assessments__", "assessment__"); `Assessment.is_published` says the same
    of one assessment, `Assessment.objects.published()` of a queryset."""
    return Q(**{f"{prefix}status": Assessment.Status.PUBLISHED})


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def published(self) -> "AssessmentQuerySet":
        return self.filter(published())


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

    objects = AssessmentQuerySet.as_manager()

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

    @property
    def is_published(self) -> bool:
        """`published()` for this assessment."""
        return self.status == Assessment.Status.PUBLISHED


# Which snapshot counts, defined once: the newest of its assessment, source and round (a
# correction after publication adds a newer one rather than changing the old).
NEWEST_FIRST = ("-created_at", "-pk")


class ScoreSnapshotQuerySet(models.QuerySet["ScoreSnapshot"]):
    def newest(self, source: str, round_number: int = 1) -> "ScoreSnapshot | None":
        """The snapshot that counts of this source and round, or None."""
        found = self.filter(source=source, round_number=round_number).order_by(*NEWEST_FIRST)
        return found.first()

    def current(self) -> "ScoreSnapshotQuerySet":
        """Only the snapshots that count: none with a newer one of the same assessment, source
        and round. An anti-join, which the planner runs in one pass over many assessments."""
        newer = ScoreSnapshot.objects.filter(
            Q(created_at__gt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")),
            assessment=OuterRef("assessment"),
            source=OuterRef("source"),
            round_number=OuterRef("round_number"),
        )
        return self.exclude(Exists(newer))


def newest_snapshots(
    snapshots: Iterable["ScoreSnapshot"],
) -> dict[tuple[str, int], "ScoreSnapshot"]:
    """`newest` of snapshots already read (a prefetch), by (source, round)."""
    found: dict[tuple[str, int], ScoreSnapshot] = {}
    for snapshot in sorted(snapshots, key=lambda s: (s.created_at, s.pk)):  # NEWEST_FIRST reversed
        found[(snapshot.source, snapshot.round_number)] = snapshot  # the newest comes last
    return found


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

    objects = ScoreSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "round_number", "source", "-created_at"]
        verbose_name = _("score snapshot")
        verbose_name_plural = _("score snapshots")
        get_latest_by = "created_at"

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_source_display()} · {self.total}"

    def category_scores(self) -> dict[str, Decimal]:
        return {key: Decimal(value) for key, value in self.categories.items()}


# Allowed status transitions, written down once. Services refuse anything else.
TRANSITIONS: dict[str, frozenset[str]] = {
    Assessment.Status.DRAFT: frozenset({Assessment.Status.SUBMITTED}),
    Assessment.Status.SUBMITTED: frozenset({Assessment.Status.IN_REVIEW, Assessment.Status.DRAFT}),
    Assessment.Status.IN_REVIEW: frozenset(
        {Assessment.Status.CLARIFICATION, Assessment.Status.CONSENSUS, Assessment.Status.DRAFT}
    ),
    Assessment.Status.CLARIFICATION: frozenset(
        {Assessment.Status.IN_REVIEW, Assessment.Status.DRAFT}
    ),
    Assessment.Status.CONSENSUS: frozenset(
        {Assessment.Status.REPORT_DRAFTED, Assessment.Status.IN_REVIEW, Assessment.Status.DRAFT}
    ),
    Assessment.Status.REPORT_DRAFTED: frozenset(
        {Assessment.Status.REPORT_APPROVED, Assessment.Status.CONSENSUS}
    ),
    Assessment.Status.REPORT_APPROVED: frozenset(
        {Assessment.Status.PUBLISHED, Assessment.Status.REPORT_DRAFTED}
    ),
    Assessment.Status.PUBLISHED: frozenset(),
}


class WindowExtension(models.Model):
    """A later closing date of one round for one organisation, granted by an administrator."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("round")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="window_extensions",
        verbose_name=_("organisation"),
    )
    closes_on = models.DateField(_("closes on"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["round", "organisation__name_th"]
        verbose_name = _("window extension")
        verbose_name_plural = _("window extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation"], name="one_extension_per_round_and_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.organisation} · {self.closes_on}"


class Answer(models.Model):
    """One versioned part of what an agency declares: a profile section or an item answer.

    `version` is the optimistic-concurrency counter: a save names the version it started from
    and is refused when someone else saved in between.
    """

    class Kind(models.TextChoices):
        PROFILE = "profile", _("Organisational profile section")
        PROCESS = "process", _("Process item")
        RESULTS = "results", _("Results item")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("assessment")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    key = models.CharField(_("item or section"), max_length=16)
    data = models.JSONField(_("content"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "kind", "key"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="one_answer_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.key} v{self.version}"


class Revision(models.Model):
    """A saved version of an answer, or an edit refused because of a conflict (version None)."""

    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("answer")
    )
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    data = models.JSONField(_("content"), default=dict)
    note = models.CharField(_("note"), max_length=200, blank=True)
    saved_at = models.DateTimeField(_("saved"), auto_now_add=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["answer", "-saved_at", "-id"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.answer.key} v{self.version}"

    @property
    def refused(self) -> bool:
        return self.version is None


def evidence_path(instance: "Evidence", filename: str) -> str:
    # Random names: the uploaded name is never part of a path on disk.
    return f"evidence/{instance.assessment_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A file or link an agency offers as evidence; items cite it by its label."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("assessment")
    )
    label = models.CharField(_("label"), max_length=60)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    uploaded_at = models.DateTimeField(_("added"), auto_now_add=True)
    # The file deleted at the end of its cycle's retention period; the row (label, name, size,
    # checksum) stays, so what was cited remains known.
    removed_on = models.DateField(_("file deleted on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "label"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "label"], name="evidence_label_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Submission(models.Model):
    """What the approver submitted, frozen: assessors review this, never the live answers."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("assessment"),
    )
    number = models.PositiveSmallIntegerField(_("submission number"))
    content = models.JSONField(_("frozen content"))
    self_score = models.ForeignKey(
        ScoreSnapshot, null=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "-number"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "number"], name="submission_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} #{self.number}"


class StatusChange(models.Model):
    """Every status transition of an assessment: who, when, from, to and why."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("assessment"),
    )
    from_status = models.CharField(_("from"), max_length=20, choices=Assessment.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Assessment.Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "-at", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.assessment}: {self.from_status} → {self.to_status}"


class ReminderSent(models.Model):
    """A deadline reminder already sent, so that a second run the same day sends nothing."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    days_before = models.PositiveSmallIntegerField()
    closes_on = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation", "days_before", "closes_on"],
                name="reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} · {self.days_before} · {self.closes_on}"


class OutgoingMail(models.Model):
    """An e-mail the system owes, recorded with the change that causes it and sent by a task.

    Sent at most once: the task marks it handed over before it gives it to the mail server, so a
    task run twice (a worker killed and its task run again) never sends it a second time."""

    key = models.CharField(_("key"), max_length=120, unique=True)
    messages = models.JSONField(_("messages"))  # [[subject, body, from, [to, ...]], ...]
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    handed_at = models.DateTimeField(_("handed to the mail server"), null=True, blank=True)
    sent_at = models.DateTimeField(_("accepted by the mail server"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self) -> str:
        return self.key
