"""What privacy does when evidence lifts a legal hold: the erasure that hold deferred is queued
(a job after the commit, so lifting never waits for an erasure nor fails with one)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from vigie.core.jobs import enqueue
from vigie.privacy.models import DeferredErasure

DEFERRED_JOB = "privacy.erase_deferred"


def on_hold_lifted(sender: Any, hold: Any, actor: Any = None, **kwargs: Any) -> None:
    organisation_id = hold.organisation_id
    if not DeferredErasure.objects.filter(organisation_id=organisation_id, done_at__isnull=True).exists():
        return
    payload = {"organisation_id": organisation_id, "actor_id": getattr(actor, "pk", None)}
    transaction.on_commit(
        lambda: enqueue(DEFERRED_JOB, payload, dedupe_key=f"{DEFERRED_JOB}:{organisation_id}")
    )
