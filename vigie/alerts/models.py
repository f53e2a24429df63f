"""Alerts, notification settings and deliveries, crisis rooms and their post-mortems."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Membership, Organisation, User
from vigie.core.tenancy import OrgScopedManager
from vigie.inbox.models import Template
from vigie.mentions.models import Mention


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Attention")
    CRITICAL = "critical", _("Critique")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


def severity_rank(value: str) -> int:
    """Order of a severity (unknown values rank lowest)."""
    return SEVERITY_RANK.get(Severity(value), 0) if value in Severity.values else 0


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    ACKNOWLEDGED = "acknowledged", _("Prise en compte")
    SNOOZED = "snoozed", _("En sommeil")
    RESOLVED = "resolved", _("Terminée")


# An episode stays "ongoing" in these states: the same key updates the alert instead of opening one.
ONGOING_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.SNOOZED)


class AlertRule(models.TextChoices):
    NEGATIVE_VOLUME = "negative_volume", _("Volume de mentions négatives")
    TOTAL_VOLUME = "total_volume", _("Volume total de mentions")
    REACH = "reach", _("Audience estimée")
    AVERAGE_RATING = "average_rating", _("Note moyenne")
    ONE_STAR_SHARE = "one_star_share", _("Part des avis 1★")
    VIRAL = "viral", _("Publication virale")
    INFLUENCER = "influencer", _("Auteur influent")
    LEGAL_RISK = "legal_risk", _("Risque juridique ou menace")
    ONE_STAR_REVIEW = "one_star_review", _("Avis 1★")


# The rules that watch a series (a volume, a rating, a share): several of them move together in one
# incident. The others (one viral post, one legal threat) are alerts of their own.
SERIES_RULES = (
    AlertRule.NEGATIVE_VOLUME,
    AlertRule.TOTAL_VOLUME,
    AlertRule.REACH,
    AlertRule.AVERAGE_RATING,
    AlertRule.ONE_STAR_SHARE,
)


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    CLOSED = "closed", _("Terminé")


class Incident(models.Model):
    """What the series alerts of one episode are together: one spike moves the volume, the negative
    share, the rating, a theme and a location at once. People are told once per incident (and once
    per aggravation or escalation); the inbox shows a banner while it is open."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incidents")
    status = models.CharField(max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    explanation = models.TextField(blank=True)
    explanation_en = models.TextField(blank=True)
    since = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(default=now)
    last_seen_at = models.DateTimeField(default=now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When people were told: after every series of the detection run that opened it had joined.
    announced_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            # One open incident per organisation: a detection race cannot open a second one.
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(status="open"), name="incident_one_open_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def title_in(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title

    def explanation_in(self, language: str) -> str:
        return self.explanation_en if language == "en" and self.explanation_en else self.explanation


class Alert(models.Model):
    """One episode worth a look. ``key`` names what is watched (a series or one mention); while an
    alert with that key is ongoing, new detections update it rather than opening another."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="alerts")
    key = models.CharField(max_length=200)
    rule = models.CharField(max_length=20, choices=AlertRule.choices)
    scope_label = models.CharField(max_length=200, blank=True)
    # What the series watches in English ("Theme Refunds" beside "Thème Remboursements"); blank
    # for a single item's alert, whose label (a source's or a location's name) reads the same.
    scope_label_en = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    title = models.CharField(max_length=300)
    title_en = models.CharField(max_length=300, blank=True)
    explanation = models.TextField(blank=True)
    explanation_en = models.TextField(blank=True)
    observed = models.FloatField(default=0)
    expected = models.FloatField(default=0)
    score = models.FloatField(default=0)
    since = models.DateTimeField(null=True, blank=True)
    mention = models.ForeignKey(Mention, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(default=now)
    last_seen_at = models.DateTimeField(default=now)
    detections = models.PositiveIntegerField(default=1)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The incident a series alert belongs to; its first alert ("lead") carries the notifications.
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    leads_incident = models.BooleanField(default=False)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            # ONE ongoing alert per key: a detection race cannot open a second one.
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=models.Q(status__in=["open", "acknowledged", "snoozed"]),
                name="alert_one_ongoing_per_key",
            )
        ]
        indexes = [models.Index(fields=["organisation", "status", "last_seen_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ongoing(self) -> bool:
        return self.status in ONGOING_STATUSES

    def title_in(self, language: str) -> str:
        """The title in ``language`` (English when asked and known, French otherwise)."""
        return self.title_en if language == "en" and self.title_en else self.title

    def explanation_in(self, language: str) -> str:
        return self.explanation_en if language == "en" and self.explanation_en else self.explanation

    def scope_label_in(self, language: str) -> str:
        return self.scope_label_en if language == "en" and self.scope_label_en else self.scope_label


class AlertSettings(models.Model):
    """Organisation-wide alert settings, edited by managers."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="alert_settings")
    escalate_after_minutes = models.PositiveIntegerField(default=30)
    one_star_reviews = models.BooleanField(default=False)
    influencer_followers = models.PositiveIntegerField(default=10_000)
    # Watermark of the single-item scan: mentions analysed up to here were already looked at.
    items_scanned_until = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"alert settings of {self.organisation}"


class AlertSeriesSetting(models.Model):
    """Sensitivity of one watched series (``key`` as built by the series job); absent means 1.0."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    sensitivity = models.FloatField(default=1.0)
    enabled = models.BooleanField(default=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="alert_series_setting_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} x{self.sensitivity}"


class KeptHistory(models.Model):
    """The hourly totals of an organisation's count series older than the recent part, kept
    between runs of the alert job so that eight weeks of history cost it about what one does
    (``vigie/alerts/history_keeping.py``).

    ``totals`` holds numpy arrays (``totals``, ``slots``, ``buckets``) in the ``.npz`` format,
    read back with ``allow_pickle=False``: never a pickle. ``keys`` names the rows, ``end`` is the
    epoch second where the history stops (the recent part begins there). Written only by
    ``do_store_kept_history``, which claims the row by its ``version`` (two workers never both
    extend it)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    timezone = models.CharField(max_length=64)
    bucket_seconds = models.PositiveIntegerField()
    keys = models.JSONField(default=list)
    totals = models.BinaryField()
    end = models.BigIntegerField()
    # Mentions up to this id were read: a later one dated inside the history makes it stale.
    last_mention_id = models.BigIntegerField(default=0)
    built_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=0)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"kept history of {self.organisation}"


class ChannelKind(models.TextChoices):
    SLACK = "slack", "Slack"
    MATTERMOST = "mattermost", "Mattermost"
    TEAMS = "teams", "Microsoft Teams"
    WEBHOOK = "webhook", _("Webhook signé")


class NotificationChannel(models.Model):
    """An organisation-level destination (chat incoming webhook or signed webhook).

    The URL (which embeds the chat's token) and the signing secret are stored encrypted and
    never shown back; only ``url_hint`` (scheme and host) is displayed.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=ChannelKind.choices)
    name = models.CharField(max_length=100)
    url_hint = models.CharField(max_length=200, blank=True)
    secrets_encrypted = models.TextField(blank=True)
    minimum_severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    # Empty: every event.
    events = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class NotificationPreference(models.Model):
    """What one member wants to hear about, where, and when not to be disturbed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="notification_preference"
    )
    # Empty: every event.
    events = models.JSONField(default=list, blank=True)
    email = models.BooleanField(default=True)
    minimum_severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"preferences of {self.membership}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec")


class Delivery(models.Model):
    """One message to one destination (a member's e-mail, a channel). ``dedupe_key`` is unique, so
    an event dispatched twice never sends twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=200, unique=True)
    event = models.CharField(max_length=60)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.ForeignKey(
        NotificationChannel, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    notice = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    not_before = models.DateTimeField(default=now)
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} -> {self.channel_id or self.recipient_id} [{self.status}]"


class CrisisStatus(models.TextChoices):
    OPEN = "open", _("En cours")
    CLOSED = "closed", _("Close")


class CrisisRole(models.TextChoices):
    LEAD = "lead", _("Pilote de la cellule")
    SPOKESPERSON = "spokesperson", _("Porte-parole")
    CUSTOMER_SERVICE = "customer_service", _("Service client")
    MARKETING = "marketing", _("Marketing / communication")
    LEGAL = "legal", _("Juridique")
    MANAGEMENT = "management", _("Direction")


class Crisis(models.Model):
    """A crisis room: its scope, severity, cell, playbook, timeline, statements and post-mortem."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="crises")
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    status = models.CharField(max_length=8, choices=CrisisStatus.choices, default=CrisisStatus.OPEN)
    keywords = models.JSONField(default=list, blank=True)
    themes = models.JSONField(default=list, blank=True)
    source_ids = models.JSONField(default=list, blank=True)
    location_ids = models.JSONField(default=list, blank=True)
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="crises")
    started_at = models.DateTimeField(default=now)
    opened_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.title


class CrisisMember(models.Model):
    """A member of the organisation holding one role in a crisis cell."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="cell")
    role = models.CharField(max_length=20, choices=CrisisRole.choices)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        ordering = ["role"]
        constraints = [models.UniqueConstraint(fields=["crisis", "role"], name="crisis_member_one_per_role")]

    def __str__(self) -> str:
        return f"{self.role}: {self.user}"


class PlaybookItem(models.Model):
    """A step of the charter's crisis playbook, copied into the crisis when it opens."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="playbook")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    role = models.CharField(max_length=20, choices=CrisisRole.choices)
    detail = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.title


class TimelineEntry(models.Model):
    """A manual entry of a crisis timeline (automatic events are read from their own tables)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(default=now)
    text = models.TextField()
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return self.text[:60]


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    APPROVED = "approved", _("Approuvée")
    # Public somewhere: a platform confirmed it (the outbox's result), a person confirmed posting
    # it by hand, or recorded where else it was said. Handing it to the outbox is not publishing.
    PUBLISHED = "published", _("Publiée")


class StatementState(models.TextChoices):
    """Where a statement stands for the cell (``Statement.state``), read from what the platforms
    answered, never from the moment it was handed to the outbox."""

    DRAFT = "draft", _("Brouillon")
    APPROVED = "approved", _("Approuvée")
    SENDING = "sending", _("Envoi en cours")
    BY_HAND = "by_hand", _("À publier à la main")
    FAILED = "failed", _("Échec de publication")
    PARTIAL = "partial", _("Partiellement publiée")
    PUBLISHED = "published", _("Publiée")


class Statement(models.Model):
    """A holding statement or public update; the spokesperson approves it before it goes out."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="statements")
    body = models.TextField()
    template = models.ForeignKey(Template, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=StatementStatus.choices, default=StatementStatus.DRAFT)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_where = models.CharField(max_length=300, blank=True)
    # What the quality gate found in the body when it was drafted (``Finding.as_dict`` values, in
    # the author's language): shown beside the statement; a blocking one forbids approving it.
    findings = models.JSONField(default=list, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def state(self) -> StatementState:
        """Draft, approved, then what its publications say: *envoi en cours* while a sending is
        queued or under way and nothing is public yet, *publiée* once a platform (or a person)
        confirmed it and nothing failed or waits for a person, *partiellement publiée* when some
        place failed or is still to be posted by hand, *échec de publication* when every sending
        failed, *à publier à la main* when only a person can post it. Reads
        ``publications.all()`` (prefetch it for a list)."""
        if self.status == StatementStatus.DRAFT:
            return StatementState.DRAFT
        rows = {p.status for p in self.publications.all()}
        done = {StatementPublicationStatus.PUBLISHED, StatementPublicationStatus.POSTED_BY_HAND}
        public = self.published_at is not None or bool(rows & done) or bool(self.published_where)
        failed = StatementPublicationStatus.FAILED in rows
        by_hand = StatementPublicationStatus.BY_HAND in rows
        if public:
            return StatementState.PARTIAL if failed or by_hand else StatementState.PUBLISHED
        if rows & {StatementPublicationStatus.PENDING, StatementPublicationStatus.SENDING}:
            return StatementState.SENDING
        if failed:
            return StatementState.FAILED
        if by_hand:
            return StatementState.BY_HAND
        return StatementState.APPROVED


class StatementPublicationStatus(models.TextChoices):
    PENDING = "pending", _("En file d'attente")
    SENDING = "sending", _("Envoi en cours")
    PUBLISHED = "published", _("Publiée")
    FAILED = "failed", _("Échec")
    BY_HAND = "by_hand", _("À publier à la main")
    POSTED_BY_HAND = "posted_by_hand", _("Publiée à la main")


class StatementPublication(models.Model):
    """One approved statement on one connected account: sent once through the connector's
    ``publish_post`` (the outbox of statements), or copied and posted by hand where the platform
    has no API for it. One row per (statement, source): publishing twice never posts twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="publications")
    source = models.ForeignKey("connectors.Source", on_delete=models.CASCADE, related_name="+")
    platform = models.SlugField(max_length=40)
    status = models.CharField(
        max_length=16,
        choices=StatementPublicationStatus.choices,
        default=StatementPublicationStatus.PENDING,
    )
    idempotency_key = models.CharField(max_length=80, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=80, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "source"], name="statement_publication_once")
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} → {self.platform}"


class PostMortem(models.Model):
    """What a closed crisis taught: required to close it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    crisis = models.OneToOneField(Crisis, on_delete=models.CASCADE, related_name="postmortem")
    causes = models.TextField()
    what_worked = models.TextField()
    what_did_not = models.TextField()
    written_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"post-mortem of {self.crisis}"


class CorrectiveAction(models.Model):
    """An action decided in a post-mortem, with an owner and a due date, followed afterwards."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="corrective_actions")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title
