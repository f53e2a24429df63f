"""Small builders of sources, authors, mentions, cases and replies for tests.

Plain functions with sensible defaults: each test states only what matters to it.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vigie.connectors.models import Source
from vigie.core.models import Location, Organisation, Team, User
from vigie.inbox.models import Case, CaseStatus, Reply, ReplyStatus
from vigie.mentions.models import Author, Mention, MentionKind

_seq = itertools.count(1)


def make_source(organisation: Organisation, platform: str = "google", **fields: Any) -> Source:
    n = next(_seq)
    fields.setdefault("name", f"{platform} source {n}")
    return Source.objects.create(organisation=organisation, platform=platform, **fields)


def make_location(organisation: Organisation, name: str | None = None, **fields: Any) -> Location:
    return Location.objects.create(organisation=organisation, name=name or f"Agence {next(_seq)}", **fields)


def make_team(organisation: Organisation, name: str | None = None) -> Team:
    return Team.objects.create(organisation=organisation, name=name or f"Équipe {next(_seq)}")


def make_author(organisation: Organisation, platform: str = "google", **fields: Any) -> Author:
    n = next(_seq)
    fields.setdefault("external_id", f"author-{n}")
    fields.setdefault("display_name", f"Client {n}")
    return Author.objects.create(organisation=organisation, platform=platform, **fields)


def make_mention(
    organisation: Organisation,
    *,
    source: Source | None = None,
    author: Author | None = None,
    created_at: datetime | None = None,
    rating: float | str | None = None,
    **fields: Any,
) -> Mention:
    """A mention; a source (Google) and an author are created when not given."""
    source = source or make_source(organisation)
    if author is None and fields.pop("with_author", True):
        author = make_author(organisation, platform=source.platform)
    fields.setdefault("kind", MentionKind.REVIEW)
    fields.setdefault("text", "Très bon accueil.")
    fields.setdefault("external_id", f"ext-{next(_seq)}")
    return Mention.objects.create(
        organisation=organisation,
        source=source,
        author=author,
        created_at=created_at or timezone.now() - timedelta(hours=1),
        rating=Decimal(str(rating)) if rating is not None else None,
        **fields,
    )


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
