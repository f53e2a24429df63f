"""Small builders of sources, locations, teams, authors and mentions for tests (cases and replies:
``vigie.inbox.tests.factories``).

Plain functions with sensible defaults: each test states only what matters to it.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vigie.connectors.models import Source
from vigie.core.models import Location, Organisation, Team
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
