"""Fast seeding of large organisations for the benchmarks (not product code).

The product's own paths (the demo loader, ingestion) create a mention at a time with its audit
trail: right for the product, over an hour for a million mentions. Here the rows are written in
bulk: ``executemany`` in large transactions on SQLite (with the durability pragmas off while
seeding), ``COPY`` on PostgreSQL. Ids are assigned here, so mentions, their analysis results and
their cases are written without reading anything back.

What is seeded looks like a busy organisation: mentions spread over ``days`` days (more on
weekdays and in the daytime), 4 platforms, 40 locations, 7 themes, sentiments following the
ratings, one analysis result per mention, and a case for about 45% of them (older cases answered
and mostly resolved, recent ones open).
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.words import WORDS

PLATFORMS = ("google", "trustpilot", "facebook", "mastodon")
THEMES = ("delivery", "price", "staff", "waiting_time", "product_quality", "billing", "app")
CHUNK = 20_000


def _columns(model: Any) -> list[Any]:
    return list(model._meta.concrete_fields)


class _Writer:
    """Bulk rows into one model's table: defaults prepared once, the given fields per row."""

    def __init__(self, model: Any, fields: tuple[str, ...]) -> None:
        from django.db import connection

        self.connection = connection
        self.table = model._meta.db_table
        # The primary key is left to the database unless given (COPY would write NULL into it).
        self.fields = [
            f
            for f in _columns(model)
            if not (f.primary_key and f.attname not in fields and f.name not in fields)
        ]
        self.names = [f.column for f in self.fields]
        by_name = {f.name: f for f in self.fields} | {f.attname: f for f in self.fields}
        self.template = [
            None if f.attname in fields or f.name in fields else self._prep(f, f.get_default())
            for f in self.fields
        ]
        self.positions = [self.fields.index(by_name[name]) for name in fields]
        self.preps = [by_name[name] for name in fields]

        self.converters = [self._converter(field) for field in self.preps]

    def _prep(self, field: Any, value: Any) -> Any:
        return field.get_db_prep_save(value, self.connection)

    def _converter(self, field: Any) -> Callable[[Any], Any]:
        """What the database driver takes for this field's values, without Django's per-value
        dispatch (which costs more than generating the row)."""
        sqlite = self.connection.vendor == "sqlite"
        kind = field.get_internal_type()
        if kind == "JSONField":
            return lambda value: json.dumps(value, ensure_ascii=False)
        if sqlite and kind == "DateTimeField":
            return lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if sqlite and kind == "DecimalField":
            return str
        if sqlite and kind == "BooleanField":
            return int
        return lambda value: value

    def row(self, values: tuple[Any, ...]) -> list[Any]:
        row = list(self.template)
        for position, convert, value in zip(self.positions, self.converters, values, strict=True):
            row[position] = convert(value) if value is not None else None
        return row

    def write(self, rows: list[list[Any]]) -> None:
        names = ", ".join(f'"{name}"' for name in self.names)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{self.table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.names))
                cursor.executemany(f'INSERT INTO "{self.table}" ({names}) VALUES ({marks})', rows)  # noqa: S608


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def _reset_sequences(models: list[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _moment(rng: random.Random, start: datetime, days: int) -> datetime:
    """A publication time: weekdays busier than weekends, daytime busier than night."""
    while True:
        day = rng.randrange(days)
        when = start + timedelta(days=day)
        if when.weekday() >= 5 and rng.random() < 0.4:
            continue
        hour = min(max(int(rng.gauss(14, 4)), 0), 23)
        return when + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))


def seed_organisation(
    size: int,
    *,
    seed: int = 42,
    days: int = 90,
    slug: str = "bench",
    open_share: float | None = None,
    end: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Create organisation ``slug`` with ``size`` mentions published over the ``days`` days before
    ``end`` (default now). ``open_share``: every mention gets a case, that share of them open (the
    inbox bench); by default about 45% get one, open when recent."""
    from django.db import connection, transaction

    from vigie.analysis.models import AnalysisResult
    from vigie.connectors.models import Source
    from vigie.core.actions import (
        do_add_team_member,
        do_create_member,
        do_create_organisation,
        do_create_team,
    )
    from vigie.core.models import Location
    from vigie.core.roles import Role
    from vigie.inbox.models import Case, CaseStatus
    from vigie.mentions.models import Author, Mention

    say = progress or (lambda message: print(message, file=sys.stderr, flush=True))
    rng = random.Random(seed)
    organisation = do_create_organisation(slug, slug.title())
    manager = do_create_member(organisation, f"manager@{slug}.example", Role.MANAGER)
    agents = [do_create_member(organisation, f"agent{n}@{slug}.example", Role.AGENT) for n in range(8)]
    teams = [do_create_team(organisation, f"Équipe {n}") for n in range(3)]
    for n, agent in enumerate(agents):
        do_add_team_member(teams[n % 3], agent)
    sources = [
        Source.objects.create(organisation=organisation, platform=p, name=f"{p} source") for p in PLATFORMS
    ]
    locations = [Location.objects.create(organisation=organisation, name=f"Magasin {n}") for n in range(40)]
    author_ids = [
        a.pk
        for a in Author.objects.bulk_create(
            [
                Author(
                    organisation=organisation,
                    platform="google",
                    external_id=f"a{n}",
                    display_name=f"Client {n}",
                )
                for n in range(max(size // 20, 1))
            ],
            batch_size=5000,
        )
    ]
    if connection.vendor == "postgresql" and not author_ids[0]:
        author_ids = list(Author.objects.filter(organisation=organisation).values_list("pk", flat=True))
    now = datetime.now(UTC)
    end = end or now
    start = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    mention_writer = _Writer(
        Mention,
        (
            "id",
            "organisation_id",
            "source_id",
            "location_id",
            "external_id",
            "kind",
            "author_id",
            "title",
            "text",
            "rating",
            "rating_raw",
            "created_at",
            "fetched_at",
            "updated_at",
            "likes",
            "shares",
            "reach",
            "language",
            "sentiment",
            "sentiment_score",
            "mention_type",
            "themes",
            "priority",
        ),
    )
    analysis_writer = _Writer(
        AnalysisResult, ("organisation_id", "mention_id", "analyzer", "version", "result", "analysed_at")
    )
    case_writer = _Writer(
        Case,
        (
            "organisation_id",
            "mention_id",
            "status",
            "team_id",
            "assignee_id",
            "priority",
            "needs_answer",
            "sla_due_at",
            "first_response_at",
            "resolved_at",
            "created_at",
            "updated_at",
        ),
    )
    users = [a.user_id for a in agents]
    first_id = _next_id(Mention)
    closed = (CaseStatus.RESOLVED, CaseStatus.NO_ANSWER)
    open_statuses = [CaseStatus.NEW] * 6 + [CaseStatus.IN_PROGRESS] * 2 + [CaseStatus.WAITING_CUSTOMER]
    timings = {"mentions": 0.0}
    started = time.perf_counter()
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-200000")

    def rows(offset: int, count: int) -> Iterator[tuple[list[Any], list[Any], list[Any] | None]]:
        for n in range(offset, offset + count):
            mention_id = first_id + n
            created = _moment(rng, start, days)
            if created > end:
                created = end - timedelta(minutes=rng.randrange(1, 600))
            platform = n % len(PLATFORMS)
            kind = "review" if platform < 2 else "post"
            rating = (
                rng.choices((1, 2, 3, 4, 5), weights=(12, 8, 10, 25, 45))[0] if kind == "review" else None
            )
            score = (rating - 3) / 2 if rating is not None else rng.uniform(-1, 1)
            sentiment = "negative" if score < -0.2 else ("positive" if score > 0.2 else "neutral")
            mention_type = (
                rng.choice(("complaint", "question", "other"))
                if sentiment == "negative"
                else rng.choice(("praise", "suggestion", "question", "other"))
            )
            themes = rng.sample(THEMES, k=rng.choice((0, 1, 1, 1, 2, 2, 3)))
            words = rng.choices(WORDS, k=rng.randint(8, 40))
            mention = mention_writer.row(
                (
                    mention_id,
                    organisation.pk,
                    sources[platform].pk,
                    rng.choice(locations).pk,
                    f"m{n}",
                    kind,
                    rng.choice(author_ids),
                    " ".join(words[:4]),
                    " ".join(words) + ".",
                    Decimal(rating) if rating is not None else None,
                    str(rating) if rating else "",
                    created,
                    created + timedelta(minutes=rng.randint(1, 90)),
                    created,
                    rng.randint(0, 30),
                    rng.randint(0, 5),
                    rng.randint(10, 5000),
                    rng.choice(("fr",) * 8 + ("en", "es")),
                    sentiment,
                    round(score, 3),
                    mention_type,
                    themes,
                    0,
                )
            )
            analysis = analysis_writer.row(
                (
                    organisation.pk,
                    mention_id,
                    "rules",
                    "1",
                    {"sentiment": sentiment, "themes": themes},
                    created + timedelta(minutes=rng.randint(1, 90)),
                )
            )
            case = None
            if open_share is not None or sentiment == "negative" or rng.random() < 0.25:
                age = end - created
                if open_share is not None:
                    is_open = rng.random() < open_share
                else:
                    is_open = age < timedelta(days=2) or rng.random() < 0.03
                due = created + timedelta(hours=rng.choice((4, 8, 24, 48)))
                answered = None if is_open else created + timedelta(minutes=rng.expovariate(1 / 600))
                if answered is not None and answered > end:
                    answered = end
                resolved = None if is_open or rng.random() < 0.1 else answered
                status = rng.choice(open_statuses) if is_open else closed[0 if resolved else 1]
                case = case_writer.row(
                    (
                        organisation.pk,
                        mention_id,
                        status,
                        rng.choice((None, *(t.pk for t in teams))),
                        rng.choice((None, None, *users)),
                        rng.randint(0, 3),
                        status != CaseStatus.NO_ANSWER,
                        due,
                        answered,
                        resolved,
                        created,
                        resolved or answered or created,
                    )
                )
            yield mention, analysis, case

    for offset in range(0, size, CHUNK):
        count = min(CHUNK, size - offset)
        mentions, analyses, cases = [], [], []
        for mention, analysis, case in rows(offset, count):
            mentions.append(mention)
            analyses.append(analysis)
            if case is not None:
                cases.append(case)
        with transaction.atomic():
            mention_writer.write(mentions)
            analysis_writer.write(analyses)
            case_writer.write(cases)
        done = offset + count
        if done % max(size // 10, CHUNK) < CHUNK or done == size:
            say(f"  seeded {done}/{size} mentions ({time.perf_counter() - started:.0f} s)")
    timings["mentions"] = time.perf_counter() - started
    _reset_sequences([Mention, AnalysisResult, Case])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "organisation": organisation,
        "agent": agents[0],
        "manager": manager,
        "teams": teams,
        "sources": sources,
        "locations": locations,
        "seconds": time.perf_counter() - started,
    }


def add_arrivals(organisation: Any, count: int, *, seed: int = 7) -> None:
    """``count`` new mentions arriving now (published over the last 3 days, as late reviews do),
    through the same bulk path: what the rollup job must pick up on its next round."""
    from django.db import transaction

    from vigie.connectors.models import Source
    from vigie.core.models import Location
    from vigie.mentions.models import Mention

    rng = random.Random(seed)
    sources = list(Source.objects.filter(organisation=organisation))
    locations = list(Location.objects.filter(organisation=organisation))
    writer = _Writer(
        Mention,
        (
            "id",
            "organisation_id",
            "source_id",
            "location_id",
            "external_id",
            "kind",
            "text",
            "rating",
            "created_at",
            "fetched_at",
            "updated_at",
            "sentiment",
            "themes",
        ),
    )
    first = _next_id(Mention)
    now = datetime.now(UTC)
    rows = []
    for n in range(count):
        rating = rng.randint(1, 5)
        created = now - timedelta(minutes=rng.randint(5, 3 * 24 * 60))
        rows.append(
            writer.row(
                (
                    first + n,
                    organisation.pk,
                    sources[n % 2].pk,
                    rng.choice(locations).pk,
                    f"late-{seed}-{n}",
                    "review",
                    "arrivée tardive",
                    Decimal(rating),
                    created,
                    now,
                    now,
                    "negative" if rating <= 2 else ("neutral" if rating == 3 else "positive"),
                    rng.sample(THEMES, k=1),
                )
            )
        )
    with transaction.atomic():
        writer.write(rows)
    _reset_sequences([Mention])
