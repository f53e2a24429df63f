"""The pipeline of one mention, declared once: ``ingest`` -> ``analyse`` -> ``route``.

Each step is a job of ``vigie.core.jobs`` owned by one app:

* ``ingest`` (mentions): read a source's pages through its connector and store them
  (``vigie.mentions.ingest``); a file import and a webhook delivery are its other doors;
* ``analyse`` (analysis): run the analyzers on the stored mentions and keep their results;
* ``route`` (inbox): turn the analysed mentions into cases (priority, deadline, team, assignee).

A step hands the mentions it is done with on to the next one by name (``hand_on``), embedded or
on Celery alike, so no app imports the app after it: mentions does not know analysis, analysis
does not know the inbox.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from vigie.core import jobs

INGEST = "ingest"
ANALYSE = "analyse"
ROUTE = "route"

# The ingest step's job: one fetch run of a source (queued by the scheduler and by "fetch now").
FETCH_SOURCE_JOB = "mentions.fetch_source"
# Its name before the mentions app owned it; jobs queued under it still run.
FETCH_SOURCE_JOB_FORMER_NAME = "connectors.fetch_source"
# The ingest step's door for a signed webhook delivery, run at once by the connectors' endpoint.
RECEIVE_WEBHOOK_JOB = "mentions.receive_webhook"

# The steps in order, each with the job that runs it. ``analyse`` and ``route`` take
# ``{"mention_ids": [...]}``; ``ingest`` takes ``{"source_id": ...}``.
STEPS: tuple[tuple[str, str], ...] = (
    (INGEST, FETCH_SOURCE_JOB),
    (ANALYSE, "analysis.analyze_mentions"),
    (ROUTE, "inbox.route_mentions"),
)

_inline: ContextVar[bool] = ContextVar("vigie_pipeline_inline", default=False)


def job_name(step: str) -> str:
    """The name of the job that runs ``step``."""
    for name, job in STEPS:
        if name == step:
            return job
    raise KeyError(f"no pipeline step {step!r} (steps: {', '.join(name for name, _ in STEPS)})")


def next_step(step: str) -> str | None:
    """The step after ``step``; None after the last one."""
    names = [name for name, _ in STEPS]
    position = names.index(step)
    return names[position + 1] if position + 1 < len(names) else None


def hand_on(step: str, mention_ids: Sequence[int]) -> str | None:
    """Give ``mention_ids``, done with by ``step``, to the next step.

    Queues the next step's job (its id is returned), or runs it at once inside ``inline()``.
    Nothing happens (None) without ids, after the last step, or when the next step's job is not
    installed.
    """
    following = next_step(step)
    if not mention_ids or following is None:
        return None
    name = job_name(following)
    if name not in jobs.registered_jobs():
        return None
    payload = {"mention_ids": list(mention_ids)}
    if _inline.get():
        jobs.run_now(name, payload)
        return None
    return jobs.enqueue(name, payload)


@contextmanager
def inline() -> Iterator[None]:
    """Within this block, handing on runs the next step at once, in this process, instead of
    queueing it: for commands that must have finished the chain when they return."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def run_now(step: str, mention_ids: Sequence[int]) -> Any:
    """Run ``step`` on ``mention_ids`` here and now, then the steps after it (``inline``);
    returns what the step's job returns."""
    with inline():
        return jobs.run_now(job_name(step), {"mention_ids": list(mention_ids)})
