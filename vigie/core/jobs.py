"""The jobs seam: one way to run background work, embedded or on Celery.

A job is a plain function registered under a name, taking JSON-serialisable keyword arguments.
``enqueue`` hands it to whichever mode is configured:

* embedded (no ``CELERY_BROKER_URL``): a row in the ``Job`` table, created in the caller's
  transaction, picked up by the worker threads of ``vigie serve``. Each worker claims a row with
  a conditional UPDATE, so two threads or two processes never run the same job.
* Celery: the same name and payload are sent to the broker once the caller's transaction commits;
  ``vigie worker`` runs the very same function.

Periodic jobs are declared with ``@periodic``; embedded mode schedules them from the
``PeriodicJobState`` table (claimed atomically, so several processes never double-schedule) and
Celery mode turns them into a beat schedule.

Jobs must be idempotent: a retry after a crash runs them again.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from vigie.core.db import yield_writer
from vigie.core.models import Job, JobStatus, PeriodicJobState

logger = logging.getLogger(__name__)

F_ = TypeVar("F_", bound=Callable[..., Any])

STALE_AFTER = timedelta(minutes=30)
RETRY_BASE_SECONDS = 10


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., Any]
    max_attempts: int


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    every: timedelta


_jobs: dict[str, JobSpec] = {}
_periodic: dict[str, PeriodicSpec] = {}
_discovered = False


class UnknownJob(LookupError):
    """No job is registered under that name."""


def job(name: str, *, max_attempts: int = 3) -> Callable[[F_], F_]:
    """Register a function as a job. Registering the same name twice is an error."""

    def decorator(func: F_) -> F_:
        existing = _jobs.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"job {name!r} is already registered by {existing.func.__module__}")
        _jobs[name] = JobSpec(name, func, max_attempts)
        return func

    return decorator


def periodic(name: str, *, every: timedelta, max_attempts: int = 1) -> Callable[[F_], F_]:
    """Register a job that runs every ``every`` without arguments."""

    def decorator(func: F_) -> F_:
        job(name, max_attempts=max_attempts)(func)
        _periodic[name] = PeriodicSpec(name, every)
        return func

    return decorator


def discover() -> None:
    """Import every app's ``tasks`` module so its jobs are registered."""
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")
        _discovered = True


def registered_jobs() -> dict[str, JobSpec]:
    discover()
    return dict(_jobs)


def periodic_jobs() -> dict[str, PeriodicSpec]:
    discover()
    return dict(_periodic)


def _spec(name: str) -> JobSpec:
    discover()
    try:
        return _jobs[name]
    except KeyError:
        raise UnknownJob(name) from None


def _round_trip(payload: dict[str, Any] | None) -> dict[str, Any]:
    # Both modes see exactly what survives JSON, so a job that works embedded works on Celery.
    try:
        result: dict[str, Any] = json.loads(json.dumps(payload or {}))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"job payload is not JSON-serialisable: {exc}") from exc
    return result


def enqueue(
    name: str,
    payload: dict[str, Any] | None = None,
    *,
    dedupe_key: str = "",
    delay: timedelta | None = None,
) -> str:
    """Schedule job ``name`` with ``payload``; returns the job id.

    With a ``dedupe_key``, enqueuing while an identical job is still pending returns the pending
    job's id instead of adding another (embedded mode; Celery mode relies on idempotent jobs).
    """
    spec = _spec(name)
    data = _round_trip(payload)
    run_after = timezone.now() + (delay or timedelta(0))
    if settings.JOBS_MODE == "celery":
        job_id = str(uuid.uuid4())
        countdown = delay.total_seconds() if delay else None

        def send() -> None:
            from vigie.core.celery import get_celery_app

            get_celery_app().send_task(
                "vigie.run_job", args=[spec.name, data], task_id=job_id, countdown=countdown
            )

        transaction.on_commit(send)
        return job_id
    try:
        with transaction.atomic():
            created = Job.objects.create(
                name=spec.name,
                payload=data,
                dedupe_key=dedupe_key,
                run_after=run_after,
                max_attempts=spec.max_attempts,
            )
    except IntegrityError:
        pending = Job.objects.filter(
            dedupe_key=dedupe_key, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).first()
        if pending is None:  # it finished between our insert and this read: try once more
            return enqueue(name, payload, dedupe_key=dedupe_key, delay=delay)
        return str(pending.id)
    return str(created.id)


def run_now(name: str, payload: dict[str, Any] | None = None) -> Any:
    """Run a job synchronously in this process (CLI "do it now" commands and tests)."""
    return _spec(name).func(**_round_trip(payload))


# --- embedded mode -----------------------------------------------------------------------------


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim_next(claimer: str) -> Job | None:
    """Atomically take the oldest due job; None when nothing is due."""
    now = timezone.now()
    candidates = list(
        Job.objects.filter(status=JobStatus.QUEUED, run_after__lte=now)
        .order_by("run_after")
        .values_list("id", flat=True)[:10]
    )
    for job_id in candidates:
        taken = Job.objects.filter(id=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, claimed_by=claimer, claimed_at=now, attempts=F("attempts") + 1
        )
        if taken:
            return Job.objects.get(id=job_id)
    return None


def execute(job_row: Job) -> bool:
    """Run a claimed job and record the outcome; True on success."""
    try:
        spec = _spec(job_row.name)
        spec.func(**job_row.payload)
    except Exception as exc:
        logger.exception("job %s (%s) failed on attempt %s", job_row.name, job_row.id, job_row.attempts)
        error = f"{type(exc).__name__}: {exc}"[:4000]
        if job_row.attempts < job_row.max_attempts:
            backoff = timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (job_row.attempts - 1))
            Job.objects.filter(id=job_row.id, status=JobStatus.RUNNING).update(
                status=JobStatus.QUEUED, run_after=timezone.now() + backoff, error=error, claimed_by=""
            )
        else:
            Job.objects.filter(id=job_row.id, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, finished_at=timezone.now(), error=error
            )
        return False
    Job.objects.filter(id=job_row.id, status=JobStatus.RUNNING).update(
        status=JobStatus.DONE, finished_at=timezone.now(), error=""
    )
    return True


def run_pending(claimer: str | None = None, limit: int | None = None) -> int:
    """Run due jobs until none is left (or ``limit`` ran); returns how many ran."""
    claimer = claimer or worker_id()
    ran = 0
    while limit is None or ran < limit:
        job_row = claim_next(claimer)
        if job_row is None:
            break
        execute(job_row)
        ran += 1
    return ran


def schedule_due_periodic_jobs() -> list[str]:
    """Enqueue each periodic job whose time has come; returns the names enqueued."""
    now = timezone.now()
    enqueued = []
    for spec in periodic_jobs().values():
        state, _ = PeriodicJobState.objects.get_or_create(name=spec.name, defaults={"next_run_at": now})
        if state.next_run_at > now:
            continue
        # Only the process whose UPDATE moves next_run_at forward enqueues this round.
        moved = PeriodicJobState.objects.filter(pk=state.pk, next_run_at=state.next_run_at).update(
            last_run_at=now, next_run_at=now + spec.every
        )
        if moved:
            enqueue(spec.name, dedupe_key=f"periodic:{spec.name}")
            enqueued.append(spec.name)
    return enqueued


def requeue_stale_jobs() -> int:
    """Put back jobs whose worker died mid-run (claimed long ago, never finished)."""
    cutoff = timezone.now() - STALE_AFTER
    return Job.objects.filter(status=JobStatus.RUNNING, claimed_at__lt=cutoff).update(
        status=JobStatus.QUEUED, claimed_by=""
    )


class EmbeddedRunner:
    """Worker threads plus one scheduler thread, living inside ``vigie serve``."""

    def __init__(self, threads: int = 2, poll_seconds: float = 1.0) -> None:
        self.threads = threads
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        discover()
        for index in range(self.threads):
            thread = threading.Thread(target=self._work, name=f"vigie-worker-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        scheduler = threading.Thread(target=self._schedule, name="vigie-scheduler", daemon=True)
        scheduler.start()
        self._threads.append(scheduler)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    def _work(self) -> None:
        claimer = worker_id()
        while not self._stop.is_set():
            try:
                close_old_connections()
                job_row = claim_next(claimer)
                if job_row is None:
                    self._stop.wait(self.poll_seconds)
                    continue
                execute(job_row)
                # Jobs come back to back after an import: step aside so the importer, a webhook
                # or a page gets SQLite's write lock in between (vigie.core.db).
                yield_writer()
            except Exception:
                logger.exception("embedded worker loop error")
                self._stop.wait(self.poll_seconds)
        connections.close_all()

    def _schedule(self) -> None:
        while not self._stop.is_set():
            try:
                close_old_connections()
                requeue_stale_jobs()
                schedule_due_periodic_jobs()
            except Exception:
                logger.exception("embedded scheduler loop error")
            self._stop.wait(max(self.poll_seconds, 5.0))
        connections.close_all()
