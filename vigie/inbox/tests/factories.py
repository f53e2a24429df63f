"""Small builders of cases and replies for tests (sources, authors and mentions:
``vigie.mentions.tests.factories``)."""

from __future__ import annotations

from typing import Any

from vigie.core.models import Organisation, User
from vigie.inbox.models import Case, CaseStatus, Reply, ReplyStatus
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention


def make_case(
    organisation: Organisation,
    mention: Mention | None = None,
    *,
    status: str = CaseStatus.NEW,
    **fields: Any,
) -> Case:
    """A case on ``mention`` (a new mention when not given)."""
    mention = mention or make_mention(organisation)
    return Case.objects.create(organisation=organisation, mention=mention, status=status, **fields)


def make_reply(case: Case, *, author: User | None = None, **fields: Any) -> Reply:
    fields.setdefault("body", "Merci pour votre retour.")
    fields.setdefault("status", ReplyStatus.DRAFT)
    return Reply.objects.create(organisation=case.organisation, case=case, author=author, **fields)
