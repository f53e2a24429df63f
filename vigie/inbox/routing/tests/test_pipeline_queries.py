"""The stored pipeline on one page: ingest -> analyse -> route (``vigie.core.pipeline``) runs as
many queries for a page of 180 mentions as for a page of 60, so no step reads or writes a mention
at a time (what a crisis of tens of thousands of mentions relies on)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vigie.conftest import Tenant
from vigie.connectors.contract import AuthorIn, MentionIn, Page
from vigie.connectors.models import Source
from vigie.core import pipeline
from vigie.inbox.models import Case
from vigie.mentions.actions import do_ingest_page
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_source

T0 = datetime(2026, 12, 6, 8, tzinfo=UTC)
CYCLE = 60  # the mix below repeats every 60 mentions (kinds 3, texts and ratings 5, authors 4)
TEXTS = [
    "Colis jamais arrivé, service client injoignable, je veux être remboursé",
    "Merci pour l'accueil, équipe au top, je recommande",
    "Commande 12345 bloquée depuis une semaine, aucune réponse à mes mails",
    "Produit correct mais livraison lente",
    "Nul, arnaque, plus jamais chez vous",
]


def _page(start: int, count: int) -> Page:
    """Reviews and posts of new and returning authors (one in four already seen)."""
    items = []
    for n in range(start, start + count):
        author = n if n % 4 else n % 7
        items.append(
            MentionIn(
                external_id=f"m{n}",
                kind="review" if n % 3 else "post",
                created_at=T0 - timedelta(minutes=n),
                text=f"{TEXTS[n % len(TEXTS)]} ({n})",
                title="Avis" if n % 3 else "",
                rating=n % 5 + 1 if n % 3 else None,
                author=AuthorIn(external_id=f"a{author}", handle=f"client{author}"),
                likes=n % 11,
            )
        )
    return Page(items=items, next_cursor={})


@pytest.fixture
def source(tenant: Tenant) -> Source:
    from vigie.core import jobs

    if pipeline.job_name(pipeline.ROUTE) not in jobs.registered_jobs():
        pytest.skip("the analyse and route steps are not installed")
    return make_source(tenant.organisation, platform="webhook", name="Crise")


def test_a_page_goes_through_the_pipeline_with_as_many_queries_whatever_its_size(
    source: Source, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    def run(start: int, count: int) -> list[str]:
        # Left in this order, the commit callbacks (the ingest step handing its page on) run
        # inline, while the queries are still captured.
        with (
            pipeline.inline(),
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert do_ingest_page(source, _page(start, count), advance_cursor=False).new == count
        # Savepoints aside (a step's own, the tests' transaction), and the in-app notice each
        # supervisor gets of an escalation (its own save): statements, not their count per row.
        # A statement run for many rows at once ("40 times: INSERT ...") counts as one.
        return [
            re.sub(r"^\d+ times: ", "", query["sql"])[:60]
            for query in captured.captured_queries
            if "SAVEPOINT" not in query["sql"] and "core_notification" not in query["sql"]
        ]

    # Pages of whole cycles of the mix (kinds, texts, ratings, returning authors), so that each
    # meets the same rules, whose templates are read once per rule and batch.
    run(0, CYCLE)  # the routing scheme and the taxonomy seeded beforehand
    few, many = run(CYCLE, CYCLE), run(2 * CYCLE, 3 * CYCLE)
    # The same statements (in the order the batch meets its rules, which may differ).
    if connection.vendor == "postgresql":
        assert sorted(many) == sorted(few)
    else:
        # SQLite takes at most 999 parameters a statement: Django splits a bulk insert or update
        # of many rows into several. No other statement may repeat more for more mentions.
        assert set(many) == set(few)
        more = {sql for sql in many if many.count(sql) > few.count(sql)}
        assert all(sql.startswith(("INSERT", "UPDATE")) for sql in more), more
    organisation = source.organisation
    assert Mention.objects.filter(organisation=organisation).count() == 5 * CYCLE
    # Each one analysed, then routed (the analysis hands its batch on to routing).
    assert Case.objects.filter(organisation=organisation).count() == 5 * CYCLE
