"""The statements' outbox: an approved crisis statement sent once to each connected account.

``queue_statement_publications`` makes one ``StatementPublication`` per (statement, account): a
platform whose connector declares ``Capability.POST`` gets the job ``alerts.publish_statement``;
any other waits for a person to copy the text, post it and confirm (``by_hand``). The job claims
its row with a conditional UPDATE (of two workers only one sends), calls ``publish_post`` once with
the row's idempotency key, and records the platform's id and link, or the error. A failure is
shown in the room and retried by a person with the same key; a row left ``sending`` by a crash is
never sent again on its own (whether the platform got it is unknown): a person checks it.

Queuing does not make the statement public: the first confirmation does (a platform's answer
here, or a person's *Publiée à la main*), through ``mark_statement_public``, which sets the
statement's ``published_at`` once, to that moment. ``Statement.state`` reads the rest (sending,
partial, failed) from the rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vigie.alerts.models import (
    Statement,
    StatementPublication,
    StatementPublicationStatus,
    StatementStatus,
)
from vigie.connectors.actions import SourceConfigError, build_connector
from vigie.connectors.contract import ConnectorError
from vigie.connectors.models import Source
from vigie.connectors.platforms import UnknownPlatform, platform_facts
from vigie.core.actions import do_record_audit_event
from vigie.core.egress import EgressRefused
from vigie.core.jobs import enqueue
from vigie.core.models import User
from vigie.core.tenancy import scoped

logger = logging.getLogger(__name__)

PUBLISH_STATEMENT_JOB = "alerts.publish_statement"
Status = StatementPublicationStatus


def publishable_sources(statement: Statement) -> list[tuple[Source, bool]]:
    """The organisation's accounts a statement can go to, each with whether Vigie posts it
    itself (True) or a person posts it by hand (False)."""
    sources = scoped(Source, statement.organisation).filter(removed_at__isnull=True).order_by("name")
    accounts = []
    for source in sources:
        facts = platform_facts(source.platform)
        # A review site or a feed has no wall to post on; a social account always has one.
        if facts.can_post or facts.is_social:
            accounts.append((source, facts.can_post))
    return accounts


def _too_long(statement: Statement, platform: str) -> str:
    """The gate's refusal of the statement's length on ``platform`` (X's 280 characters), if any."""
    from vigie.inbox.quality import check_reply

    if platform_facts(platform).reply_limit is None:
        return ""
    findings = check_reply(
        statement.body, platform=platform, language=statement.organisation.language or "fr"
    )
    return next((f.message for f in findings if f.code == "too_long"), "")


def queue_statement_publications(
    statement: Statement, source_ids: Iterable[int], *, actor: User
) -> list[StatementPublication]:
    """Hand ``statement`` to the outbox for each account of ``source_ids`` it has not gone to yet
    (the caller holds the statement's row lock, inside its transaction)."""
    source_ids = list(source_ids)
    sources = list(scoped(Source, statement.organisation).filter(pk__in=source_ids, removed_at__isnull=True))
    if len(sources) != len(set(source_ids)):
        raise ValidationError(_("Compte inconnu."))
    already = set(statement.publications.values_list("source_id", flat=True))
    queued: list[StatementPublication] = []
    for source in sources:
        if source.pk in already:
            continue
        refusal = _too_long(statement, source.platform)
        if refusal:
            raise ValidationError(refusal)
        automatic = platform_facts(source.platform).can_post
        publication = StatementPublication.objects.create(
            organisation=statement.organisation,
            statement=statement,
            source=source,
            platform=source.platform,
            status=Status.PENDING if automatic else Status.BY_HAND,
            idempotency_key=f"vigie-statement-{statement.pk}-{source.pk}",
        )
        if automatic:
            enqueue(
                PUBLISH_STATEMENT_JOB,
                {"publication_id": publication.pk},
                dedupe_key=f"publish-statement:{publication.pk}",
            )
        queued.append(publication)
    return queued


def mark_statement_public(statement_id: int, at: datetime) -> bool:
    """The statement went public at ``at`` (its first confirmed place): sets its status and
    ``published_at`` unless an earlier confirmation did. One conditional UPDATE, so two workers
    finishing together keep the first time; returns whether this call set it."""
    return bool(
        Statement.objects.filter(pk=statement_id, published_at__isnull=True).update(
            status=StatementStatus.PUBLISHED, published_at=at
        )
    )


def _claim(publication_id: int, claimer: str) -> bool:
    return bool(
        StatementPublication.objects.filter(pk=publication_id, status=Status.PENDING).update(
            status=Status.SENDING, claimed_by=claimer[:80]
        )
    )


def _finish(publication_id: int, claimer: str, **fields: object) -> None:
    StatementPublication.objects.filter(
        pk=publication_id, status=Status.SENDING, claimed_by=claimer[:80]
    ).update(**fields)


def run_statement_publication(publication_id: int, claimer: str) -> str:
    """Body of the job ``alerts.publish_statement``: claim, post once, record what happened.
    Returns the row's status afterwards (``"skipped"`` when there was nothing to send)."""
    if not _claim(publication_id, claimer):
        return "skipped"
    publication = StatementPublication.objects.select_related("statement", "source").get(pk=publication_id)
    StatementPublication.objects.filter(pk=publication_id).update(attempts=publication.attempts + 1)
    try:
        connector = build_connector(publication.source)
    except (SourceConfigError, UnknownPlatform, ValueError) as exc:
        _finish(publication_id, claimer, status=Status.FAILED, error=str(exc)[:1000])
        return Status.FAILED
    try:
        result = connector.publish_post(
            publication.statement.body, idempotency_key=publication.idempotency_key
        )
    except (ConnectorError, EgressRefused) as exc:
        message = exc.message if isinstance(exc, ConnectorError) else str(exc)
        _finish(publication_id, claimer, status=Status.FAILED, error=message[:1000])
        return Status.FAILED
    except Exception as exc:
        logger.exception("publishing statement %s: unexpected error from the connector", publication_id)
        _finish(
            publication_id,
            claimer,
            status=Status.FAILED,
            error=f"unexpected error in the connector ({type(exc).__name__})",
        )
        return Status.FAILED
    published_at = timezone.now()
    _finish(
        publication_id,
        claimer,
        status=Status.PUBLISHED,
        external_id=result.external_id[:200],
        url=result.url[:1000],
        error="",
        published_at=published_at,
    )
    mark_statement_public(publication.statement_id, published_at)
    do_record_audit_event(
        publication.organisation,
        "crisis.statement_posted",
        obj=publication.statement.crisis,
        data={"statement_id": publication.statement_id, "platform": publication.platform},
    )
    return Status.PUBLISHED


@transaction.atomic
def do_retry_statement_publication(publication: StatementPublication, *, actor: User) -> StatementPublication:
    """Send a failed publication again, with the same idempotency key."""
    publication = StatementPublication.objects.select_for_update().get(pk=publication.pk)
    if publication.status != Status.FAILED:
        raise ValidationError(_("Seule une publication en échec peut être relancée."))
    _send_again(publication, actor)
    return publication


def _send_again(publication: StatementPublication, actor: User) -> None:
    """Queue a failed publication (locked by the caller) again, with its own idempotency key."""
    publication.status = Status.PENDING
    publication.claimed_by = ""
    publication.save(update_fields=["status", "claimed_by"])
    enqueue(
        PUBLISH_STATEMENT_JOB,
        {"publication_id": publication.pk},
        dedupe_key=f"publish-statement:{publication.pk}",
    )
    do_record_audit_event(
        publication.organisation,
        "crisis.statement_retried",
        actor=actor,
        obj=publication.statement.crisis,
        data={"statement_id": publication.statement_id, "platform": publication.platform},
    )


@transaction.atomic
def do_retry_failed_statement_publications(
    statement: Statement, *, actor: User
) -> list[StatementPublication]:
    """Send again, at once, every failed publication of ``statement`` (each with its own key, so a
    platform that did get it makes no second post): a crisis cell whose statement failed on three
    accounts retries them in one click. Refused when none failed (a double click sends nothing)."""
    failed = list(
        statement.publications.select_for_update()
        .filter(status=Status.FAILED)
        .select_related("statement__crisis")
        .order_by("pk")
    )
    if not failed:
        raise ValidationError(_("Aucun envoi en échec à relancer."))
    for publication in failed:
        _send_again(publication, actor)
    return failed


@transaction.atomic
def do_confirm_statement_posted_by_hand(
    publication: StatementPublication, *, actor: User, url: str = ""
) -> StatementPublication:
    """A person copied the statement and posted it on a platform Vigie cannot post to (or checked
    that a failed or interrupted sending did go out): it counts as published."""
    publication = StatementPublication.objects.select_for_update().get(pk=publication.pk)
    if publication.status in (Status.PUBLISHED, Status.POSTED_BY_HAND):
        return publication
    if publication.status == Status.PENDING:
        raise ValidationError(_("Cette publication part automatiquement : attendez son résultat."))
    url = url.strip()
    if url and not url.startswith(("https://", "http://")):
        raise ValidationError(_("Le lien doit commencer par https://."))
    publication.status = Status.POSTED_BY_HAND
    publication.url = url[:1000]
    publication.published_at = timezone.now()
    publication.published_by = actor
    publication.error = ""
    publication.save()
    mark_statement_public(publication.statement_id, publication.published_at)
    do_record_audit_event(
        publication.organisation,
        "crisis.statement_posted_by_hand",
        actor=actor,
        obj=publication.statement.crisis,
        data={"statement_id": publication.statement_id, "platform": publication.platform},
    )
    return publication
