"""The outbox on a real Celery worker through a real Redis broker (runs when VIGIE_TEST_REDIS_URL is set)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery import Celery
from django.db import transaction

from vigie.conftest import make_tenant
from vigie.connectors.testing import FakePlatform
from vigie.core.tests.test_celery import celery_mode, needs_redis, wait_for  # noqa: F401  (fixture)
from vigie.inbox.models import Publication, PublicationState, ReplyStatus
from vigie.inbox.outbox.publishing import do_queue_publication
from vigie.inbox.outbox.tests.test_publishing import STATUSES, fixture, mastodon_case
from vigie.inbox.tests.factories import make_reply

pytestmark = pytest.mark.celery


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        yield fake


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_reply_queued_twice_is_published_once_by_the_celery_worker(
    celery_mode: Celery,  # noqa: F811
    platform: FakePlatform,
) -> None:
    platform.add("POST", STATUSES, json=fixture("mastodon", "status_created.json"))
    tenant = make_tenant("celery-outbox")
    reply = make_reply(mastodon_case(tenant, platform), author=tenant.agent.user, status=ReplyStatus.APPROVED)
    with transaction.atomic():
        do_queue_publication(reply, actor=tenant.agent.user)
    with transaction.atomic():
        do_queue_publication(reply, actor=tenant.agent.user)

    assert wait_for(lambda: Publication.objects.get(reply=reply).state == PublicationState.PUBLISHED)
    assert len(platform.requests_to("POST", STATUSES)) == 1
    reply.refresh_from_db()
    assert reply.external_id == "112383000000000042"
