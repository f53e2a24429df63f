"""The jobs seam in embedded mode: run once, retry, deduplicate, schedule periodic work."""

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core import jobs
from vigie.core.actions import do_record_audit_event
from vigie.core.models import AuditEvent, Job, JobStatus, Organisation, PeriodicJobState

FAILURES: dict[str, int] = {}


@jobs.job("tests.record")
def record(organisation_id: int, n: int) -> None:
    """Leaves a trace in the audit log, so a test can count how often a job ran."""
    do_record_audit_event(Organisation.objects.get(pk=organisation_id), "test.job_ran", data={"n": n})


@jobs.job("tests.flaky", max_attempts=3)
def flaky(key: str, fail_times: int) -> None:
    FAILURES[key] = FAILURES.get(key, 0) + 1
    if FAILURES[key] <= fail_times:
        raise RuntimeError(f"attempt {FAILURES[key]} failed")


def runs_of(tenant: Tenant) -> list[int]:
    events = AuditEvent.objects.for_org(tenant.organisation).filter(verb="test.job_ran")
    return sorted(event.data["n"] for event in events)


def test_an_enqueued_job_runs_with_its_payload(tenant: Tenant) -> None:
    job_id = jobs.enqueue("tests.record", {"organisation_id": tenant.organisation.pk, "n": 7})
    assert Job.objects.get(id=job_id).status == JobStatus.QUEUED
    assert jobs.run_pending() == 1
    assert runs_of(tenant) == [7]
    assert Job.objects.get(id=job_id).status == JobStatus.DONE


def test_a_delayed_job_waits_for_its_time(tenant: Tenant) -> None:
    jobs.enqueue(
        "tests.record", {"organisation_id": tenant.organisation.pk, "n": 1}, delay=timedelta(hours=1)
    )
    assert jobs.run_pending() == 0
    Job.objects.update(run_after=timezone.now())
    assert jobs.run_pending() == 1


def test_payloads_must_survive_json_like_on_celery(tenant: Tenant) -> None:
    with pytest.raises(TypeError, match="JSON"):
        jobs.enqueue("tests.record", {"organisation_id": tenant.organisation, "n": 1})
    assert not Job.objects.exists()


def test_an_unknown_job_name_is_refused(db: None) -> None:
    with pytest.raises(jobs.UnknownJob):
        jobs.enqueue("tests.nope")


def test_registering_a_different_function_under_a_taken_name_fails_loudly() -> None:
    with pytest.raises(ValueError, match="already registered"):
        jobs.job("tests.record")(lambda: None)


def test_a_dedupe_key_keeps_a_single_pending_job(tenant: Tenant) -> None:
    payload: dict[str, Any] = {"organisation_id": tenant.organisation.pk, "n": 1}
    first = jobs.enqueue("tests.record", payload, dedupe_key="fetch:source-1")
    second = jobs.enqueue("tests.record", payload, dedupe_key="fetch:source-1")
    assert first == second
    jobs.run_pending()
    third = jobs.enqueue("tests.record", payload, dedupe_key="fetch:source-1")
    assert third != first, "once the first has run, the same key may be enqueued again"


def test_a_failing_job_is_retried_with_backoff_then_marked_failed(db: None) -> None:
    job_id = jobs.enqueue("tests.flaky", {"key": "always", "fail_times": 99})
    for attempt in range(1, 4):
        Job.objects.filter(id=job_id).update(run_after=timezone.now())
        assert jobs.run_pending() == 1
        row = Job.objects.get(id=job_id)
        assert row.attempts == attempt
        assert "failed" in row.error
    assert row.status == JobStatus.FAILED
    assert jobs.run_pending() == 0


def test_a_job_that_fails_once_succeeds_on_retry(db: None) -> None:
    job_id = jobs.enqueue("tests.flaky", {"key": "once", "fail_times": 1})
    jobs.run_pending()
    row = Job.objects.get(id=job_id)
    assert row.status == JobStatus.QUEUED
    assert row.run_after > timezone.now(), "the retry waits (backoff)"
    Job.objects.filter(id=job_id).update(run_after=timezone.now())
    jobs.run_pending()
    assert Job.objects.get(id=job_id).status == JobStatus.DONE


def test_a_claimed_job_cannot_be_claimed_again(tenant: Tenant) -> None:
    jobs.enqueue("tests.record", {"organisation_id": tenant.organisation.pk, "n": 1})
    first = jobs.claim_next("worker-a")
    assert first is not None
    assert jobs.claim_next("worker-b") is None


def test_a_job_left_running_by_a_dead_worker_is_requeued(tenant: Tenant) -> None:
    jobs.enqueue("tests.record", {"organisation_id": tenant.organisation.pk, "n": 3})
    claimed = jobs.claim_next("dead-worker")
    Job.objects.filter(id=claimed.id).update(claimed_at=timezone.now() - timedelta(hours=2))
    assert jobs.requeue_stale_jobs() == 1
    assert jobs.run_pending() == 1
    assert runs_of(tenant) == [3]


def test_periodic_jobs_are_scheduled_once_per_interval(db: None) -> None:
    names = jobs.periodic_jobs()
    assert "core.prune_finished_jobs" in names
    first = jobs.schedule_due_periodic_jobs()
    assert set(first) == set(names)
    assert jobs.schedule_due_periodic_jobs() == [], "nothing is due again before its interval"
    PeriodicJobState.objects.filter(name="core.prune_login_throttles").update(next_run_at=timezone.now())
    assert jobs.schedule_due_periodic_jobs() == ["core.prune_login_throttles"]
    assert jobs.run_pending() >= len(names)
    assert not Job.objects.filter(status=JobStatus.FAILED).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_run_every_job_exactly_once() -> None:
    organisation = Organisation.objects.create(slug="race", name="Race")
    for n in range(60):
        jobs.enqueue("tests.record", {"organisation_id": organisation.pk, "n": n})

    def work(name: str) -> None:
        try:
            jobs.run_pending(name)
        finally:
            connections.close_all()

    runners = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(60)
    ran = sorted(e.data["n"] for e in AuditEvent.objects.for_org(organisation).filter(verb="test.job_ran"))
    assert ran == list(range(60))


@pytest.mark.django_db(transaction=True)
def test_the_embedded_runner_works_through_the_queue_in_background_threads() -> None:
    organisation = Organisation.objects.create(slug="bg", name="Background")
    for n in range(10):
        jobs.enqueue("tests.record", {"organisation_id": organisation.pk, "n": n})
    runner = jobs.EmbeddedRunner(threads=2, poll_seconds=0.1)
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while Job.objects.filter(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING], name="tests.record"
        ).exists():
            assert time.monotonic() < deadline, "jobs did not run"
            time.sleep(0.1)
    finally:
        runner.stop()
    ran = sorted(e.data["n"] for e in AuditEvent.objects.for_org(organisation).filter(verb="test.job_ran"))
    assert ran == list(range(10))
