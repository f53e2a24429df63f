"""Prometheus metrics at ``/metrics``: queue depth, job latency, connector errors, publish failures.

Each app that owns a figure registers a collector (a function returning ``Sample`` values) from
its ``AppConfig.ready``; core only knows how to expose them, so no app reaches above its layer.
Samples are computed from the database at scrape time: nothing to keep in memory between scrapes,
and every process of a deployment answers the same figures.

The endpoint is off unless ``VIGIE_METRICS_TOKEN`` is set; Prometheus then sends it as a bearer
token (``authorization: {credentials: …}`` in its scrape configuration). Figures are counts across
all organisations, never a customer's words.
"""

from __future__ import annotations

import hmac
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

__all__ = ["Sample", "collect", "exposition", "metrics_view", "register_collector"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_SAMPLE = 5000


@dataclass(frozen=True)
class Sample:
    """One value of one metric; ``kind`` is the Prometheus type (gauge or counter)."""

    name: str
    help: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)
    kind: str = "gauge"


Collector = Callable[[], Iterable[Sample]]
_collectors: list[Collector] = []
_lock = threading.Lock()


def register_collector(collector: Collector) -> None:
    """Add ``collector`` to what ``/metrics`` exposes (once, whatever how often it is called)."""
    with _lock:
        if collector not in _collectors:
            _collectors.append(collector)


def collect() -> list[Sample]:
    with _lock:
        collectors = list(_collectors)
    samples: list[Sample] = []
    for collector in collectors:
        samples.extend(collector())
    return samples


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def exposition(samples: Iterable[Sample]) -> str:
    """The Prometheus text format (version 0.0.4) of ``samples``, grouped by metric."""
    by_name: dict[str, list[Sample]] = {}
    for sample in samples:
        by_name.setdefault(sample.name, []).append(sample)
    lines: list[str] = []
    for name in sorted(by_name):
        group = by_name[name]
        lines.append(f"# HELP {name} {group[0].help}")
        lines.append(f"# TYPE {name} {group[0].kind}")
        for sample in group:
            labels = ",".join(f'{key}="{_escape(value)}"' for key, value in sorted(sample.labels.items()))
            lines.append(
                f"{name}{{{labels}}} {_number(sample.value)}" if labels else f"{name} {_number(sample.value)}"
            )
    return "\n".join(lines) + "\n"


def _authorised(request: HttpRequest) -> bool:
    token = os.environ.get("VIGIE_METRICS_TOKEN", "")
    if not token:
        return False
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    # Off, or a wrong token: the same 404, so the endpoint does not announce itself.
    if not _authorised(request):
        raise Http404
    return HttpResponse(exposition(collect()), content_type=CONTENT_TYPE)


# --- core's own figures: the jobs -------------------------------------------------------------


def _celery_queue_depth() -> int | None:
    """Messages waiting in Celery's default queue (Redis broker), or None when it cannot be read."""
    try:
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
        return int(client.llen("celery"))
    except Exception:
        return None


def job_samples() -> list[Sample]:
    from vigie.core.models import Job, JobStatus

    now = timezone.now()
    samples: list[Sample] = []
    if settings.JOBS_MODE == "celery":
        depth = _celery_queue_depth()
        samples.append(
            Sample(
                "vigie_broker_up", "1 when the job broker answered this scrape.", 0 if depth is None else 1
            )
        )
        if depth is not None:
            samples.append(Sample("vigie_jobs_queued", "Jobs waiting to run.", depth, {"queue": "celery"}))
        return samples
    queued = (
        Job.objects.filter(status=JobStatus.QUEUED)
        .values("name")
        .annotate(count=Count("id"), oldest=Min("run_after"))
        .order_by("name")
    )
    for row in queued:
        samples.append(
            Sample("vigie_jobs_queued", "Jobs waiting to run, by job.", row["count"], {"job": row["name"]})
        )
        waited = max((now - row["oldest"]).total_seconds(), 0.0) if row["oldest"] else 0.0
        samples.append(
            Sample(
                "vigie_jobs_oldest_wait_seconds",
                "How long the oldest job due has waited, by job.",
                waited,
                {"job": row["name"]},
            )
        )
    running = Job.objects.filter(status=JobStatus.RUNNING).count()
    samples.append(Sample("vigie_jobs_running", "Jobs running now.", running))
    hour = now - timedelta(hours=1)
    finished = (
        Job.objects.filter(finished_at__gte=hour, claimed_at__isnull=False)
        .values("name", "status")
        .annotate(count=Count("id"))
        .order_by("name", "status")
    )
    for done in finished:
        samples.append(
            Sample(
                "vigie_jobs_finished_last_hour",
                "Jobs finished in the last hour, by job and outcome.",
                done["count"],
                {"job": done["name"], "status": done["status"]},
            )
        )
    for name, latency in _latencies(hour).items():
        samples.append(
            Sample(
                "vigie_job_latency_seconds",
                "Mean time from a job being queued to it finishing, last hour, by job.",
                latency,
                {"job": name},
            )
        )
    return samples


def _latencies(since: datetime) -> dict[str, float]:
    from vigie.core.models import Job

    totals: dict[str, tuple[float, int]] = {}
    # The latest jobs are a fair sample and keep a scrape cheap during a crisis.
    rows = (
        Job.objects.filter(finished_at__gte=since)
        .order_by("-finished_at")
        .values_list("name", "created_at", "finished_at")[:LATENCY_SAMPLE]
    )
    for name, created, finished in rows:
        if finished is None:
            continue
        seconds, count = totals.get(name, (0.0, 0))
        totals[name] = (seconds + max((finished - created).total_seconds(), 0.0), count + 1)
    return {name: seconds / count for name, (seconds, count) in sorted(totals.items()) if count}
