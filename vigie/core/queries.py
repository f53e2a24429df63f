"""Reads of the core domain."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet
from django.utils import timezone

from vigie.core.actions import TOKEN_PREFIX, token_digest
from vigie.core.audit import GENESIS_HASH, KEYED, UNKEYED, ChainReport, hash_matches
from vigie.core.models import (
    ApiToken,
    AuditEvent,
    Location,
    LocationGroup,
    LoginThrottle,
    Membership,
    Notification,
    Organisation,
    Team,
    User,
)
from vigie.core.throttle import throttle_wait


def active_memberships(user: User) -> QuerySet[Membership]:
    """The organisations a user may enter, with their role in each."""
    return (
        Membership.objects.filter(user=user, is_active=True, user__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def membership_for(user: User, organisation_id: int | None) -> Membership | None:
    """The user's active membership in ``organisation_id``, or their first one when it is None."""
    memberships = active_memberships(user)
    if organisation_id is not None:
        return memberships.filter(organisation_id=organisation_id).first()
    return memberships.first()


def get_organisation(slug: str) -> Organisation | None:
    """The organisation with ``slug``, if any."""
    return Organisation.objects.filter(slug=slug).first()


def token_from_secret(secret: str) -> ApiToken | None:
    """The active token matching a presented bearer secret, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = (
        ApiToken.objects.select_related("membership__organisation", "membership__user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, token_digest(secret)):
        return None
    membership = token.membership
    if not (membership.is_active and membership.user.is_active):
        return None
    return token


def login_wait_seconds(keys: list[str], now: datetime | None = None) -> int:
    """How long a client must wait before its next sign-in attempt is even checked (0: go ahead)."""
    now = now or timezone.now()
    wait = max((throttle_wait(t, now) for t in LoginThrottle.objects.filter(key__in=keys)), default=0.0)
    return int(wait + 0.999) if wait > 0 else 0


def audit_events(organisation: Organisation) -> QuerySet[AuditEvent]:
    """An organisation's audit log in chain order."""
    return AuditEvent.objects.for_org(organisation).order_by("seq")


def audit_events_for(organisation: Organisation, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """The events about one object: its timeline."""
    return audit_events(organisation).filter(object_type=object_type, object_id=object_id)


def verify_audit_chain(organisation: Organisation) -> ChainReport:
    """Recompute an organisation's chain and report the first event that breaks it.

    Keyed events are checked with the audit key (``core.audit``); unkeyed ones (recorded before
    keying) are accepted only at the start of the chain and only when a keyed event follows them.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    first = audit_events(organisation).first()
    if first is not None and first.seq != 1:
        # Retention removed the oldest events: the newest ``audit.pruned`` event (itself checked
        # below, keyed) says where the chain now starts and which hash it continues from.
        pruned = audit_events(organisation).filter(verb="audit.pruned").order_by("-seq").first()
        data = pruned.data if pruned is not None else {}
        if data.get("through_seq") != first.seq - 1 or data.get("last_hash") != first.prev_hash:
            return ChainReport(organisation.slug, 0, False, first.seq - 1, "missing event (gap in sequence)")
        expected_prev = first.prev_hash
        expected_seq = first.seq
    count = 0
    unkeyed = 0
    last_version = UNKEYED
    events: Iterator[AuditEvent] = audit_events(organisation).iterator(chunk_size=2000)
    for event in events:
        count += 1
        if event.seq != expected_seq:
            return ChainReport(
                organisation.slug, count, False, expected_seq, "missing event (gap in sequence)"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(organisation.slug, count, False, event.seq, "previous hash does not match")
        if event.hash_version == UNKEYED and last_version == KEYED:
            return ChainReport(
                organisation.slug, count, False, event.seq, "unkeyed event after keyed ones (rewritten)"
            )
        fields = {
            "organisation_id": organisation.pk,
            "seq": event.seq,
            "created_at": event.created_at,
            "actor_label": event.actor_label,
            "verb": event.verb,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "data": event.data,
            "prev_hash": event.prev_hash,
        }
        if not hash_matches(fields, event.hash_version, event.hash):
            return ChainReport(
                organisation.slug, count, False, event.seq, "content changed after it was recorded"
            )
        unkeyed += event.hash_version == UNKEYED
        last_version = event.hash_version
        expected_prev = event.hash
        expected_seq += 1
    if count and last_version == UNKEYED:
        # Keying appended a keyed event to every chain that existed: a chain that ends unkeyed
        # was rewritten without the key.
        return ChainReport(
            organisation.slug, count, False, expected_seq - 1, "chain ends with unkeyed events (rewritten)"
        )
    return ChainReport(organisation.slug, count, True, unkeyed=unkeyed)


def active_admin_count(organisation: Organisation) -> int:
    """How many people can still administer ``organisation`` (active admins with active accounts)."""
    return Membership.objects.filter(
        organisation=organisation, role="admin", is_active=True, user__is_active=True
    ).count()


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    """Every membership of ``organisation``, suspended ones included, for the members list."""
    return Membership.objects.for_org(organisation).select_related("user").order_by("user__email")


def active_members(organisation: Organisation) -> QuerySet[Membership]:
    """The members who can act now, by e-mail: neither suspended (membership or account) nor still
    invited (never signed in, no password chosen). What lists of people to pick from offer."""
    return (
        Membership.objects.for_org(organisation)
        .filter(is_active=True, user__is_active=True)
        .exclude(user__last_login__isnull=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .select_related("user")
        .order_by("user__email")
    )


def user_api_tokens(membership: Membership) -> QuerySet[ApiToken]:
    """A member's own API tokens, newest first, revoked ones included so the history stays visible."""
    return ApiToken.objects.filter(membership=membership).order_by("-created_at")


def is_member_email(organisation: Organisation, email: str) -> bool:
    """True when someone with ``email`` already has a membership (active or not) in ``organisation``."""
    return Membership.objects.for_org(organisation).filter(user__email__iexact=email).exists()


def organisation_teams(organisation: Organisation) -> QuerySet[Team]:
    """The organisation's teams by name."""
    return Team.objects.for_org(organisation).order_by("name")


def organisation_locations(organisation: Organisation) -> QuerySet[Location]:
    """The organisation's locations (sites, agencies, shops) by name."""
    return Location.objects.for_org(organisation).order_by("name")


def organisation_location_groups(organisation: Organisation) -> QuerySet[LocationGroup]:
    """The organisation's groups of locations by name, their locations fetched along."""
    return LocationGroup.objects.for_org(organisation).order_by("name").prefetch_related("locations")


def group_location_ids(group: LocationGroup) -> tuple[int, ...]:
    """The ids of ``group``'s locations, sorted: what a filter "this group" narrows to."""
    return tuple(sorted(group.locations.values_list("pk", flat=True)))


def unread_notifications(organisation: Organisation, recipient: User) -> QuerySet[Notification]:
    """``recipient``'s unread notifications in ``organisation``, newest first."""
    return Notification.objects.filter(organisation=organisation, recipient=recipient, read_at__isnull=True)
