"""Housekeeping jobs of the core domain."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from vigie.core import queries
from vigie.core.jobs import periodic
from vigie.core.models import Job, JobStatus, LoginThrottle, Organisation

logger = logging.getLogger(__name__)


@periodic("core.prune_finished_jobs", every=timedelta(hours=6))
def prune_finished_jobs() -> int:
    """Forget finished embedded jobs after a week; failed ones stay a month for diagnosis."""
    now = timezone.now()
    done, _ = Job.objects.filter(status=JobStatus.DONE, finished_at__lt=now - timedelta(days=7)).delete()
    failed, _ = Job.objects.filter(status=JobStatus.FAILED, finished_at__lt=now - timedelta(days=30)).delete()
    return done + failed


@periodic("core.prune_login_throttles", every=timedelta(hours=1))
def prune_login_throttles() -> int:
    """Drop sign-in failure counters that are a day old and not locked."""
    cutoff = timezone.now() - timedelta(days=1)
    deleted, _ = LoginThrottle.objects.filter(last_failure_at__lt=cutoff, locked_until__isnull=True).delete()
    expired, _ = LoginThrottle.objects.filter(locked_until__lt=cutoff).delete()
    return deleted + expired


@periodic("core.verify_audit_chains", every=timedelta(days=1))
def verify_audit_chains() -> list[str]:
    """Check every organisation's audit chain daily and log loudly when one is broken."""
    broken = []
    for organisation in Organisation.objects.all():
        report = queries.verify_audit_chain(organisation)
        if not report.ok:
            broken.append(organisation.slug)
            logger.error(
                "audit chain of %s broken at event %s: %s",
                organisation.slug,
                report.broken_at_seq,
                report.reason,
            )
    return broken
