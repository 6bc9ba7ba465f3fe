"""Users and their memberships: which role a person holds, where, and when."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENCY_EDITOR = "agency_editor", _("Agency editor")
    AGENCY_APPROVER = "agency_approver", _("Agency approver")
    ASSESSOR = "assessor", _("Assessor")
    LEAD_ASSESSOR = "lead_assessor", _("Lead assessor")
    ADMINISTRATOR = "opdc_admin", _("OPDC administrator")


AGENCY_ROLES = frozenset({Role.AGENCY_EDITOR, Role.AGENCY_APPROVER})
ASSESSOR_ROLES = frozenset({Role.ASSESSOR, Role.LEAD_ASSESSOR})


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    # Kept by pmqa.notifications as it tells and as the person reads, so that the header shows
    # it from the user row every page reads anyway.
    unread_notifications = models.PositiveIntegerField(_("unread notifications"), default=0)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.get_username()

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.get_username()


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self, on: datetime.date | None = None) -> "MembershipQuerySet":
        day = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=day), Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class Membership(models.Model):
    """A role held by a user; agency roles are held at an organisation. Past memberships stay:
    they are how a conflict of interest ("belongs or belonged") is found."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="agency_role_needs_organisation",
                condition=~Q(role__in=["agency_editor", "agency_approver"])
                | Q(organisation__isnull=False),
            ),
            models.CheckConstraint(
                name="membership_ends_after_start",
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        where = f" · {self.organisation}" if self.organisation_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"


class ApiToken(models.Model):
    """A personal token for the REST API (`Authorization: Bearer <token>`), with exactly its
    owner's rights. Only a SHA-256 of the secret is kept; the secret is shown once, when made.
    `prefix` (the first characters of the secret, not enough to use it) tells tokens apart."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("first characters"), max_length=16)
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # Every token expires (PMQA_API_TOKEN_MAX_DAYS at most), and ends with a password change.
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["user", "-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
