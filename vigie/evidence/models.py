"""Evidence: the organisation's signing key, captures (one link each of a signed chain), legal holds."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Organisation, User
from vigie.core.tenancy import OrgScopedManager
from vigie.mentions.models import Mention


class SigningKey(models.Model):
    """The organisation's Ed25519 key. The private half is encrypted at rest like source credentials."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    public_key_pem = models.TextField()
    private_key_encrypted = models.TextField()
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"ed25519 {self.fingerprint[:16]}"


class CaptureKind(models.TextChoices):
    MENTION = "mention", _("Capture d'une page")
    AUDIT_ANCHOR = "audit_anchor", _("Ancrage du journal d'audit")


class CaptureStatus(models.TextChoices):
    COMPLETE = "complete", _("Complète")
    PARTIAL = "partial", _("Partielle")
    FAILED = "failed", _("Échec du rendu")


class CaptureTrigger(models.TextChoices):
    MANUAL = "manual", _("À la demande")
    AUTO = "auto", _("Automatique (risque juridique)")
    COMMAND = "command", _("Ligne de commande")
    SCHEDULE = "schedule", _("Tâche périodique")


class Capture(models.Model):
    """One link of the organisation's evidence chain: a page captured, or the audit log's head anchored.

    ``manifest`` is the exact signed text (canonical JSON); ``manifest_sha256`` is what the next link
    names as its predecessor. The files live under ``directory`` (relative to the evidence folder).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=CaptureKind.choices, default=CaptureKind.MENTION)
    # Kept when the mention is erased once its hold is lifted: the chain must not lose a link.
    mention = models.ForeignKey(
        Mention, null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence_captures"
    )
    status = models.CharField(max_length=10, choices=CaptureStatus.choices)
    reason = models.TextField(blank=True)
    trigger = models.CharField(max_length=10, choices=CaptureTrigger.choices, default=CaptureTrigger.MANUAL)
    url = models.URLField(max_length=1000, blank=True)
    captured_at = models.DateTimeField()
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    directory = models.CharField(max_length=200, blank=True)
    manifest = models.TextField()
    manifest_sha256 = models.CharField(max_length=64)
    prev_manifest_sha256 = models.CharField(max_length=64)
    signature = models.CharField(max_length=128)
    timestamp_token = models.BinaryField(null=True, blank=True)
    timestamp_error = models.CharField(max_length=300, blank=True)
    # When the capture's files were deleted (erasure after its hold was lifted); the signed manifest
    # stays so the chain keeps every link.
    purged_at = models.DateTimeField(null=True, blank=True)
    # When the person's data in ``manifest`` (author, post address and id) was removed for a GDPR
    # erasure, the hold being lifted. ``manifest_sha256`` and ``signature`` stay those of the signed
    # original: the next link still names that digest, so the chain goes on, but this link's own
    # signature no longer verifies against the text kept (see docs/evidence.md, "Erasure").
    redacted_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organisation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "seq"], name="evidence_capture_unique_seq")
        ]
        indexes = [models.Index(fields=["organisation", "mention"])]

    def __str__(self) -> str:
        return f"capture #{self.seq} ({self.kind})"


class LegalHold(models.Model):
    """A mention kept out of retention and erasure until someone lifts the hold (audited)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="legal_holds")
    placed_at = models.DateTimeField(default=now)
    placed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lift_reason = models.CharField(max_length=500, blank=True)
    # When the legal team was told the three-month limit is 30 and 7 days away.
    warned_30_at = models.DateTimeField(null=True, blank=True)
    warned_7_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mention"],
                condition=models.Q(lifted_at__isnull=True),
                name="evidence_one_active_hold",
            )
        ]

    def __str__(self) -> str:
        return f"hold on mention {self.mention_id}"
