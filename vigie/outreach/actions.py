"""Every write of outreach: the campaign, contacts and their marks, invitations and their sending,
survey answers (stored, and handed to the mentions' ingest as ``survey`` mentions), testimonials.

The invitation rules, in the order they are checked (``do_invite``): the campaign is on; a legal
basis is recorded; the address is valid; the contact has not opted out, bounced or complained; the
contact is in the population (never narrowed by sentiment, rating or outcome: see ``rules``); no
invitation was made to them within the period; a location, when one is named, is one Vigie knows;
the charter names a review platform for the location. Then the invitation is sent now, or at the end of the quiet hours.
"""

from __future__ import annotations

import csv
import io
import secrets
import zoneinfo
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from vigie.charter.queries import current_charter
from vigie.connectors.actions import do_ensure_receiving_source
from vigie.connectors.contract import AuthorIn, MentionIn, Page
from vigie.core.actions import do_record_audit_event
from vigie.core.db import yield_writer
from vigie.core.encodings import text_encoding
from vigie.core.models import Location, Organisation, Team, User
from vigie.core.tenancy import scoped
from vigie.inbox.models import Case, PrivateChannel, PrivateThread
from vigie.mentions.actions import do_ingest_page, do_rename_authors
from vigie.mentions.models import Author, Mention, MentionKind
from vigie.mentions.text import title_and_text
from vigie.outreach.links import review_url
from vigie.outreach.models import (
    BatchKind,
    BatchState,
    Campaign,
    Channel,
    Contact,
    Invitation,
    InvitationState,
    InviteBatch,
    InviteBatchRow,
    LegalBasis,
    PublicHit,
    ResponseOrigin,
    Suppression,
    SurveyResponse,
    Testimonial,
    Trigger,
)
from vigie.outreach.rules import in_population, in_quiet_hours, parse_rules, quiet_hours_end
from vigie.outreach.sending import SendError, invitation_texts, send_email, send_sms

SURVEY_PLATFORM = "survey"
# What a customer list may call a platform the charter names otherwise ("google" for the Google
# Business Profile connector's "google_business").
_SAME_PLATFORMS = {"google": ("google_business",), "google_business": ("google",)}
COMMENT_MAX = 2000
TESTIMONIAL_MAX = 2000


# --- the campaign --------------------------------------------------------------------------------


def campaign_for(organisation: Organisation) -> Campaign:
    """The organisation's campaign (created, switched off, on first use)."""
    campaign, _created = Campaign.objects.get_or_create(organisation=organisation)
    return campaign


def do_update_campaign(
    organisation: Organisation, *, actor: User | None, population: Any = None, **fields: Any
) -> Campaign:
    """Change the campaign. ``population`` (lines ``champ = valeur`` or a list of rules) is checked
    by ``rules.parse_rules``: a rule on sentiment, rating or outcome raises ``ValidationError``
    keyed ``population`` with the reason, and nothing is changed."""
    allowed = {
        "enabled",
        "after_resolved_case",
        "legal_basis",
        "period_days",
        "reminder_after_days",
        "quiet_start",
        "quiet_end",
        "with_survey",
        "sms",
        "reply_to",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"not campaign fields: {', '.join(sorted(unknown))}")
    rules = None
    if population is not None:
        try:
            rules = parse_rules(population)
        except ValidationError as exc:
            # The refusal is on the record (its own transaction), and nothing else changes.
            with transaction.atomic():
                do_record_audit_event(
                    organisation,
                    "outreach.rule_refused",
                    actor=actor,
                    data={"reason": " ".join(exc.messages)[:500], "code": exc.code or ""},
                )
            raise ValidationError({"population": exc.messages}, code=exc.code) from None
    with transaction.atomic():
        return _save_campaign(organisation, actor, rules, fields)


def _save_campaign(
    organisation: Organisation, actor: User | None, rules: Any, fields: dict[str, Any]
) -> Campaign:
    campaign = campaign_for(organisation)
    if rules is not None:
        campaign.population = [rule.as_dict() for rule in rules]
    if fields.get("legal_basis") not in (None, "") and fields["legal_basis"] not in LegalBasis.values:
        raise ValidationError({"legal_basis": _("Base légale inconnue.")}, code="invalid")
    if "period_days" in fields and not 1 <= int(fields["period_days"]) <= 3650:
        raise ValidationError({"period_days": _("Entre 1 et 3650 jours.")}, code="invalid")
    if fields.get("reply_to"):
        fields["reply_to"] = _normal_email(str(fields["reply_to"]))
        try:
            validate_email(fields["reply_to"])
        except ValidationError:
            raise ValidationError({"reply_to": _("Adresse e-mail invalide.")}, code="invalid") from None
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.updated_at = timezone.now()
    campaign.save()
    do_record_audit_event(
        organisation,
        "outreach.campaign_updated",
        actor=actor,
        obj=campaign,
        data={
            **{k: str(v) for k, v in fields.items()},
            "population": campaign.population,
        },
    )
    return campaign


# --- contacts ------------------------------------------------------------------------------------


def _normal_email(email: str) -> str:
    return email.strip().lower()


def _find_contact(organisation: Organisation, email: str, phone: str) -> Contact | None:
    contacts = scoped(Contact, organisation)
    if email:
        return contacts.filter(email=email).first()
    if phone:
        return contacts.filter(phone__in=_same_phone(phone)).first()
    return None


def _same_phone(phone: str) -> list[str]:
    """The ways a list writes one French number (+33 6…, 0033 6…, 06…): the same customer, whom
    the period must stop from getting a second SMS because two lists spelled it differently."""
    national = ""
    if phone.startswith("+33") and len(phone) == 12:
        national = phone[3:]
    elif phone.startswith("0033") and len(phone) == 13:
        national = phone[4:]
    elif phone.startswith("0") and len(phone) == 10:
        national = phone[1:]
    if not national:
        return [phone]
    return [f"+33{national}", f"0033{national}", f"0{national}"]


def _contact(
    organisation: Organisation,
    *,
    email: str,
    phone: str,
    name: str,
    legal_basis: str,
    legal_basis_note: str,
    author_id: int | None = None,
    location: Location | None = None,
) -> Contact:
    contact = _find_contact(organisation, email, phone)
    now = timezone.now()
    if contact is None:
        return Contact.objects.create(
            organisation=organisation,
            email=email,
            phone=phone,
            name=name[:200],
            author_id=author_id,
            location=location,
            legal_basis=legal_basis,
            legal_basis_note=legal_basis_note[:300],
            legal_basis_at=now if legal_basis else None,
        )
    changed = []
    if name and not contact.name:
        contact.name = name[:200]
        changed.append("name")
    if legal_basis and not contact.legal_basis:
        contact.legal_basis, contact.legal_basis_note, contact.legal_basis_at = (
            legal_basis,
            legal_basis_note[:300],
            now,
        )
        changed += ["legal_basis", "legal_basis_note", "legal_basis_at"]
    if author_id and not contact.author_id:
        contact.author_id = author_id
        changed.append("author")
    if changed:
        contact.save(update_fields=changed)
    return contact


@transaction.atomic
def do_add_contacts(
    organisation: Organisation,
    rows: list[dict[str, Any]],
    *,
    legal_basis: str,
    note: str,
) -> int:
    """Record customers known with an address (a CRM export, the demo): ``email``, ``name`` and
    optionally ``author_id`` (their account on a platform) and ``location``."""
    count = 0
    for row in rows:
        email = _normal_email(str(row.get("email", "")))
        if not email:
            continue
        _contact(
            organisation,
            email=email,
            phone="",
            name=str(row.get("name", "")),
            legal_basis=legal_basis,
            legal_basis_note=note,
            author_id=row.get("author_id"),
            location=row.get("location"),
        )
        count += 1
    return count


@transaction.atomic
def do_opt_out(contact: Contact, *, via: str = "link") -> Contact:
    """Mark ``contact`` opted out, for good: no later import or setting clears it."""
    if contact.opted_out_at is None:
        contact.opted_out_at = timezone.now()
        contact.save(update_fields=["opted_out_at"])
        do_record_audit_event(contact.organisation, "outreach.opted_out", obj=contact, data={"via": via})
    return contact


@transaction.atomic
def do_mark_address(organisation: Organisation, address: str, *, kind: str, actor: User | None = None) -> int:
    """Mark an address as bounced (``kind="bounce"``) or complaining (``"complaint"``): the mail
    server's report. Nothing is sent to it again. Returns how many contacts were marked (0 or 1);
    an unknown address is recorded as a new contact so a later import cannot invite it."""
    if kind not in {"bounce", "complaint"}:
        raise ValueError("kind must be bounce or complaint")
    email = _normal_email(address)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Adresse e-mail invalide.")}, code="invalid") from None
    contact = _find_contact(organisation, email, "") or Contact.objects.create(
        organisation=organisation, email=email
    )
    column = "bounced_at" if kind == "bounce" else "complained_at"
    if getattr(contact, column) is None:
        setattr(contact, column, timezone.now())
        contact.save(update_fields=[column])
    do_record_audit_event(organisation, f"outreach.address_{kind}", actor=actor, obj=contact, data={})
    return 1


# --- invitations ---------------------------------------------------------------------------------


@dataclass
class InviteRequest:
    """One customer to invite (a CSV row, an API call, a resolved case)."""

    email: str = ""
    phone: str = ""
    name: str = ""
    location: str = ""
    platform: str = ""
    trigger: str = Trigger.IMPORT
    legal_basis: str = ""
    legal_basis_note: str = ""
    language: str = ""
    case: Case | None = None
    team: Team | None = None
    agent: User | None = None
    author_id: int | None = None


@dataclass(frozen=True)
class RowOutcome:
    """What became of one row of a list that was not simply sent: its line in the file (the
    header is line 1), the address it names, the reason's code and what it is about (the unknown
    location's name)."""

    line: int
    who: str
    reason: str
    detail: str = ""


@dataclass
class InviteSummary:
    """What a run did: invitations sent, and the others by reason (and, for a list, by row)."""

    sent: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rows: list[RowOutcome] = field(default_factory=list)

    def add(self, outcome: str, *, line: int = 0, who: str = "", detail: str = "") -> None:
        if outcome == "sent":
            self.sent += 1
            return
        self.skipped[outcome] += 1
        if line:
            self.rows.append(RowOutcome(line, who[:254], outcome, detail[:150]))

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "skipped": dict(sorted(self.skipped.items()))}


def _local(organisation: Organisation, location: Location | None, moment: datetime) -> datetime:
    zone = location.timezone if location is not None else organisation.timezone
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def _asked_since(contact: Contact, since: datetime) -> bool:
    """Whether ``contact`` was invited since ``since``. An invitation that failed to go (the mail
    server was down) asked nothing: the customer may be invited again, e.g. by importing the list
    once the server works (a refused address is marked bounced, and that still holds)."""
    # One interrupted twice while sending may have reached the customer: it counts as asked.
    failed = Q(state=InvitationState.FAILED) & ~Q(error=INTERRUPTED_TWICE)
    return contact.invitations.filter(created_at__gte=since).exclude(failed).exists()


def address_digest(organisation: Organisation, address: str) -> str:
    """A keyed fingerprint of an address (e-mail lower-cased; a French number in its +33 form):
    what ``Suppression`` keeps of an erased customer who had opted out, never the address."""
    value = _normal_email(address) if "@" in address else _same_phone(address)[0]
    return salted_hmac("vigie.outreach.suppression", f"{organisation.pk}:{value}").hexdigest()


def _suppressed(organisation: Organisation, request: InviteRequest) -> str:
    """The reason kept for an erased customer's address ("opted_out", "complained"), or ""."""
    address = request.email or request.phone
    if not address:
        return ""
    row = (
        scoped(Suppression, organisation)
        .filter(digest=address_digest(organisation, address))
        .values_list("reason", flat=True)
        .first()
    )
    return row or ""


def _check(organisation: Organisation, campaign: Campaign, request: InviteRequest, now: datetime) -> str:
    """The reason not to invite, or "" when the request may go on."""
    if not campaign.enabled:
        return "campaign_disabled"
    if request.email:
        try:
            validate_email(request.email)
        except ValidationError:
            return "invalid_address"
    elif not request.phone:
        return "no_address"
    elif not campaign.sms:
        return "sms_disabled"
    contact = _find_contact(organisation, request.email, request.phone)
    if contact is None:
        # Erased at their request after opting out: the objection outlives the contact.
        suppressed = _suppressed(organisation, request)
        if suppressed:
            return suppressed
    if contact is not None:
        if contact.opted_out_at is not None:
            return "opted_out"
        if contact.bounced_at is not None:
            return "bounced"
        if contact.complained_at is not None:
            return "complained"
        since = now - timedelta(days=campaign.period_days)
        if _asked_since(contact, since):
            return "already_invited"
    if not (request.legal_basis or campaign.legal_basis or (contact and contact.legal_basis)):
        return "no_legal_basis"
    facts = {
        "location": request.location,
        "team": request.team.name if request.team else "",
        "platform": request.case.mention.source.platform if request.case else "",
        "trigger": request.trigger,
    }
    if not in_population(campaign.population, facts):
        return "outside_population"
    return ""


def do_invite(
    organisation: Organisation,
    request: InviteRequest,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    campaign: Campaign | None = None,
    batch: InviteBatch | None = None,
) -> str:
    """Invite one customer; returns "sent", "quiet_hours" (sent when they end) or the reason it
    was not (see the module's docstring). With ``dry_run`` nothing is written or sent."""
    now = now or timezone.now()
    campaign = campaign or campaign_for(organisation)
    request.email = _normal_email(request.email)
    request.phone = "".join(c for c in request.phone if c.isdigit() or c == "+")[:20]
    reason = _check(organisation, campaign, request, now)
    if reason:
        return reason
    location = (
        scoped(Location, organisation).filter(name__iexact=request.location.strip()).first()
        if request.location.strip()
        else None
    )
    if request.location.strip() and location is None:
        # A location name Vigie does not know (a typo, a CRM's own naming) is refused rather than
        # sent to the default line: the location decides the review page (an agency's own Google
        # page), an invitation cannot be taken back within the period, and a refused row goes out
        # once its location is corrected (or left empty) in the next import.
        return "unknown_location"
    policy = current_charter(organisation).outreach
    place = location.name if location else ""
    site = None
    for platform in dict.fromkeys([request.platform, *_SAME_PLATFORMS.get(request.platform, ())]):
        site = site or policy.review_site(place, platform)
    if site is None:
        return "no_review_platform"
    if dry_run:
        return "sent"
    quiet = in_quiet_hours(_local(organisation, location, now), campaign.quiet_start, campaign.quiet_end)
    with transaction.atomic():
        basis = request.legal_basis or campaign.legal_basis
        contact = _contact(
            organisation,
            email=request.email,
            phone=request.phone if not request.email else "",
            name=request.name,
            legal_basis=basis,
            legal_basis_note=request.legal_basis_note or str(Trigger(request.trigger).label),
            author_id=request.author_id,
            location=location,
        )
        # Checked again under the contact's lock: two runs at once still invite once per period.
        list(Contact.objects.select_for_update().filter(pk=contact.pk).values_list("pk"))
        if _asked_since(contact, now - timedelta(days=campaign.period_days)):
            return "already_invited"
        send_after = (
            quiet_hours_end(_local(organisation, location, now), campaign.quiet_start, campaign.quiet_end)
            if quiet
            else now
        )
        invitation = Invitation.objects.create(
            organisation=organisation,
            contact=contact,
            case=request.case,
            batch=batch,
            location=location,
            team=request.team,
            agent=request.agent,
            trigger=request.trigger,
            channel=Channel.EMAIL if contact.email else Channel.SMS,
            platform=site.platform,
            review_url=review_url(site),
            language=request.language or organisation.language or "fr",
            token=secrets.token_urlsafe(24)[:32],
            state=InvitationState.SCHEDULED,
            created_at=now,
            send_after=send_after,
        )
        do_record_audit_event(
            organisation,
            "outreach.invited",
            obj=invitation,
            data={
                "trigger": request.trigger,
                "platform": site.platform,
                "legal_basis": basis,
                "quiet": quiet,
            },
        )
    if quiet:
        return "quiet_hours"
    return "sent" if do_send_invitation(invitation, now=now) else "send_failed"


# A claim ("sending") older than this was left by a worker that died between claiming the
# invitation and recording the outcome: sending itself takes seconds (the SMTP connection times out
# after 20 s, the SMS provider's after 15 s), so such an invitation is no longer being sent.
SENDING_STALE_AFTER = timedelta(minutes=15)
# Attempts at one invitation: the first, and one retry after an interrupted claim. SMTP cannot tell
# whether the first went, so the retry may be a duplicate (same Message-ID, marked attempt 2); a
# second interruption is not retried: at most one duplicate.
MAX_SEND_ATTEMPTS = 2
INTERRUPTED_TWICE = "interrupted twice while sending: not retried"


def _claim(invitation: Invitation, *, reminder: bool, retry: bool, now: datetime) -> bool:
    """Take ``invitation`` (or its reminder) for sending by a conditional UPDATE: only one sender
    gets it. A ``retry`` takes back an invitation whose claim is stale, if nobody did since."""
    rows = Invitation.objects.filter(pk=invitation.pk)
    if reminder:
        return bool(rows.filter(reminder_sent_at__isnull=True).update(reminder_sent_at=now))
    if retry:
        rows = rows.filter(state=InvitationState.SENDING, attempts=invitation.attempts)
        rows = rows.filter(
            Q(claimed_at__isnull=True)
            if invitation.claimed_at is None
            else Q(claimed_at=invitation.claimed_at)
        )
    else:
        rows = rows.filter(state=InvitationState.SCHEDULED)
    claimed = bool(rows.update(state=InvitationState.SENDING, claimed_at=now, attempts=F("attempts") + 1))
    if claimed:
        invitation.state, invitation.claimed_at = InvitationState.SENDING, now
        invitation.attempts += 1
    return claimed


def do_send_invitation(
    invitation: Invitation, *, reminder: bool = False, retry: bool = False, now: datetime | None = None
) -> bool:
    """Send ``invitation`` (or its one reminder); True when it went out. A permanent refusal marks
    the address bounced.

    The invitation (or its reminder) is claimed by a conditional UPDATE before anything goes, so
    the periodic job and a list's background run never send it twice, and the contact is read
    again: an opt-out, bounce or complaint recorded since the invitation was made is honoured.
    ``retry``: the invitation was left "sending" by a worker that died (``do_send_due``); it goes
    once more, with the same Message-ID (or SMS idempotency key), marked as attempt 2."""
    now = now or timezone.now()
    contact = invitation.contact
    marks = (
        Contact.objects.filter(pk=contact.pk).values("opted_out_at", "bounced_at", "complained_at").first()
    )
    marked = [name for name, at in (marks or {"opted_out_at": now}).items() if at is not None]
    if marked:
        if not reminder:
            # Withdrawn, not left scheduled: it would come back at every run of ``do_send_due``
            # (500 such invitations stopped every other one from going).
            code = {"opted_out_at": "opted_out", "bounced_at": "bounced", "complained_at": "complained"}
            Invitation.objects.filter(
                pk=invitation.pk, state=InvitationState.SENDING if retry else InvitationState.SCHEDULED
            ).update(state=InvitationState.FAILED, error=f"withdrawn: {code[marked[0]]}")
        return False
    if not _claim(invitation, reminder=reminder, retry=retry, now=now):
        return False
    campaign = campaign_for(invitation.organisation)
    texts = invitation_texts(invitation, reminder=reminder, with_survey=campaign.with_survey)
    attempt = 1 if reminder else invitation.attempts
    try:
        if invitation.channel == Channel.SMS:
            send_sms(invitation, texts, reminder=reminder)
        else:
            send_email(invitation, texts, reply_to=campaign.reply_to, reminder=reminder, attempt=attempt)
    except SendError as exc:
        with transaction.atomic():
            if reminder:
                # Not sent: the reminder may be tried again by the next run.
                Invitation.objects.filter(pk=invitation.pk).update(reminder_sent_at=None)
            else:
                Invitation.objects.filter(pk=invitation.pk).update(
                    state=InvitationState.FAILED, error=str(exc)[:300]
                )
            if exc.permanent and contact.email:
                do_mark_address(invitation.organisation, contact.email, kind="bounce")
        return False
    with transaction.atomic():
        if reminder:
            invitation.reminder_sent_at = now
        else:
            Invitation.objects.filter(pk=invitation.pk).update(
                state=InvitationState.SENT, sent_at=now, error=""
            )
            invitation.state, invitation.sent_at = InvitationState.SENT, now
        data: dict[str, Any] = {"channel": invitation.channel}
        if attempt > 1:
            # The retry of an interrupted sending: the customer may have received it twice.
            data["attempt"] = attempt
        do_record_audit_event(
            invitation.organisation,
            "outreach.reminder_sent" if reminder else "outreach.sent",
            obj=invitation,
            data=data,
        )
    return True


SEND_DUE_CHUNK = 500
SEND_DUE_SECONDS = 240.0


def _retry_interrupted(now: datetime) -> int:
    """The invitations left "sending" longer than ``SENDING_STALE_AFTER`` by a worker that died:
    each is sent once more (outside the quiet hours), or, interrupted a second time, marked failed
    with that reason and never sent again. Returns how many went."""
    sent = 0
    stale = (
        Invitation.objects.filter(state=InvitationState.SENDING)
        .filter(Q(claimed_at__lte=now - SENDING_STALE_AFTER) | Q(claimed_at__isnull=True))
        .select_related("contact", "organisation", "location")
        .order_by("pk")
    )
    for invitation in stale[:SEND_DUE_CHUNK]:
        if invitation.attempts >= MAX_SEND_ATTEMPTS:
            Invitation.objects.filter(
                pk=invitation.pk, state=InvitationState.SENDING, attempts=invitation.attempts
            ).update(state=InvitationState.FAILED, error=INTERRUPTED_TWICE)
            continue
        campaign = campaign_for(invitation.organisation)
        local = _local(invitation.organisation, invitation.location, now)
        if in_quiet_hours(local, campaign.quiet_start, campaign.quiet_end):
            continue
        sent += do_send_invitation(invitation, retry=True, now=now)
    return sent


def do_send_due(now: datetime | None = None) -> dict[str, int]:
    """Send the invitations whose quiet hours are over, the ones a worker that died left
    "sending" (``_retry_interrupted``), and the one reminder of those sent ``reminder_after_days``
    ago whose customer has neither clicked nor answered."""
    now = now or timezone.now()
    sent = reminded = 0
    retried = _retry_interrupted(now)
    due = (
        Invitation.objects.filter(state=InvitationState.SCHEDULED, send_after__lte=now)
        .select_related("contact", "organisation", "location")
        .order_by("send_after", "pk")
    )
    # Chunk after chunk until none is due or the run has taken its time: a list of 20,000 held for
    # the quiet hours went out 500 every 5 minutes (more than three hours). Each invitation leaves
    # the scheduled state whatever happens (sent, failed or withdrawn), so the loop ends.
    began = timezone.now()
    while (timezone.now() - began).total_seconds() < SEND_DUE_SECONDS:
        chunk = list(due[:SEND_DUE_CHUNK])
        if not chunk:
            break
        for invitation in chunk:
            sent += do_send_invitation(invitation, now=now)
    for campaign in Campaign.objects.filter(enabled=True, reminder_after_days__isnull=False).select_related(
        "organisation"
    ):
        assert campaign.reminder_after_days is not None
        candidates = scoped(Invitation, campaign.organisation).filter(
            state=InvitationState.SENT,
            reminder_sent_at__isnull=True,
            clicked_at__isnull=True,
            answered_at__isnull=True,
            sent_at__lte=now - timedelta(days=campaign.reminder_after_days),
            # Beyond the period a reminder would be a new invitation in disguise.
            sent_at__gte=now - timedelta(days=campaign.period_days),
        )
        for invitation in candidates.select_related("contact", "organisation", "location")[:500]:
            local = _local(invitation.organisation, invitation.location, now)
            if in_quiet_hours(local, campaign.quiet_start, campaign.quiet_end):
                continue
            reminded += do_send_invitation(invitation, reminder=True, now=now)
    return {"sent": sent, "reminded": reminded, "retried": retried}


def case_request(case: Case) -> InviteRequest | None:
    """Who to invite after ``case`` is resolved: the address of its private e-mail thread, else a
    known contact who is the author of its mention; None when no address is known."""
    mention = case.mention
    thread = (
        scoped(PrivateThread, case.organisation)
        .filter(case=case, channel=PrivateChannel.EMAIL)
        .exclude(address="")
        .order_by("-created_at")
        .first()
    )
    name = (mention.author.display_name if mention.author else "") or ""
    email = thread.address if thread else ""
    if not email and mention.author_id:
        contact = (
            scoped(Contact, case.organisation).filter(author_id=mention.author_id).exclude(email="").first()
        )
        email = contact.email if contact else ""
    if not email:
        return None
    return InviteRequest(
        email=email,
        name=name,
        location=mention.location.name if mention.location else "",
        trigger=Trigger.CASE,
        legal_basis_note=_("Dossier %(ref)s") % {"ref": case.reference},
        case=case,
        team=case.team,
        agent=case.assignee,
        author_id=mention.author_id,
    )


def do_invite_after_case(case: Case, *, now: datetime | None = None) -> str:
    """Invite the customer of a resolved ``case``: the same invitation whatever its sentiment."""
    campaign = campaign_for(case.organisation)
    if not campaign.after_resolved_case:
        return "campaign_disabled"
    request = case_request(case)
    if request is None:
        return "no_address"
    return do_invite(case.organisation, request, now=now, campaign=campaign)


# --- clicks, survey answers ----------------------------------------------------------------------


def do_record_click(invitation: Invitation) -> None:
    if invitation.clicked_at is None:
        Invitation.objects.filter(pk=invitation.pk, clicked_at__isnull=True).update(clicked_at=timezone.now())


def do_record_survey_opened(invitation: Invitation) -> None:
    if invitation.survey_opened_at is None:
        Invitation.objects.filter(pk=invitation.pk, survey_opened_at__isnull=True).update(
            survey_opened_at=timezone.now()
        )


def do_hit(key: str, *, limit: int, now: datetime | None = None) -> bool:
    """Count one public request by ``key`` (a digest of the client address); False once more than
    ``limit`` were made in the last minute. The minute slides: this minute's count plus the
    previous minute's, weighted by the share of it still inside the last 60 seconds (with fixed
    minutes, ``limit`` requests at 12:00:59 and ``limit`` more at 12:01:00 all passed)."""
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    with transaction.atomic():
        hit, _created = PublicHit.objects.select_for_update().get_or_create(key=key, window=window)
        hit.count += 1
        hit.save(update_fields=["count"])
        if _created:
            PublicHit.objects.filter(window__lt=window - timedelta(hours=1)).delete()
        previous = (
            PublicHit.objects.filter(key=key, window=window - timedelta(minutes=1))
            .values_list("count", flat=True)
            .first()
        )
    still_inside = 1 - (now - window).total_seconds() / 60
    return hit.count + (previous or 0) * still_inside <= limit


def _survey_source(organisation: Organisation, location: Location | None) -> Any:
    name = _("Enquête de satisfaction")
    if location is not None:
        name = f"{name} · {location.name}"
    return do_ensure_receiving_source(
        organisation, platform=SURVEY_PLATFORM, name=name[:150], location=location
    )


def _ingest_answer(
    response: SurveyResponse, author_id: str, author_name: str, *, external_id: str = ""
) -> Mention | None:
    """Store ``response`` as a mention of the ``survey`` source (rating: the CSAT; raw rating: the
    NPS "n/10"), so it is analysed, routed when negative and counted like any mention."""
    source = _survey_source(response.organisation, response.location)
    item = MentionIn(
        external_id=external_id or f"survey-{response.pk}",
        kind=MentionKind.SURVEY_ANSWER,
        created_at=response.answered_at,
        text=response.comment,
        author=AuthorIn(external_id=author_id, display_name=author_name[:200]) if author_id else None,
        rating=Decimal(response.csat) if response.csat is not None else None,
        rating_raw=f"{response.nps}/10" if response.nps is not None else "",
        raw={"csat": response.csat, "nps": response.nps, "origin": response.origin},
    )
    do_ingest_page(source, Page(items=[item], next_cursor={}), advance_cursor=False)
    mention: Mention | None = Mention.objects.filter(source=source, external_id=item.external_id).first()
    if mention is not None:
        SurveyResponse.objects.filter(pk=response.pk).update(mention=mention)
        response.mention = mention
    return mention


def _check_scores(csat: int | None, nps: int | None, comment: str) -> None:
    errors = {}
    if csat is not None and not 1 <= csat <= 5:
        errors["csat"] = _("La satisfaction se note de 1 à 5.")
    if nps is not None and not 0 <= nps <= 10:
        errors["nps"] = _("La recommandation se note de 0 à 10.")
    if csat is None and nps is None and not comment.strip():
        errors["csat"] = _("Répondez au moins à une question.")
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _("2000 caractères au plus.")
    if errors:
        raise ValidationError(errors, code="invalid")


def do_answer_survey(invitation: Invitation, *, csat: int | None, nps: int | None, comment: str) -> bool:
    """Record the customer's answer to ``invitation``'s survey, once: False when it was already
    answered (the public page then gives its neutral answer)."""
    _check_scores(csat, nps, comment)
    now = timezone.now()
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
            answered_at=now
        )
        if not claimed:
            return False
        response = SurveyResponse.objects.create(
            organisation=invitation.organisation,
            invitation=invitation,
            location=invitation.location,
            team=invitation.team,
            agent=invitation.agent,
            csat=csat,
            nps=nps,
            comment=comment.strip(),
            origin=ResponseOrigin.LINK,
            answered_at=now,
        )
        do_record_audit_event(
            invitation.organisation, "outreach.survey_answered", obj=response, data={"csat": csat, "nps": nps}
        )
        contact = invitation.contact
        _ingest_answer(response, f"contact-{contact.pk}", contact.name)
    return True


@dataclass
class SurveyImport:
    imported: int = 0
    rejected: list[str] = field(default_factory=list)
    # Rows whose ``id`` was imported before (a file imported twice): skipped, and said.
    already: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "rejected": len(self.rejected),
            "already_imported": self.already,
            "errors": self.rejected[:20],
        }


def _int_or_none(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            _("note illisible « %(value)s » (un nombre entier est attendu)") % {"value": value[:20]}
        ) from None


# The ways a French spreadsheet writes a date, besides ISO ("2026-12-01", "2026-12-01T09:30").
_SURVEY_DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y")


def _survey_date(text: str) -> datetime:
    """A survey answer's date as people type it: the error said "Invalid isoformat string"."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for layout in _SURVEY_DATE_FORMATS:
        try:
            return datetime.strptime(text, layout)  # noqa: DTZ007 - made aware by the caller
        except ValueError:
            continue
    raise ValueError(
        _("date illisible « %(value)s » (attendu AAAA-MM-JJ ou JJ/MM/AAAA)") % {"value": text[:30]}
    )


@dataclass
class _SurveyAnswer:
    """A row of survey results, read and checked: what ``_store_survey_answers`` stores."""

    line: int
    key: str
    csat: int | None
    nps: int | None
    comment: str
    when: datetime
    location: Location | None


def _read_survey_row(
    organisation: Organisation, row: dict[str, str], *, line: int, locations: dict[str, Location], key: str
) -> _SurveyAnswer:
    """A row of survey results, checked; ``ValueError`` or ``ValidationError`` says why not."""
    csat, nps = _int_or_none(row.get("csat", "")), _int_or_none(row.get("nps", ""))
    comment = row.get("comment", "") or ""
    _check_scores(csat, nps, comment)
    when_text = (row.get("date") or "").strip()
    when = _survey_date(when_text) if when_text else timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when, zoneinfo.ZoneInfo(organisation.timezone))
    location_name = (row.get("location") or "").strip()
    location = locations.get(location_name.casefold()) if location_name else None
    if location_name and location is None:
        raise ValueError(_("lieu inconnu"))
    return _SurveyAnswer(line, key, csat, nps, comment.strip(), when, location)


def _store_survey_answers(
    organisation: Organisation, answers: list[_SurveyAnswer], *, batch: InviteBatch | None
) -> dict[int, str]:
    """Store ``answers`` at once (one insert, one ingest per survey source, one update): the
    outcome of each line, "imported" or "already_imported". An answer's key (the row's ``id``,
    else the page's file digest and line) makes it unique: a key imported before is left aside
    (imported by this very ``batch`` before a restart, it counts as imported), and the database
    refuses a second answer with the same key (two runners at once: ``IntegrityError``)."""
    outcomes: dict[int, str] = {}
    external = {a.line: f"survey-import-{a.key}" if a.key else "" for a in answers}
    keys = [k for k in external.values() if k]
    earlier: dict[str, int | None] = dict(
        SurveyResponse.objects.filter(organisation=organisation, external_id__in=keys).values_list(
            "external_id", "batch_id"
        )
    )
    # Imported before answers had their key (kept on their mention only).
    legacy = set(
        Mention.objects.filter(
            organisation=organisation, source__platform=SURVEY_PLATFORM, external_id__in=keys
        ).values_list("external_id", flat=True)
    )
    fresh: list[_SurveyAnswer] = []
    taken: set[str] = set()
    for answer in answers:
        key = external[answer.line]
        if key and (key in earlier or key in legacy or key in taken):
            mine = batch is not None and key in earlier and earlier[key] == batch.pk
            outcomes[answer.line] = "imported" if mine else "already_imported"
            continue
        taken.add(key)
        fresh.append(answer)
    if not fresh:
        return outcomes
    with transaction.atomic():
        responses = SurveyResponse.objects.bulk_create(
            [
                SurveyResponse(
                    organisation=organisation,
                    location=a.location,
                    csat=a.csat,
                    nps=a.nps,
                    comment=a.comment,
                    origin=ResponseOrigin.IMPORT,
                    answered_at=a.when,
                    external_id=external[a.line],
                    batch=batch,
                )
                for a in fresh
            ]
        )
        # One ingest per survey source (one per location): the answers become mentions, analysed,
        # routed when negative and counted like any mention.
        by_location: dict[int | None, list[tuple[SurveyResponse, MentionIn]]] = {}
        for response in responses:
            item = MentionIn(
                external_id=response.external_id or f"survey-{response.pk}",
                kind=MentionKind.SURVEY_ANSWER,
                created_at=response.answered_at,
                text=response.comment,
                rating=Decimal(response.csat) if response.csat is not None else None,
                rating_raw=f"{response.nps}/10" if response.nps is not None else "",
                raw={"csat": response.csat, "nps": response.nps, "origin": response.origin},
            )
            by_location.setdefault(response.location_id, []).append((response, item))
        for pairs in by_location.values():
            source = _survey_source(organisation, pairs[0][0].location)
            items = [item for _response, item in pairs]
            do_ingest_page(source, Page(items=items, next_cursor={}), advance_cursor=False)
            mentions = dict(
                Mention.objects.filter(
                    source=source, external_id__in=[item.external_id for item in items]
                ).values_list("external_id", "pk")
            )
            for response, item in pairs:
                response.mention_id = mentions.get(item.external_id)
        SurveyResponse.objects.bulk_update(responses, ["mention"])
    for answer in fresh:
        outcomes[answer.line] = "imported"
    return outcomes


def _import_survey_rows(
    organisation: Organisation,
    numbered: list[tuple[dict[str, str], int, str]],
    *,
    locations: dict[str, Location],
    batch: InviteBatch | None = None,
) -> list[tuple[str, str]]:
    """Import rows (row, line, key) of survey results at once: for each, ("imported" |
    "already_imported" | "survey_refused", why a row was refused)."""
    refused: dict[int, str] = {}
    answers: list[_SurveyAnswer] = []
    for row, line, key in numbered:
        try:
            answers.append(_read_survey_row(organisation, row, line=line, locations=locations, key=key))
        except (ValueError, ValidationError) as exc:
            refused[line] = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    try:
        stored = _store_survey_answers(organisation, answers, batch=batch)
    except IntegrityError:
        # Another runner stored some of these rows meanwhile: one at a time, each says which.
        stored = {}
        for answer in answers:
            try:
                stored.update(_store_survey_answers(organisation, [answer], batch=batch))
            except IntegrityError:
                stored[answer.line] = "already_imported"
    return [
        ("survey_refused", refused[line]) if line in refused else (stored[line], "")
        for _row, line, _key in numbered
    ]


# Survey answers stored at once (one insert, one ingest): 17 s per 1,000 rows one by one.
SURVEY_CHUNK = 100


def _survey_locations(organisation: Organisation) -> dict[str, Location]:
    return {loc.name.casefold(): loc for loc in scoped(Location, organisation)}


def do_import_survey_results(
    organisation: Organisation, rows: list[dict[str, str]], *, actor: User | None = None
) -> SurveyImport:
    """Import survey answers collected elsewhere here and now (the command line): columns ``date``
    (ISO or JJ/MM/AAAA), ``csat``, ``nps``, ``comment``, ``location``, optionally ``id``
    (re-importing the same id changes nothing). The page queues a file instead (``do_queue_list``
    with ``kind=SURVEY``)."""
    report = SurveyImport()
    locations = _survey_locations(organisation)
    numbered = [
        (row, number, (row.get("id") or "").strip()[:100]) for number, row in enumerate(rows, start=2)
    ]
    outcomes: list[tuple[str, str]] = []
    for first in range(0, len(numbered), SURVEY_CHUNK):
        outcomes += _import_survey_rows(
            organisation, numbered[first : first + SURVEY_CHUNK], locations=locations
        )
    for (_row, number, _key), (outcome, message) in zip(numbered, outcomes, strict=True):
        if outcome == "survey_refused":
            report.rejected.append((_("Ligne %(n)s : %(error)s") % {"n": number, "error": message})[:200])
        elif outcome == "already_imported":
            report.already += 1
        else:
            report.imported += 1
    do_record_audit_event(organisation, "outreach.survey_imported", actor=actor, data=report.as_dict())
    return report


# --- testimonials --------------------------------------------------------------------------------


def _positive_answer(response: SurveyResponse) -> bool:
    if response.csat is not None:
        return response.csat >= 4
    return response.nps is not None and response.nps >= 9


@transaction.atomic
def do_select_testimonial(
    organisation: Organisation,
    *,
    actor: User,
    mention: Mention | None = None,
    response: SurveyResponse | None = None,
    consent_note: str = "",
    featured: bool = False,
) -> Testimonial:
    """Keep a positive review or survey answer as a testimonial. A public review may be quoted as
    published; a survey answer (not public) needs the customer's consent, recorded here."""
    if (mention is None) == (response is None):
        raise ValueError("a testimonial quotes one mention or one survey answer")
    if response is not None:
        if not consent_note.strip():
            raise ValidationError(
                {
                    "consent_note": _(
                        "Une réponse à l'enquête n'est pas publique : notez le consentement du client."
                    )
                },
                code="consent_required",
            )
        if not _positive_answer(response):
            raise ValidationError({"response": _("Seules les réponses positives font des témoignages.")})
        text = response.comment
        platform, location, said_at = SURVEY_PLATFORM, response.location, response.answered_at
        public = False
        author_name = response.invitation.contact.name if response.invitation else ""
    else:
        assert mention is not None
        if mention.organisation_id != organisation.pk:
            raise ValueError("another organisation's mention")
        positive = mention.sentiment == "positive" or (mention.rating is not None and mention.rating >= 4)
        if not positive:
            raise ValidationError({"mention": _("Seuls les avis positifs font des témoignages.")})
        text = title_and_text(mention.title, mention.text)
        platform, location, said_at = mention.source.platform, mention.location, mention.created_at
        # A survey answer or a private message was not said in public: quoting it needs consent.
        public = mention.kind not in (MentionKind.SURVEY_ANSWER, MentionKind.PRIVATE_MESSAGE)
        author_name = mention.author.display_name if mention.author else ""
        if not public and not consent_note.strip():
            raise ValidationError(
                {
                    "consent_note": _(
                        "Une réponse à l'enquête n'est pas publique : notez le consentement du client."
                    )
                },
                code="consent_required",
            )
    if not text.strip():
        raise ValidationError({"text": _("Ce témoignage n'a pas de texte.")})
    testimonial = Testimonial.objects.create(
        organisation=organisation,
        mention=mention,
        response=response,
        text=text.strip()[:TESTIMONIAL_MAX],
        author_name=author_name[:200],
        platform=platform,
        location=location,
        said_at=said_at,
        public=public,
        consent_at=timezone.now() if consent_note.strip() else None,
        consent_note=consent_note.strip()[:300],
        featured=featured,
        selected_by=actor,
    )
    do_record_audit_event(
        organisation,
        "outreach.testimonial_selected",
        actor=actor,
        obj=testimonial,
        data={"public": public, "consent": bool(consent_note.strip())},
    )
    return testimonial


@transaction.atomic
def do_feature_testimonial(testimonial: Testimonial, featured: bool, *, actor: User) -> Testimonial:
    Testimonial.objects.filter(pk=testimonial.pk).update(featured=featured)
    testimonial.featured = featured
    do_record_audit_event(
        testimonial.organisation,
        "outreach.testimonial_featured",
        actor=actor,
        obj=testimonial,
        data={"featured": featured},
    )
    return testimonial


@transaction.atomic
def do_delete_testimonial(testimonial: Testimonial, *, actor: User) -> None:
    do_record_audit_event(
        testimonial.organisation, "outreach.testimonial_removed", actor=actor, obj=testimonial
    )
    Testimonial.objects.filter(pk=testimonial.pk).delete()


# --- lists of customers (CSV) --------------------------------------------------------------------

INVITE_COLUMNS = ("email", "name", "location", "platform")
# A list needs one address column; the others may be left out (a CRM's export of "email;name",
# an SMS list of "phone;name": asking for empty columns refused the latter outright).
INVITE_ADDRESS_COLUMNS = ("email", "phone")
INVITE_OPTIONAL_COLUMNS = ("phone", "legal_basis")
MAX_CSV_ROWS = 20000


class CsvError(ValueError):
    """The file cannot be read as a list of customers (the message says why)."""


def decode_csv(raw: bytes) -> str:
    """The text of an uploaded list, whatever encoding the spreadsheet wrote it in (UTF-16 with or
    without its byte-order mark, UTF-8, Windows-1252: ``vigie.core.encodings``)."""
    return raw.decode(text_encoding(raw), errors="replace")


def read_invite_rows(text: str) -> list[dict[str, str]]:
    """The customers of a list: an ``email`` or a ``phone`` column at least (see ``read_csv_rows``)."""
    return read_csv_rows(text, (), one_of=INVITE_ADDRESS_COLUMNS)


def read_csv_rows(
    text: str, required: tuple[str, ...], *, one_of: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """The rows of a CSV text (comma or semicolon, header first); ``CsvError`` when a required
    column (or every column of ``one_of``) is missing or the file is too long."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in required if column not in header]
    if missing:
        raise CsvError(_("Colonnes manquantes : %(columns)s.") % {"columns": ", ".join(missing)})
    if one_of and not any(column in header for column in one_of):
        raise CsvError(
            _("Colonne manquante : %(columns)s, l'une au moins (colonnes lues : %(known)s).")
            % {
                "columns": ", ".join(one_of),
                "known": ", ".join(dict.fromkeys((*INVITE_COLUMNS, *INVITE_OPTIONAL_COLUMNS))),
            }
        )
    reader.fieldnames = header
    rows: list[dict[str, str]] = []
    for row in reader:
        if len(rows) >= MAX_CSV_ROWS:
            raise CsvError(_("Trop de lignes (20 000 au plus par fichier)."))
        rows.append({key: (value or "").strip() for key, value in row.items() if isinstance(key, str)})
    return rows


def _row_key(row: dict[str, str]) -> str:
    """What makes two rows of one list the same customer (the address; French numbers however
    written)."""
    email = _normal_email(row.get("email", ""))
    if email:
        return email
    phone = "".join(c for c in row.get("phone", "") if c.isdigit() or c == "+")
    return _same_phone(phone)[0] if phone else ""


def _invite_row(
    organisation: Organisation,
    row: dict[str, str],
    *,
    seen: set[str],
    dry_run: bool,
    trigger: str,
    campaign: Campaign,
    batch: InviteBatch | None = None,
) -> tuple[str, str, str]:
    """One row of a list: (outcome, who, detail)."""
    key = _row_key(row)
    who = row.get("email", "") or row.get("phone", "")
    if key and key in seen:
        return "duplicate_in_file", who, ""
    seen.add(key)
    basis = row.get("legal_basis", "")
    if basis and basis not in LegalBasis.values:
        return "invalid_legal_basis", who, basis
    request = InviteRequest(
        email=row.get("email", ""),
        phone=row.get("phone", ""),
        name=row.get("name", "")[:200],
        location=row.get("location", "")[:150],
        platform=row.get("platform", "")[:40].lower(),
        trigger=trigger,
        legal_basis=basis,
    )
    outcome = do_invite(organisation, request, dry_run=dry_run, campaign=campaign, batch=batch)
    if outcome == "already_invited" and batch is not None:
        # This very list invited them before a restart: the row went, it is not a refusal.
        contact = _find_contact(organisation, request.email, request.phone)
        mine = (
            Invitation.objects.filter(contact=contact, batch=batch).values_list("state", flat=True).first()
            if contact is not None
            else None
        )
        if mine is not None:
            outcome = "quiet_hours" if mine == InvitationState.SCHEDULED else "sent"
    return outcome, who, request.location if outcome == "unknown_location" else ""


def _list_campaign(organisation: Organisation, dry_run: bool) -> Campaign:
    if not dry_run:
        return campaign_for(organisation)
    return Campaign.objects.filter(organisation=organisation).first() or Campaign(organisation=organisation)


def do_invite_rows(
    organisation: Organisation,
    rows: list[dict[str, str]],
    *,
    dry_run: bool = False,
    trigger: str = Trigger.IMPORT,
) -> InviteSummary:
    """Invite each customer of ``rows`` (columns ``email``, ``name``, ``location``, ``platform``;
    optional ``phone``, ``legal_basis``) here and now (the command line, the API). A customer
    listed twice in one file is invited once. The page queues a list instead (``do_queue_list``)."""
    summary = InviteSummary()
    campaign = _list_campaign(organisation, dry_run)
    seen: set[str] = set()
    # Line numbers as a spreadsheet shows them: the header is line 1.
    for line, row in enumerate(rows, start=2):
        outcome, who, detail = _invite_row(
            organisation, row, seen=seen, dry_run=dry_run, trigger=trigger, campaign=campaign
        )
        summary.add(outcome, line=line, who=who, detail=detail)
    if not dry_run:
        do_record_audit_event(organisation, "outreach.list_invited", data=summary.as_dict())
    return summary


# A list runs in slices of this many rows (or seconds), each slice a job that queues the next:
# a job never runs long enough to look stale to the embedded runner (30 minutes), and progress
# is saved every BATCH_SAVE_EVERY rows.
BATCH_SLICE_ROWS = 1000
BATCH_SLICE_SECONDS = 60.0
BATCH_SAVE_EVERY = 25
BATCH_JOB = "outreach.invite_list"
# The same file uploaded again this soon (a double click, a reload) opens the first run.
BATCH_SAME_FILE = timedelta(minutes=10)


def do_queue_list(
    organisation: Organisation,
    rows: list[dict[str, str]],
    *,
    actor: User | None,
    dry_run: bool,
    file_name: str = "",
    digest: str = "",
    kind: str = BatchKind.INVITE,
) -> tuple[InviteBatch, bool]:
    """Queue a list of customers to be invited (or, ``kind=SURVEY``, survey results to be
    imported) in the background (``run_list_slice``); returns the batch and whether it is new.
    The same file (``digest``) queued again within ``BATCH_SAME_FILE`` and not interrupted
    returns the first batch: a double click sends (imports) once."""
    from vigie.core.jobs import enqueue

    with transaction.atomic():
        if digest:
            earlier = (
                scoped(InviteBatch, organisation)
                .filter(
                    kind=kind,
                    digest=digest,
                    dry_run=dry_run,
                    created_at__gte=timezone.now() - BATCH_SAME_FILE,
                )
                .exclude(state=BatchState.FAILED)
                .first()
            )
            if earlier is not None:
                return earlier, False
        batch = InviteBatch.objects.create(
            organisation=organisation,
            kind=kind,
            created_by=actor,
            file_name=file_name[:200],
            digest=digest[:64],
            dry_run=dry_run,
            rows=rows,
            total=len(rows),
        )
        do_record_audit_event(
            organisation,
            "outreach.survey_import_queued" if kind == BatchKind.SURVEY else "outreach.list_queued",
            actor=actor,
            obj=batch,
            data={"rows": len(rows), "dry_run": dry_run},
        )
        enqueue(BATCH_JOB, {"batch_id": batch.pk, "start": 0}, dedupe_key=f"{BATCH_JOB}:{batch.pk}:0")
    return batch, True


def _save_progress(
    batch: InviteBatch, start: int, done: int, sent: int, counts: Counter[str], outcomes: list[RowOutcome]
) -> bool:
    """Record rows ``start``..``done`` of ``batch`` handled; False when another runner moved the
    batch on meanwhile (this one then stops: the rows are not counted twice)."""
    with transaction.atomic():
        moved = InviteBatch.objects.filter(pk=batch.pk, done=start).update(
            done=done, sent=sent, counts=dict(counts), state=BatchState.RUNNING
        )
        if moved:
            InviteBatchRow.objects.bulk_create(
                [
                    InviteBatchRow(batch=batch, line=o.line, who=o.who, reason=o.reason, detail=o.detail)
                    for o in outcomes
                ],
                ignore_conflicts=True,
            )
    return bool(moved)


# What a kind of batch does with a chunk of rows (row, line): (outcome, who, detail) for each.
RowHandler = Callable[[list[tuple[dict[str, str], int]]], list[tuple[str, str, str]]]


def _invite_handler(batch: InviteBatch, start: int) -> RowHandler:
    """What a list of customers does with a row: invite the customer it names."""
    organisation = batch.organisation
    campaign = _list_campaign(organisation, batch.dry_run)
    seen = {_row_key(row) for row in batch.rows[:start]} - {""}

    def handle(chunk: list[tuple[dict[str, str], int]]) -> list[tuple[str, str, str]]:
        return [
            _invite_row(
                organisation,
                row,
                seen=seen,
                dry_run=batch.dry_run,
                trigger=Trigger.IMPORT,
                campaign=campaign,
                batch=None if batch.dry_run else batch,
            )
            for row, _line in chunk
        ]

    return handle


def _survey_handler(batch: InviteBatch) -> RowHandler:
    """What survey results do with a row: import the answer, keyed by the row's ``id``, else by
    the file's digest and the line (the same file imported again, a double click or a restarted
    run leave it aside). The report names a row by its ``id``."""
    organisation = batch.organisation
    locations = _survey_locations(organisation)
    prefix = f"f{batch.digest[:24]}-" if batch.digest else f"b{batch.pk}-"

    # The first line of each id: a later row with the same id is a duplicate in the file (said
    # so), not an answer this import stored before a restart.
    first_line: dict[str, int] = {}
    for line, row in enumerate(batch.rows, start=2):
        first_line.setdefault((row.get("id") or "").strip()[:100], line)

    def handle(chunk: list[tuple[dict[str, str], int]]) -> list[tuple[str, str, str]]:
        ids = [(row.get("id") or "").strip()[:100] for row, _line in chunk]
        numbered = [
            (row, line, ids[n] or f"{prefix}{line}")
            for n, (row, line) in enumerate(chunk)
            if not ids[n] or first_line.get(ids[n], line) == line
        ]
        imported = iter(_import_survey_rows(organisation, numbered, locations=locations, batch=batch))
        outcomes: list[tuple[str, str, str]] = []
        for n, (_row, line) in enumerate(chunk):
            if ids[n] and first_line.get(ids[n], line) != line:
                outcomes.append(("duplicate_in_file", ids[n], ""))
            else:
                outcome, message = next(imported)
                outcomes.append((outcome, ids[n], message))
        return outcomes

    return handle


def run_list_slice(batch_id: int, start: int) -> str:
    """Invite the rows of a queued list (or import its survey results) from ``start`` on, for at
    most a slice, then queue the next slice. Each row is checked when its turn comes (an opt-out,
    bounce or complaint made meanwhile is honoured); a row already invited by this list (a
    restart) counts as sent; a survey row already imported is counted aside, never stored twice."""
    from vigie.core.jobs import enqueue

    batch = InviteBatch.objects.filter(pk=batch_id).select_related("organisation").first()
    if batch is None or batch.state in (BatchState.DONE, BatchState.FAILED):
        return "gone"
    # A retried slice goes on from what was saved; two runners at once are stopped by
    # ``_save_progress`` (and each invitation by its contact's lock in ``do_invite``).
    start = batch.done
    organisation = batch.organisation
    rows: list[dict[str, str]] = batch.rows
    handle = _survey_handler(batch) if batch.kind == BatchKind.SURVEY else _invite_handler(batch, start)
    counts: Counter[str] = Counter(batch.counts)
    sent = batch.sent
    began = timezone.now()
    saved = index = start
    pending: list[RowOutcome] = []
    end = min(len(rows), start + BATCH_SLICE_ROWS)
    while index < end:
        # Rows go by chunks of BATCH_SAVE_EVERY (SURVEY_CHUNK answers stored at once), the
        # progress saved after each. Line numbers as a spreadsheet shows them: the header is line 1.
        upto = min(end, index + (SURVEY_CHUNK if batch.kind == BatchKind.SURVEY else BATCH_SAVE_EVERY))
        chunk = [(rows[i], i + 2) for i in range(index, upto)]
        for (_row, line), (outcome, who, detail) in zip(chunk, handle(chunk), strict=True):
            if outcome in ("sent", "imported"):
                sent += 1
            else:
                counts[outcome] += 1
                # Held for the quiet hours or imported before: counted, not a refused row.
                if outcome not in ("quiet_hours", "already_imported"):
                    pending.append(RowOutcome(line, who[:254], outcome, detail[:150]))
        index = upto
        if not _save_progress(batch, saved, index, sent, counts, pending):
            return "moved"
        saved, pending = index, []
        # A list is thousands of short write transactions back to back: on SQLite, step aside
        # between chunks so the other writers get the lock (alert detection waited out its busy
        # timeout and failed while a 5,000-row list was being sent).
        yield_writer()
        if (timezone.now() - began).total_seconds() > BATCH_SLICE_SECONDS:
            break
    if index < len(rows):
        enqueue(
            BATCH_JOB, {"batch_id": batch.pk, "start": index}, dedupe_key=f"{BATCH_JOB}:{batch.pk}:{index}"
        )
        return "continued"
    with transaction.atomic():
        finished = InviteBatch.objects.filter(pk=batch.pk, done=index).exclude(state=BatchState.DONE)
        if finished.update(state=BatchState.DONE, finished_at=timezone.now(), rows=[]) and not batch.dry_run:
            survey = batch.kind == BatchKind.SURVEY
            do_record_audit_event(
                organisation,
                "outreach.survey_imported" if survey else "outreach.list_invited",
                actor=batch.created_by,
                obj=batch,
                data={"imported" if survey else "sent": sent, "skipped": dict(sorted(counts.items()))},
            )
    return "done"


def do_fail_list(batch: InviteBatch, error: str) -> None:
    """Mark a list's run interrupted (its job gave up): the page says so; the rows not reached
    were not invited, and the same file may be sent again (the ones reached are already_invited)."""
    InviteBatch.objects.filter(pk=batch.pk).exclude(state=BatchState.DONE).update(
        state=BatchState.FAILED, error=error[:300], finished_at=timezone.now(), rows=[]
    )


# How long the report of a list (with the addresses of its rows that did not go) is kept.
LIST_REPORT_DAYS = 90


def do_forget_old_lists(now: datetime | None = None) -> int:
    """Delete the runs of lists older than ``LIST_REPORT_DAYS``, with their reports: the addresses
    of the rows that did not go are personal data, kept only while the report is useful."""
    cutoff = (now or timezone.now()) - timedelta(days=LIST_REPORT_DAYS)
    old = InviteBatch.objects.filter(created_at__lt=cutoff).exclude(
        state__in=[BatchState.QUEUED, BatchState.RUNNING]
    )
    deleted, _by_model = old.delete()
    return deleted


@transaction.atomic
def do_erase_personal_data(
    organisation: Organisation,
    identifiers: dict[str, list[str]],
    *,
    keep_mention_ids: set[int] | frozenset[int] = frozenset(),
    dry_run: bool = False,
) -> dict[str, int]:
    """Erase a data subject's outreach records (a GDPR hook of ``vigie.privacy``): their contacts
        and the invitations sent to them are deleted; their survey answers lose their comment and
        the link to the invitation (the scores, date, location and team stay: the CSAT and NPS keep
        counting, tied to no one); the testimonials quoting those answers or the person's mentions
        (``identifiers["mention_ids"]``) are deleted; a contact who had opted out or complained leaves a
    keyed fingerprint of their address (``Suppression``), so no later list invites them. The mentions the answers became are privacy's
        to erase, with the other mentions. What concerns a mention of ``keep_mention_ids`` (legal
        hold) stays. Counts only."""
    from vigie.outreach.queries import subject_contacts, subject_list_rows, subject_responses

    contacts = subject_contacts(organisation, identifiers)
    responses = subject_responses(organisation, contacts).exclude(mention_id__in=keep_mention_ids)
    mention_ids = [
        int(pk)
        for pk in identifiers.get("mention_ids", [])
        if str(pk).isdigit() and int(pk) not in keep_mention_ids
    ]
    testimonials = scoped(Testimonial, organisation).filter(
        Q(response__in=responses) | Q(mention_id__in=mention_ids)
    )
    objecting = list(
        contacts.filter(Q(opted_out_at__isnull=False) | Q(complained_at__isnull=False)).values_list(
            "email", "phone", "opted_out_at"
        )
    )
    list_rows = subject_list_rows(organisation, identifiers)
    counts = {
        "outreach_list_rows": list_rows.count(),
        "outreach_objections_kept": len(objecting),
        "outreach_contacts": contacts.count(),
        "outreach_invitations": Invitation.objects.filter(contact__in=contacts).count(),
        "outreach_survey_responses": responses.count(),
        "outreach_testimonials": testimonials.count(),
    }
    if not dry_run and any(counts.values()):
        testimonials.delete()
        InviteBatchRow.objects.filter(pk__in=list(list_rows.values_list("pk", flat=True))).delete()
        responses.update(comment="")
        # Their objection stays, as a keyed fingerprint of the address (no name): the opt-out was
        # promised "forever", and a later list naming them must not invite them again (art. 21).
        Suppression.objects.bulk_create(
            [
                Suppression(
                    organisation=organisation,
                    digest=address_digest(organisation, address),
                    reason="opted_out" if opted_out_at else "complained",
                )
                for email, phone, opted_out_at in objecting
                for address in (email, phone)
                if address
            ],
            ignore_conflicts=True,
        )
        # Invitations go with their contact (on_delete=CASCADE); the answers lose the link.
        contacts.delete()
    return counts


class RectificationRefused(ValueError):
    """A rectification Vigie cannot carry out as asked; ``code`` says why (``several_contacts``:
    the identifier typed names more than one contact; ``email_taken``/``phone_taken``: another
    contact already has the corrected address; ``invalid_email``/``invalid_phone``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def do_rectify_personal_data(
    organisation: Organisation,
    identifiers: dict[str, list[str]],
    corrections: dict[str, str],
    *,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Correct a data subject's outreach contact (a GDPR art. 16 hook of ``vigie.privacy``): its
    ``name``, ``email`` or ``phone`` (``corrections``; an empty value leaves the field as it is).

    The contact is the one the identifier the DPO typed designates (``identifiers`` as typed, not
    widened by the search: a name shared by two contacts is refused, ``several_contacts``). Its
    opt-out and complaint stay (they are the person's); a bounce belonged to the old address and
    goes with it. A new name is also given to the author of their survey answers (a ``survey``
    author Vigie made, ``contact-<pk>``) and to the testimonials quoting those answers; the
    answers' mentions and raw payloads are not touched. Returns the counts and the fields changed
    (``fields``), never the values; raises ``RectificationRefused``."""
    from vigie.outreach.queries import subject_contacts, subject_responses

    contacts = list(subject_contacts(organisation, identifiers)[:2])
    if not contacts:
        return {}
    if len(contacts) > 1:
        raise RectificationRefused("several_contacts")
    contact = contacts[0]
    changes: dict[str, Any] = {}
    name = " ".join(corrections.get("name", "").split())[:200]
    if name and name != contact.name:
        changes["name"] = name
    email = _normal_email(corrections.get("email", ""))
    if email and email != contact.email:
        try:
            validate_email(email)
        except ValidationError:
            raise RectificationRefused("invalid_email") from None
        if scoped(Contact, organisation).filter(email=email).exclude(pk=contact.pk).exists():
            raise RectificationRefused("email_taken")
        changes["email"] = email
        # The bounce was the old address's; the opt-out and the complaint are the person's.
        changes["bounced_at"] = None
    phone = "".join(c for c in corrections.get("phone", "") if c.isdigit() or c == "+")[:20]
    if phone and phone not in _same_phone(contact.phone or "-"):
        if sum(c.isdigit() for c in phone) < 6:
            raise RectificationRefused("invalid_phone")
        if scoped(Contact, organisation).filter(phone__in=_same_phone(phone)).exclude(pk=contact.pk).exists():
            raise RectificationRefused("phone_taken")
        changes["phone"] = phone
    authors = Author.objects.filter(
        organisation=organisation, platform=SURVEY_PLATFORM, external_id=f"contact-{contact.pk}"
    ).values_list("pk", flat=True)
    responses = subject_responses(organisation, Contact.objects.filter(pk=contact.pk))
    testimonials = scoped(Testimonial, organisation).filter(
        Q(response__in=responses) | Q(mention_id__in=responses.exclude(mention=None).values("mention_id"))
    )
    counts: dict[str, Any] = {
        "outreach_contacts": 1 if changes else 0,
        "outreach_survey_authors": len(authors) if "name" in changes else 0,
        "outreach_testimonials": testimonials.count() if "name" in changes else 0,
        "fields": sorted(key for key in changes if key != "bounced_at"),
    }
    if dry_run or not changes:
        return counts
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(**changes)
        if "name" in changes:
            do_rename_authors(organisation, list(authors), name)
            testimonials.update(author_name=name)
    return counts
