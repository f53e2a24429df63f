"""Jobs of the inbox; ``vigie.core.jobs.discover`` imports this module."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from vigie.core import pipeline
from vigie.core.jobs import job, periodic
from vigie.core.models import Organisation
from vigie.inbox.outbox import tasks as outbox_tasks  # noqa: F401  (registers the outbox and e-mail jobs)
from vigie.mentions.models import Mention

# --- routing and SLA (comment-handling scheme) ---


@job(pipeline.job_name(pipeline.ROUTE))
def route_mentions(mention_ids: list[int]) -> int:
    """The route step of the pipeline: create or update the cases of these analysed mentions (the
    analysis hands them on). Idempotent; returns how many cases."""
    from vigie.inbox.routing.route import do_route_mentions

    by_organisation: dict[int, list[int]] = {}
    for pk, organisation_id in Mention.objects.filter(pk__any_of=mention_ids).values_list(
        "pk", "organisation_id"
    ):
        by_organisation.setdefault(organisation_id, []).append(pk)
    routed = 0
    for organisation in Organisation.objects.filter(pk__in=by_organisation):
        routed += do_route_mentions(organisation, by_organisation[organisation.pk])
    return routed


@periodic("inbox.sla_watch", every=timedelta(minutes=5))
def sla_watch() -> dict[str, int]:
    """Pause and resume SLA clocks, warn before deadlines, escalate breaches. Idempotent."""
    from vigie.inbox.sla.watch import watch_slas

    return asdict(watch_slas())
