"""The publishing outbox: a reply reaches the platform exactly once, or a person is asked to check.

Flow (see docs/publishing-and-private-channel.md):

1. ``do_queue_publication`` creates the reply's ``Publication`` row (idempotent) and enqueues the
   job ``inbox.publish_reply``. A platform without a reply API gets the "copy and open" flow
   instead (state ``manual``), closed by ``do_confirm_posted_by_hand``.
2. The job claims the row with a conditional UPDATE (queued -> sending) and only then calls the
   connector, outside any transaction, with the reply's idempotency key.
3. Success: published, and the case gets its first response time and its next status.
   A permanent refusal: failed, with the platform's message. A transient error: queued again with
   backoff, except where the platform does not deduplicate (Bluesky) and the request may have
   arrived: then the state is ``unknown`` and a person checks on the platform.
4. A row still ``sending`` after the claim lease means a worker died mid-call: it is sent again
   only where a second call cannot create a second reply; otherwise it becomes ``unknown``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vigie.connectors.actions import SourceConfigError, build_connector
from vigie.connectors.contract import (
    AuthorIn,
    ConnectorError,
    MentionIn,
    RateLimited,
    ReplyResult,
)
from vigie.connectors.platforms import UnknownPlatform, platform_facts
from vigie.core.actions import do_notify, do_record_audit_event
from vigie.core.egress import EgressRefused
from vigie.core.jobs import enqueue
from vigie.core.models import User
from vigie.core.roles import HANDLE_CASES, Role
from vigie.inbox.actions import do_set_case_status
from vigie.inbox.models import (
    Case,
    CaseStatus,
    Publication,
    PublicationState,
    Reply,
    ReplyChannel,
    ReplyStatus,
)
from vigie.mentions.models import Mention, MentionKind, MentionType, Sentiment

logger = logging.getLogger(__name__)

PUBLISH_JOB = "inbox.publish_reply"
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 3600
# A claim older than this belongs to a worker that died (the connectors time out after 30 s).
CLAIM_LEASE = timedelta(minutes=10)

# Replies that may not be published yet: they wait for (or were refused) approval.
NOT_PUBLISHABLE = (ReplyStatus.AWAITING_APPROVAL, ReplyStatus.SENT_BACK)
DONE_STATES = (PublicationState.PUBLISHED, PublicationState.POSTED_BY_HAND)


class PublishingError(ValidationError):
    """A publishing step that cannot be done now; the message says why, for the agent."""


# --- platform facts (declared by each connector, see vigie.connectors.platforms) -----------------


def can_publish(platform: str) -> bool:
    """True when the platform's connector publishes replies through its API."""
    return platform_facts(platform).can_publish


def can_delete(platform: str) -> bool:
    """True when a published reply can be deleted through the API."""
    return platform_facts(platform).can_delete_reply


def can_edit(platform: str) -> bool:
    """True when a published reply can be changed: replaced in place, or deleted and re-sent."""
    return platform_facts(platform).can_edit_reply


def retry_safe(platform: str) -> bool:
    """True when sending a reply twice cannot make two replies on ``platform`` (the connector
    declares ``reply_idempotent``: Google and Trustpilot keep one owner reply per review, Mastodon
    honours the Idempotency-Key header; Bluesky does not)."""
    return platform_facts(platform).retry_safe


def surely_not_sent(exc: ConnectorError) -> bool:
    """True when ``exc`` proves the platform did not take the request (so a retry is safe anywhere).

    The connectors name the httpx failure in their message: a refused connection never sent the
    request; a 429 was answered without acting. A read timeout or a 5xx may hide a created reply.
    """
    if isinstance(exc, RateLimited):
        return True
    return "(ConnectError)" in exc.message or "(ConnectTimeout)" in exc.message


def mention_in(mention: Mention) -> MentionIn:
    """The stored mention as the connector contract's ``MentionIn`` (what ``publish_reply`` takes)."""
    author = mention.author
    return MentionIn(
        external_id=mention.external_id,
        kind=mention.kind,
        created_at=mention.created_at,
        text=mention.text,
        title=mention.title,
        html=mention.html,
        url=mention.url,
        author=AuthorIn(
            external_id=author.external_id,
            handle=author.handle,
            display_name=author.display_name,
            profile_url=author.profile_url,
            followers_count=author.followers_count,
        )
        if author is not None
        else None,
        rating=mention.rating,
        rating_raw=mention.rating_raw,
        language=mention.language,
        raw=mention.raw if isinstance(mention.raw, dict) else {},
    )


def _case_url(case: Case) -> str:
    return reverse("case_detail", args=[case.pk])


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS))


# --- queueing -----------------------------------------------------------------------------------


def _locked_reply(reply: Reply) -> Reply:
    return Reply.objects.select_for_update().select_related("case__mention__source").get(pk=reply.pk)


@transaction.atomic
def do_queue_publication(reply: Reply, *, actor: User | None) -> Publication:
    """Hand ``reply`` to the outbox; calling it again returns the same publication unchanged.

    A public reply on a platform with a reply API is queued for the job ``inbox.publish_reply``;
    on a platform without one it waits for a person to copy it, post it and confirm
    (``do_confirm_posted_by_hand``). An e-mail reply goes to the case's open e-mail thread.
    Raises ``PublishingError`` for a reply still waiting for approval, or a channel that cannot
    carry it.
    """
    current = _locked_reply(reply)
    if current.status in NOT_PUBLISHABLE:
        raise PublishingError(_("Cette réponse attend encore sa validation."), code="not_approved")
    existing = Publication.objects.select_for_update().filter(reply=current).first()
    if existing is not None:
        if existing.state == PublicationState.FAILED:
            # Submitted again after a refusal (the text was corrected and went through the gate
            # and approval again): a new attempt, with the same idempotency key.
            return do_retry_publication(current, actor=actor)
        return existing
    case = current.case
    if current.channel == ReplyChannel.EMAIL:
        from vigie.inbox.outbox.private import do_send_reply_by_email

        return do_send_reply_by_email(current, actor=actor)
    if current.channel == ReplyChannel.PUBLIC and case.mention.kind == MentionKind.PRIVATE_MESSAGE:
        # A private message is answered privately, never in public.
        Reply.objects.filter(pk=current.pk).update(channel=ReplyChannel.DIRECT_MESSAGE)
        current.channel = ReplyChannel.DIRECT_MESSAGE
    if current.channel == ReplyChannel.DIRECT_MESSAGE:
        from vigie.inbox.outbox.direct_messages import do_send_reply_by_direct_message
        from vigie.inbox.outbox.private import PrivateChannelError

        try:
            return do_send_reply_by_direct_message(current, actor=actor)
        except PrivateChannelError as refused:
            raise PublishingError(refused.messages, code="no_direct_messages") from None
    if current.channel != ReplyChannel.PUBLIC:
        raise PublishingError(
            _("Ce canal ne se publie pas : consignez l'appel ou écrivez par e-mail."), code="bad_channel"
        )
    platform = case.mention.source.platform
    now = timezone.now()
    state = PublicationState.QUEUED if can_publish(platform) else PublicationState.MANUAL
    publication = Publication.objects.create(
        organisation=current.organisation,
        reply=current,
        platform=platform,
        state=state,
        queued_by=actor,
        next_attempt_at=now if state == PublicationState.QUEUED else None,
        created_at=now,
        updated_at=now,
    )
    if state == PublicationState.QUEUED:
        enqueue(PUBLISH_JOB, {"reply_id": current.pk}, dedupe_key=f"publish-reply:{current.pk}")
    do_record_audit_event(
        current.organisation,
        "reply.publication_queued" if state == PublicationState.QUEUED else "reply.publication_manual",
        actor=actor,
        obj=current,
        data={"case": case.pk, "platform": platform},
    )
    if state == PublicationState.MANUAL and case.status == CaseStatus.NEW:
        # Answered, not yet online: someone is on it until they post it by hand ("En cours"); the
        # customer has seen nothing yet, so it is not waiting for them.
        do_set_case_status(case, CaseStatus.IN_PROGRESS, actor=actor)
    return publication


@transaction.atomic
def do_retry_publication(reply: Reply, *, actor: User | None) -> Publication:
    """Queue a failed publication again (same idempotency key), after a person fixed the cause."""
    publication = _locked_publication(reply)
    if publication.state != PublicationState.FAILED:
        raise PublishingError(_("Seule une publication en échec peut être relancée."), code="not_failed")
    if reply.channel in (ReplyChannel.EMAIL, ReplyChannel.DIRECT_MESSAGE):
        # An e-mail or a direct message is sent again as the same private message (with the
        # reply's current text), never posted on the platform.
        from vigie.inbox.outbox.private import requeue_failed_email

        requeue_failed_email(Reply.objects.get(pk=reply.pk))
    else:
        _requeue(publication, delay=timedelta(0), reset_attempts=True)
    Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.APPROVED, error="")
    do_record_audit_event(reply.organisation, "reply.publication_retried", actor=actor, obj=reply)
    publication.refresh_from_db()
    return publication


def _locked_publication(reply: Reply) -> Publication:
    publication = Publication.objects.select_for_update().filter(reply_id=reply.pk).first()
    if publication is None:
        raise PublishingError(_("Cette réponse n'a pas été envoyée à la publication."), code="not_queued")
    return publication


def _requeue(publication: Publication, *, delay: timedelta, reset_attempts: bool = False) -> None:
    now = timezone.now()
    values: dict[str, Any] = {
        "state": PublicationState.QUEUED,
        "next_attempt_at": now + delay,
        "claimed_by": "",
        "claimed_at": None,
        "updated_at": now,
    }
    if reset_attempts:
        values["attempts"] = 0
        values["last_error"] = ""
    Publication.objects.filter(pk=publication.pk).update(**values)
    enqueue(
        PUBLISH_JOB,
        {"reply_id": publication.reply_id},
        # The job that asks for this retry is still running under the first key.
        dedupe_key=f"publish-reply:{publication.reply_id}:{publication.attempts}:{int(reset_attempts)}",
        delay=delay,
    )


# --- the job ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A publication this worker now owns, with what the platform call needs."""

    publication_id: int
    reply_id: int
    claimer: str


def claim_publication(reply_id: int, claimer: str) -> Claim | None:
    """Take the reply's publication for this worker, or None when there is nothing to send.

    ``queued`` rows are taken with a conditional UPDATE, so of two workers only one wins. A row
    left ``sending`` beyond ``CLAIM_LEASE`` is taken back only where a second call is harmless;
    elsewhere it is marked ``unknown`` for a person to check.
    """
    publication = Publication.objects.filter(reply_id=reply_id).first()
    if publication is None:
        return None
    now = timezone.now()
    taken = Publication.objects.filter(pk=publication.pk, state=PublicationState.QUEUED).update(
        state=PublicationState.SENDING,
        claimed_by=claimer,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if taken:
        return Claim(publication.pk, reply_id, claimer)
    stale = (
        publication.state == PublicationState.SENDING
        and publication.claimed_at is not None
        and publication.claimed_at < now - CLAIM_LEASE
    )
    if not stale:
        return None
    if retry_safe(publication.platform):
        taken = Publication.objects.filter(
            pk=publication.pk, state=PublicationState.SENDING, claimed_at=publication.claimed_at
        ).update(claimed_by=claimer, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
        return Claim(publication.pk, reply_id, claimer) if taken else None
    _mark_unknown(
        publication.pk,
        claimed_at=publication.claimed_at,
        reason=_("Le traitement a été interrompu pendant l'envoi."),
    )
    return None


def run_publication(reply_id: int, claimer: str) -> str:
    """Body of the job ``inbox.publish_reply``: claim, call the platform once, record the outcome.

    Returns the publication's state afterwards (or ``"skipped"`` when nothing was claimed).
    """
    claim = claim_publication(reply_id, claimer)
    if claim is None:
        return "skipped"
    reply = Reply.objects.select_related("case__mention__source", "case__mention__author").get(pk=reply_id)
    if reply.channel != ReplyChannel.PUBLIC or reply.case.mention.kind == MentionKind.PRIVATE_MESSAGE:
        # Only public replies to public items go to the platform in public; anything else
        # reaching here is a mistake.
        _record_failure(claim, f"a {reply.channel} reply is not posted on the platform")
        return PublicationState.FAILED
    mention = reply.case.mention
    try:
        connector = build_connector(mention.source)
        target = mention_in(mention)
    except (SourceConfigError, UnknownPlatform, ValueError) as exc:
        # Nothing was sent: the source's configuration or the stored mention is unusable.
        _record_failure(claim, str(exc))
        return PublicationState.FAILED
    try:
        result = connector.publish_reply(target, reply.body, idempotency_key=str(reply.idempotency_key))
    except EgressRefused as exc:
        # Refused before any byte left: nothing was published and a retry would be refused too.
        _record_failure(claim, str(exc))
        return PublicationState.FAILED
    except ConnectorError as exc:
        return _record_error(claim, exc)
    except Exception as exc:
        logger.exception(
            "publishing reply %s: unexpected error from the %s connector", reply_id, mention.source.platform
        )
        # Whether the platform got the request is unknown: treat it as an ambiguous transient error.
        return _record_error(
            claim, ConnectorError(f"unexpected error in the connector ({type(exc).__name__})")
        )
    _record_success(claim, result)
    return PublicationState.PUBLISHED


def _owned(claim: Claim) -> Any:
    return Publication.objects.filter(
        pk=claim.publication_id, state=PublicationState.SENDING, claimed_by=claim.claimer
    )


@transaction.atomic
def _record_success(claim: Claim, result: ReplyResult) -> None:
    now = timezone.now()
    moved = _owned(claim).update(
        state=PublicationState.PUBLISHED, url=result.url[:1000], last_error="", updated_at=now
    )
    if not moved:  # someone marked it otherwise meanwhile; the platform call still happened
        logger.warning("publication %s changed while its platform call ran", claim.publication_id)
        Publication.objects.filter(pk=claim.publication_id).update(
            state=PublicationState.PUBLISHED, url=result.url[:1000], updated_at=now
        )
    Reply.objects.filter(pk=claim.reply_id).update(
        status=ReplyStatus.PUBLISHED, external_id=result.external_id[:255], published_at=now, error=""
    )
    reply = Reply.objects.select_related("case__mention", "organisation").get(pk=claim.reply_id)
    do_record_audit_event(
        reply.organisation,
        "reply.published",
        obj=reply,
        data={"case": reply.case_id, "external_id": result.external_id, "url": result.url},
    )
    record_public_answer(reply.case, at=now, actor=None)


def _record_error(claim: Claim, exc: ConnectorError) -> str:
    publication = Publication.objects.get(pk=claim.publication_id)
    if exc.permanent:
        _record_failure(claim, exc.message)
        return PublicationState.FAILED
    if not retry_safe(publication.platform) and not surely_not_sent(exc):
        _mark_unknown(publication.pk, claimer=claim.claimer, reason=exc.message)
        return PublicationState.UNKNOWN
    if publication.attempts >= MAX_ATTEMPTS:
        _record_failure(claim, exc.message)
        return PublicationState.FAILED
    delay = (
        timedelta(seconds=max(exc.retry_after, 1.0))
        if isinstance(exc, RateLimited)
        else _retry_delay(publication.attempts)
    )
    with transaction.atomic():
        if _owned(claim).update(last_error=exc.message[:4000]):
            _requeue(publication, delay=delay)
    return PublicationState.QUEUED


@transaction.atomic
def _record_failure(claim: Claim, message: str) -> None:
    now = timezone.now()
    if not _owned(claim).update(state=PublicationState.FAILED, last_error=message[:4000], updated_at=now):
        return
    Reply.objects.filter(pk=claim.reply_id).update(status=ReplyStatus.FAILED, error=message[:4000])
    reply = Reply.objects.select_related("case", "author", "organisation").get(pk=claim.reply_id)
    do_record_audit_event(
        reply.organisation,
        "reply.publication_failed",
        obj=reply,
        data={"case": reply.case_id, "error": message},
    )
    _tell_author(reply, "reply.publication_failed", gettext_lazy("Publication refusée"), message)


@transaction.atomic
def _mark_unknown(
    publication_id: int, *, reason: str, claimer: str | None = None, claimed_at: datetime | None = None
) -> None:
    rows = Publication.objects.filter(pk=publication_id, state=PublicationState.SENDING)
    if claimer is not None:
        rows = rows.filter(claimed_by=claimer)
    if claimed_at is not None:
        rows = rows.filter(claimed_at=claimed_at)
    if not rows.update(state=PublicationState.UNKNOWN, last_error=reason[:4000], updated_at=timezone.now()):
        return
    publication = Publication.objects.select_related("reply__case", "reply__author", "organisation").get(
        pk=publication_id
    )
    reply = publication.reply
    do_record_audit_event(
        reply.organisation,
        "reply.publication_unknown",
        obj=reply,
        data={"case": reply.case_id, "reason": reason},
    )
    _tell_author(
        reply,
        "reply.publication_unknown",
        gettext_lazy("Publication incertaine : vérifiez sur la plateforme"),
        reason,
    )


def _tell_author(reply: Reply, event: str, title: str | Promise, body: str) -> None:
    """Tell the reply's author, in their language (``title`` is a lazy text)."""
    recipient = reply.author
    if recipient is None or not recipient.is_active:
        return
    do_notify(
        reply.organisation,
        recipient,
        event,
        lambda: f"{title} ({reply.case.reference})",
        body=body,
        url=_case_url(reply.case),
        data={"reply": reply.pk, "case": reply.case_id},
    )


def sweep_outbox(now: datetime | None = None) -> int:
    """Hand back to the job every publication whose job was lost; returns how many.

    A row still ``sending`` after the claim lease (its worker died and the jobs seam gave up on
    the job) and a row ``queued`` long past its time (a broker lost the message) are enqueued
    again; the claim decides whether sending is still safe. Run by the periodic job
    ``inbox.sweep_outbox``.
    """
    now = now or timezone.now()
    cutoff = now - CLAIM_LEASE
    stuck = list(
        Publication.objects.filter(state=PublicationState.SENDING, claimed_at__lt=cutoff).values_list(
            "reply_id", flat=True
        )
    ) + list(
        Publication.objects.filter(state=PublicationState.QUEUED, next_attempt_at__lt=cutoff).values_list(
            "reply_id", flat=True
        )
    )
    for reply_id in stuck:
        enqueue(PUBLISH_JOB, {"reply_id": reply_id}, dedupe_key=f"publish-reply:{reply_id}:sweep")
    return len(stuck)


# --- people closing the loop --------------------------------------------------------------------


@transaction.atomic
def do_confirm_posted_by_hand(reply: Reply, *, actor: User | None, url: str = "") -> Publication:
    """Record that a person posted ``reply`` on the platform themselves ("copy and open").

    Allowed while the publication is manual (no reply API), failed, or unknown; a reply never
    queued is queued as manual first. The first public answer stamps the case's first response.
    """
    current = _locked_reply(reply)
    if current.channel != ReplyChannel.PUBLIC:
        raise PublishingError(_("Seule une réponse publique se publie à la main."), code="bad_channel")
    if current.status in NOT_PUBLISHABLE:
        raise PublishingError(_("Cette réponse attend encore sa validation."), code="not_approved")
    publication = Publication.objects.select_for_update().filter(reply=current).first()
    now = timezone.now()
    if publication is None:
        publication = Publication.objects.create(
            organisation=current.organisation,
            reply=current,
            platform=current.case.mention.source.platform,
            state=PublicationState.MANUAL,
            queued_by=actor,
        )
    if publication.state not in (PublicationState.MANUAL, PublicationState.FAILED, PublicationState.UNKNOWN):
        raise PublishingError(_("Cette réponse est déjà publiée ou en cours d'envoi."), code="not_manual")
    Publication.objects.filter(pk=publication.pk).update(
        state=PublicationState.POSTED_BY_HAND, url=url[:1000], last_error="", updated_at=now
    )
    Reply.objects.filter(pk=current.pk).update(status=ReplyStatus.POSTED_BY_HAND, published_at=now, error="")
    publication.refresh_from_db()
    do_record_audit_event(
        current.organisation,
        "reply.posted_by_hand",
        actor=actor,
        obj=current,
        data={"case": current.case_id, "url": url},
    )
    record_public_answer(current.case, at=now, actor=actor)
    return publication


@transaction.atomic
def do_resolve_unknown_publication(
    reply: Reply, *, actor: User | None, found: bool, url: str = ""
) -> Publication:
    """Close an ``unknown`` publication after a person looked on the platform.

    ``found``: the reply is there, so it counts as published (by Vigie). Not found: it is queued
    again, which is safe now that a person saw it is absent.
    """
    publication = _locked_publication(reply)
    if publication.state != PublicationState.UNKNOWN:
        raise PublishingError(_("Cette publication n'est pas à vérifier."), code="not_unknown")
    now = timezone.now()
    if found:
        Publication.objects.filter(pk=publication.pk).update(
            state=PublicationState.PUBLISHED, url=url[:1000] or publication.url, last_error="", updated_at=now
        )
        Reply.objects.filter(pk=reply.pk).update(status=ReplyStatus.PUBLISHED, published_at=now, error="")
        do_record_audit_event(
            reply.organisation, "reply.publication_confirmed", actor=actor, obj=reply, data={"url": url}
        )
        record_public_answer(Case.objects.get(pk=reply.case_id), at=now, actor=actor)
    else:
        _requeue(publication, delay=timedelta(0), reset_attempts=True)
        do_record_audit_event(reply.organisation, "reply.publication_absent", actor=actor, obj=reply)
    publication.refresh_from_db()
    return publication


def _published_for_platform(reply: Reply) -> tuple[Publication, Mention]:
    publication = Publication.objects.filter(reply_id=reply.pk).first()
    if reply.channel != ReplyChannel.PUBLIC:
        raise PublishingError(_("Un message privé envoyé ne se modifie ni ne se supprime."), code="private")
    if publication is None or publication.state != PublicationState.PUBLISHED:
        raise PublishingError(
            _("Seule une réponse publiée par Vigie peut être modifiée ou supprimée ici."),
            code="not_published",
        )
    mention = Mention.objects.select_related("source", "author").get(pk=reply.case.mention_id)
    return publication, mention


def do_edit_published_reply(
    reply: Reply,
    body: str,
    *,
    actor: User,
    overrides: Iterable[str] = (),
    override_reason: str = "",
) -> Publication:
    """Change the text of a reply already on the platform.

    The new text goes through the same quality gate as a first publication (``ReplyRefused``
    on a blocking finding or an unconfirmed warning), and where the charter asks for approval on
    this case only a supervisor may change it. Where the platform keeps one owner reply (Google,
    Trustpilot) the new text replaces it in one call. Where replies are posts (Mastodon,
    Bluesky) the old post is deleted and the new text goes through the outbox with a fresh
    idempotency key. Platform errors raise ``PublishingError`` with the platform's message and
    leave the reply as it was.
    """
    from vigie.inbox.actions import approval_reasons, enforce_gate, member_of

    body = body.strip()
    if not body:
        raise PublishingError(_("Le texte de la réponse est vide."), code="empty")
    publication, mention = _published_for_platform(reply)
    if not can_edit(publication.platform):
        raise PublishingError(_("Cette plateforme ne permet pas de modifier une réponse."), code="no_edit")
    membership = member_of(reply.case, actor)
    if membership is None or not membership.can(HANDLE_CASES):
        raise PublishingError(_("Votre rôle ne permet pas de répondre."), code="forbidden")
    # The gate and the charter judge the new text as if it were a first answer: a correction
    # must not be the way around them.
    edited = Reply(
        pk=reply.pk,
        organisation=reply.organisation,
        case=reply.case,
        template=reply.template,
        channel=reply.channel,
        body=body,
    )
    enforce_gate(edited, membership, actor=actor, overrides=overrides, override_reason=override_reason)
    reasons = approval_reasons(edited, membership)
    if reasons and not membership.can(Role.MANAGER):
        raise PublishingError(
            _("Sur ce dossier, seul un responsable peut modifier une réponse publiée (%(reasons)s).")
            % {"reasons": "; ".join(reasons)},
            code="approval_required",
        )
    previous = reply.body
    # The platform call runs outside any transaction: a slow platform must not hold a lock.
    try:
        connector = build_connector(mention.source)
        if platform_facts(publication.platform).reply_replaces:
            result = connector.publish_reply(mention_in(mention), body, idempotency_key=str(uuid.uuid4()))
        else:
            connector.delete_reply(mention_in(mention), reply.external_id)
            result = None
    except (ConnectorError, SourceConfigError, EgressRefused) as exc:
        raise PublishingError(str(exc), code="platform") from exc
    with transaction.atomic():
        now = timezone.now()
        if result is not None:
            Reply.objects.filter(pk=reply.pk).update(body=body, external_id=result.external_id[:255])
            Publication.objects.filter(pk=publication.pk).update(
                url=result.url[:1000] or publication.url, updated_at=now
            )
        else:
            Reply.objects.filter(pk=reply.pk).update(
                body=body, external_id="", idempotency_key=uuid.uuid4(), status=ReplyStatus.APPROVED
            )
            _requeue(publication, delay=timedelta(0), reset_attempts=True)
        do_record_audit_event(
            reply.organisation,
            "reply.edited_on_platform",
            actor=actor,
            obj=reply,
            data={"case": reply.case_id, "from": previous, "to": body, "resent": result is None},
        )
    reply.refresh_from_db()
    publication.refresh_from_db()
    return publication


def do_delete_published_reply(reply: Reply, *, actor: User | None) -> Publication:
    """Remove a published reply from the platform (where its API allows) and record it."""
    publication, mention = _published_for_platform(reply)
    if not can_delete(publication.platform):
        raise PublishingError(_("Cette plateforme ne permet pas de supprimer une réponse."), code="no_delete")
    try:
        build_connector(mention.source).delete_reply(mention_in(mention), reply.external_id)
    except (ConnectorError, SourceConfigError, EgressRefused) as exc:
        raise PublishingError(str(exc), code="platform") from exc
    with transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(
            state=PublicationState.DELETED, updated_at=timezone.now()
        )
        do_record_audit_event(
            reply.organisation,
            "reply.deleted_on_platform",
            actor=actor,
            obj=reply,
            data={"case": reply.case_id, "external_id": reply.external_id},
        )
    publication.refresh_from_db()
    return publication


# --- what a public answer does to the case ------------------------------------------------------


def status_after_public_answer(mention: Mention) -> CaseStatus:
    """Where a case goes once its public answer is out.

    Praise (or a positive mention that asks nothing) needs nothing more: resolved. Anything else
    (complaint, question, negative or unknown tone) waits for the customer, who may answer or take
    up the private channel; the case stays open until someone resolves it.
    """
    asks = mention.mention_type in (MentionType.COMPLAINT, MentionType.QUESTION)
    if mention.mention_type == MentionType.PRAISE or (mention.sentiment == Sentiment.POSITIVE and not asks):
        return CaseStatus.RESOLVED
    return CaseStatus.WAITING_CUSTOMER


@transaction.atomic
def record_public_answer(case: Case, *, at: datetime, actor: User | None) -> Case:
    """Stamp the first response time (first public answer only) and move an open case on."""
    Case.objects.filter(pk=case.pk, first_response_at__isnull=True).update(
        first_response_at=at, updated_at=at
    )
    case.refresh_from_db()
    if case.is_open and case.status != CaseStatus.WAITING_CUSTOMER:
        do_set_case_status(case, status_after_public_answer(case.mention), actor=actor)
    return case
