"""The register of data subjects' requests (GDPR art. 12 and 15 to 21): what was asked, when it
was received and the date by which it must be answered — one month (art. 12(3)), which the DPO may
extend by two further months for a complex or numerous request, telling the person why."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Organisation, User
from vigie.core.tenancy import OrgScopedManager


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Accès (copie des données)")
    ERASURE = "erasure", _("Effacement")
    RECTIFICATION = "rectification", _("Rectification")
    OBJECTION = "objection", _("Opposition")


class SubjectRequest(models.Model):
    """One request of a person about their data, from its receipt to its answer."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=RequestKind.choices)
    # What identifies the person (as the DPO typed it); emptied once an erasure is done, when only
    # ``fingerprint`` stays (the keyed fingerprint of ``actions.subject_fingerprint``).
    subject = models.CharField(max_length=254, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    received_on = models.DateField()
    due_on = models.DateField()
    # The extended limit (two more months at most, art. 12(3)), and why (told to the person).
    extended_to = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} request {self.pk}"

    @property
    def limit(self) -> date:
        """The date the answer is due (the extended one when extended)."""
        return self.extended_to or self.due_on


class DeferredErasure(models.Model):
    """The part of an erasure a legal hold deferred: the person's own posts kept under hold (GDPR
    art. 17(3)(e)), carried out when the hold is lifted (``actions.do_run_deferred_erasure``).

    Until then it keeps what the erasure needs to finish (the identifier typed, the identifiers and
    strings found, the held posts' ids): the person's data is still held anyway, with the posts.
    Once done, only the keyed fingerprint and what was done stay."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=254, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    identifiers = models.JSONField(default=dict, blank=True)
    needles = models.JSONField(default=list, blank=True)
    case_needles = models.JSONField(default=list, blank=True)
    # The person's posts the hold kept (ids of mentions); what is left of them after each run.
    mention_ids = models.JSONField(default=list, blank=True)
    # The register's request the erasure answered: its note is completed when this is done.
    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"deferred erasure {self.pk}"
