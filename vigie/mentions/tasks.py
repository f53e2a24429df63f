"""Jobs of the mentions app: the ingest step of the pipeline (``vigie.core.pipeline``).

They run through ``vigie.core.jobs``, so the same code works embedded and on Celery.
"""

from __future__ import annotations

import base64
from typing import Any

from django.utils import translation

from vigie.connectors.actions import MAX_PAGES_PER_RUN, do_claim_source, do_release_source
from vigie.connectors.contract import WebhookRequest
from vigie.core import jobs, pipeline
from vigie.mentions.ingest import do_fetch_source, do_receive_webhook


@jobs.job(pipeline.FETCH_SOURCE_JOB, max_attempts=1)
@jobs.job(pipeline.FETCH_SOURCE_JOB_FORMER_NAME, max_attempts=1)
def fetch_source(source_id: int, max_pages: int = MAX_PAGES_PER_RUN, claimer: str = "") -> dict[str, Any]:
    """Fetch one source now if no other worker holds it; returns what was read."""
    claimer = claimer or jobs.worker_id()
    source = do_claim_source(source_id, claimer)
    if source is None:
        return {"skipped": True}
    try:
        # What the source's health keeps (a connector's or the egress policy's error) reads in the
        # organisation's language: no request says which language to use here.
        with translation.override(source.organisation.language):
            return do_fetch_source(source, max_pages=max_pages).as_dict()
    finally:
        do_release_source(source, claimer)


@jobs.job(pipeline.RECEIVE_WEBHOOK_JOB, max_attempts=1)
def receive_webhook(source_id: int, headers: dict[str, str], body: str) -> dict[str, Any]:
    """Store a signed delivery (``body``: the request's bytes in base64); returns the HTTP status
    and the JSON body to answer the sender with."""
    status, answer = do_receive_webhook(
        source_id, WebhookRequest(headers=headers, body=base64.b64decode(body))
    )
    return {"status": status, "body": answer}
