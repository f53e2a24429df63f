"""Jobs of the connectors domain: the poll scheduler and the per-source fetch.

They run through ``vigie.core.jobs``, so the same code works embedded and on Celery.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from vigie.connectors.actions import do_claim_source, do_fetch_source, do_release_source
from vigie.connectors.queries import due_source_ids
from vigie.core import jobs

FETCH_JOB = "connectors.fetch_source"


@jobs.periodic("connectors.schedule_fetches", every=timedelta(minutes=1))
def schedule_fetches() -> list[int]:
    """Enqueue one fetch job per source whose next poll is due; returns their ids."""
    due = due_source_ids()
    for source_id in due:
        jobs.enqueue(FETCH_JOB, {"source_id": source_id}, dedupe_key=f"fetch-source:{source_id}")
    return due


@jobs.job(FETCH_JOB, max_attempts=1)
def fetch_source(source_id: int) -> dict[str, Any]:
    """Fetch one source now if no other worker holds it; returns what was read."""
    claimer = jobs.worker_id()
    source = do_claim_source(source_id, claimer)
    if source is None:
        return {"skipped": True}
    try:
        return do_fetch_source(source).as_dict()
    finally:
        do_release_source(source, claimer)
