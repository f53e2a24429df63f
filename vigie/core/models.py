"""Organisations (tenants), people, their roles, teams, locations and their groups, API tokens and
the audit log."""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.roles import Role, has_role
from vigie.core.tenancy import OrgScopedManager


def validate_timezone(value: str) -> None:
    """Reject a time zone name that the IANA database does not know."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Fuseau horaire inconnu : %(value)s"), params={"value": value}) from None


class Language(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"


class Organisation(models.Model):
    """A tenant: everything in Vigie belongs to exactly one organisation."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="Europe/Paris", validators=[validate_timezone])
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.FR)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    """Users are identified by their e-mail address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Their rights come from their memberships, not from this row."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("adresse e-mail"), unique=True)
    language = models.CharField(
        _("langue de l'interface"), max_length=5, choices=Language.choices, blank=True, default=""
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def language_for(self, organisation: Organisation | None = None) -> str:
        """The language to write to this person in (notifications, e-mails): theirs, else
        ``organisation``'s (by default their first active organisation's), else French. As the
        pages speak to them (``vigie.core.middleware``)."""
        if self.language:
            return self.language
        if organisation is None:
            membership = self.memberships.filter(is_active=True).select_related("organisation").first()
            organisation = membership.organisation if membership is not None else None
        if organisation is not None and organisation.language:
            return organisation.language
        return settings.LANGUAGE_CODE

    @property
    def invitation_pending(self) -> bool:
        """Invited, and not in yet: never signed in and no password chosen (the invitation's link
        is where they choose it)."""
        return self.last_login is None and not self.has_usable_password()


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an organisation: their role and teams."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organisation", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org")
        ]

    def __str__(self) -> str:
        return f"{self.user.email} @ {self.organisation.slug} ({self.role})"

    def can(self, minimum: Role) -> bool:
        """True when this active membership's role is ``minimum`` or above."""
        return self.is_active and has_role(self.role, minimum)


class LocationKind(models.TextChoices):
    SITE = "site", _("Site")
    AGENCY = "agency", _("Agence")
    SHOP = "shop", _("Boutique")


class Location(models.Model):
    """A physical place of the organisation that customers review: site, agency, shop."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=16, choices=LocationKind.choices, default=LocationKind.AGENCY)
    address = models.CharField(max_length=250, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=12, blank=True)
    timezone = models.CharField(max_length=64, default="Europe/Paris", validators=[validate_timezone])
    # The organisation's own code for the place (Google's "store code"): how a platform's place is
    # matched to this location.
    store_code = models.CharField(max_length=64, blank=True, default="")

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="location_unique_name")]

    def __str__(self) -> str:
        return self.name


class LocationGroup(models.Model):
    """A named set of the organisation's locations ("Région Sud-Est", "Franchisés") that the
    dashboard and the management report sum together. A location may belong to several groups."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="location_groups")
    name = models.CharField(max_length=150)
    locations = models.ManyToManyField(Location, blank=True, related_name="groups")
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="location_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token for the REST API, bound to one membership. Only a digest is stored."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginThrottle(models.Model):
    """Failed sign-in attempts for one key (an e-mail address or a client address)."""

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures} failure(s)"


class AuditEvent(models.Model):
    """One step in an organisation's history. Append-only and hash-chained.

    Each event stores the hash of the previous event of the same organisation, so changing or
    removing any past row breaks the chain, which ``vigie audit verify`` detects.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="audit_events")
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=now)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=254)
    verb = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # 1: plain SHA-256 (events recorded before the chain was keyed); 2: HMAC-SHA256 (core.audit).
    hash_version = models.PositiveSmallIntegerField(default=2)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organisation", "seq"]
        constraints = [models.UniqueConstraint(fields=["organisation", "seq"], name="audit_unique_seq")]
        indexes = [models.Index(fields=["organisation", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échoué")


class Job(models.Model):
    """A unit of background work in embedded mode (Celery keeps its own queue at scale)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    dedupe_key = models.CharField(max_length=200, blank=True)
    run_after = models.DateTimeField(default=now)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=3)
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["run_after"]
        indexes = [models.Index(fields=["status", "run_after"])]
        constraints = [
            # At most one queued or running job per dedupe key: enqueuing twice is harmless.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(status__in=["queued", "running"]) & ~models.Q(dedupe_key=""),
                name="job_unique_pending_dedupe_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} [{self.status}]"


class PeriodicJobState(models.Model):
    """When each periodic job last ran, shared by every process of an embedded deployment."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.name} (next {self.next_run_at:%Y-%m-%d %H:%M})"


class Notification(models.Model):
    """An in-app message to one person in one organisation (approval asked, reply sent back, alert…).

    Other channels (e-mail, chat webhooks) are chosen per user by the alerts app; this row is the
    one that always exists, so nothing is lost when a channel fails.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The title and body in each interface language ({"en": {"title": …, "body": …}, "fr": …}) when
    # they were given as translatable text: the bell's list follows its reader's language after a
    # switch (an English user read the French notifications written before). Empty: ``title`` and
    # ``body`` only (plain text, or a notification older than this).
    texts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "organisation", "read_at"])]

    def __str__(self) -> str:
        return self.title

    def _in_reader_language(self, field: str) -> str:
        from django.utils.translation import get_language

        written = self.texts.get((get_language() or "")[:2]) or {}
        return str(written.get(field, getattr(self, field)))

    @property
    def shown_title(self) -> str:
        """The title in the active language where it was written in it, else as stored."""
        return self._in_reader_language("title")

    @property
    def shown_body(self) -> str:
        """The body in the active language where it was written in it, else as stored."""
        return self._in_reader_language("body")
