"""Review requests, satisfaction surveys and testimonials (see docs/outreach.md).

A ``Campaign`` holds an organisation's rules (one per organisation); a ``Contact`` is a customer
who may be invited, with the legal basis for writing to them and their opt-out, bounce and
complaint marks; an ``Invitation`` is one request to review (and answer the survey); a
``SurveyResponse`` is one answer; a ``Testimonial`` a quote a manager chose.
"""

from __future__ import annotations

from datetime import time

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from vigie.core.models import Location, Organisation, Team, User
from vigie.core.tenancy import OrgScopedManager
from vigie.inbox.models import Case
from vigie.mentions.models import Author, Mention


class LegalBasis(models.TextChoices):
    """Why the organisation may write to a customer (GDPR art. 6); nothing is sent without one."""

    CONSENT = "consent", _("Consentement du client")
    CONTRACT = "contract", _("Exécution d'un contrat (client existant)")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Intérêt légitime (suivi d'un dossier client)")


class Campaign(models.Model):
    """How an organisation asks for reviews: the same invitation to everyone in the population."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    enabled = models.BooleanField(default=False)
    after_resolved_case = models.BooleanField(default=True)
    legal_basis = models.CharField(max_length=24, choices=LegalBasis.choices, blank=True)
    period_days = models.PositiveIntegerField(default=90)
    # None: no reminder. At most one reminder is ever sent.
    reminder_after_days = models.PositiveIntegerField(null=True, blank=True, default=7)
    quiet_start = models.TimeField(default=time(20, 0))
    quiet_end = models.TimeField(default=time(9, 0))
    with_survey = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    # The organisation's own address for customers' answers (the mail's Reply-To); empty: none,
    # the mail comes from Vigie's sending address under the organisation's name.
    reply_to = models.EmailField(max_length=254, blank=True)
    # Who is in the population: [{"field": "location", "value": "…"}, …] (see ``rules``).
    population = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"outreach campaign of {self.organisation_id}"


class Contact(models.Model):
    """A customer who may be invited. The opt-out is never cleared."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    name = models.CharField(max_length=200, blank=True)
    # The customer's account on a platform, when known (the author of a case's mention).
    author = models.ForeignKey(Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    legal_basis = models.CharField(max_length=24, choices=LegalBasis.choices, blank=True)
    legal_basis_note = models.CharField(max_length=300, blank=True)
    legal_basis_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["email", "phone"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=~models.Q(email=""),
                name="outreach_contact_unique_email",
            ),
            models.UniqueConstraint(
                fields=["organisation", "phone"],
                condition=~models.Q(phone=""),
                name="outreach_contact_unique_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.email or self.phone


class Suppression(models.Model):
    """An address whose customer opted out or complained, kept after their contact was erased
    (GDPR): only a keyed fingerprint of the address (``actions.address_digest``), no name, so the
    objection (art. 21) outlives the erasure and a later list cannot invite them again."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    reason = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "digest"], name="outreach_suppression_unique")
        ]

    def __str__(self) -> str:
        return f"suppression {self.digest[:8]}"


class Trigger(models.TextChoices):
    CASE = "case", _("Dossier résolu")
    IMPORT = "import", _("Liste importée")
    API = "api", _("API")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class InvitationState(models.TextChoices):
    SCHEDULED = "scheduled", _("Programmée (heures calmes)")
    # Claimed by one sender just before the mail or SMS goes: no other sender (the periodic job,
    # a list's background run) takes it again. One left here by a worker that died longer than
    # ``actions.SENDING_STALE_AFTER`` ago is tried once more by the periodic job (``attempts``).
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec de l'envoi")


class BatchState(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")
    FAILED = "failed", _("Interrompue")


class BatchKind(models.TextChoices):
    INVITE = "invite", _("Invitation d'une liste")
    SURVEY = "survey", _("Import de résultats d'enquête")


class InviteBatch(models.Model):
    """A file uploaded on the page and handled in the background, row after row, with its
    progress and the outcome of every row that did not go (``InviteBatchRow``): a list of
    customers to invite, or survey results to import (``kind``)."""

    kind = models.CharField(max_length=10, choices=BatchKind.choices, default=BatchKind.INVITE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    file_name = models.CharField(max_length=200, blank=True)
    # The file's digest: the same list sent twice in a row (a double click) opens the first run.
    digest = models.CharField(max_length=64, blank=True)
    dry_run = models.BooleanField(default=False)
    # The rows as read from the file; emptied once the run is over (the report stays).
    rows = models.JSONField(default=list, blank=True)
    total = models.PositiveIntegerField(default=0)
    # Rows handled so far (the next row's index): a restarted run goes on from here.
    done = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    # Rows by reason (codes of ``reasons.REASONS``), "quiet_hours" included.
    counts = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=BatchState.choices, default=BatchState.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invite batch {self.pk}"


class InviteBatchRow(models.Model):
    """One row of a list that did not go (or would not, in a dry run): its line, address, reason."""

    batch = models.ForeignKey(InviteBatch, on_delete=models.CASCADE, related_name="report_rows")
    line = models.PositiveIntegerField()
    who = models.CharField(max_length=254, blank=True)
    reason = models.CharField(max_length=40)
    detail = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["line"]
        constraints = [models.UniqueConstraint(fields=["batch", "line"], name="outreach_batchrow_unique")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class Invitation(models.Model):
    """One request to review the organisation (with a survey link), to one contact."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="invitations")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The list it came from: a run restarted after a crash counts the row as sent, not as
    # "already invited".
    batch = models.ForeignKey(InviteBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    platform = models.SlugField(max_length=40)
    review_url = models.URLField(max_length=1000)
    language = models.CharField(max_length=5, default="fr")
    # Names the invitation inside its signed links; never shown alone.
    token = models.CharField(max_length=32, unique=True)
    state = models.CharField(max_length=12, choices=InvitationState.choices)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=now)
    send_after = models.DateTimeField(default=now)
    # When a sender last claimed it ("sending") and how many times it was claimed: a claim older
    # than ``actions.SENDING_STALE_AFTER`` was left by a worker that died; the periodic job tries
    # it once more (attempt 2, with the same Message-ID), never a third time.
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    survey_opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "created_at"], name="outreach_inv_org_created"),
            models.Index(fields=["contact", "created_at"], name="outreach_inv_contact"),
            models.Index(fields=["state", "send_after"], name="outreach_inv_due"),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk}"


class ResponseOrigin(models.TextChoices):
    LINK = "link", _("Lien de l'enquête")
    IMPORT = "import", _("Import CSV")


class SurveyResponse(models.Model):
    """One answer to the satisfaction survey: CSAT (1–5), NPS (0–10), free text."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agent = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    csat = models.PositiveSmallIntegerField(null=True, blank=True)
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    # The mention of the ``survey`` source it became (analysed, routed, counted).
    mention = models.ForeignKey(Mention, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    origin = models.CharField(max_length=10, choices=ResponseOrigin.choices, default=ResponseOrigin.LINK)
    answered_at = models.DateTimeField(default=now)
    # An imported answer's key (the file's ``id``, else the file's digest and line): unique, so a
    # file imported twice, a double click or a restarted import never stores one answer twice.
    external_id = models.CharField(max_length=120, blank=True)
    # The import that stored it: a run restarted after a crash counts the row as imported, not as
    # "imported before".
    batch = models.ForeignKey(
        "InviteBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-answered_at"]
        indexes = [models.Index(fields=["organisation", "answered_at"], name="outreach_resp_org_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="outreach_resp_external_unique",
            )
        ]

    def __str__(self) -> str:
        return f"survey response {self.pk}"


class Testimonial(models.Model):
    """A positive review or survey answer a manager chose to quote, with its source and date."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    mention = models.ForeignKey(Mention, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(
        SurveyResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()
    author_name = models.CharField(max_length=200, blank=True)
    platform = models.SlugField(max_length=40)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    said_at = models.DateTimeField()
    # Already published by its author on a public platform: no further consent needed to quote it.
    public = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(max_length=300, blank=True)
    # Chosen for the management report.
    featured = models.BooleanField(default=False)
    selected_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-said_at"]

    def __str__(self) -> str:
        return f"testimonial {self.pk}"


class PublicHit(models.Model):
    """Requests to the public survey pages per client and minute (rate limit shared by processes)."""

    key = models.CharField(max_length=64)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="outreach_hit_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.window}"
