"""Fixtures of the alerts tests: a real SMTP server and a real HTTP server on loopback, and a
mention history with a spike."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from vigie.connectors.models import Source
from vigie.connectors.testing import FakePlatform
from vigie.core.models import Organisation
from vigie.core.tests.servers import free_port
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.mentions.tests.factories import make_source


@dataclass
class _Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        message["X-Rcpt-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[_Inbox]:
    """A real SMTP server on 127.0.0.1; Django sends its mail there."""
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def webhook_server() -> Iterator[FakePlatform]:
    """A real HTTP server on 127.0.0.1 that accepts POST /hook and /chat."""
    with FakePlatform() as server:
        server.add("POST", "/hook", json={"ok": True})
        server.add("POST", "/chat", body="ok")
        yield server


def build_history(
    organisation: Organisation,
    now: datetime,
    *,
    source: Source | None = None,
    days: int = 28,
    per_hour: float = 2.0,
    seed: int = 7,
) -> Source:
    """A quiet, regular stream of mentions over ``days`` (a third of them negative)."""
    rng = random.Random(seed)
    source = source or make_source(organisation, name="Avis Google")
    rows = []
    start = now - timedelta(days=days)
    moment = start
    n = 0
    while moment < now - timedelta(hours=2):
        moment += timedelta(hours=rng.expovariate(per_hour))
        n += 1
        negative = rng.random() < 0.33
        rows.append(
            Mention(
                organisation=organisation,
                source=source,
                external_id=f"bg-{seed}-{n}",
                kind=MentionKind.REVIEW,
                text="Un avis ordinaire.",
                created_at=moment,
                sentiment=Sentiment.NEGATIVE if negative else Sentiment.POSITIVE,
                rating=1 if negative and rng.random() < 0.3 else 4,
            )
        )
    Mention.objects.bulk_create(rows, batch_size=2000)
    return source


def add_spike(
    organisation: Organisation, source: Source, now: datetime, count: int = 40, minutes: int = 15
) -> None:
    """``count`` negative mentions in the last ``minutes``."""
    Mention.objects.bulk_create(
        Mention(
            organisation=organisation,
            source=source,
            external_id=f"spike-{i}-{now.timestamp()}",
            kind=MentionKind.REVIEW,
            text="Panne générale, impossible de joindre le service client !",
            created_at=now - timedelta(seconds=minutes * 60 * i / count),
            sentiment=Sentiment.NEGATIVE,
            rating=1,
        )
        for i in range(count)
    )


@pytest.fixture
def now() -> datetime:
    return timezone.now()
