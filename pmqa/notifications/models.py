"""What a person is told at a hand-off, and how each wants to be told."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """The hand-offs, each told to the person who acts next."""

    SUBMITTED = "submitted", _("A self-assessment is submitted")
    RETURNED = "returned", _("The self-assessment is returned to the editors")
    READY = "ready", _("An editor says the self-assessment is ready")
    TEAM_ASSIGNED = "team_assigned", _("You are assigned to an assessment team")
    QUESTION_ASKED = "question_asked", _("An assessor asks the agency a question")
    QUESTION_ANSWERED = "question_answered", _("The agency answers your question")
    REVIEW_SUBMITTED = "review_submitted", _("An assessor of your team submits a review")
    REVIEWS_IN = "reviews_in", _("Every review of your team is in")
    REPORT_SENT = "report_sent", _("A Feedback Report is sent for approval")
    REPORT_RETURNED = "report_returned", _("Your Feedback Report is returned with comments")
    REPORT_PUBLISHED = "report_published", _("The Feedback Report is published")
    REPORT_CORRECTED = "report_corrected", _("A published Feedback Report is corrected")
    ROUND2_OPENED = "round2_opened", _("Round 2 opens")
    DEADLINE = "deadline", _("A deadline is near")


# Who may be told of what: the settings page offers a person the kinds their roles receive.
AGENCY_KINDS = (
    Kind.RETURNED,
    Kind.READY,
    Kind.QUESTION_ASKED,
    Kind.REPORT_PUBLISHED,
    Kind.REPORT_CORRECTED,
    Kind.ROUND2_OPENED,
    Kind.DEADLINE,
)
ASSESSOR_KINDS = (
    Kind.TEAM_ASSIGNED,
    Kind.QUESTION_ANSWERED,
    Kind.REVIEW_SUBMITTED,
    Kind.REVIEWS_IN,
    Kind.REPORT_RETURNED,
)
ADMIN_KINDS = (Kind.SUBMITTED, Kind.REPORT_SENT)


class Delivery(models.TextChoices):
    NOW = "now", _("By e-mail at once")
    DIGEST = "digest", _("In one e-mail a day")
    OFF = "off", _("Not by e-mail (here only)")


class Notification(models.Model):
    """One hand-off told to one person: in the centre until read, and by e-mail as they chose.
    `key` names the event: the same event never tells a person twice."""

    class Mail(models.TextChoices):
        WAITING = "waiting", _("to be sent")
        DIGEST = "digest", _("in the next digest")
        HANDED = "handed", _("handed to the mail server")
        SENT = "sent", _("sent")
        NONE = "none", _("not by e-mail")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    key = models.CharField(_("event"), max_length=120)
    # The organisation the news is about when it reaches the agency's people: a person who
    # no longer works there is not e-mailed about it.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organisation"),
    )
    # The assessment it is about, for the checks of whether the person is still concerned
    # (an assessor still on its team); a number, as this app sits below the assessments'.
    assessment_id = models.PositiveIntegerField(_("assessment"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    url = models.CharField(_("where to act"), max_length=500)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    mail = models.CharField(_("e-mail"), max_length=8, choices=Mail.choices)
    mailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.subject}"


class Preference(models.Model):
    """How a person wants one kind of hand-off by e-mail; without one, at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_choices"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    delivery = models.CharField(_("e-mail"), max_length=8, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {self.delivery}"
