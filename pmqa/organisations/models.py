"""Organisations that are assessed, and the groupings above them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

BANGKOK = "TH-10"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        DEPARTMENT = "department", _("Department")
        PROVINCE_CLUSTER = "province_cluster", _("Province cluster")
        PROVINCE = "province", _("Province")
        PUBLIC_ORGANISATION = "public_organisation", _("Public organisation")
        OTHER = "other", _("Other")

    # Which kind of parent each kind may have; kinds not listed take no parent.
    ALLOWED_PARENTS = {
        Kind.DEPARTMENT: {Kind.MINISTRY},
        Kind.PROVINCE: {Kind.PROVINCE_CLUSTER},
        Kind.PUBLIC_ORGANISATION: {Kind.MINISTRY},
        Kind.OTHER: {Kind.MINISTRY},
    }

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    name_th = models.CharField(_("name (Thai)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name_th = models.CharField(_("abbreviation (Thai)"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name_th"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The official name in the language of the page."""
        if get_language() == "en" and self.name_en:
            return self.official_name_en
        return self.official_name_th

    @property
    def is_province(self) -> bool:
        # Bangkok is listed with the provinces but is not called a province.
        return self.kind == self.Kind.PROVINCE and self.code != BANGKOK

    @property
    def official_name_th(self) -> str:
        """The name as official documents write it: a province as "จังหวัด…"."""
        if self.is_province and not self.name_th.startswith("จังหวัด"):
            return f"จังหวัด{self.name_th}"
        return self.name_th

    @property
    def official_name_en(self) -> str:
        if self.is_province and self.name_en and not self.name_en.endswith("Province"):
            return f"{self.name_en} Province"
        return self.name_en

    def clean(self) -> None:
        if self.parent_id is None:
            return
        allowed = self.ALLOWED_PARENTS.get(self.kind, set())
        if self.parent.kind not in allowed:
            raise ValidationError(
                {
                    "parent": _("A %(kind)s cannot belong to a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
                }
            )
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An organisation cannot be its own ancestor.")})
            ancestor = ancestor.parent
