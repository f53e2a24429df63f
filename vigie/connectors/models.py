"""Sources: one connector instance each, with its cursor and health."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Location, Organisation
from vigie.core.tenancy import OrgScopedManager


class SourceState(models.TextChoices):
    OK = "ok", _("Opérationnelle")
    FAILING = "failing", _("En erreur")
    NEEDS_REAUTH = "needs_reauth", _("Réautorisation nécessaire")
    PAUSED = "paused", _("En pause")


class Source(models.Model):
    """One account or feed on one platform that Vigie reads (and, where allowed, answers on)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sources")
    platform = models.SlugField(max_length=40)
    name = models.CharField(max_length=150)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )
    account_handle = models.CharField(
        max_length=200, blank=True, help_text=_("Le compte de l'organisation sur la plateforme.")
    )
    language = models.CharField(max_length=5, blank=True, default="fr")
    config = models.JSONField(default=dict, blank=True)
    credentials_encrypted = models.TextField(blank=True)
    cursor = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=SourceState.choices, default=SourceState.OK)
    poll_interval_seconds = models.PositiveIntegerField(default=900)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    rate_limited_until = models.DateTimeField(null=True, blank=True)
    items_fetched = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=now)
    # Errors in a row since the last success: drives the exponential backoff.
    consecutive_failures = models.PositiveIntegerField(default=0)
    # A fetch job takes the source with a conditional UPDATE on these, so two workers never
    # read the same source at once; a claim older than the lease is considered abandoned.
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # A removed source whose mentions were kept: hidden from the Sources page, never polled.
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="source_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"


class SourcePlace(models.Model):
    """A place of a source's account on its platform (a Google location) and the Vigie location
    its items are filed under. Written only by ``vigie.connectors.actions``."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="places")
    external_id = models.CharField(max_length=200)
    name = models.CharField(max_length=200, blank=True)
    store_code = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=250, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    city = models.CharField(max_length=100, blank=True)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_places"
    )
    first_seen_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["source", "name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="source_place_unique_external_id")
        ]

    def __str__(self) -> str:
        return f"{self.name or self.external_id} ({self.source_id})"
