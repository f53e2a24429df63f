"""Writes of the connectors domain: sources (create, edit, pause, remove), their cursor and health.

A fetch run is the ingest step of the pipeline (``vigie.core.pipeline``), run by the mentions app
(``vigie.mentions.ingest``): it claims the source here, reads pages through ``build_connector``,
stores each page and advances the cursor in one transaction (``do_advance_source_cursor``, called
by the page's upsert), then records the source's health here. A source is claimed with a
conditional UPDATE before a run, so two workers (threads, processes, machines) never read the
same source at once. This app imports nothing above it: ``do_fetch_source`` runs the ingest job
by name.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ValidationError

from vigie.connectors.builtin.file.reader import FORMATS
from vigie.connectors.builtin.file.reader import FileFormatError as FileFormatError  # re-exported
from vigie.connectors.builtin.file.schemas import PRESETS, TARGET_FIELDS
from vigie.connectors.contract import Capability, Connector, ConnectorError, PlaceIn, RateLimited
from vigie.connectors.credentials import (
    CredentialsError,
    decrypt_secrets,
    encrypt_secrets,
    redact,
    rotate_token,
    secret_fields,
    split_config,
)
from vigie.connectors.models import Source, SourcePlace, SourceState
from vigie.connectors.normalise import zone
from vigie.connectors.queries import match_location
from vigie.connectors.registry import UnknownPlatform, all_connectors, get_connector_class
from vigie.core.actions import do_create_location, do_record_audit_event
from vigie.core.egress import EgressRefused
from vigie.core.models import Location, Organisation, User

if TYPE_CHECKING:
    from vigie.connectors.builtin.file.connector import FileRows

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=30)
MAX_PAGES_PER_RUN = 50
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600
JITTER = 0.1


class SourceConfigError(ValueError):
    """A configuration does not validate; ``field`` names the first faulty field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field
        # What the pages show: French, the field's label (config_error fills it in).
        self.display = message


# pydantic's error types, said in French (its own messages are English and technical).
_CONFIG_ERRORS = {
    "missing": "Ce champ est obligatoire.",
    "url_parsing": "Saisissez une adresse web complète (https://…).",
    "url_scheme": "L'adresse doit commencer par http:// ou https://.",
    "url_type": "Saisissez une adresse web complète (https://…).",
    "string_type": "Saisissez un texte.",
    "string_too_short": "Ce texte est trop court.",
    "string_too_long": "Ce texte est trop long.",
    "string_pattern_mismatch": "Cette valeur n'a pas la forme attendue.",
    "int_parsing": "Saisissez un nombre entier.",
    "int_type": "Saisissez un nombre entier.",
    "float_parsing": "Saisissez un nombre.",
    "float_type": "Saisissez un nombre.",
    "bool_parsing": "Répondez par oui ou par non.",
    "greater_than": "Cette valeur est trop petite.",
    "greater_than_equal": "Cette valeur est trop petite.",
    "less_than": "Cette valeur est trop grande.",
    "less_than_equal": "Cette valeur est trop grande.",
    "literal_error": "Choisissez une des valeurs proposées.",
    "enum": "Choisissez une des valeurs proposées.",
    "list_type": "Saisissez une valeur par ligne.",
    "dict_type": "Saisissez un objet JSON.",
    "json_invalid": "Ce JSON n'est pas valide.",
}


def config_error(exc: ValidationError, config_class: type[BaseModel] | None = None) -> SourceConfigError:
    """One readable line naming the field from a pydantic ``ValidationError`` (for the CLI), and its
    French wording for the pages (``display``): the field's label and a message a person reads."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "config"
    error = SourceConfigError(f"{where}: {first.get('msg', 'invalid value')}", where)
    kind = str(first.get("type", ""))
    message = _(_CONFIG_ERRORS.get(kind, "Cette valeur n'a pas le format attendu."))
    if kind == "value_error":
        # A connector's own check says what it expected (in the platform's terms, in English:
        # "client_email and private_key"); dropping it would leave the person guessing.
        detail = str(first.get("msg", "")).removeprefix("Value error, ")
        message = _("%(message)s Attendu par la plateforme : %(detail)s") % {
            "message": message,
            "detail": detail,
        }
    field = config_class.model_fields.get(where.split(".")[0]) if config_class is not None else None
    name = _(field.description) if field is not None and field.description else where
    error.display = _("%(field)s : %(message)s") % {"field": name, "message": message}
    return error


def validate_config(
    platform: str, data: dict[str, Any], *, keep_secrets: dict[str, Any] | None = None
) -> BaseModel:
    """The connector's ``Config`` for ``data``; secrets left empty keep their stored values."""
    config_class = get_connector_class(platform).Config
    merged = dict(data)
    for name, value in (keep_secrets or {}).items():
        if merged.get(name) in (None, ""):
            merged[name] = value
    try:
        return config_class.model_validate(merged)
    except ValidationError as exc:
        raise config_error(exc, config_class) from None


def source_config(source: Source) -> BaseModel:
    """The validated configuration of ``source``, secrets decrypted (never show or log it)."""
    data = {**source.config, **decrypt_secrets(source.credentials_encrypted)}
    try:
        return get_connector_class(source.platform).Config.model_validate(data)
    except ValidationError as exc:
        raise config_error(exc, get_connector_class(source.platform).Config) from None


def build_connector(source: Source) -> Connector[Any]:
    """A ready connector instance for ``source``; secrets it renews are stored with the source."""
    connector = get_connector_class(source.platform)(source_config(source))
    # Dates a platform writes without an offset are read in the source's own timezone.
    connector.local_zone = zone(source.location.timezone if source.location else source.organisation.timezone)
    source_id = source.pk
    connector.on_secrets_renewed = lambda secrets: do_store_renewed_secrets(source_id, secrets)
    return connector


def do_store_renewed_secrets(source_id: int, secrets: dict[str, str]) -> None:
    """Store secrets a connector renewed on its own (X rotates its refresh token at each use) with
    the source's other secrets, encrypted. Only secret fields of the connector's configuration
    are taken; nothing is logged or audited with a value."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        return
    allowed = secret_fields(get_connector_class(source.platform).Config)
    updates = {
        key: value for key, value in secrets.items() if key in allowed and isinstance(value, str) and value
    }
    if not updates:
        return
    with transaction.atomic():
        locked = Source.objects.select_for_update().get(pk=source_id)
        stored = _stored_secrets(locked)
        stored.update(updates)
        Source.objects.filter(pk=source_id).update(credentials_encrypted=encrypt_secrets(stored))


def jittered(seconds: float) -> timedelta:
    """``seconds`` ± 10 %, so sources created together do not all poll in the same second."""
    return timedelta(seconds=max(1.0, seconds * random.uniform(1 - JITTER, 1 + JITTER)))  # noqa: S311


def backoff_seconds(failures: int) -> float:
    """Delay after ``failures`` errors in a row: 1 min, 2, 4 … capped at 6 h."""
    return float(min(BACKOFF_BASE_SECONDS * 2 ** max(failures - 1, 0), BACKOFF_MAX_SECONDS))


def _polls(platform: str) -> bool:
    return Capability.FETCH in get_connector_class(platform).capabilities


@transaction.atomic
def do_create_source(
    organisation: Organisation,
    *,
    platform: str,
    name: str,
    config: dict[str, Any],
    location: Location | None = None,
    poll_interval_seconds: int | None = None,
    actor: User | None = None,
) -> Source:
    """Create a source after validating ``config``; secret fields are stored encrypted only."""
    validated = validate_config(platform, config)
    public, secret = split_config(validated)
    connector_class = get_connector_class(platform)
    source = Source.objects.create(
        organisation=organisation,
        platform=platform,
        name=name.strip(),
        location=location,
        config=public,
        credentials_encrypted=encrypt_secrets(secret),
        poll_interval_seconds=poll_interval_seconds or connector_class.default_poll_seconds,
        next_poll_at=timezone.now() if _polls(platform) else None,
    )
    do_record_audit_event(
        organisation,
        "source.created",
        actor=actor,
        obj=source,
        data={"platform": platform, "name": source.name, "config": public},
    )
    return source


@transaction.atomic
def do_ensure_receiving_source(
    organisation: Organisation, *, platform: str, name: str, location: Location | None = None
) -> Source:
    """The source that items of ``platform`` Vigie receives itself (survey answers) are stored in,
    created on first use. It has no connector: never polled, nothing to configure."""
    if platform in all_connectors():
        raise ValueError(f"{platform} has a connector: create its source with do_create_source")
    source = Source.objects.filter(organisation=organisation, platform=platform, name=name).first()
    if source is not None:
        return source
    source = Source.objects.create(
        organisation=organisation, platform=platform, name=name, location=location, next_poll_at=None
    )
    do_record_audit_event(
        organisation, "source.created", obj=source, data={"platform": platform, "name": name, "config": {}}
    )
    return source


@transaction.atomic
def do_update_source(
    source: Source,
    *,
    name: str | None = None,
    config: dict[str, Any] | None = None,
    location: Location | bool | None = False,
    poll_interval_seconds: int | None = None,
    actor: User | None = None,
) -> Source:
    """Change a source; secrets left empty in ``config`` keep their stored values.

    New credentials clear a "needs re-authorisation" state and schedule a poll right away.
    """
    changed: list[str] = []
    if name is not None and name.strip() != source.name:
        source.name = name.strip()
        changed.append("name")
    if location is not False:
        source.location = location if isinstance(location, Location) else None
        changed.append("location")
    if poll_interval_seconds:
        source.poll_interval_seconds = poll_interval_seconds
        changed.append("poll_interval_seconds")
    if config is not None:
        stored = decrypt_secrets(source.credentials_encrypted)
        validated = validate_config(source.platform, config, keep_secrets=stored)
        public, secret = split_config(validated)
        source.config = public
        source.credentials_encrypted = encrypt_secrets(secret)
        changed.append("config")
        if secret != stored:
            changed.append("credentials")
        if source.state in (SourceState.NEEDS_REAUTH, SourceState.FAILING):
            source.state = SourceState.OK
            source.consecutive_failures = 0
        if _polls(source.platform) and source.state != SourceState.PAUSED:
            source.next_poll_at = timezone.now()
    source.save()
    do_record_audit_event(
        source.organisation,
        "source.updated",
        actor=actor,
        obj=source,
        data={"fields": changed, "config": source.config},
    )
    return source


@transaction.atomic
def do_pause_source(source: Source, *, actor: User | None = None) -> Source:
    """Stop polling ``source`` until it is resumed."""
    Source.objects.filter(pk=source.pk).update(state=SourceState.PAUSED)
    source.state = SourceState.PAUSED
    do_record_audit_event(source.organisation, "source.paused", actor=actor, obj=source)
    return source


@transaction.atomic
def do_resume_source(source: Source, *, actor: User | None = None) -> Source:
    """Poll ``source`` again, starting now."""
    next_poll = timezone.now() if _polls(source.platform) else None
    Source.objects.filter(pk=source.pk).update(
        state=SourceState.OK, consecutive_failures=0, next_poll_at=next_poll
    )
    source.state, source.next_poll_at = SourceState.OK, next_poll
    do_record_audit_event(source.organisation, "source.resumed", actor=actor, obj=source)
    return source


@transaction.atomic
def do_remove_source(source: Source, *, keep_mentions: bool, actor: User | None = None) -> None:
    """Remove ``source``. With ``keep_mentions`` its mentions stay (the source is retired: hidden,
    never polled, credentials erased); without, the source and its mentions are deleted."""
    organisation = source.organisation
    data = {"name": source.name, "platform": source.platform, "kept_mentions": keep_mentions}
    if keep_mentions:
        now = timezone.now()
        # The name is freed for a new source; the retired one keeps a recognisable label.
        Source.objects.filter(pk=source.pk).update(
            removed_at=now,
            state=SourceState.PAUSED,
            next_poll_at=None,
            credentials_encrypted="",
            name=f"{source.name} [retirée {now:%Y-%m-%d} #{source.pk}]"[:150],
        )
        do_record_audit_event(organisation, "source.removed", actor=actor, obj=source, data=data)
        return
    do_record_audit_event(organisation, "source.removed", actor=actor, obj=source, data=data)
    source.delete()


def do_rekey_sources() -> int:
    """Re-encrypt every source's credentials with the current key; returns how many changed."""
    count = 0
    for pk, token in Source.objects.exclude(credentials_encrypted="").values_list(
        "pk", "credentials_encrypted"
    ):
        with transaction.atomic():
            Source.objects.filter(pk=pk, credentials_encrypted=token).update(
                credentials_encrypted=rotate_token(token)
            )
        count += 1
    return count


# --- fetch runs ----------------------------------------------------------------------------------

# What a fetch run may meet and records on the source as an ordinary failure (with a warning);
# anything else is recorded too, as a crash (with the trace in the log).
FETCH_ERRORS = (ConnectorError, CredentialsError, SourceConfigError, EgressRefused)


def do_claim_source(source_id: int, claimer: str) -> Source | None:
    """Take ``source_id`` for a fetch run; None when another worker holds it or it is paused."""
    now = timezone.now()
    taken = (
        Source.objects.filter(pk=source_id, removed_at__isnull=True)
        .exclude(state=SourceState.PAUSED)
        .filter(Q(claimed_by="") | Q(claimed_at__lt=now - CLAIM_LEASE))
        .update(claimed_by=claimer[:200], claimed_at=now)
    )
    if not taken:
        return None
    return Source.objects.select_related("organisation", "location").get(pk=source_id)


def do_release_source(source: Source, claimer: str) -> None:
    """Give back a claim taken by ``do_claim_source``."""
    Source.objects.filter(pk=source.pk, claimed_by=claimer[:200]).update(claimed_by="", claimed_at=None)


def do_advance_source_cursor(source: Source, next_cursor: dict[str, Any] | None, items: int) -> None:
    """Move ``source``'s cursor to ``next_cursor`` (None keeps it: a webhook, a file) and count
    ``items`` more read.

    Call it inside the transaction that stores those items, so the cursor never runs ahead of
    what is stored: a crash before the commit replays the page, a crash after it starts from the
    next one.
    """
    if next_cursor is not None:
        Source.objects.filter(pk=source.pk).update(
            cursor=next_cursor, items_fetched=F("items_fetched") + items
        )
        source.cursor = next_cursor
    elif items:
        Source.objects.filter(pk=source.pk).update(items_fetched=F("items_fetched") + items)


def do_record_fetch_success(source: Source, now: datetime | None = None) -> None:
    """A fetch run ended well: the source is healthy and polls again after its interval."""
    now = now or timezone.now()
    Source.objects.filter(pk=source.pk).exclude(state=SourceState.PAUSED).update(
        state=SourceState.OK,
        consecutive_failures=0,
        last_success_at=now,
        rate_limited_until=None,
        next_poll_at=now + jittered(source.poll_interval_seconds),
    )
    Source.objects.filter(pk=source.pk, state=SourceState.PAUSED).update(last_success_at=now)


def _stored_secrets(source: Source) -> dict[str, Any]:
    try:
        return decrypt_secrets(source.credentials_encrypted)
    except CredentialsError:
        return {}


def do_record_fetch_failure(source: Source, exc: Exception, now: datetime | None = None) -> tuple[str, str]:
    """A fetch run failed with ``exc``: record it on the source (error, backoff, the platform's
    Retry-After, "needs re-authorisation") and return ``(message, state)`` for the run's report.

    Call it from the ``except`` block: an unexpected error (a bug, a strange answer) is logged
    with its trace. No secret of the source appears in the message, the log or the source.
    """
    now = now or timezone.now()
    secrets = _stored_secrets(source)
    if isinstance(exc, FETCH_ERRORS):
        message = redact(getattr(exc, "message", str(exc)), secrets)
        logger.warning("source %s (%s) fetch failed: %s", source.pk, source.platform, message)
    else:
        logger.exception("source %s (%s) fetch crashed", source.pk, source.platform)
        message = redact(f"{type(exc).__name__}: {exc}", secrets)
    failures = source.consecutive_failures + 1
    stored = exc.message if isinstance(exc, ConnectorError) else f"{type(exc).__name__}: {exc}"
    if isinstance(exc, EgressRefused):
        # The policy will refuse the same address next time: say why, and poll no more until
        # someone changes the source (editing or resuming it schedules a poll again).
        message = stored = _("%(error)s (politique de sortie : relancée seulement après modification)") % {
            "error": exc
        }
    stored = redact(stored, secrets)[:2000]
    delay = backoff_seconds(failures)
    values: dict[str, Any] = {
        "consecutive_failures": failures,
        "last_error_at": now,
        "last_error": stored,
        "state": SourceState.FAILING,
    }
    if isinstance(exc, RateLimited):
        values["rate_limited_until"] = now + timedelta(seconds=exc.retry_after)
        delay = max(delay, exc.retry_after)
    if (isinstance(exc, ConnectorError) and exc.needs_reauth) or isinstance(exc, CredentialsError):
        values["state"] = SourceState.NEEDS_REAUTH
        values["next_poll_at"] = None  # nothing to gain until someone enters new credentials
    elif isinstance(exc, EgressRefused):
        values["next_poll_at"] = None
    else:
        # Jitter spreads retries, but never earlier than the platform's own Retry-After.
        values["next_poll_at"] = max(now + jittered(delay), values.get("rate_limited_until", now))
    paused = Source.objects.filter(pk=source.pk, state=SourceState.PAUSED)
    if paused.exists():
        values.pop("state")
    Source.objects.filter(pk=source.pk).update(**values)
    return message, str(values.get("state", SourceState.PAUSED))


def do_record_connection_test(source: Source, *, error: str = "", now: datetime | None = None) -> None:
    """Keep the outcome of a connection test on ``source`` (``error``: why it failed, secrets
    already masked; empty: it passed).

    A failed test makes a working source failing, with its error, until a fetch succeeds; it
    counts no failure (no backoff) and keeps the poll due, so a transient refusal heals itself. A
    test that passes clears what a failed test alone had set (failing with no fetch failure)."""
    now = now or timezone.now()
    if error:
        Source.objects.filter(pk=source.pk).update(last_error_at=now, last_error=error[:2000])
        Source.objects.filter(pk=source.pk, state=SourceState.OK).update(state=SourceState.FAILING)
    else:
        Source.objects.filter(pk=source.pk, state=SourceState.FAILING, consecutive_failures=0).update(
            state=SourceState.OK
        )


def do_record_delivery(source: Source) -> None:
    """Mark a pushed delivery (webhook, file import) as the source's latest success, its health
    on the Sources page."""
    Source.objects.filter(pk=source.pk).update(last_success_at=timezone.now(), consecutive_failures=0)


# --- webhooks ------------------------------------------------------------------------------------


def webhook_connector(source: Source) -> Connector[Any] | None:
    """The connector that reads ``source``'s signed deliveries; None when its platform receives
    no webhooks or its configuration cannot be read."""
    try:
        connector = build_connector(source)
    except (UnknownPlatform, CredentialsError, SourceConfigError):
        return None
    if Capability.WEBHOOK not in connector.capabilities:
        return None
    return connector


# --- file imports --------------------------------------------------------------------------------

# What a file import accepts (the command line's choices).
FILE_FORMATS: tuple[str, ...] = tuple(FORMATS)
FILE_PRESETS: tuple[str, ...] = tuple(PRESETS)
FILE_FIELDS: tuple[str, ...] = tuple(TARGET_FIELDS)


def file_rows(
    source: Source, path: Any, *, fmt: str = "", preset: str = "", mapping: dict[str, str] | None = None
) -> FileRows:
    """The rows of the file at ``path`` for ``source``, read lazily (``reader.progress()`` says how
    far): each a mention, or the reason it was rejected.

    The file's settings come from the source's configuration when it is a file source, then
    from ``preset`` and ``mapping``; ``SourceConfigError`` when they do not validate, and
    ``FileFormatError`` while reading a file that is not what it claims to be.
    """
    from pathlib import Path

    from vigie.connectors.builtin.file.connector import FileConfig, FileConnector

    base = dict(source.config) if source.platform == FileConnector.slug else {}
    if preset:
        base["preset"] = preset
    if mapping:
        base["mapping"] = {**base.get("mapping", {}), **mapping}
    base.pop("base_url", None)
    try:
        config = FileConfig.model_validate(base)
    except ValidationError as exc:
        raise config_error(exc, FileConfig) from None
    local_zone = source.location.timezone if source.location else source.organisation.timezone
    return FileConnector(config).read(Path(path), fmt=fmt, local_zone=local_zone)


# --- places of a multi-location source -----------------------------------------------------------

_PLACE_FIELDS = ("name", "store_code", "address", "postcode", "city")


def _place_values(place: PlaceIn) -> dict[str, str]:
    return {
        "name": place.name.strip()[:200],
        "store_code": place.store_code.strip()[:64],
        "address": place.address.strip()[:250],
        "postcode": place.postcode.strip()[:12],
        "city": place.city.strip()[:100],
    }


def _free_location_name(place: PlaceIn, taken: set[str]) -> str:
    """The place's name as on the platform, told apart from an existing location of the same name
    (a chain's places often share one) by its city, then its store code, then its id."""
    base = (place.name.strip() or place.city.strip() or place.external_id)[:150]
    for qualifier in ("", place.city.strip(), place.store_code.strip(), place.external_id):
        candidate = f"{base} ({qualifier})"[:150] if qualifier else base
        if candidate.lower() not in taken:
            return candidate
    return f"{base} #{len(taken) + 1}"[:150]


def do_file_places(source: Source, places: Iterable[PlaceIn]) -> dict[str, int | None]:
    """The Vigie location id each of ``places`` is filed under (by external id), mapping the new
    ones: an existing mapping of the source; else a location of the organisation with the same
    store code, or the same address and postcode; else a new location named as on the platform.

    Call it inside the transaction that stores the items: one query for a batch whose places are
    all known, a few more (never one per item) the first time a place is seen.
    """
    wanted: dict[str, PlaceIn] = {}
    for place in places:
        if place.external_id:
            wanted[place.external_id[:200]] = place
    if not wanted:
        return {}
    stored = {
        row.external_id: row
        for row in SourcePlace.objects.filter(source=source, external_id__in=list(wanted))
    }
    changed: list[SourcePlace] = []
    for external_id, row in stored.items():
        values = _place_values(wanted[external_id])
        if any(value and getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                if value:
                    setattr(row, name, value)
            changed.append(row)
    if changed:
        SourcePlace.objects.bulk_update(changed, list(_PLACE_FIELDS))
    unmapped = [external_id for external_id, row in stored.items() if row.location_id is None]
    new = [external_id for external_id in wanted if external_id not in stored]
    if new or unmapped:
        locations = list(Location.objects.filter(organisation_id=source.organisation_id))
        taken = {location.name.lower() for location in locations}
        for external_id in [*new, *unmapped]:
            place = wanted[external_id]
            location = match_location(place, locations)
            if location is None:
                values = _place_values(place)
                location = do_create_location(
                    source.organisation,
                    _free_location_name(place, taken),
                    address=values["address"],
                    city=values["city"],
                    postcode=values["postcode"],
                    store_code=values["store_code"],
                )
                locations.append(location)
                taken.add(location.name.lower())
            if external_id in stored:
                row = stored[external_id]
                row.location = location
                SourcePlace.objects.filter(pk=row.pk).update(location=location)
            else:
                stored[external_id] = SourcePlace.objects.create(
                    organisation_id=source.organisation_id,
                    source=source,
                    external_id=external_id,
                    location=location,
                    **_place_values(place),
                )
    return {external_id: stored[external_id].location_id for external_id in wanted}
