"""The organisation's answer already on the platform, as ingestion stores it and the GDPR duties
clear it (it greets the customer by name)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vigie.conftest import Tenant
from vigie.connectors.contract import AuthorIn, MentionIn, Page
from vigie.connectors.models import Source
from vigie.mentions.actions import (
    do_erase_mentions,
    do_ingest_page,
    do_pseudonymise_mentions,
    do_redact_mentions,
)
from vigie.mentions.models import Mention, MentionRevision
from vigie.mentions.tests.factories import make_source

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ANSWER = "Bonjour Nathalie, merci pour votre retour : nous vous rappelons au 06 12 34 56 78."


def review(reply: str = "", replied: datetime | None = None, **fields: Any) -> MentionIn:
    return MentionIn(
        external_id="r1",
        kind="review",
        created_at=T0,
        text="Remboursement trop lent.",
        author=AuthorIn(external_id="a1", display_name="Nathalie F."),
        owner_reply_text=reply,
        owner_reply_at=replied,
        **fields,
    )


@pytest.fixture
def source(tenant: Tenant) -> Source:
    return make_source(tenant.organisation, platform="google_business")


def test_an_answer_that_appears_changes_or_goes_is_followed_without_a_revision(source: Source) -> None:
    do_ingest_page(source, Page([review()], {}))
    replied = T0 + timedelta(hours=3)
    counts = do_ingest_page(source, Page([review(ANSWER, replied)], {}))
    assert counts.updated == 1
    mention = Mention.objects.get(source=source)
    assert (mention.owner_reply_text, mention.owner_reply_at) == (ANSWER, replied)
    # The customer's words did not change: no revision of them.
    assert not MentionRevision.objects.filter(mention=mention).exists()
    assert do_ingest_page(source, Page([review(ANSWER, replied)], {})).unchanged == 1
    # Deleted on the platform: gone here too, date included.
    do_ingest_page(source, Page([review()], {}))
    mention.refresh_from_db()
    assert (mention.owner_reply_text, mention.owner_reply_at) == ("", None)


def test_pseudonymising_erasing_and_redacting_clear_the_answer(tenant: Tenant, source: Source) -> None:
    replied = T0 + timedelta(hours=3)
    do_ingest_page(source, Page([review(ANSWER, replied)], {}))
    mention = Mention.objects.get(source=source)

    do_redact_mentions(tenant.organisation, [mention.pk], ["Nathalie", "06 12 34 56 78"])
    mention.refresh_from_db()
    assert "Nathalie" not in mention.owner_reply_text
    assert "06 12" not in mention.owner_reply_text
    assert mention.owner_reply_text.startswith("Bonjour [effacé]")

    do_erase_mentions(tenant.organisation, [mention.pk], placeholder="[effacé]", erased_at=T0)
    mention.refresh_from_db()
    assert mention.owner_reply_text == ""
    # When it was answered stays: the response rate and delays still count it.
    assert mention.owner_reply_at == replied

    Mention.objects.filter(pk=mention.pk).update(owner_reply_text=ANSWER)
    do_pseudonymise_mentions(tenant.organisation, [mention.pk])
    mention.refresh_from_db()
    assert mention.owner_reply_text == ""
