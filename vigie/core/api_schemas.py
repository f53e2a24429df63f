"""Types and schemas shared by every app's API router."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from ninja.errors import ValidationError
from pydantic import Field, PlainSerializer, WithJsonSchema

from vigie.core.models import Team, User


def _iso_utc(value: datetime) -> str:
    # Always an explicit offset ("+00:00"), never a naive time nor Django's "Z" shortening.
    return value.astimezone(UTC).isoformat()


ApiDateTime = Annotated[
    datetime,
    PlainSerializer(_iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2025-03-14T09:30:00+00:00"}),
]
"""A datetime written as ISO 8601 with its UTC offset."""

MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000_000

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""The id of a stored object: a positive 64-bit integer (a larger one is refused with 422 instead of
overflowing the database driver)."""

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
"""How many results to skip."""


class ErrorOut(Schema):
    """What 401, 403 and 404 answers carry."""

    detail: str = Field(examples=["Not Found"])


class ValidationErrorItem(Schema):
    loc: list[str | int] = Field(description="Where the bad value is, e.g. ['body', 'payload', 'name'].")
    msg: str
    type: str


class ValidationErrorOut(Schema):
    """What a 422 answer carries: one entry per bad field."""

    detail: list[ValidationErrorItem]


class UserRef(Schema):
    """A person, as other objects point to them."""

    id: int
    email: str
    name: str

    @staticmethod
    def of(user: User | None) -> UserRef | None:
        if user is None:
            return None
        return UserRef(id=user.pk, email=user.email, name=user.get_full_name() or user.email)


class TeamRef(Schema):
    """A team, as other objects point to it."""

    id: int
    name: str

    @staticmethod
    def of(team: Team | None) -> TeamRef | None:
        return TeamRef(id=team.pk, name=team.name) if team is not None else None


READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


def invalid(loc: Sequence[str | int], message: str, kind: str = "value_error") -> ValidationError:
    """A 422 error about one field, in Ninja's own shape."""
    return ValidationError([{"type": kind, "loc": list(loc), "msg": message}])


def from_django_validation_error(
    error: DjangoValidationError,
    prefix: Sequence[str | int] = ("body", "payload"),
    *,
    field_names: Mapping[str, str] | None = None,
    non_field: str | None = None,
) -> ValidationError:
    """Turn a model or action ``ValidationError`` into a 422 naming the API's fields.

    ``field_names`` maps model field names to API ones; errors not tied to a field (a unique
    constraint over several columns, say) are put on ``non_field`` when given.
    """
    names = field_names or {}
    errors: list[dict[str, Any]] = []
    messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for name, field_messages in messages.items():
        if name == NON_FIELD_ERRORS:
            loc = [*prefix, non_field] if non_field else list(prefix)
        else:
            loc = [*prefix, names.get(name, name)]
        errors.extend({"type": "value_error", "loc": loc, "msg": message} for message in field_messages)
    return ValidationError(errors)
