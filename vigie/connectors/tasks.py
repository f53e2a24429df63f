"""Jobs of the connectors domain: the poll scheduler.

Each due source gets a fetch run: the ingest step's job (``vigie.core.pipeline``), which the
mentions app runs. They go through ``vigie.core.jobs``, so the same code works embedded and on
Celery.
"""

from __future__ import annotations

from datetime import timedelta

from vigie.connectors.queries import due_source_ids
from vigie.core import jobs, pipeline


@jobs.periodic("connectors.schedule_fetches", every=timedelta(minutes=1))
def schedule_fetches() -> list[int]:
    """Enqueue one fetch job per source whose next poll is due; returns their ids."""
    due = due_source_ids()
    for source_id in due:
        enqueue_fetch(source_id)
    return due


def enqueue_fetch(source_id: int) -> str:
    """Ask for a fetch run of ``source_id`` (once: while one is pending, no other is added)."""
    return jobs.enqueue(
        pipeline.FETCH_SOURCE_JOB, {"source_id": source_id}, dedupe_key=f"fetch-source:{source_id}"
    )
