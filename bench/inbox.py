"""Inbox list speed: 100k open cases in a fresh temporary SQLite database (or, with ``--postgres
URL``, a fresh PostgreSQL database ``vigie_bench_inbox`` created on that server and dropped after), then the inbox page (the
view's queries and its template, through Django's test client) for several views, filters and
full-text searches; reports median and p95 milliseconds per combination (target: <= 300 ms).

Both wall-clock and CPU time of the request are reported: on a machine shared with other work the
wall clock includes waiting for a core, while CPU time is what the request itself costs."""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.words import WORDS

THEMES = ["delivery", "price", "staff", "waiting_time", "product_quality", "billing", "app"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=100_000, help="open cases to seed (default 100000)")
    parser.add_argument("--repeat", type=int, default=15, help="requests per combination")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--only", default="", help="comma-separated combinations to measure (default: all)")
    parser.add_argument(
        "--postgres",
        default="",
        help="PostgreSQL server URL: measure in a fresh database vigie_bench_inbox created on it",
    )


def _postgres_database(url: str, *, create: bool) -> str:
    """Drop (and create) the bench's own database on the server of ``url``; its URL."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS vigie_bench_inbox WITH (FORCE)")
        if create:
            connection.execute("CREATE DATABASE vigie_bench_inbox")
    return urlunsplit(parts._replace(path="/vigie_bench_inbox"))


def _seed(size: int, seed: int) -> dict[str, Any]:
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

    rng = random.Random(seed)
    org = do_create_organisation("bench", "Bench")
    agents = [do_create_member(org, f"agent{n}@bench.example", Role.AGENT) for n in range(8)]
    teams = [do_create_team(org, f"Équipe {n}") for n in range(3)]
    for n, agent in enumerate(agents):
        do_add_team_member(teams[n % 3], agent)
    sources = [
        Source.objects.create(organisation=org, platform=p, name=f"{p} source")
        for p in ("google", "trustpilot", "mastodon", "bluesky")
    ]
    locations = [Location.objects.create(organisation=org, name=f"Magasin {n}") for n in range(20)]
    authors = Author.objects.bulk_create(
        [
            Author(organisation=org, platform="google", external_id=f"a{n}", display_name=f"Client {n}")
            for n in range(size // 5)
        ],
        batch_size=5000,
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = datetime.now(UTC)
    statuses = [CaseStatus.NEW] * 6 + [CaseStatus.IN_PROGRESS] * 2 + [CaseStatus.WAITING_CUSTOMER]
    for offset in range(0, size, 5000):
        count = min(5000, size - offset)
        mentions = []
        for n in range(offset, offset + count):
            words = rng.choices(WORDS, k=rng.randint(8, 40))
            rating = rng.randint(1, 5)
            mentions.append(
                Mention(
                    organisation=org,
                    source=sources[n % 4],
                    location=rng.choice(locations),
                    external_id=f"m{n}",
                    kind="review",
                    author=rng.choice(authors),
                    title=" ".join(words[:4]),
                    text=" ".join(words) + ".",
                    rating=rating,
                    created_at=start + timedelta(minutes=n),
                    language=rng.choice(["fr"] * 8 + ["en", "es"]),
                    sentiment="negative" if rating <= 2 else ("neutral" if rating == 3 else "positive"),
                    mention_type=rng.choice(["complaint", "question", "praise", "suggestion", "other"]),
                    themes=rng.sample(THEMES, k=rng.randint(0, 2)),
                )
            )
        mentions = Mention.objects.bulk_create(mentions)
        Case.objects.bulk_create(
            [
                Case(
                    organisation=org,
                    mention=mention,
                    status=rng.choice(statuses),
                    priority=rng.randint(0, 3),
                    assignee=rng.choice([None, None, *[a.user for a in agents]]),
                    team=rng.choice([None, *teams]),
                    sla_due_at=now + timedelta(hours=rng.randint(-72, 72)),
                    created_at=mention.created_at,
                )
                for mention in mentions
            ]
        )
    return {
        "organisation": org,
        "agent": agents[0],
        "source": sources[1],
        "location": locations[3],
        "team": teams[0],
    }


def _stats(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, round(len(ordered) * 0.95) - 1)], 1),
    }


def run(
    size: int = 100_000, repeat: int = 15, seed: int = 42, postgres: str = "", only: str = ""
) -> dict[str, Any]:
    temp = Path(tempfile.mkdtemp(prefix="vigie-bench-inbox-"))
    os.environ["VIGIE_DATA_DIR"] = str(temp)
    if postgres:
        os.environ["DATABASE_URL"] = _postgres_database(postgres, create=True)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{temp / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigie.settings"
    os.environ.setdefault("VIGIE_SECRET_KEY", "bench-only-secret-key-not-for-production-000000")
    logging.disable(logging.WARNING)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        seeded = _seed(size, seed)
        seed_seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        # The test client's host; without setup_test_environment, whose template signals would
        # inflate the render time being measured.
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        client.force_login(seeded["agent"].user)
        combos = {
            "todo": {},
            "mine": {"view": "mine"},
            "team": {"view": "team"},
            "unassigned": {"view": "unassigned"},
            "all": {"view": "all"},
            "platform": {"platform": "trustpilot"},
            "negative_1_star": {"sentiment": "negative", "stars": "1"},
            "overdue": {"sla": "overdue"},
            "location_type": {"location": str(seeded["location"].pk), "type": "complaint"},
            "theme": {"theme": "delivery"},
            "language_en_page_5": {"language": "en", "page": "5"},
            "search_word": {"q": "remboursement"},
            "search_two_words_filtered": {"q": "retard livraison", "platform": "google"},
            "search_rare": {"q": "Client 1234"},
            "waiting_customer": {"view": "waiting_customer"},
            "awaiting_approval": {"view": "awaiting_approval"},
            "resolved": {"view": "resolved"},
            "status_in_progress": {"status": "in_progress"},
            "assignee": {"assignee": str(seeded["agent"].user_id)},
            "assignee_nobody": {"assignee": "none"},
            "team_filter": {"team": str(seeded["team"].pk)},
            "source": {"source": str(seeded["source"].pk)},
            "due_soon": {"sla": "due_soon"},
            "sla_ok": {"sla": "ok"},
            "stars_5": {"stars": "5"},
            "since_until": {"since": "2026-01-10", "until": "2026-01-20"},
            "search_stem_overdue": {"q": "rembourser", "sla": "overdue"},
            "last_page": {"view": "all", "page": "1000"},
        }
        if only:
            combos = {name: combos[name] for name in only.split(",")}
        results: dict[str, Any] = {}
        for name, params in combos.items():
            wall: list[float] = []
            cpu: list[float] = []
            for attempt in range(repeat + 1):
                begin, begin_cpu = time.perf_counter(), time.process_time()
                response = client.get("/inbox/", params)
                elapsed, elapsed_cpu = time.perf_counter() - begin, time.process_time() - begin_cpu
                if response.status_code != 200:
                    raise RuntimeError(f"{name}: HTTP {response.status_code}")
                if attempt:  # the first request warms caches and is left out
                    wall.append(elapsed * 1000)
                    cpu.append(elapsed_cpu * 1000)
            figures = {"wall": _stats(wall), "cpu": _stats(cpu)}
            ok = figures["wall"]["median_ms"] <= 300
            results[name] = {**figures, "target_ms": 300, "ok": ok}
        worst_wall = max(r["wall"]["p95_ms"] for r in results.values())
        worst_cpu = max(r["cpu"]["p95_ms"] for r in results.values())
        return {
            "database": connection.vendor,
            "cases": size,
            "seed_seconds": round(seed_seconds, 1),
            "repeat": repeat,
            "load_average": round(os.getloadavg()[0], 2),
            "cpu_count": os.cpu_count(),
            "worst_wall_p95_ms": worst_wall,
            "worst_cpu_p95_ms": worst_cpu,
            "target_ms": 300,
            "ok_wall": worst_wall <= 300,
            "ok_cpu": worst_cpu <= 300,
            "all_medians_within_target": all(r["ok"] for r in results.values()),
            "combinations": results,
        }
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        if postgres:
            from django.db import connections

            connections.close_all()
            _postgres_database(postgres, create=False)
