"""Types and schemas shared by every app's API router."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from ninja.errors import HttpError, ValidationError
from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from vigie.core.models import Team, User


def _iso_utc(value: datetime) -> str:
    # Always an explicit offset ("+00:00"), never a naive time nor Django's "Z" shortening.
    return value.astimezone(UTC).isoformat()


_NUMBER = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*")


def _not_a_number(value: Any) -> Any:
    # Pydantic reads a number as a Unix timestamp ("until=0.5" would mean 1970): the API documents
    # ISO 8601 text only, and says so rather than guess.
    if isinstance(value, bool | int | float) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("Expected an ISO 8601 date or time, not a number.")
    return value


ApiDateTime = Annotated[
    datetime,
    BeforeValidator(_not_a_number),
    PlainSerializer(_iso_utc, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2025-03-14T09:30:00+00:00"}),
]
"""A datetime written as ISO 8601 with its UTC offset."""

ApiDate = Annotated[date, BeforeValidator(_not_a_number)]
"""A day written YYYY-MM-DD (a number is refused, not read as a timestamp)."""

MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000_000

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""The id of a stored object: a positive 64-bit integer (a larger one is refused with 422 instead of
overflowing the database driver)."""

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]
"""How many results to skip."""


# Patterns the API's input schemas share, so that what the OpenAPI calls valid is what the actions
# accept (a generated client, or Schemathesis, never meets a refusal the schema did not announce).
NON_BLANK = r"\S"
"""At least one character that is not a space."""
WEB_LINK = r"^(?:https?://\S+)?$"
"""Empty, or an http(s) link without spaces."""
PHONE = r"^\+?(?:[ .()\-]*[0-9]){6,20}[ .()\-]*$"
"""A phone number as people type it: at least six digits, with spaces, dots, dashes, brackets."""
EMAIL: dict[str, Any] = {"format": "email"}
"""The JSON Schema of an e-mail address (checked by Django's ``validate_email``)."""


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
WRITE_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
}


def invalid(loc: Sequence[str | int], message: str, kind: str = "value_error") -> ValidationError:
    """A 422 error about one field, in Ninja's own shape."""
    return ValidationError([{"type": kind, "loc": list(loc), "msg": message}])


_CONFLICT_CODES = frozenset({"unique", "unique_together", "conflict", "duplicate", "not_supported"})


def from_django_validation_error(
    error: DjangoValidationError,
    prefix: Sequence[str | int] = ("body", "payload"),
    *,
    field_names: Mapping[str, str] | None = None,
    non_field: str | None = None,
) -> ValidationError | HttpError:
    """Turn a model or action ``ValidationError`` into the API's error.

    An error tied to no field (the object's state refuses the action: a reply already published,
    nothing awaiting approval) or a duplicate (a unique constraint) is a 409 conflict: the request
    was well formed, the object's current state is what refuses it. Otherwise a 422 naming the API's
    fields: ``field_names`` maps model field names to API ones; errors not tied to a field are put
    on ``non_field`` when given.
    """
    names = field_names or {}
    errors: list[dict[str, Any]] = []
    messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    codes = (
        {item.code for item in error.error_list}
        if not hasattr(error, "error_dict")
        else {item.code for items in error.error_dict.values() for item in items}
    )
    if codes & _CONFLICT_CODES or (non_field is None and set(messages) == {NON_FIELD_ERRORS}):
        return HttpError(409, " ".join(message for group in messages.values() for message in group))
    for name, field_messages in messages.items():
        if name == NON_FIELD_ERRORS:
            loc = [*prefix, non_field] if non_field else list(prefix)
        else:
            loc = [*prefix, names.get(name, name)]
        errors.extend({"type": "value_error", "loc": loc, "msg": message} for message in field_messages)
    return ValidationError(errors)
