"""Cases, replies and templates: what agents work on."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Organisation, Team, User
from vigie.core.tenancy import OrgScopedManager
from vigie.mentions.models import Mention


class CaseStatus(models.TextChoices):
    NEW = "new", _("À traiter")
    IN_PROGRESS = "in_progress", _("En cours")
    AWAITING_APPROVAL = "awaiting_approval", _("En attente de validation")
    WAITING_CUSTOMER = "waiting_customer", _("En attente du client")
    RESOLVED = "resolved", _("Résolu")
    NO_ANSWER = "no_answer", _("Sans réponse nécessaire")


class NoAnswerReason(models.TextChoices):
    """Why a case needs no answer, shown where its deadline would be."""

    TROLL = "troll", _("Troll : à modérer, ne pas nourrir la conversation")
    SPAM = "spam", _("Indésirable : à masquer, pas à traiter")
    ANSWERED_ELSEWHERE = "answered_elsewhere", _("Déjà répondu ailleurs")
    NOT_NEEDED = "not_needed", _("Pas de réponse nécessaire, selon l'agent")
    RULE = "rule", _("La règle de traitement dit : pas de réponse")
    CHARTER = "charter", _("La charte ne prévoit pas de réponse pour ce type de message")
    CHANNEL = "channel", _("La charte n'engage pas la conversation sur cette plateforme")
    ERASED = "erased", _("Données effacées à la demande de la personne (RGPD)")


OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.IN_PROGRESS,
    CaseStatus.AWAITING_APPROVAL,
    CaseStatus.WAITING_CUSTOMER,
)


class Case(models.Model):
    """A mention that needs handling, with who handles it and by when."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cases")
    mention = models.OneToOneField(Mention, on_delete=models.CASCADE, related_name="case")
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    priority = models.PositiveSmallIntegerField(default=0)
    needs_answer = models.BooleanField(default=True)
    # Why no answer is due, when none is (routing's decision, or a person's moderation or closing).
    no_answer_reason = models.CharField(max_length=20, choices=NoAnswerReason.choices, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    # Set by the comment-handling scheme (routing); read by the reply flow and the SLA clock.
    routing_rule = models.CharField(max_length=150, blank=True)
    approval_required = models.BooleanField(default=False)
    suggested_template_ids = models.JSONField(default=list, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-priority", "sla_due_at"]
        indexes = [
            models.Index(fields=["organisation", "status", "priority"]),
            models.Index(fields=["organisation", "assignee", "status"]),
            models.Index(fields=["organisation", "sla_due_at"]),
            # Covers the inbox's sort and its sidebar counts, so neither reads the table itself.
            models.Index(
                fields=[
                    "organisation",
                    "status",
                    "priority",
                    "sla_due_at",
                    "created_at",
                    "assignee",
                    "team",
                    "mention",
                ],
                name="case_inbox_list",
            ),
            models.Index(fields=["organisation", "created_at"], name="case_org_created"),
            models.Index(fields=["organisation", "team", "status"], name="case_org_team_status"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TemplateCategory(models.TextChoices):
    THANKS = "thanks", _("Remerciement")
    APOLOGY = "apology", _("Excuses")
    INFORMATION = "information", _("Information")
    PRIVATE_CHANNEL = "private_channel", _("Passage en privé")
    FOLLOW_UP = "follow_up", _("Relance")


class Template(models.Model):
    """A pre-written answer agents start from, or a snippet they add to one.

    Variants of one answer (French and English, a shorter one for X, a formal one for LinkedIn)
    share a ``key``; the composer picks the variant for the case's language and platform. Bodies
    use ``{{variables}}`` and ``[[à compléter : …]]`` fill-ins (see ``vigie.inbox.templating.render``).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="templates")
    name = models.CharField(max_length=150)
    key = models.SlugField(
        max_length=80, blank=True, help_text=_("Identifiant commun aux variantes d'une même réponse.")
    )
    category = models.CharField(max_length=20, choices=TemplateCategory.choices)
    language = models.CharField(max_length=5, default="fr")
    platform = models.SlugField(max_length=40, blank=True, help_text=_("Vide : toutes les plateformes."))
    body = models.TextField()
    is_snippet = models.BooleanField(
        default=False, help_text=_("Un morceau de réponse à combiner avec d'autres.")
    )
    themes = models.JSONField(default=list, blank=True)
    pre_approved = models.BooleanField(default=False)
    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["category", "name"]
        indexes = [models.Index(fields=["organisation", "key"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "language", "platform"], name="template_unique_variant"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    AWAITING_APPROVAL = "awaiting_approval", _("En attente de validation")
    SENT_BACK = "sent_back", _("Renvoyée pour correction")
    APPROVED = "approved", _("Validée")
    PUBLISHED = "published", _("Publiée")
    POSTED_BY_HAND = "posted_by_hand", _("Publiée à la main")
    FAILED = "failed", _("Échec de publication")


class ReplyChannel(models.TextChoices):
    PUBLIC = "public", _("Réponse publique")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Téléphone")
    DIRECT_MESSAGE = "direct_message", _("Message privé")


class Reply(models.Model):
    """An answer to a case, from draft to publication."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="replies")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies")
    template = models.ForeignKey(
        Template, null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    channel = models.CharField(max_length=20, choices=ReplyChannel.choices, default=ReplyChannel.PUBLIC)
    body = models.TextField()
    status = models.CharField(max_length=20, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "replies"

    def __str__(self) -> str:
        return f"Reply {self.pk} to {self.case}"


# --- Publishing outbox and private channel (see docs/publishing-and-private-channel.md) ----------


class PublicationState(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    SENDING = "sending", _("Envoi en cours")
    PUBLISHED = "published", _("Publiée")
    FAILED = "failed", _("Échec de publication")
    UNKNOWN = "unknown", _("Incertaine : à vérifier sur la plateforme")
    MANUAL = "manual", _("À publier à la main")
    POSTED_BY_HAND = "posted_by_hand", _("Publiée à la main")
    DELETED = "deleted", _("Supprimée")


class Publication(models.Model):
    """The outbox row of one reply: where its platform call stands.

    A worker claims the row with a conditional UPDATE (queued -> sending) before calling the
    platform, so a reply is never sent by two workers, and a row found "sending" after a crash is
    only sent again where the platform deduplicates (see ``vigie.inbox.outbox.publishing``).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reply = models.OneToOneField(Reply, on_delete=models.CASCADE, related_name="publication")
    platform = models.SlugField(max_length=40)
    state = models.CharField(max_length=20, choices=PublicationState.choices, default=PublicationState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True)
    queued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        indexes = [models.Index(fields=["organisation", "state"])]

    def __str__(self) -> str:
        return f"Publication of reply {self.reply_id} ({self.state})"


class PrivateChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    DIRECT_MESSAGE = "direct_message", _("Message privé sur la plateforme")


class PrivateThread(models.Model):
    """A conversation moved out of public view, by e-mail (or a platform's direct messages).

    ``token`` names the thread in the reply address and the subject, so an answer finds its case
    even when the customer's mail client drops the threading headers.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="private_threads")
    channel = models.CharField(max_length=20, choices=PrivateChannel.choices, default=PrivateChannel.EMAIL)
    address = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=200)
    token = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    last_message_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.channel} thread {self.token}"


class MessageDirection(models.TextChoices):
    OUTBOUND = "out", _("Envoyé")
    INBOUND = "in", _("Reçu")


class MessageState(models.TextChoices):
    QUEUED = "queued", _("En file d'attente")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec d'envoi")
    RECEIVED = "received", _("Reçu")


class PrivateMessage(models.Model):
    """One e-mail sent or received in a private thread. Unique on (organisation, Message-ID): a
    message polled twice, or posted twice to the webhook, is stored once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(PrivateThread, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=MessageDirection.choices)
    state = models.CharField(max_length=10, choices=MessageState.choices)
    message_id = models.CharField(max_length=255)
    in_reply_to = models.CharField(max_length=255, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reply = models.ForeignKey(Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "message_id"], name="private_message_unique_id")
        ]

    def __str__(self) -> str:
        return self.message_id


class CallbackOutcome(models.TextChoices):
    REACHED = "reached", _("Client joint")
    NO_ANSWER = "no_answer", _("Pas de réponse")
    VOICEMAIL = "voicemail", _("Message laissé")
    WRONG_NUMBER = "wrong_number", _("Mauvais numéro")


class CallbackLog(models.Model):
    """A phone call back to the customer. The number stays here, never on a public page or log."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="callbacks")
    phone = models.CharField(max_length=40)
    outcome = models.CharField(max_length=20, choices=CallbackOutcome.choices)
    notes = models.TextField(blank=True)
    called_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    called_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["called_at"]

    def __str__(self) -> str:
        return f"Callback on {self.case_id} ({self.outcome})"


class ExternalTicket(models.Model):
    """A ticket in another tool (helpdesk, CRM) that follows the case."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="external_tickets")
    reference = models.CharField(max_length=100)
    url = models.URLField(max_length=1000, blank=True)
    linked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "reference"], name="external_ticket_unique_reference")
        ]

    def __str__(self) -> str:
        return self.reference


class Note(models.Model):
    """An internal note on a case, never shown to the customer; ``@email`` mentions notify members."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    # Ids of the members notified by this note, kept so the page can show who was called in.
    mentioned_user_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.case}"


class SavedView(models.Model):
    """A named inbox view (a base view plus filters), private to its owner or shared with a team."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    # The inbox's own query string (view and filters), re-validated by the filter form on every use.
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "owner", "name"], name="saved_view_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """One line of the comment-handling scheme: when a mention matches ``conditions``, its case gets
    ``actions``. Rules are tried in ``position`` order and the first enabled match wins.

    Conditions and actions are JSON validated by ``vigie.inbox.routing.rules.RuleConditions`` and
    ``RuleActions``, so a new criterion needs no migration.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="routing_rules")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    enabled = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=dict, blank=True)
    # Round-robin cursor: the person this rule gave a case to last.
    last_assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organisation", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="routing_rule_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MemberAvailability(models.Model):
    """A member away (holiday, sick leave, training) until a date: automatic assignment skips them."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    unavailable_until = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organisation", "user"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="availability_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} away until {self.unavailable_until}"
