"""Write the demo organisation into the database, in batches, in constant memory.

``do_load_demo`` creates the organisation and its fixed rows, then streams the generator's
records and writes each batch in its own transaction: authors, mentions, cases, replies, and the
audit events that are due. Audit events are kept in a heap until no later mention can produce an
earlier one, so the log is appended in chronological order. Members are added last, with
``do_create_member``: an organisation without its admin is an interrupted load.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import sqlite3
import time as clock
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from vigie.analysis.builtin.priority.analyzer import PriorityAnalyzer
from vigie.analysis.models import AnalysisResult
from vigie.connectors.actions import validate_config
from vigie.connectors.credentials import encrypt_secrets, split_config
from vigie.connectors.models import Source
from vigie.connectors.registry import UnknownPlatform
from vigie.core.actions import do_add_team_member, do_create_member, do_record_audit_events
from vigie.core.models import AuditEvent, Location, Membership, Organisation, Team, User
from vigie.demo import DEFAULT_DAYS, DEFAULT_SEED, DEFAULT_SIZE, DEMO_LOGINS, DEMO_PASSWORD, DEMO_SLUG
from vigie.demo.generator.mentions import generate
from vigie.demo.generator.records import VERB_CASE_CREATED, AuthorRecord, MentionRecord
from vigie.demo.organisation import (
    LOCATIONS,
    ORG_LANGUAGE,
    ORG_NAME,
    ORG_TIMEZONE,
    SOURCES,
    STAFF,
    TEAMS,
    TEMPLATES,
    SourceSpec,
)
from vigie.demo.outreach import do_configure_demo_outreach
from vigie.inbox.models import Case, Reply, Template
from vigie.inbox.routing.actions import do_seed_default_routing
from vigie.insights.rollup import do_refresh_rollup
from vigie.mentions.models import Author, Mention

BATCH_SIZE = 5000
# Rows per INSERT statement (a power of two); larger ones gain little and compile to big programs.
MAX_ROWS_PER_STATEMENT = 512
# Bounded caches: authors and thread starters seen recently. A miss falls back to the database.
AUTHOR_CACHE = 30_000
THREAD_CACHE = 20_000
CASE_OBJECT = "inbox.case"

T = TypeVar("T")


@dataclass
class LoadReport:
    """What a load wrote, and how long it took."""

    organisation: Organisation
    mentions: int = 0
    authors: int = 0
    cases: int = 0
    replies: int = 0
    audit_events: int = 0
    seconds: float = 0.0


# --- lean inserts ---------------------------------------------------------------------------------


class _Inserter:
    """Multi-row ``INSERT … RETURNING id`` for one model, adapting values with Django's own ops.

    ``bulk_create`` spends most of its time compiling each field of each row; the demo writes
    millions of rows, so values are adapted once per field kind here and the SQL is built once
    per chunk size. Works on SQLite (3.35+) and PostgreSQL, the two supported databases.
    """

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        ops = connection.ops
        self.preps: list[Callable[[Any], Any] | None] = []
        for f in self.fields:
            if isinstance(f, models.DateTimeField):
                self.preps.append(_datetime_adapter())
            elif isinstance(f, models.JSONField):
                self.preps.append(functools.partial(_adapt_json, f.encoder))
            elif isinstance(f, models.DecimalField | models.UUIDField):
                self.preps.append(_db_prep(f))
            else:
                self.preps.append(None)
        columns = ", ".join(ops.quote_name(str(f.column)) for f in self.fields)
        # Table and column names come from model metadata, quoted by the backend; values are bound.
        self.head = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
        pk = model._meta.pk
        assert pk is not None
        # SQLite before 3.35 has no RETURNING: ids then come from last_insert_rowid().
        self.returning = connection.features.can_return_rows_from_bulk_insert
        self.tail = f" RETURNING {ops.quote_name(str(pk.column))}" if self.returning else ""
        self.row_sql = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.per_statement = _fitting_power_of_two(
            min(MAX_ROWS_PER_STATEMENT, _max_params() // len(self.fields))
        )

    def insert(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert ``rows`` (attname -> Python value) and return their ids, in order."""
        if not rows:
            return []
        if not self.returning and connection.vendor != "sqlite":
            objs = self.model._default_manager.bulk_create([self.model(**row) for row in rows])
            return [obj.pk for obj in objs]
        ids: list[int] = []
        columns = [(f.attname, prep, f) for f, prep in zip(self.fields, self.preps, strict=True)]
        with connection.cursor() as cursor:
            for start, stop in _statement_slices(len(rows), self.per_statement):
                chunk = rows[start:stop]
                params: list[Any] = []
                for row in chunk:
                    for name, prep, field in columns:
                        # A column the row leaves out (added later by another app) takes its default.
                        value = row[name] if name in row else field.get_default()
                        params.append(prep(value) if prep is not None and value is not None else value)
                sql = self.head + ", ".join([self.row_sql] * len(chunk)) + self.tail
                cursor.execute(sql, params)
                if self.returning:
                    ids.extend(row_id for (row_id,) in cursor.fetchall())
                else:
                    # One statement under the write lock: AUTOINCREMENT ids are consecutive.
                    cursor.execute("SELECT last_insert_rowid()")
                    (last,) = cursor.fetchone()
                    ids.extend(range(last - len(chunk) + 1, last + 1))
        return ids


def _datetime_adapter() -> Callable[[datetime], Any]:
    """The backend's datetime conversion, minus Django's per-call checks on SQLite.

    SQLite stores text: Django makes an aware value naive in the connection's time zone and
    calls ``str``. Doing exactly that here is three times cheaper than the generic path, which
    matters for four datetimes per mention.
    """
    if connection.vendor == "sqlite" and settings.USE_TZ:
        tz = connection.timezone

        def sqlite_datetime(value: datetime) -> str:
            return str(value.astimezone(tz).replace(tzinfo=None))

        return sqlite_datetime
    return connection.ops.adapt_datetimefield_value


def _adapt_json(encoder: type[json.JSONEncoder] | None, value: Any) -> Any:
    return connection.ops.adapt_json_value(value, encoder)


def _db_prep(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    def prep(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    return prep


def _fitting_power_of_two(limit: int) -> int:
    return 1 << max(0, limit.bit_length() - 1)


def _statement_slices(count: int, largest: int) -> Iterator[tuple[int, int]]:
    """Cut ``count`` rows into slices of ``largest`` rows, then powers of two for the rest.

    The driver keeps compiled statements in a cache, and a multi-row INSERT compiles to a large
    program: with a different remainder after every batch the cache would fill with big,
    never-reused statements. Here only a dozen shapes ever exist per table.
    """
    start = 0
    size = largest
    while start < count:
        while size > count - start:
            size //= 2
        yield start, start + size
        start += size


def _max_params() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        # Django assumes SQLite's historical 999; the library in use usually allows 32766.
        return int(raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) if raw is not None else 999
    return int(connection.features.max_query_params or 30_000)


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# --- the organisation's fixed rows ------------------------------------------------------------------


@dataclass
class _Setup:
    organisation: Organisation
    users: dict[str, int]
    teams: dict[str, int]
    locations: dict[str, int]
    sources: dict[str, int]
    templates: dict[str, int]


def _event(
    at: datetime, verb: str, obj: models.Model, data: dict[str, Any], actor: User | None = None
) -> dict[str, Any]:
    return {
        "at": at,
        "verb": verb,
        "actor": actor,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "data": data,
    }


def _source_config(spec: SourceSpec) -> tuple[dict[str, Any], str]:
    """The public configuration and encrypted credentials of a demo source, as the sources page
    would store them: validated by its connector, secrets encrypted. A platform without a
    connector (the "copy and open" ones) keeps its descriptive settings as they are."""
    try:
        validated = validate_config(spec.platform, dict(spec.config))
    except UnknownPlatform:
        return dict(spec.config), ""
    public, secret = split_config(validated)
    return public, encrypt_secrets(secret) if secret else ""


def _demo_user(spec_email: str, first_name: str, last_name: str, password_hash: str) -> User:
    user = User.objects.filter(email=spec_email).first()
    if user is None:
        user = User(email=spec_email, first_name=first_name, last_name=last_name)
        user.full_clean(exclude=["password"])
    user.password = password_hash
    user.is_active = True
    user.save()
    return user


@transaction.atomic
def _create_setup(now: datetime, days: int) -> _Setup:
    founded = (now - timedelta(days=days + 21)).replace(hour=8, minute=0, second=0, microsecond=0)
    organisation = Organisation(
        slug=DEMO_SLUG, name=ORG_NAME, timezone=ORG_TIMEZONE, language=ORG_LANGUAGE, created_at=founded
    )
    organisation.full_clean()
    organisation.save()
    # One hash for every demo account: they share the published demo password anyway, and
    # Argon2 takes a good fraction of a second per call.
    password_hash = make_password(DEMO_PASSWORD)
    users = {p.email: _demo_user(p.email, p.first_name, p.last_name, password_hash) for p in STAFF}
    admin = users[DEMO_LOGINS["admin"]]
    manager = users[DEMO_LOGINS["manager"]]
    events = [_event(founded, "organisation.created", organisation, {}, admin)]
    at = founded + timedelta(hours=1)
    locations: dict[str, int] = {}
    for spec in LOCATIONS:
        location = Location(
            organisation=organisation,
            name=spec.name,
            kind="agency",
            address=spec.address,
            city=spec.city,
            postcode=spec.postcode,
            timezone=ORG_TIMEZONE,
        )
        location.full_clean()
        location.save()
        locations[spec.key] = location.pk
        at += timedelta(minutes=4)
        events.append(_event(at, "location.created", location, {"name": spec.name}, admin))
    teams: dict[str, int] = {}
    for team_spec in TEAMS:
        team = Team(organisation=organisation, name=team_spec.name, description=team_spec.description)
        team.full_clean()
        team.save()
        teams[team_spec.key] = team.pk
        at += timedelta(minutes=3)
        events.append(_event(at, "team.created", team, {"name": team_spec.name}, admin))
    sources: dict[str, int] = {}
    at = founded + timedelta(days=1)
    for source_spec in SOURCES:
        config, credentials = _source_config(source_spec)
        source = Source(
            organisation=organisation,
            platform=source_spec.platform,
            name=source_spec.name,
            location_id=locations[source_spec.location_key] if source_spec.location_key else None,
            account_handle=source_spec.account_handle,
            language=source_spec.language,
            config=config,
            credentials_encrypted=credentials,
            poll_interval_seconds=source_spec.poll_interval_seconds,
            created_at=at,
            state=source_spec.state,
            last_error=source_spec.last_error,
            last_error_at=at if source_spec.last_error else None,
        )
        source.save()
        sources[source_spec.key] = source.pk
        events.append(
            _event(at, "source.created", source, {"name": source.name, "platform": source.platform}, manager)
        )
        at += timedelta(minutes=7)
    templates: dict[str, int] = {}
    at = founded + timedelta(days=2)
    for template_spec in TEMPLATES:
        template = Template(
            organisation=organisation,
            name=template_spec.name,
            key=template_spec.key,
            category=template_spec.category,
            language=template_spec.language,
            platform=template_spec.platform,
            body=template_spec.body,
            pre_approved=template_spec.pre_approved,
            themes=list(template_spec.themes),
            created_by=manager,
            updated_at=at,
        )
        template.save()
        templates[template_spec.key] = template.pk
        events.append(_event(at, "template.created", template, {"name": template.name}, manager))
        at += timedelta(minutes=11)
    # Vigie's default library too (French and English, per-platform variants, snippets).
    from vigie.inbox.templating.library import DEFAULT_LIBRARY

    demo_names = {(spec.name, spec.language, spec.platform) for spec in TEMPLATES}
    for library_spec in DEFAULT_LIBRARY:
        if (library_spec.name, library_spec.language, library_spec.platform) in demo_names:
            continue
        template = Template(
            organisation=organisation,
            name=library_spec.name,
            key=library_spec.key,
            category=library_spec.category,
            language=library_spec.language,
            platform=library_spec.platform,
            body=library_spec.body,
            pre_approved=library_spec.pre_approved,
            is_snippet=library_spec.is_snippet,
            themes=list(library_spec.themes),
            created_by=manager,
            updated_at=at,
        )
        template.save()
        events.append(_event(at, "template.created", template, {"name": template.name}, manager))
    do_record_audit_events(organisation, events)
    return _Setup(
        organisation,
        {email: user.pk for email, user in users.items()},
        teams,
        locations,
        sources,
        templates,
    )


# --- the stream ---------------------------------------------------------------------------------------


class _Writer:
    """Writes batches of generator records; keeps only bounded caches between batches."""

    def __init__(self, setup: _Setup, report: LoadReport) -> None:
        self.setup = setup
        self.org = setup.organisation
        self.report = report
        self.authors: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.threads: OrderedDict[tuple[int, str], int] = OrderedDict()
        self.pending: list[tuple[datetime, int, str, str | None, str, dict[str, Any]]] = []
        self.order = itertools.count()
        self.per_source: dict[str, int] = dict.fromkeys(setup.sources, 0)
        self.template_uses: dict[str, int] = dict.fromkeys(setup.templates, 0)
        # When each was last used: the library shows it beside the count ("jamais" with 59 uses).
        self.template_last_used: dict[str, datetime] = {}
        self.author_rows = _Inserter(Author)
        self.mention_rows = _Inserter(Mention)
        self.case_rows = _Inserter(Case)
        self.reply_rows = _Inserter(Reply)
        self.analysis_rows = _Inserter(AnalysisResult)

    @transaction.atomic
    def write(self, batch: list[MentionRecord]) -> None:
        org_id = self.org.pk
        author_ids = self._authors([m.author for m in batch if m.author is not None])
        sources = self.setup.sources
        in_batch = {(sources[m.source_key], m.external_id) for m in batch if m.kind in ("post", "comment")}
        parent_ids = self._parents(batch, in_batch)
        rows = []
        for m in batch:
            source_id = self.setup.sources[m.source_key]
            self.per_source[m.source_key] += 1
            rows.append(
                {
                    "organisation_id": org_id,
                    "source_id": source_id,
                    "location_id": self.setup.locations[m.location_key] if m.location_key else None,
                    "external_id": m.external_id,
                    "kind": m.kind,
                    "url": m.url,
                    "author_id": author_ids[(m.author.platform, m.author.external_id)] if m.author else None,
                    "parent_id": parent_ids.get((source_id, m.parent_external_id))
                    if m.parent_external_id
                    else None,
                    "title": m.title,
                    "text": m.text,
                    "html": m.html,
                    "rating": m.rating,
                    "rating_raw": m.rating_raw,
                    "created_at": m.created_at,
                    "fetched_at": m.fetched_at,
                    "updated_at": m.fetched_at,
                    "deleted_at": m.deleted_at,
                    "likes": m.likes,
                    "shares": m.shares,
                    "replies_count": m.replies_count,
                    "reach": m.reach,
                    "raw": m.raw,
                    "language": m.language,
                    "sentiment": m.sentiment,
                    "sentiment_score": m.sentiment_score,
                    "mention_type": m.mention_type,
                    "themes": m.themes,
                    "priority": m.priority,
                    "owner_reply_text": m.owner_reply_text,
                    "owner_reply_at": m.owner_reply_at,
                }
            )
        mention_ids = self.mention_rows.insert(rows)
        # The priority's reasons, as the analysis pipeline stores them: the case page shows them.
        self.analysis_rows.insert(
            [
                {
                    "organisation_id": org_id,
                    "mention_id": mention_id,
                    "analyzer": PriorityAnalyzer.name,
                    "version": PriorityAnalyzer.version,
                    "result": {
                        "priority": {
                            "score": m.priority,
                            "reasons": m.priority_reasons,
                            "codes": m.priority_codes,
                        }
                    },
                    "analysed_at": m.fetched_at,
                }
                for m, mention_id in zip(batch, mention_ids, strict=True)
            ]
        )
        for m, mention_id in zip(batch, mention_ids, strict=True):
            if m.kind in ("post", "comment"):
                self._remember(self.threads, (sources[m.source_key], m.external_id), mention_id, THREAD_CACHE)
        # Replies whose parent came in this same batch: link them now that the parent has an id.
        late = [
            (self.threads[key], mention_id)
            for m, mention_id in zip(batch, mention_ids, strict=True)
            if m.parent_external_id
            and (key := (sources[m.source_key], m.parent_external_id)) not in parent_ids
            and key in self.threads
        ]
        if late:
            table = connection.ops.quote_name(Mention._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET parent_id = %s WHERE id = %s", late)  # noqa: S608
        self._cases(batch, mention_ids)
        self.report.mentions += len(batch)
        # Any later mention is created at or after this one, so its case steps come later too.
        self._flush_events(until=batch[-1].created_at)

    def _remember(self, cache: OrderedDict[Any, int], key: Any, value: int, limit: int) -> None:
        cache[key] = value
        cache.move_to_end(key)
        if len(cache) > limit:
            cache.popitem(last=False)

    def _authors(self, records: list[AuthorRecord]) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        missing: dict[tuple[str, str], AuthorRecord] = {}
        for record in records:
            key = (record.platform, record.external_id)
            if key in found or key in missing:
                continue
            cached = self.authors.get(key)
            if cached is not None:
                found[key] = cached
                self.authors.move_to_end(key)
            else:
                missing[key] = record
        if missing:
            # Evicted from the cache but maybe written long ago: ask the database before creating.
            for chunk in _chunks(list(missing), 500):
                for platform, external_id, pk in Author.objects.filter(
                    organisation=self.org, external_id__in=[external_id for _, external_id in chunk]
                ).values_list("platform", "external_id", "pk"):
                    if (platform, external_id) in missing:
                        found[(platform, external_id)] = pk
                        del missing[(platform, external_id)]
            new = list(missing.values())
            ids = self.author_rows.insert(
                [
                    {
                        "organisation_id": self.org.pk,
                        "platform": a.platform,
                        "external_id": a.external_id,
                        "handle": a.handle,
                        "display_name": a.display_name,
                        "profile_url": a.profile_url,
                        "followers_count": a.followers_count,
                        "flags": list(a.flags),
                    }
                    for a in new
                ]
            )
            self.report.authors += len(new)
            for record, pk in zip(new, ids, strict=True):
                found[(record.platform, record.external_id)] = pk
        for key, pk in found.items():
            self._remember(self.authors, key, pk, AUTHOR_CACHE)
        return found

    def _parents(
        self, batch: list[MentionRecord], in_batch: set[tuple[int, str]]
    ) -> dict[tuple[int, str], int]:
        wanted = {
            (self.setup.sources[m.source_key], m.parent_external_id) for m in batch if m.parent_external_id
        }
        found = {key: self.threads[key] for key in wanted if key in self.threads}
        # Parents in this very batch get their id with it and are linked after the insert.
        for source_id, external_id in sorted(wanted - set(found) - in_batch):
            pk = (
                Mention.objects.filter(source_id=source_id, external_id=external_id)
                .values_list("pk", flat=True)
                .first()
            )
            if pk is not None:
                found[(source_id, external_id)] = pk
        return found

    def _cases(self, batch: list[MentionRecord], mention_ids: list[int]) -> None:
        setup = self.setup
        users = setup.users
        with_case = [(m, mid) for m, mid in zip(batch, mention_ids, strict=True) if m.case is not None]
        case_rows = []
        for m, mention_id in with_case:
            case = m.case
            assert case is not None
            case_rows.append(
                {
                    "organisation_id": self.org.pk,
                    "mention_id": mention_id,
                    "status": case.status,
                    "team_id": setup.teams[case.team_key],
                    "assignee_id": users[case.assignee] if case.assignee else None,
                    "priority": case.priority,
                    "needs_answer": case.needs_answer,
                    "no_answer_reason": case.no_answer_reason,
                    "sla_due_at": case.sla_due_at,
                    "first_response_at": case.first_response_at,
                    "resolved_at": case.resolved_at,
                    "tags": case.tags,
                    "created_at": case.created_at,
                    "updated_at": case.updated_at,
                }
            )
        case_ids = self.case_rows.insert(case_rows)
        reply_rows = []
        reply_owner: list[tuple[int, int]] = []  # (position in with_case, reply index)
        for position, ((m, _), case_id) in enumerate(zip(with_case, case_ids, strict=True)):
            case = m.case
            assert case is not None
            reference = f"C-{case_id:06d}"
            for index, reply in enumerate(case.replies):
                if reply.template_key is not None:
                    self.template_uses[reply.template_key] += 1
                    last = self.template_last_used.get(reply.template_key)
                    if last is None or reply.created_at > last:
                        self.template_last_used[reply.template_key] = reply.created_at
                reply_rows.append(
                    {
                        "organisation_id": self.org.pk,
                        "case_id": case_id,
                        "author_id": users[reply.author],
                        "template_id": setup.templates[reply.template_key] if reply.template_key else None,
                        "channel": reply.channel,
                        "body": reply.body.replace("{reference}", reference),
                        "status": reply.status,
                        "idempotency_key": reply.idempotency_key,
                        "external_id": reply.external_id,
                        "error": reply.error,
                        "approved_by_id": users[reply.approved_by] if reply.approved_by else None,
                        "created_at": reply.created_at,
                        "submitted_at": reply.submitted_at,
                        "approved_at": reply.approved_at,
                        "published_at": reply.published_at,
                    }
                )
                reply_owner.append((position, index))
        reply_ids = self.reply_rows.insert(reply_rows)
        reply_pk: dict[tuple[int, int], int] = dict(zip(reply_owner, reply_ids, strict=True))
        for position, ((m, mention_id), case_id) in enumerate(zip(with_case, case_ids, strict=True)):
            case = m.case
            assert case is not None
            object_id = str(case_id)
            for event in case.events:
                data = dict(event.data)
                if event.verb == VERB_CASE_CREATED:
                    data["mention"] = mention_id
                if event.reply_index is not None:
                    data["reply"] = reply_pk[(position, event.reply_index)]
                heapq.heappush(
                    self.pending, (event.at, next(self.order), event.verb, event.actor, object_id, data)
                )
        self.report.cases += len(case_ids)
        self.report.replies += len(reply_ids)

    def _flush_events(self, until: datetime | None) -> None:
        users = self.setup.users
        due: list[dict[str, Any]] = []
        while self.pending and (until is None or self.pending[0][0] <= until):
            at, _, verb, actor, object_id, data = heapq.heappop(self.pending)
            due.append(
                {
                    "at": at,
                    "verb": verb,
                    "actor_id": users[actor] if actor else None,
                    "actor_label": actor or "system",
                    "object_type": CASE_OBJECT,
                    "object_id": object_id,
                    "data": data,
                }
            )
        if due:
            do_record_audit_events(self.org, due)
            self.report.audit_events += len(due)

    @transaction.atomic
    def finish(self, now: datetime) -> None:
        self._flush_events(until=None)
        for key, uses in self.template_uses.items():
            Template.objects.filter(pk=self.setup.templates[key]).update(
                usage_count=uses, last_used_at=self.template_last_used.get(key)
            )
        for key, count in self.per_source.items():
            # No next poll: without credentials there is nothing to fetch, and the scheduler only
            # takes sources that have one (the connectors app does the same awaiting credentials).
            Source.objects.filter(pk=self.setup.sources[key]).update(
                items_fetched=count, last_success_at=now - timedelta(minutes=3), next_poll_at=None
            )


@transaction.atomic
def _add_members(setup: _Setup) -> None:
    """Memberships last: their presence marks a complete load (see ``queries.demo_state``)."""
    organisation = setup.organisation
    admin = User.objects.get(pk=setup.users[DEMO_LOGINS["admin"]])
    team_rows = {team.pk: team for team in Team.objects.filter(organisation=organisation)}
    for spec in sorted(STAFF, key=lambda p: p.email != DEMO_LOGINS["admin"]):
        membership = do_create_member(
            organisation,
            spec.email,
            spec.role,
            first_name=spec.first_name,
            last_name=spec.last_name,
            actor=None if spec.email == DEMO_LOGINS["admin"] else admin,
        )
        for team_key in spec.teams:
            do_add_team_member(team_rows[setup.teams[team_key]], membership, actor=admin)


def do_load_demo(
    *,
    seed: int = DEFAULT_SEED,
    size: int = DEFAULT_SIZE,
    now: datetime | None = None,
    days: int = DEFAULT_DAYS,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Create the demo organisation with ``size`` generated mentions over the ``days`` before ``now``.

    Raises ``ValueError`` if it already exists (delete it first with ``do_delete_demo``). Each
    batch is its own transaction, so memory stays flat whatever ``size``; members are added at
    the very end, which is how an interrupted load is recognised.
    """
    started = clock.perf_counter()
    now = (now or timezone.now()).replace(microsecond=0)
    if Organisation.objects.filter(slug=DEMO_SLUG).exists():
        raise ValueError(f"organisation {DEMO_SLUG!r} already exists")
    setup = _create_setup(now, days)
    report = LoadReport(setup.organisation)
    writer = _Writer(setup, report)
    for batch in _chunks(generate(seed, size, now, days=days), batch_size):
        writer.write(batch)
        if progress is not None:
            progress(report.mentions)
    writer.finish(now)
    _add_members(setup)
    # The recommended comment-handling scheme, fitted to the demo's teams, for new mentions.
    do_seed_default_routing(setup.organisation)
    # Review requests after a resolved case (vigie/demo/outreach.py).
    do_configure_demo_outreach(setup.organisation)
    # The KPIs' daily rollup, as the periodic job would build it on its first round: the
    # dashboard of a freshly loaded demo (up to a million mentions) reads it at once instead of
    # scanning every row until the job comes by.
    do_refresh_rollup(setup.organisation)
    report.seconds = clock.perf_counter() - started
    return report


def do_delete_demo() -> bool:
    """Delete the demo organisation, its data, its audit log and its accounts; False if absent.

    The audit log is append-only for real organisations; the demo's is thrown away with it.
    Mentions go in chunks so that the rows other apps attach to them are collected by Django
    without loading a million objects at once.
    """
    organisation = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if organisation is None:
        return False
    while True:
        with transaction.atomic():
            ids = list(
                Mention.objects.filter(organisation=organisation).values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not ids:
                break
            Mention.objects.filter(pk__in=ids).update(parent=None)
            Mention.objects.filter(pk__in=ids).delete()
    with transaction.atomic():
        emails = [spec.email for spec in STAFF]
        AuditEvent.objects.filter(organisation=organisation).delete()
        Author.objects.filter(organisation=organisation).delete()
        organisation.delete()
        # Demo accounts go too, unless someone gave them a place in another organisation.
        others = Membership.objects.filter(user__email__in=emails).values_list("user_id", flat=True)
        User.objects.filter(email__in=emails).exclude(pk__in=others).delete()
    return True
