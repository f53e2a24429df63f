"""Charter versions: each change is a new row, so the history says who changed what, and when."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now

from vigie.core.models import Organisation, User
from vigie.core.tenancy import OrgScopedManager


class CharterVersion(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="charter_versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    comment = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organisation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="charter_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} v{self.number}"
