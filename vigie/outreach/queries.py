"""Reads of outreach: the campaign, invitations, satisfaction per location, team and agent with the
response rate, what invitations achieved (clicks, reviews after them, invited versus organic
ratings), testimonials. The insights dashboard and the management report read these."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vigie.core.models import Location, Organisation, Team, User
from vigie.core.periods import Period
from vigie.core.tenancy import scoped
from vigie.mentions.models import Author, Mention, MentionKind, MentionType, Sentiment
from vigie.outreach.links import SURVEY_MAX_AGE, unsign
from vigie.outreach.models import (
    Campaign,
    Contact,
    Invitation,
    InvitationState,
    InviteBatchRow,
    SurveyResponse,
    Testimonial,
)

# A review on the invited platform and location this soon after a click counts as "after invitation".
ATTRIBUTION_DAYS = 14
# Platform slugs that name the same place to review (the charter says "google", the connector
# of Google Business Profile stores "google_business").
_SAME_PLATFORM = {"google": "google_business"}


def campaign_of(organisation: Organisation) -> Campaign:
    """The campaign, or an unsaved default one (switched off) when none was set up."""
    return Campaign.objects.filter(organisation=organisation).first() or Campaign(organisation=organisation)


def invitation_for_link(kind: str, value: str) -> Invitation | None:
    """The invitation a signed link of ``kind`` names; None for anything else (same answer for a
    forged link and for one naming nothing)."""
    token = unsign(kind, value, max_age=SURVEY_MAX_AGE if kind == "survey" else None)
    if token is None:
        return None
    return (
        Invitation.objects.filter(token=token).select_related("organisation", "contact", "location").first()
    )


def invitations(organisation: Organisation, *, state: str = "", limit: int = 200) -> QuerySet[Invitation]:
    rows = scoped(Invitation, organisation).select_related("contact", "location", "case", "agent", "team")
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("-created_at")[:limit]


def _platform(slug: str) -> str:
    return _SAME_PLATFORM.get(slug, slug)


@dataclass
class Satisfaction:
    """CSAT (share of 4–5 answers), average CSAT, NPS and response rate of one group."""

    key: Any
    label: str
    invited: int = 0
    answers: int = 0
    csat_answers: int = 0
    satisfied: int = 0
    csat_sum: int = 0
    nps_answers: int = 0
    promoters: int = 0
    detractors: int = 0

    @property
    def csat(self) -> float | None:
        return self.satisfied / self.csat_answers if self.csat_answers else None

    @property
    def csat_average(self) -> float | None:
        return self.csat_sum / self.csat_answers if self.csat_answers else None

    @property
    def nps(self) -> float | None:
        if not self.nps_answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.nps_answers

    @property
    def response_rate(self) -> float | None:
        return min(self.answered_invitations / self.invited, 1.0) if self.invited else None

    answered_invitations: int = 0


def _add_answer(group: Satisfaction, csat: int | None, nps: int | None) -> None:
    group.answers += 1
    if csat is not None:
        group.csat_answers += 1
        group.csat_sum += csat
        group.satisfied += int(csat >= 4)
    if nps is not None:
        group.nps_answers += 1
        group.promoters += int(nps >= 9)
        group.detractors += int(nps <= 6)


_DIMENSIONS = {"location": ("location_id", Location), "team": ("team_id", Team), "agent": ("agent_id", User)}


def satisfaction_by(organisation: Organisation, period: Period, dimension: str) -> list[Satisfaction]:
    """Satisfaction of ``period`` per location, team or agent (``dimension``), the answers of the
    period against the invitations sent in it (response rate), plus a total row first."""
    column, model = _DIMENSIONS[dimension]
    answers = scoped(SurveyResponse, organisation).filter(
        answered_at__gte=period.start, answered_at__lt=period.end
    )
    sent = scoped(Invitation, organisation).filter(
        state=InvitationState.SENT, sent_at__gte=period.start, sent_at__lt=period.end
    )
    groups: dict[Any, Satisfaction] = {}
    total = Satisfaction(key=None, label="")

    def group(key: Any) -> Satisfaction:
        if key not in groups:
            groups[key] = Satisfaction(key=key, label="")
        return groups[key]

    for key, csat, nps in answers.values_list(column, "csat", "nps"):
        _add_answer(group(key), csat, nps)
        _add_answer(total, csat, nps)
    for key, answered in sent.values_list(column, "answered_at"):
        for target in (group(key), total):
            target.invited += 1
            target.answered_invitations += int(answered is not None)
    names: dict[Any, str] = {}
    ids = [key for key in groups if key is not None]
    if model is User:
        for user in User.objects.filter(pk__in=ids):
            names[user.pk] = user.get_full_name() or user.email
    else:
        names = dict(scoped(model, organisation).filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for key, row in groups.items():
        row.label = names.get(key, "") if key is not None else ""
        rows.append(row)
    rows.sort(key=lambda r: (r.key is None, r.label.casefold()))
    return [total, *rows] if rows else []


@dataclass
class PlatformReviews:
    platform: str
    location: str
    invited_reviews: int = 0
    invited_rating_sum: float = 0.0
    organic_reviews: int = 0
    organic_rating_sum: float = 0.0

    @property
    def invited_rating(self) -> float | None:
        return self.invited_rating_sum / self.invited_reviews if self.invited_reviews else None

    @property
    def organic_rating(self) -> float | None:
        return self.organic_rating_sum / self.organic_reviews if self.organic_reviews else None


@dataclass
class InvitationMeasures:
    """What invitations achieved in a period. ``opened`` is None: Vigie puts no tracking pixel in
    its mails, so an opening is not measured; a click on a link is."""

    sent: int = 0
    scheduled: int = 0
    failed: int = 0
    reminders: int = 0
    clicked: int = 0
    survey_opened: int = 0
    answered: int = 0
    opted_out: int = 0
    opened: int | None = None
    reviews: list[PlatformReviews] = field(default_factory=list)

    @property
    def click_rate(self) -> float | None:
        return self.clicked / self.sent if self.sent else None

    @property
    def reviews_after_invitation(self) -> int:
        return sum(row.invited_reviews for row in self.reviews)

    @property
    def invited_rating(self) -> float | None:
        count = self.reviews_after_invitation
        return sum(r.invited_rating_sum for r in self.reviews) / count if count else None

    @property
    def organic_rating(self) -> float | None:
        count = sum(r.organic_reviews for r in self.reviews)
        return sum(r.organic_rating_sum for r in self.reviews) / count if count else None


def invitation_measures(organisation: Organisation, period: Period) -> InvitationMeasures:
    """Invitations of ``period`` and the reviews that followed them.

    A review counts as "after invitation" when it is published on the invited platform, for the
    invited location, within ``ATTRIBUTION_DAYS`` after a customer clicked the review link; each
    click explains at most one review. Every other review of those platforms and locations in the
    period is organic. Platforms do not say who wrote a review, so this is an estimate.
    """
    rows = scoped(Invitation, organisation).filter(created_at__gte=period.start, created_at__lt=period.end)
    measures = InvitationMeasures()
    for state, _sent_at, reminder, clicked, opened, answered, opted_out in rows.values_list(
        "state",
        "sent_at",
        "reminder_sent_at",
        "clicked_at",
        "survey_opened_at",
        "answered_at",
        "contact__opted_out_at",
    ):
        measures.sent += int(state == InvitationState.SENT)
        measures.scheduled += int(state == InvitationState.SCHEDULED)
        measures.failed += int(state == InvitationState.FAILED)
        measures.reminders += int(reminder is not None)
        measures.clicked += int(clicked is not None)
        measures.survey_opened += int(opened is not None)
        measures.answered += int(answered is not None)
        measures.opted_out += int(opted_out is not None)
    clicks: dict[tuple[str, int | None], list[datetime]] = defaultdict(list)
    for platform, location_id, clicked in (
        scoped(Invitation, organisation)
        .filter(clicked_at__gte=period.start - timedelta(days=ATTRIBUTION_DAYS), clicked_at__lt=period.end)
        .values_list("platform", "location_id", "clicked_at")
    ):
        if clicked is not None:
            clicks[(_platform(platform), location_id)].append(clicked)
    invited_platforms = {platform for platform, _ in clicks} | {
        _platform(p) for p in rows.values_list("platform", flat=True).distinct()
    }
    if not invited_platforms:
        return measures
    reviews = (
        scoped(Mention, organisation)
        .filter(
            kind=MentionKind.REVIEW,
            created_at__gte=period.start,
            created_at__lt=period.end,
            source__platform__in=invited_platforms,
            rating__isnull=False,
        )
        .order_by("created_at")
        .values_list("source__platform", "location_id", "location__name", "rating", "created_at")
    )
    table: dict[tuple[str, int | None], PlatformReviews] = {}
    for platform, location_id, location_name, rating, created_at in reviews.iterator():
        key = (platform, location_id)
        row = table.setdefault(key, PlatformReviews(platform=platform, location=location_name or ""))
        pending = clicks.get(key, [])
        match = next(
            (c for c in pending if c <= created_at <= c + timedelta(days=ATTRIBUTION_DAYS)),
            None,
        )
        value = float(rating or 0)
        if match is not None:
            pending.remove(match)
            row.invited_reviews += 1
            row.invited_rating_sum += value
        else:
            row.organic_reviews += 1
            row.organic_rating_sum += value
    measures.reviews = sorted(table.values(), key=lambda r: (r.platform, r.location.casefold()))
    return measures


def kept_testimonials(organisation: Organisation, *, featured_only: bool = False) -> QuerySet[Testimonial]:
    rows = scoped(Testimonial, organisation).select_related("location", "selected_by")
    if featured_only:
        rows = rows.filter(featured=True)
    return rows.order_by("-said_at")


def featured_testimonials(organisation: Organisation, limit: int = 5) -> list[Testimonial]:
    """The testimonials chosen for the management report (public, or with a recorded consent)."""
    rows = kept_testimonials(organisation, featured_only=True).filter(
        Q(public=True) | Q(consent_at__isnull=False)
    )
    return list(rows[:limit])


def quote_candidates(organisation: Organisation, *, limit: int = 30) -> dict[str, list[Any]]:
    """Recent positive reviews and positive survey answers not chosen yet."""
    chosen_mentions = (
        scoped(Testimonial, organisation).exclude(mention=None).values_list("mention_id", flat=True)
    )
    chosen_answers = (
        scoped(Testimonial, organisation).exclude(response=None).values_list("response_id", flat=True)
    )
    mentions = (
        scoped(Mention, organisation)
        .filter(kind=MentionKind.REVIEW, deleted_at__isnull=True)
        .filter(Q(rating__gte=4) | Q(sentiment=Sentiment.POSITIVE))
        # An advert ("Gagnez jusqu'à 300 € par jour…") or a troll reads positive: never a quote.
        .exclude(mention_type__in=[MentionType.SPAM, MentionType.TROLL])
        .exclude(text="")
        .exclude(pk__in=chosen_mentions)
        .select_related("source", "location", "author")
        .order_by("-created_at")[:limit]
    )
    answers = (
        scoped(SurveyResponse, organisation)
        .filter(Q(csat__gte=4) | Q(csat__isnull=True, nps__gte=9))
        .exclude(comment="")
        .exclude(pk__in=chosen_answers)
        .select_related("location")
        .order_by("-answered_at")[:limit]
    )
    return {"mentions": list(mentions), "answers": list(answers)}


def survey_response_in_org(organisation: Organisation, pk: int) -> SurveyResponse | None:
    return scoped(SurveyResponse, organisation).filter(pk=pk).first()


# --- the GDPR hooks that vigie.privacy looks up by name (vigie/privacy/holders.py) ---------------


def _digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    # +33 6 12 34 56 78 and 06 12 34 56 78 are the same French number.
    return "0" + digits[2:] if digits.startswith("33") and len(digits) == 11 else digits


def subject_contacts(organisation: Organisation, identifiers: dict[str, list[str]]) -> QuerySet[Contact]:
    """The outreach contacts of a data subject: by e-mail, phone (compared as digits) or name."""
    emails = [email.strip().lower() for email in identifiers.get("emails", []) if email.strip()]
    names = [name.strip() for name in identifiers.get("names", []) if name.strip()]
    wanted_phones = {_digits(phone) for phone in identifiers.get("phones", []) if _digits(phone)}
    query = Q(pk__in=[])
    for email in emails:
        query |= Q(email__iexact=email)
    for name in names:
        query |= Q(name__iexact=name)
    contacts = scoped(Contact, organisation)
    phone_ids = [
        pk
        for pk, phone in contacts.exclude(phone="").values_list("pk", "phone").iterator(chunk_size=2000)
        if _digits(phone) in wanted_phones
    ]
    return contacts.filter(query | Q(pk__in=phone_ids)).order_by("pk")


def subject_list_rows(
    organisation: Organisation, identifiers: dict[str, list[str]]
) -> QuerySet[InviteBatchRow]:
    """The rows of imported lists that did not go and name the person's address (the report of
    each list keeps the address of such a row)."""
    emails = [email.strip().lower() for email in identifiers.get("emails", []) if email.strip()]
    wanted_phones = {_digits(phone) for phone in identifiers.get("phones", []) if _digits(phone)}
    rows = InviteBatchRow.objects.filter(batch__organisation=organisation)
    query = Q(pk__in=[])
    for email in emails:
        query |= Q(who__iexact=email)
    phone_ids = (
        [
            pk
            for pk, who in rows.exclude(who__contains="@").values_list("pk", "who")
            if _digits(who) in wanted_phones
        ]
        if wanted_phones
        else []
    )
    return rows.filter(query | Q(pk__in=phone_ids)).select_related("batch").order_by("pk")


def subject_responses(organisation: Organisation, contacts: QuerySet[Contact]) -> QuerySet[SurveyResponse]:
    """The survey answers given through the invitations sent to ``contacts``."""
    return (
        scoped(SurveyResponse, organisation).filter(invitation__contact__in=contacts).order_by("answered_at")
    )


def personal_links(organisation: Organisation, identifiers: dict[str, list[str]]) -> dict[str, list[Any]]:
    """What the person's contact records lead to outside outreach (a GDPR hook of
    ``vigie.privacy``): the mentions their survey answers became (``mention_ids``), the
    authors those mentions and the contacts name (``author_ids``) and the contacts' names
    (``names``), so a search by e-mail finds the answer, its author and its case."""
    contacts = subject_contacts(organisation, identifiers)
    rows = list(contacts.values_list("pk", "name", "author_id"))
    if not rows:
        return {}
    mention_ids = [
        pk
        for pk in subject_responses(organisation, contacts)
        .exclude(mention=None)
        .values_list("mention_id", flat=True)
        if pk is not None
    ]
    # A survey answer's author is the contact itself ("contact-<pk>" on the survey platform).
    survey_authors = Author.objects.filter(
        organisation=organisation, platform="survey", external_id__in=[f"contact-{pk}" for pk, _n, _a in rows]
    ).values_list("pk", flat=True)
    author_ids = {a for _p, _n, a in rows if a} | set(survey_authors)
    author_ids |= set(
        Mention.objects.filter(organisation=organisation, pk__in=mention_ids)
        .exclude(author=None)
        .values_list("author_id", flat=True)
    )
    return {
        "mention_ids": sorted(set(mention_ids)),
        "author_ids": sorted(author_ids),
        "names": list(dict.fromkeys(name for _p, name, _a in rows if name.strip())),
    }


def personal_data(
    organisation: Organisation, identifiers: dict[str, list[str]]
) -> dict[str, list[dict[str, Any]]]:
    """What outreach holds about the person: their contact records, the invitations sent, their
    survey answers (scores and comment) and the testimonials quoting them."""
    contacts = list(subject_contacts(organisation, identifiers))

    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    responses = list(subject_responses(organisation, subject_contacts(organisation, identifiers)))
    mention_ids = [int(pk) for pk in identifiers.get("mention_ids", []) if str(pk).isdigit()]
    testimonials = (
        scoped(Testimonial, organisation)
        .filter(Q(response__in=responses) | Q(mention_id__in=mention_ids))
        .order_by("said_at")
    )

    list_rows = list(subject_list_rows(organisation, identifiers))
    return {
        "outreach_list_rows": [
            {"list_sent_at": moment(row.batch.created_at), "line": row.line, "reason": row.reason}
            for row in list_rows
        ],
        "outreach_contacts": [
            {
                "email": contact.email,
                "phone": contact.phone,
                "name": contact.name,
                "legal_basis": contact.legal_basis,
                "legal_basis_note": contact.legal_basis_note,
                "legal_basis_at": moment(contact.legal_basis_at),
                "opted_out_at": moment(contact.opted_out_at),
                "bounced_at": moment(contact.bounced_at),
                "created_at": moment(contact.created_at),
            }
            for contact in contacts
        ],
        "outreach_invitations": [
            {
                "created_at": moment(invitation.created_at),
                "channel": invitation.channel,
                "platform": invitation.platform,
                "state": invitation.state,
                "sent_at": moment(invitation.sent_at),
                "clicked_at": moment(invitation.clicked_at),
                "answered_at": moment(invitation.answered_at),
            }
            for invitation in Invitation.objects.filter(contact__in=contacts).order_by("created_at")
        ],
        "outreach_survey_responses": [
            {
                "answered_at": moment(response.answered_at),
                "csat": response.csat,
                "nps": response.nps,
                "comment": response.comment,
                "origin": response.origin,
            }
            for response in responses
        ],
        "outreach_testimonials": [
            {
                "said_at": moment(testimonial.said_at),
                "text": testimonial.text,
                "author_name": testimonial.author_name,
                "platform": testimonial.platform,
                "public": testimonial.public,
                "consent_at": moment(testimonial.consent_at),
            }
            for testimonial in testimonials
        ],
    }


def rectifiable_data(organisation: Organisation, identifiers: dict[str, list[str]]) -> list[dict[str, str]]:
    """The contact records a rectification would correct (a GDPR hook of ``vigie.privacy``): those
    the identifier as typed designates, with their current name, e-mail and phone (two or more:
    the identifier is ambiguous, ``actions.do_rectify_personal_data`` refuses)."""
    return [
        {"what": str(_("Contact pour les demandes d'avis")), "name": name, "email": email, "phone": phone}
        for name, email, phone in subject_contacts(organisation, identifiers).values_list(
            "name", "email", "phone"
        )[:5]
    ]


def personal_data_sections() -> dict[str, tuple[str, type[models.Model] | None]]:
    """The titles of ``personal_data``'s sections for people, and the models of their rows."""
    return {
        "outreach_contacts": (_("Contacts pour les demandes d'avis"), Contact),
        "outreach_invitations": (_("Invitations envoyées"), Invitation),
        "outreach_survey_responses": (_("Réponses à l'enquête de satisfaction"), SurveyResponse),
        "outreach_testimonials": (_("Témoignages cités"), Testimonial),
        # Counted by a rectification only (``actions.do_rectify_personal_data``).
        "outreach_survey_authors": (_("Auteurs de ses réponses à l'enquête (renommés)"), None),
        "outreach_list_rows": (_("Lignes non envoyées des listes de clients importées"), InviteBatchRow),
        "outreach_objections_kept": (
            _(
                "Désinscriptions gardées : empreinte chiffrée de l'adresse, sans nom, pour ne plus "
                "l'inviter (RGPD art. 21)"
            ),
            None,
        ),
    }


def processing_records() -> list[dict[str, str]]:
    return [
        {
            "what": _(
                "Contacts invités à donner leur avis ou à répondre à une enquête : e-mail, téléphone, nom, "
                "base légale, désinscription"
            ),
            "why": _("Demander un avis après un contact et mesurer la satisfaction (CSAT, NPS)"),
            "basis": _("Base légale enregistrée pour chaque contact (consentement ou intérêt légitime)"),
            # Where, for the DPO: no table names ("outreach.Contact") in the register.
            "where": _("Base de données de Vigie, sur le serveur de l'organisation, et ses sauvegardes"),
            "kind": "",
        }
    ]
