"""API routes of the connectors: the sources an organisation reads, and their health.

Credentials, connector configuration and cursors are never part of an answer.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from vigie.connectors.models import Source, SourceState
from vigie.core.api_auth import require
from vigie.core.api_schemas import ApiDateTime, ErrorOut
from vigie.core.roles import MANAGE
from vigie.core.tenancy import scoped

router = Router(tags=["sources"])


class SourceOut(Schema):
    id: int
    platform: str
    name: str
    location_id: int | None
    account_handle: str = Field(description="The organisation's own account on the platform.")
    language: str
    state: SourceState
    poll_interval_seconds: int
    last_success_at: ApiDateTime | None
    last_error_at: ApiDateTime | None
    last_error: str
    next_poll_at: ApiDateTime | None
    rate_limited_until: ApiDateTime | None
    items_fetched: int
    created_at: ApiDateTime

    @staticmethod
    def of(source: Source) -> SourceOut:
        return SourceOut(
            id=source.pk,
            platform=source.platform,
            name=source.name,
            location_id=source.location_id,
            account_handle=source.account_handle,
            language=source.language,
            state=SourceState(source.state),
            poll_interval_seconds=source.poll_interval_seconds,
            last_success_at=source.last_success_at,
            last_error_at=source.last_error_at,
            last_error=source.last_error,
            next_poll_at=source.next_poll_at,
            rate_limited_until=source.rate_limited_until,
            items_fetched=source.items_fetched,
            created_at=source.created_at,
        )


@router.get(
    "/sources",
    response={200: list[SourceOut], 401: ErrorOut, 403: ErrorOut},
    summary="List sources and their health (manager and above)",
)
def list_sources(request: HttpRequest) -> list[SourceOut]:
    member = require(request, MANAGE)
    # Only the listed columns are read: the encrypted credentials never even leave the database.
    sources = (
        scoped(Source, member.organisation)
        .filter(removed_at__isnull=True)
        .defer("credentials_encrypted", "config", "cursor")
    )
    return [SourceOut.of(source) for source in sources.order_by("name")]
