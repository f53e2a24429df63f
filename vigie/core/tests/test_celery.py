"""Scale mode: the same jobs run on a real Celery worker through a real Redis broker.

Runs when VIGIE_TEST_REDIS_URL points at a Redis server (CI sets it); skipped otherwise, because a
user's machine running `make test` has no Redis.
"""

import os
import time
from collections.abc import Iterator

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from pytest_django.fixtures import Settings

from vigie.core import jobs
from vigie.core.celery import get_celery_app
from vigie.core.models import AuditEvent, Job, Organisation
from vigie.core.tests.test_jobs import record  # noqa: F401  (registers the "tests.record" job)

REDIS_URL = os.environ.get("VIGIE_TEST_REDIS_URL", "")

pytestmark = pytest.mark.celery
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="set VIGIE_TEST_REDIS_URL to run against a real Redis")


@pytest.fixture
def celery_mode(settings: Settings) -> Iterator[Celery]:
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.JOBS_MODE = "celery"
    app = get_celery_app(REDIS_URL)
    app.control.purge()
    with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
        yield app


def wait_for(predicate: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_job_enqueued_in_celery_mode_runs_on_the_worker(celery_mode: Celery) -> None:
    organisation = Organisation.objects.create(slug="celery", name="Celery")
    with transaction.atomic():
        for n in range(5):
            jobs.enqueue("tests.record", {"organisation_id": organisation.pk, "n": n})
        # Nothing is sent before the caller's transaction commits.
        assert not AuditEvent.objects.filter(verb="test.job_ran").exists()
    events = AuditEvent.objects.for_org(organisation).filter(verb="test.job_ran")
    assert wait_for(lambda: events.count() == 5), "the Celery worker did not run the jobs"
    assert sorted(e.data["n"] for e in events) == [0, 1, 2, 3, 4]
    assert not Job.objects.exists(), "celery mode does not use the embedded queue table"


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing(celery_mode: Celery) -> None:
    organisation = Organisation.objects.create(slug="rollback", name="Rollback")
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("tests.record", {"organisation_id": organisation.pk, "n": 1})
        raise RuntimeError("the request failed")
    jobs.enqueue("tests.record", {"organisation_id": organisation.pk, "n": 2})
    events = AuditEvent.objects.for_org(organisation).filter(verb="test.job_ran")
    assert wait_for(lambda: events.count() >= 1)
    time.sleep(1)
    assert [e.data["n"] for e in events] == [2]


def test_periodic_jobs_become_the_beat_schedule() -> None:
    # Building the app connects to nothing, so this runs without a broker.
    schedule = get_celery_app(REDIS_URL or "redis://127.0.0.1:1/0").conf.beat_schedule
    assert schedule["core.prune_finished_jobs"]["task"] == "vigie.run_job"
    assert schedule["core.prune_finished_jobs"]["schedule"] == 6 * 3600
