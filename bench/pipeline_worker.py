"""A Celery worker for ``bench.pipeline``: one process, one job at a time (``--pool=solo``), so
"per worker" means per process. Run by the benchmark itself: ``python -m bench.pipeline_worker NAME``,
with DATABASE_URL and CELERY_BROKER_URL set in its environment.

Besides Vigie's own jobs it knows ``bench.deliver_page``: the benchmark's door into the ingest
step, a page of generated mentions stored through ``do_ingest_page`` exactly as a webhook
delivery or a connector's page is (then handed on to analyse and route, on Celery).
"""

from __future__ import annotations

import os
import random
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.words import WORDS as COMMON_WORDS

DELIVER_JOB = "bench.deliver_page"

WORDS = [
    *COMMON_WORDS,
    "merci",
    "toujours",
    "jamais",
    "vraiment",
    "très",
    "déçu",
    "satisfait",
    "problème",
    "bravo",
    "honte",
    "arnaque",
]


def page_items(start: int, count: int) -> list[Any]:
    """``count`` reviews and posts numbered from ``start``: varied words, ratings and authors."""
    from vigie.connectors.contract import AuthorIn, MentionIn

    rng = random.Random(start)
    origin = datetime(2026, 12, 6, 8, tzinfo=UTC)
    items = []
    for n in range(start, start + count):
        words = rng.choices(WORDS, k=rng.randint(8, 40))
        author = rng.randint(1, 50_000)
        items.append(
            MentionIn(
                external_id=f"m{n}",
                kind="review" if n % 3 else "post",
                created_at=origin - timedelta(seconds=n),
                text=" ".join(words).capitalize() + ".",
                title=" ".join(words[:3]).capitalize(),
                rating=rng.randint(1, 5) if n % 3 else None,
                author=AuthorIn(external_id=f"a{author}", handle=f"client{author}"),
                likes=rng.randint(0, 40),
                raw={"id": n},
            )
        )
    return items


def register() -> None:
    """Register ``bench.deliver_page`` (the parent enqueues it, the workers run it)."""
    from vigie.core import jobs

    if DELIVER_JOB in jobs.registered_jobs():
        return

    @jobs.job(DELIVER_JOB, max_attempts=1)
    def deliver_page(source_id: int, start: int, count: int) -> int:
        from vigie.connectors.contract import Page
        from vigie.connectors.models import Source
        from vigie.mentions.actions import do_ingest_page

        source = Source.objects.get(pk=source_id)
        page = Page(items=page_items(start, count), next_cursor={})
        return do_ingest_page(source, page, advance_cursor=False).new


def main(name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
    import django

    django.setup()
    register()
    # A long-running worker loads its analyzers once: do it before taking jobs, not in the first.
    from vigie.analysis.pipeline import default_pipeline
    from vigie.core.celery import get_celery_app

    default_pipeline()

    get_celery_app().worker_main(
        [
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench")
