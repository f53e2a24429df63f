"""The canonical mention: a review, post, comment, reply, article or survey answer."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.connectors.models import Source
from vigie.core.models import Location, Organisation
from vigie.core.tenancy import OrgScopedManager


class Author(models.Model):
    """Someone who writes about the organisation on one platform."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="authors")
    platform = models.SlugField(max_length=40)
    external_id = models.CharField(max_length=200)
    handle = models.CharField(max_length=200, blank=True)
    display_name = models.CharField(max_length=200, blank=True)
    profile_url = models.URLField(max_length=500, blank=True)
    followers_count = models.PositiveIntegerField(null=True, blank=True)
    # Flags a person sets on an author: customer, employee, influencer, suspected competitor…
    flags = models.JSONField(default=list, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "platform", "external_id"], name="author_unique_external_id"
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.handle or self.external_id


class MentionKind(models.TextChoices):
    REVIEW = "review", _("Avis")
    POST = "post", _("Publication")
    COMMENT = "comment", _("Commentaire")
    REPLY = "reply", _("Réponse")
    ARTICLE = "article", _("Article")
    SURVEY_ANSWER = "survey_answer", _("Réponse à une enquête")
    # Messenger, Instagram Direct, X direct messages: private, never answered in public.
    PRIVATE_MESSAGE = "private_message", _("Message privé")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Négatif")
    NEUTRAL = "neutral", _("Neutre")
    POSITIVE = "positive", _("Positif")


class MentionType(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Réclamation")
    PRAISE = "praise", _("Compliment")
    SUGGESTION = "suggestion", _("Suggestion")
    TROLL = "troll", _("Troll")
    SPAM = "spam", _("Spam")
    OTHER = "other", _("Autre")


class Mention(models.Model):
    """One item read from a source. Unique on (source, external_id): re-reading never duplicates."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mentions")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="mentions")
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    external_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, choices=MentionKind.choices)
    url = models.URLField(max_length=1000, blank=True)
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    # Sanitised HTML kept for display where the platform sends HTML; ``text`` is its plain form.
    html = models.TextField(blank=True)
    rating = models.DecimalField(
        max_digits=3, decimal_places=2, null=True, blank=True, help_text=_("Note ramenée sur 1–5.")
    )
    rating_raw = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(help_text=_("Date de publication sur la plateforme."))
    fetched_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    deleted_at = models.DateTimeField(null=True, blank=True)
    likes = models.PositiveIntegerField(default=0)
    shares = models.PositiveIntegerField(default=0)
    replies_count = models.PositiveIntegerField(default=0)
    reach = models.PositiveIntegerField(default=0, help_text=_("Audience estimée."))
    raw = models.JSONField(default=dict, blank=True)
    # The organisation's answer already on the platform (a Google owner reply, a Trustpilot
    # company reply), as the platform last showed it: a review answered there is answered, and
    # where a new reply replaces the old one the agent must see what they would replace.
    owner_reply_text = models.TextField(blank=True)
    owner_reply_at = models.DateTimeField(null=True, blank=True)

    # Latest analysis, denormalised for filtering; the analysis app keeps the versioned results.
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    sentiment_score = models.FloatField(null=True, blank=True)
    mention_type = models.CharField(max_length=12, choices=MentionType.choices, blank=True)
    themes = models.JSONField(default=list, blank=True)
    priority = models.PositiveSmallIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="mention_unique_external_id")
        ]
        indexes = [
            models.Index(fields=["organisation", "created_at"]),
            models.Index(fields=["organisation", "sentiment", "created_at"]),
            models.Index(fields=["organisation", "kind", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class MentionRevision(models.Model):
    """A previous version of an edited mention, kept when the platform's copy changed."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    url = models.URLField(max_length=1000, blank=True)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_raw = models.CharField(max_length=32, blank=True)
    raw = models.JSONField(default=dict, blank=True)
    # When the version was current, and when Vigie saw it replaced.
    valid_from = models.DateTimeField()
    replaced_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["mention", "-replaced_at"]

    def __str__(self) -> str:
        return f"revision of {self.mention_id} replaced {self.replaced_at:%Y-%m-%d %H:%M}"


class AuthorFlag(models.TextChoices):
    """How the organisation qualifies an author (``Author.flags``), set by agents on the case page."""

    CUSTOMER = "customer", _("Client")
    EMPLOYEE = "employee", _("Salarié")
    INFLUENCER = "influencer", _("Influenceur")
    COMPETITOR = "competitor", _("Concurrent présumé")
