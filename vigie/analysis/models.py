"""Stored analysis: each analyzer's versioned result per mention, the organisation's theme
taxonomy and analysis settings, and agents' corrections (future training labels)."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Organisation, User
from vigie.core.tenancy import OrgScopedManager
from vigie.mentions.models import Mention


class AnalysisResult(models.Model):
    """What one analyzer, at one version, said about one mention. Re-analysis replaces the row."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="analysis_results")
    analyzer = models.CharField(max_length=60)
    version = models.CharField(max_length=40)
    result = models.JSONField(default=dict)
    analysed_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["analyzer"]
        constraints = [
            models.UniqueConstraint(fields=["mention", "analyzer"], name="analysis_result_one_per_analyzer")
        ]
        indexes = [models.Index(fields=["organisation", "analyzer", "analysed_at"])]

    def __str__(self) -> str:
        return f"{self.analyzer} {self.version} on mention {self.mention_id}"


class Theme(models.Model):
    """One theme of an organisation's taxonomy. The slug is stored on mentions: never change it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="themes")
    slug = models.SlugField(max_length=50)
    label = models.CharField(max_length=120)
    keywords = models.JSONField(default=list, blank=True)
    examples = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="theme_unique_slug")]

    def __str__(self) -> str:
        return self.label


class AnalysisSettings(models.Model):
    """Per-organisation inputs of the analyzers."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="analysis_settings"
    )
    # Regular expressions of the organisation's order numbers and of its customer numbers
    # (personal data: masked in quotes, flagged in replies).
    order_patterns = models.JSONField(default=list, blank=True)
    customer_patterns = models.JSONField(default=list, blank=True)
    # Names the organisation goes by (brand, agencies…): a review naming none of them may be off-topic.
    organisation_terms = models.JSONField(default=list, blank=True)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"analysis settings of {self.organisation}"


class CorrectedField(models.TextChoices):
    SENTIMENT = "sentiment", _("Sentiment")
    TYPE = "type", _("Type")
    THEMES = "themes", _("Thèmes")


class Correction(models.Model):
    """An agent's correction of the analysis: shown at once, and a label for ``vigie retrain``."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=20, choices=CorrectedField.choices)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    corrected_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    corrected_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-corrected_at"]
        indexes = [models.Index(fields=["organisation", "field", "corrected_at"])]

    def __str__(self) -> str:
        return f"{self.field} of mention {self.mention_id}: {self.old_value} -> {self.new_value}"


class TextSketch(models.Model):
    """One value of a mention's near-duplicate sketch: the per-organisation store that lets the
    suspicious-review check compare a new mention with the organisation's whole history."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    value = models.BigIntegerField()

    objects = OrgScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mention", "value"], name="text_sketch_unique_value")]
        indexes = [models.Index(fields=["organisation", "value"])]

    def __str__(self) -> str:
        return f"sketch {self.value} of mention {self.mention_id}"


class ThemeCandidate(models.Model):
    """A cluster of mentions that fit no theme, found by ``vigie themes discover``; a manager
    may promote it into a theme."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    terms = models.JSONField(default=list)
    examples = models.JSONField(default=list)
    size = models.PositiveIntegerField()
    mention_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=now)
    promoted_to = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-size"]

    def __str__(self) -> str:
        return ", ".join(self.terms[:3])


class OrganisationModel(models.Model):
    """A model trained on one organisation's own labels by ``vigie retrain`` (platform star
    ratings and agents' corrections). Weights are plain JSON (no pickle); only an adopted model,
    one that beat the shipped model on held-back data, is ``active``."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    task = models.CharField(max_length=30, default="sentiment")
    trained_at = models.DateTimeField(default=now)
    examples = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict)
    weights = models.JSONField(default=dict)
    active = models.BooleanField(default=False)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-trained_at"]
        indexes = [models.Index(fields=["organisation", "task", "active"])]

    def __str__(self) -> str:
        return f"{self.task} model of {self.organisation} ({self.trained_at:%Y-%m-%d})"
