"""Routing and SLA throughput: N analysed mentions routed into cases by the default scheme (first
pass creates cases, second pass is the idempotent re-analysis path), SLA deadline arithmetic in
business hours, and one SLA-watcher pass over the open cases, in a fresh temporary SQLite database."""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TYPES = ["question", "complaint", "praise", "suggestion", "troll", "spam", "other"]
SENTIMENTS = ["negative", "neutral", "positive"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=5_000, help="mentions to route (default 5000)")
    parser.add_argument("--seed", type=int, default=42)


def run(size: int = 5_000, seed: int = 42) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="vigie-bench-"))
    os.environ["VIGIE_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigie.settings"
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        from django.db import connection

        from vigie.analysis.models import AnalysisResult
        from vigie.charter.calendar import Calendar, due_at
        from vigie.charter.document import BusinessHours
        from vigie.connectors.models import Source
        from vigie.core.actions import (
            do_add_team_member,
            do_create_member,
            do_create_organisation,
            do_create_team,
        )
        from vigie.core.roles import Role
        from vigie.inbox.models import Case
        from vigie.inbox.routing.actions import do_seed_default_routing
        from vigie.inbox.routing.route import do_route_mentions
        from vigie.inbox.sla.watch import watch_slas
        from vigie.mentions.models import Mention

        rng = random.Random(seed)
        org = do_create_organisation("bench", "Bench")
        teams = [
            do_create_team(org, name) for name in ("Service client", "Experts", "Community", "Juridique")
        ]
        for n in range(12):
            member = do_create_member(org, f"agent{n}@bench.example", Role.AGENT)
            do_add_team_member(teams[n % len(teams)], member)
        do_seed_default_routing(org)
        source = Source.objects.create(organisation=org, platform="google", name="Google")
        start = datetime(2026, 3, 2, 8, tzinfo=UTC)
        mentions = Mention.objects.bulk_create(
            Mention(
                organisation=org,
                source=source,
                external_id=str(n),
                kind="review",
                text=f"Avis {n}",
                created_at=start + timedelta(minutes=7 * n),
                rating=rng.randint(1, 5),
                mention_type=rng.choice(TYPES),
                sentiment=rng.choice(SENTIMENTS),
                language="fr",
                priority=rng.randint(0, 60),
            )
            for n in range(size)
        )
        AnalysisResult.objects.bulk_create(
            AnalysisResult(
                organisation=org,
                mention=m,
                analyzer="toxicity",
                version="bench",
                result={"toxicity": {"toxic": rng.random() < 0.05, "legal_risk": rng.random() < 0.02}},
            )
            for m in mentions
        )
        ids = [m.pk for m in mentions]

        counted = [0]

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            counted[0] += 1
            return execute(sql, params, many, context)

        # Batches of the size the analysis job hands over (one ingestion page).
        batches = [ids[i : i + 100] for i in range(0, size, 100)]
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            routed = sum(do_route_mentions(org, batch) for batch in batches)
        first_seconds, first_queries = time.perf_counter() - started, counted[0]
        counted[0] = 0
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            for batch in batches:
                do_route_mentions(org, batch)
        second_seconds, second_queries = time.perf_counter() - started, counted[0]

        calendar = Calendar.from_business_hours(BusinessHours(), "Europe/Paris")
        deadlines = 20_000
        started = time.perf_counter()
        for n in range(deadlines):
            due_at(start + timedelta(minutes=37 * n), 24, calendar)
        deadline_seconds = time.perf_counter() - started

        open_cases = Case.objects.filter(organisation=org, needs_answer=True).count()
        started = time.perf_counter()
        report = watch_slas(start + timedelta(minutes=7 * size // 2))
        watch_seconds = time.perf_counter() - started

        return {
            "mentions": size,
            "cases": routed,
            "route_per_second": round(size / first_seconds, 1),
            "queries_per_mention_first_pass": round(first_queries / size, 1),
            "reroute_per_second": round(size / second_seconds, 1),
            "queries_per_mention_second_pass": round(second_queries / size, 1),
            "deadlines_per_second": round(deadlines / deadline_seconds),
            "watch_open_cases": open_cases,
            "watch_seconds": round(watch_seconds, 2),
            "watch_escalated": report.escalated,
            "watch_warned": report.warned,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
