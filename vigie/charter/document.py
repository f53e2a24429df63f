"""The charter's content, as a typed document.

Stored as JSON on each version so that a new section never needs a migration; read through
``CharterDocument`` so every consumer gets validated values and French defaults for what an
organisation has not written yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.utils.translation import gettext
from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from vigie.core.numbers import number

CommentType = Literal["question", "complaint", "praise", "suggestion", "troll", "spam", "other"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
CrisisRole = Literal["lead", "spokesperson", "customer_service", "marketing", "legal", "management"]
# What a reply may commit the organisation to only with a supervisor's approval (quality gate).
ApprovalTopic = Literal["refund", "gesture", "money", "fault", "liability", "deadline"]
APPROVAL_TOPICS: tuple[ApprovalTopic, ...] = ("refund", "gesture", "money", "fault", "liability", "deadline")


# Numbers and switches refuse values of another JSON type (``false`` for a target, ``0`` for a
# switch) instead of converting them: a charter written by a client means what it says.
Number = Annotated[float, Strict()]
WholeNumber = Annotated[int, Strict()]
Switch = Annotated[bool, Strict()]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class HoursRange:
    """The delays a charter or a routing rule may set, in hours (business hours for an answer)."""

    low: float
    high: float

    def schema(self) -> dict[str, Any]:
        return {"minimum": self.low, "maximum": self.high}

    def problem(self, value: float | None) -> str:
        """ "" when ``value`` is in the range (or unset); else ``message()``."""
        return "" if value is None or self.low <= value <= self.high else self.message()

    def message(self) -> str:
        """What to write, in the active language: "Indiquez un délai entre 0,25 et 720 heures."."""
        return gettext("Indiquez un délai entre %(low)s et %(high)s heures.") % {
            "low": _hours(self.low),
            "high": _hours(self.high),
        }


def _hours(value: float) -> str:
    return number(value, 0 if value == int(value) else 2)


# The sane delays, refused outside by the charter's forms and API and by the routing rules (a
# delay of a billion hours was accepted): a first answer from a quarter of an hour to 30 days of
# 24 hours, a resolution to 90 days, a warning up to a week before the deadline, a deadline an
# agent may promise alone up to a year. Documented in docs/charter-and-routing.md. A version
# stored before these limits is still read as it is.
FIRST_RESPONSE_HOURS = HoursRange(0.25, 24 * 30)
RESOLUTION_HOURS = HoursRange(0.25, 24 * 90)
WARN_BEFORE_HOURS = HoursRange(0, 24 * 7)
PROMISED_DEADLINE_HOURS = HoursRange(0, 24 * 365)


class ChannelPolicy(_Section):
    """Whether the organisation answers on a platform, and why."""

    platform: str
    engaged: Switch = True
    why: str = ""
    tone: str = ""
    max_length: WholeNumber | None = Field(default=None, ge=1)


class ResponsePolicy(_Section):
    """How a comment type is handled: answered or not, and how fast (business hours)."""

    type: CommentType
    answer: Switch = True
    first_response_hours: Number = Field(default=24, gt=0, json_schema_extra=FIRST_RESPONSE_HOURS.schema())
    approach: str = ""


def _weekdays_nine_to_six() -> dict[Weekday, list[tuple[str, str]]]:
    weekdays: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    return {day: [("09:00", "18:00")] for day in weekdays}


class BusinessHours(_Section):
    """Opening hours used by SLA clocks, in each location's time zone."""

    days: dict[Weekday, list[tuple[str, str]]] = Field(default_factory=lambda: _weekdays_nine_to_six())
    holidays_country: str = "FR"


class SlaPolicy(_Section):
    first_response_hours: Number = Field(default=24, gt=0, json_schema_extra=FIRST_RESPONSE_HOURS.schema())
    resolution_hours: Number = Field(default=72, gt=0, json_schema_extra=RESOLUTION_HOURS.schema())
    warn_before_hours: Number = Field(default=4, ge=0, json_schema_extra=WARN_BEFORE_HOURS.schema())
    per_platform_hours: dict[
        str, Annotated[float, Strict(), Field(json_schema_extra=FIRST_RESPONSE_HOURS.schema())]
    ] = Field(default_factory=dict)
    business_hours: BusinessHours = Field(default_factory=BusinessHours)
    pause_while_waiting_customer: Switch = True


class ApprovalPolicy(_Section):
    """When a reply needs a supervisor before it goes public."""

    stars_at_most: WholeNumber | None = Field(default=2, ge=1, le=5)
    legal_risk: Switch = True
    # Capture the page of a message the analysis flags as a legal risk as evidence, at once (the
    # evidence app's job reads it); off until the legal team asks for it.
    capture_legal_risk: Switch = False
    # Share of a pre-approved template an agent may change before approval is needed (0-1).
    template_edit_threshold: Number = Field(default=0.3, ge=0, le=1)
    # What an agent's reply may not promise without approval: refunds, commercial gestures, money,
    # admissions of fault, legal liability, and deadlines shorter than ``shortest_deadline_hours``.
    reply_commitments: list[ApprovalTopic] = Field(default_factory=lambda: list(APPROVAL_TOPICS))
    # The shortest delay an agent may promise on their own ("sous 48 h" is fine, "dans l'heure" is
    # not); None: any delay. Counted in hours, a day being 24.
    shortest_deadline_hours: Number | None = Field(
        default=24, ge=0, json_schema_extra=PROMISED_DEADLINE_HOURS.schema()
    )


class KpiTargets(_Section):
    average_rating: Number = Field(default=4.0, ge=1, le=5)
    response_rate: Number = Field(default=0.8, ge=0, le=1)
    first_response_hours: Number = Field(default=24, gt=0, json_schema_extra=FIRST_RESPONSE_HOURS.schema())
    sla_compliance: Number = Field(default=0.9, ge=0, le=1)


class PlaybookStep(_Section):
    title: str
    role: CrisisRole = "lead"
    detail: str = ""


RetentionKind = Literal["mentions", "authors", "private_messages", "attachments", "audit_events"]
RETENTION_KINDS: tuple[RetentionKind, ...] = (
    "mentions",
    "authors",
    "private_messages",
    "attachments",
    "audit_events",
)
# What happens to an item past its retention: its personal content is cleared and the row kept
# for the statistics (pseudonymise), or the row goes (delete).
RetentionAction = Literal["pseudonymise", "delete"]


class RetentionRule(_Section):
    """How long one kind of data is kept, in days (None: kept until someone erases it)."""

    days: WholeNumber | None = Field(default=None, ge=1, le=36500)
    action: RetentionAction = "pseudonymise"


class RetentionPolicy(_Section):
    """How long Vigie keeps what it stores (GDPR storage limitation), applied by a daily job.

    ``mentions_per_source`` overrides the mentions' delay for one source (key: the source's id).
    Held mentions (legal hold) are kept whatever these say.
    """

    # Three years after publication: the CNIL's usual reference for customer relations.
    mentions: RetentionRule = Field(default_factory=lambda: RetentionRule(days=1095))
    mentions_per_source: dict[str, Annotated[int, Field(ge=1, le=36500)]] = Field(default_factory=dict)
    # An author is pseudonymised when nothing they wrote was published within the delay.
    authors: RetentionRule = Field(default_factory=lambda: RetentionRule(days=1095))
    private_messages: RetentionRule = Field(default_factory=lambda: RetentionRule(days=1095, action="delete"))
    attachments: RetentionRule = Field(default_factory=lambda: RetentionRule(days=365, action="delete"))
    # The audit log proves what was done: five years, then the oldest events are removed.
    audit_events: RetentionRule = Field(default_factory=lambda: RetentionRule(days=1825, action="delete"))

    def rule(self, kind: str) -> RetentionRule:
        rule: RetentionRule = getattr(self, kind)
        return rule

    def mention_days(self, source_id: int) -> int | None:
        """The delay for mentions of one source: its own, else the mentions' one."""
        return self.mentions_per_source.get(str(source_id), self.mentions.days)


class ReviewSite(_Section):
    """Where the customers of one location (or of every location without a line of its own) are
    invited to review: the platform and what its own review link needs (outreach builds the link)."""

    location: str = Field(default="", max_length=150)  # a location's name; empty: the default
    platform: str = Field(min_length=1, max_length=40)
    place_id: str = Field(default="", max_length=200)  # Google: the place id of the business
    domain: str = Field(default="", max_length=200)  # Trustpilot: the reviewed domain
    url: str = Field(default="", max_length=1000, pattern=r"^(?:https://\S*)?$")  # its own review page

    @model_validator(mode="after")
    def _has_a_link(self) -> ReviewSite:
        if not (self.place_id or self.domain or self.url):
            raise ValueError("a review site needs a place_id, a domain or a url")
        if self.url and not self.url.startswith("https://"):
            raise ValueError("a review site's url must start with https://")
        return self


class OutreachPolicy(_Section):
    """Review requests: the platform each location's customers are invited to review on."""

    review_sites: list[ReviewSite] = Field(default_factory=list)

    def review_site(self, location: str = "", platform: str = "") -> ReviewSite | None:
        """The site for ``location`` (its own line, else the default line), on ``platform`` when
        one is asked for."""
        for wanted in (location, ""):
            for site in self.review_sites:
                if site.location == wanted and (not platform or site.platform == platform):
                    return site
        return None


def _default_responses() -> list[ResponsePolicy]:
    return [
        ResponsePolicy(type="praise", approach="Remercier personnellement."),
        ResponsePolicy(type="question", approach="Répondre ou orienter vers l'équipe experte."),
        ResponsePolicy(
            type="complaint",
            approach="Accuser réception, s'excuser, proposer une solution concrète et un canal privé.",
        ),
        ResponsePolicy(type="suggestion", approach="Remercier et dire ce qui en sera fait."),
        ResponsePolicy(type="troll", answer=False, approach="Ne pas nourrir le troll ; surveiller."),
        ResponsePolicy(type="spam", answer=False, approach="Masquer ou ignorer."),
        ResponsePolicy(type="other", approach="Répondre si une réponse apporte quelque chose."),
    ]


def _default_playbook() -> list[PlaybookStep]:
    return [
        PlaybookStep(title="Réunir la cellule de crise et nommer un porte-parole", role="lead"),
        PlaybookStep(title="Qualifier les faits et le périmètre", role="lead"),
        PlaybookStep(title="Publier une déclaration d'attente", role="spokesperson"),
        PlaybookStep(title="Briefer le service client avec les éléments de réponse", role="customer_service"),
        PlaybookStep(title="Vérifier les risques juridiques et capturer les preuves", role="legal"),
        PlaybookStep(title="Informer la direction", role="management"),
        PlaybookStep(title="Tenir le public informé des actions menées", role="marketing"),
    ]


def _with_holidays(document: CharterDocument, country: str) -> CharterDocument:
    hours = document.sla.business_hours.model_copy(update={"holidays_country": country})
    return document.model_copy(update={"sla": document.sla.model_copy(update={"business_hours": hours})})


# Vigie's recommended practice written for an English-speaking organisation: the texts its agents
# and customers read (the approach per type, the public/private principle, the signature under
# every public reply, the crisis playbook). An English organisation's replies were signed
# "Andy, service client Brightside Coffee".
_ENGLISH_APPROACHES = {
    "praise": "Thank the customer personally.",
    "question": "Answer, or point to the team that knows.",
    "complaint": "Acknowledge, apologise, offer a concrete solution and a private channel.",
    "suggestion": "Thank the customer and say what will be done with it.",
    "troll": "Do not feed the troll; keep an eye on it.",
    "spam": "Hide or ignore.",
    "other": "Answer if an answer adds something.",
}
_ENGLISH_PLAYBOOK = [
    "Gather the crisis cell and name a spokesperson",
    "Establish the facts and the scope",
    "Publish a holding statement",
    "Brief customer service with the answers to give",
    "Check the legal risks and capture the evidence",
    "Inform the management",
    "Keep the public informed of the actions taken",
]


def default_charter(language: str = "fr", timezone: str = "Europe/Paris") -> CharterDocument:
    """The charter an organisation works with until it writes its own, in its language, with the
    public holidays of where it is: France's, England and Wales' for an organisation on London
    time, none for another English-speaking one (its SLA counted Boxing Day as a working day)."""
    document = CharterDocument()
    if timezone == "Europe/London":
        document = _with_holidays(document, "GB")
    elif language == "en" and timezone != "Europe/Paris":
        document = _with_holidays(document, "")
    if language != "en":
        return document
    return document.model_copy(
        update={
            "responses": [
                policy.model_copy(update={"approach": _ENGLISH_APPROACHES[policy.type]})
                for policy in document.responses
            ],
            "public_or_private": (
                "In public: thank, acknowledge the problem, say what happens next. In private: any "
                "personal data, contract or file number, the details of a refund."
            ),
            "signature": "{agent_first_name}, {organisation} customer care",
            "crisis_playbook": [
                step.model_copy(update={"title": title})
                for step, title in zip(document.crisis_playbook, _ENGLISH_PLAYBOOK, strict=True)
            ],
        }
    )


class CharterDocument(_Section):
    """Everything an organisation's charter says. Defaults are Vigie's recommended practice."""

    purpose: str = ""
    channels: list[ChannelPolicy] = Field(default_factory=list)
    responses: list[ResponsePolicy] = Field(default_factory=_default_responses)
    public_or_private: str = (
        "En public : remercier, reconnaître le problème, annoncer la suite. En privé : toute donnée "
        "personnelle, numéro de contrat ou de dossier, détail d'un remboursement."
    )
    signature: str = "{agent_first_name}, service client {organisation}"
    sla: SlaPolicy = Field(default_factory=SlaPolicy)
    approval: ApprovalPolicy = Field(default_factory=ApprovalPolicy)
    kpi_targets: KpiTargets = Field(default_factory=KpiTargets)
    internal_jargon: list[str] = Field(default_factory=list)
    crisis_playbook: list[PlaybookStep] = Field(default_factory=_default_playbook)
    retention: RetentionPolicy = Field(default_factory=RetentionPolicy)
    outreach: OutreachPolicy = Field(default_factory=OutreachPolicy)

    def response_for(self, comment_type: str) -> ResponsePolicy:
        """The policy for ``comment_type``; an unknown type is answered within the SLA."""
        for policy in self.responses:
            if policy.type == comment_type:
                return policy
        return ResponsePolicy(type="other", first_response_hours=self.sla.first_response_hours)

    def channel(self, platform: str) -> ChannelPolicy | None:
        for policy in self.channels:
            if policy.platform == platform:
                return policy
        return None


def delay_problems(document: CharterDocument) -> list[tuple[tuple[str | int, ...], str]]:
    """``(where in the document, message)`` for each delay outside its sane range, messages in the
    active language; the charter's API refuses on them as its forms do."""
    checks: list[tuple[tuple[str | int, ...], float | None, HoursRange]] = [
        (("sla", "first_response_hours"), document.sla.first_response_hours, FIRST_RESPONSE_HOURS),
        (("sla", "resolution_hours"), document.sla.resolution_hours, RESOLUTION_HOURS),
        (("sla", "warn_before_hours"), document.sla.warn_before_hours, WARN_BEFORE_HOURS),
        (
            ("kpi_targets", "first_response_hours"),
            document.kpi_targets.first_response_hours,
            FIRST_RESPONSE_HOURS,
        ),
        (
            ("approval", "shortest_deadline_hours"),
            document.approval.shortest_deadline_hours,
            PROMISED_DEADLINE_HOURS,
        ),
    ]
    checks += [
        (("sla", "per_platform_hours", platform), hours, FIRST_RESPONSE_HOURS)
        for platform, hours in document.sla.per_platform_hours.items()
    ]
    checks += [
        (("responses", index, "first_response_hours"), policy.first_response_hours, FIRST_RESPONSE_HOURS)
        for index, policy in enumerate(document.responses)
    ]
    return [(where, problem) for where, value, bounds in checks if (problem := bounds.problem(value))]
