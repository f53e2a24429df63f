"""Liveness and readiness for orchestrators and load balancers: ``/health/`` and ``/ready/``.

``/health/`` answers as long as the process serves requests (restart it otherwise). ``/ready/``
answers 200 only when the process can do its work: the database answers, every migration is
applied, and in scale mode the job broker answers; 503 otherwise, naming the check that failed
(never its error text, which may hold an address or a credential).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

_migrations_ok = False


def _database() -> bool:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _migrations() -> bool:
    global _migrations_ok
    if not _migrations_ok:
        # Once applied, migrations stay applied for the life of the process: checked until then.
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrations_ok = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrations_ok


def _broker() -> bool:
    if settings.JOBS_MODE != "celery":
        return True
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2)
    return bool(client.ping())


CHECKS: dict[str, Callable[[], bool]] = {"database": _database, "migrations": _migrations, "broker": _broker}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "failed"
        except Exception:
            results[name] = "failed"
    ready_now = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if ready_now else "unavailable", "checks": results}, status=200 if ready_now else 503
    )
