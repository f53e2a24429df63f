"""Helpers shared by Vigie's management commands."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from vigie.core.models import Membership, Organisation, User

USAGE_ERROR = 2


def fail(message: str) -> CommandError:
    """A one-line error that exits with status 2 and no traceback."""
    return CommandError(message, returncode=USAGE_ERROR)


def organisation_or_fail(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise fail(f"unknown organisation {slug!r}")
    return organisation


def user_or_fail(email: str) -> User:
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise fail(f"unknown user {email!r}")
    return user


def membership_or_fail(user: User, slug: str | None) -> Membership:
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    if slug:
        membership = memberships.filter(organisation__slug=slug).first()
        if membership is None:
            organisation_or_fail(slug)
            raise fail(f"{user.email} is not a member of {slug!r}")
        return membership
    found = list(memberships[:2])
    if not found:
        raise fail(f"{user.email} belongs to no organisation")
    if len(found) > 1:
        raise fail(f"{user.email} belongs to several organisations: add --org SLUG")
    return found[0]


def validation_message(exc: ValidationError) -> str:
    """Flatten a model validation error into one line naming the fields."""
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)
