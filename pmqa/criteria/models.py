"""Criteria editions: categories → items → levels → checkpoints, profile structure, settings.

An edition used by a cycle is frozen: old reports must re-render exactly, so its texts and
settings never change; "copy to new edition" gives an editable copy.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pmqa import scoring


class Bilingual(models.Model):
    """Thai and English names, shown in the active language (Thai when English is empty)."""

    name_th = models.TextField(_("name (Thai)"))
    name_en = models.TextField(_("name (English)"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_th


class ItemRule(models.TextChoices):
    GATED_CHECKLIST = "gated_checklist", _("Checkpoints, each level gated by the one below")
    LEVEL_PICK = "level_pick", _("Assessor picks a level (0, 300, 400, 500)")
    NUMERIC = "numeric", _("Assessor enters a score from 0 to 500")


class LevelCode(models.TextChoices):
    BASIC = "basic", _("Basic")
    ADVANCE = "advance", _("Advance")
    SIGNIFICANCE = "significance", _("Significance")


class Edition(Bilingual):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    source_note = models.TextField(_("source"), blank=True)
    item_rule = models.CharField(
        _("item scoring rule"),
        max_length=24,
        choices=ItemRule.choices,
        default=ItemRule.GATED_CHECKLIST,
    )
    strength_threshold = models.DecimalField(
        _("strength from"), max_digits=6, decimal_places=2, default=Decimal(450)
    )
    develop_threshold = models.DecimalField(
        _("develop further from"), max_digits=6, decimal_places=2, default=Decimal(300)
    )
    basic_points = models.DecimalField(
        _("Basic level points"), max_digits=6, decimal_places=2, default=Decimal(300)
    )
    advance_points = models.DecimalField(
        _("Advance level points"), max_digits=6, decimal_places=2, default=Decimal(400)
    )
    significance_points = models.DecimalField(
        _("Significance level points"), max_digits=6, decimal_places=2, default=Decimal(500)
    )
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "code"]
        verbose_name = _("criteria edition")
        verbose_name_plural = _("criteria editions")

    @property
    def is_frozen(self) -> bool:
        return self.cycles.exists()

    def thresholds(self) -> scoring.Thresholds:
        return scoring.Thresholds(
            strength=self.strength_threshold,
            develop=self.develop_threshold,
            basic=self.basic_points,
            advance=self.advance_points,
            significance=self.significance_points,
        )


class Category(Bilingual):
    class Kind(models.TextChoices):
        PROCESS = "process", _("Process")
        RESULTS = "results", _("Results")

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="categories", verbose_name=_("edition")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)

    class Meta:
        ordering = ["edition", "number"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="category_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Item(models.Model):
    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="items", verbose_name=_("category")
    )
    code = models.CharField(_("code"), max_length=8)
    position = models.PositiveSmallIntegerField(_("position"))
    title_th = models.TextField(_("title (Thai)"))
    title_en = models.TextField(_("title (English)"), blank=True)
    report_title_th = models.TextField(_("report title (Thai)"))
    report_title_en = models.TextField(_("report title (English)"), blank=True)
    example_kpis_en = models.JSONField(_("example KPIs"), default=list, blank=True)

    class Meta:
        ordering = ["category__number", "position"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="item_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.report_title}"

    @property
    def title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title_th

    @property
    def report_title(self) -> str:
        if get_language() == "en" and self.report_title_en:
            return self.report_title_en
        return self.report_title_th

    @property
    def is_results(self) -> bool:
        return self.category.kind == Category.Kind.RESULTS


class ItemLevel(models.Model):
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="levels", verbose_name=_("item")
    )
    level = models.CharField(_("level"), max_length=16, choices=LevelCode.choices)
    tag = models.CharField(_("tag"), max_length=128, blank=True)  # the criteria's English keyword
    tag_th = models.CharField(_("tag (Thai)"), max_length=160, blank=True)
    summary_th = models.TextField(_("summary (Thai)"))
    summary_en = models.TextField(_("summary (English)"), blank=True)

    class Meta:
        verbose_name = _("item level")
        verbose_name_plural = _("item levels")
        constraints = [models.UniqueConstraint(fields=["item", "level"], name="item_level_unique")]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_level_display()}"

    @property
    def summary(self) -> str:
        return self.summary_en if get_language() == "en" and self.summary_en else self.summary_th

    @property
    def keyword(self) -> str:
        """The level's keyword in the reader's language (the English one where no Thai is kept)."""
        return self.tag if get_language() == "en" or not self.tag_th else self.tag_th


class Checkpoint(models.Model):
    item_level = models.ForeignKey(
        ItemLevel, on_delete=models.CASCADE, related_name="checkpoints", verbose_name=_("level")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text_th = models.TextField(_("text (Thai)"))
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        ordering = ["item_level", "position"]
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.UniqueConstraint(
                fields=["item_level", "position"], name="checkpoint_position_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if get_language() == "en" and self.text_en else self.text_th


class ProfileSection(Bilingual):
    """Organisational profile structure: sections contain parts, parts contain fields."""

    class Depth(models.IntegerChoices):
        SECTION = 1, _("Section")
        PART = 2, _("Part")
        FIELD = 3, _("Field")

    edition = models.ForeignKey(
        Edition,
        on_delete=models.CASCADE,
        related_name="profile_sections",
        verbose_name=_("edition"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=16)
    depth = models.PositiveSmallIntegerField(_("depth"), choices=Depth.choices)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["edition", "code"]
        verbose_name = _("profile section")
        verbose_name_plural = _("profile sections")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="profile_code_unique")
        ]


class Pillar(Bilingual):
    """Gov 4.0 pillars under which a report groups outstanding achievements."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="pillars", verbose_name=_("edition")
    )
    code = models.SlugField(_("code"), max_length=64)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["edition", "position"]
        verbose_name = _("Gov 4.0 pillar")
        verbose_name_plural = _("Gov 4.0 pillars")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="pillar_code_unique")
        ]


class LevelName(Bilingual):
    """The edition's names for its levels (ระดับพื้นฐาน …)."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="level_names", verbose_name=_("edition")
    )
    level = models.CharField(_("level"), max_length=16, choices=LevelCode.choices)

    class Meta:
        verbose_name = _("level name")
        verbose_name_plural = _("level names")
        constraints = [
            models.UniqueConstraint(fields=["edition", "level"], name="level_name_unique")
        ]
