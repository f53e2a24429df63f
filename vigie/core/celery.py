"""The Celery application for scale mode (``CELERY_BROKER_URL`` set).

One generic task, ``vigie.run_job``, runs any registered job by name, so the job functions are the
same in both modes. Periodic jobs become the beat schedule.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from django.conf import settings

_apps: dict[str, Celery] = {}


def get_celery_app(broker_url: str | None = None) -> Celery:
    """The Celery app for ``broker_url`` (default: the configured one), built once."""
    from vigie.core import jobs

    url = broker_url or settings.CELERY_BROKER_URL
    if not url:
        raise RuntimeError("CELERY_BROKER_URL is not set: jobs run embedded in `vigie serve`")
    if url in _apps:
        return _apps[url]
    app = Celery("vigie", broker=url)
    app.conf.update(
        task_acks_late=True,  # a worker that dies mid-job leaves it for another: jobs are idempotent
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        timezone=settings.TIME_ZONE,
        enable_utc=True,
    )

    @app.task(name="vigie.run_job")
    def run_job(name: str, payload: dict[str, Any]) -> None:
        from django.db import close_old_connections, connections

        close_old_connections()
        try:
            jobs.run_now(name, payload)
        finally:
            # Worker threads are reused and outlive requests: give the connection back each time.
            connections.close_all()

    app.conf.beat_schedule = {
        spec.name: {"task": "vigie.run_job", "schedule": spec.every.total_seconds(), "args": (spec.name, {})}
        for spec in jobs.periodic_jobs().values()
    }
    _apps[url] = app
    return app
