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
    use ``{{variables}}`` and ``[[à compléter : …]]`` fill-ins (see ``vigie.inbox.templating``).
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
