"""Every write of the core domain. Each function runs in one transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from vigie.core.audit import CURRENT_VERSION, GENESIS_HASH, audit_keys, event_hash
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
from vigie.core.roles import Role
from vigie.core.throttle import throttle_wait

TOKEN_PREFIX = "vigie_"  # noqa: S105 (a public prefix, not a secret)


def _actor_label(actor: User | None) -> str:
    return actor.email if actor is not None else "system"


@transaction.atomic
def do_record_audit_event(
    organisation: Organisation,
    verb: str,
    *,
    actor: User | None = None,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    at: Any = None,
) -> AuditEvent:
    """Append one event to ``organisation``'s hash-chained log.

    The organisation row is locked first so two concurrent writers cannot both take the same
    ``seq`` (PostgreSQL); SQLite serialises writers already.
    """
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    last = AuditEvent.objects.filter(organisation=organisation).order_by("-seq").first()
    seq = (last.seq + 1) if last else 1
    prev_hash = last.hash if last else GENESIS_HASH
    created_at = (at or timezone.now()).replace(microsecond=0)
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    payload = data or {}
    label = _actor_label(actor)
    event = AuditEvent(
        organisation=organisation,
        seq=seq,
        created_at=created_at,
        actor=actor,
        actor_label=label,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        data=payload,
        prev_hash=prev_hash,
        hash_version=CURRENT_VERSION,
        hash=event_hash(
            organisation_id=organisation.pk,
            seq=seq,
            created_at=created_at,
            actor_label=label,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            data=payload,
            prev_hash=prev_hash,
        ),
    )
    event.save()
    return event


@transaction.atomic
def do_create_organisation(
    slug: str,
    name: str,
    *,
    timezone_name: str = "Europe/Paris",
    language: str = "fr",
    actor: User | None = None,
) -> Organisation:
    """Create a tenant. Raises ``ValidationError`` on a bad slug, time zone or language."""
    organisation = Organisation(slug=slug, name=name, timezone=timezone_name, language=language)
    organisation.full_clean()
    organisation.save()
    do_record_audit_event(organisation, "organisation.created", actor=actor, obj=organisation)
    return organisation


@transaction.atomic
def do_create_member(
    organisation: Organisation,
    email: str,
    role: Role | str,
    *,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    actor: User | None = None,
) -> Membership:
    """Add a person to an organisation with ``role``, creating their user account if needed.

    Without a password the account cannot sign in until a password reset is done.
    """
    role = Role(role)
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name=first_name, last_name=last_name)
        user.full_clean(exclude=["password"])
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    do_record_audit_event(
        organisation,
        "member.added" if created else "member.role_changed",
        actor=actor,
        obj=membership,
        data={"email": email, "role": str(role)},
    )
    return membership


@transaction.atomic
def do_set_member_role(membership: Membership, role: Role | str, *, actor: User | None = None) -> Membership:
    """Change a member's role."""
    role = Role(role)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    do_record_audit_event(
        membership.organisation,
        "member.role_changed",
        actor=actor,
        obj=membership,
        data={"email": membership.user.email, "from": previous, "to": str(role)},
    )
    return membership


# Sent inside the transaction when a member is suspended, with ``membership`` and ``actor``: the
# apps that give people work (the inbox's assigned cases) take it back without core importing them.
member_suspended = Signal()


@transaction.atomic
def do_set_member_active(membership: Membership, active: bool, *, actor: User | None = None) -> Membership:
    """Suspend or restore a member's access to the organisation."""
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    do_record_audit_event(
        membership.organisation,
        "member.restored" if active else "member.suspended",
        actor=actor,
        obj=membership,
        data={"email": membership.user.email},
    )
    if not active:
        member_suspended.send(sender=Membership, membership=membership, actor=actor)
    return membership


@transaction.atomic
def do_create_team(
    organisation: Organisation, name: str, *, description: str = "", actor: User | None = None
) -> Team:
    """Create a team. Raises ``ValidationError`` if the name is taken in the organisation."""
    team = Team(organisation=organisation, name=name, description=description)
    team.full_clean()
    team.save()
    do_record_audit_event(organisation, "team.created", actor=actor, obj=team, data={"name": name})
    return team


@transaction.atomic
def do_add_team_member(team: Team, membership: Membership, *, actor: User | None = None) -> None:
    """Put a member in a team (both must belong to the same organisation)."""
    if team.organisation_id != membership.organisation_id:
        raise ValueError("team and member belong to different organisations")
    team.members.add(membership)
    do_record_audit_event(
        team.organisation, "team.member_added", actor=actor, obj=team, data={"email": membership.user.email}
    )


@transaction.atomic
def do_remove_team_member(team: Team, membership: Membership, *, actor: User | None = None) -> None:
    """Take a member out of a team (the cases assigned to them stay theirs)."""
    if team.organisation_id != membership.organisation_id:
        raise ValueError("team and member belong to different organisations")
    team.members.remove(membership)
    do_record_audit_event(
        team.organisation, "team.member_removed", actor=actor, obj=team, data={"email": membership.user.email}
    )


@transaction.atomic
def do_create_location(
    organisation: Organisation,
    name: str,
    *,
    kind: str = "agency",
    address: str = "",
    city: str = "",
    postcode: str = "",
    timezone_name: str | None = None,
    store_code: str = "",
    actor: User | None = None,
) -> Location:
    """Create a location (site, agency or shop)."""
    location = Location(
        organisation=organisation,
        name=name,
        kind=kind,
        address=address,
        city=city,
        postcode=postcode,
        store_code=store_code,
        timezone=timezone_name or organisation.timezone,
    )
    location.full_clean()
    location.save()
    do_record_audit_event(organisation, "location.created", actor=actor, obj=location, data={"name": name})
    return location


def _group_locations(organisation: Organisation, locations: list[Location]) -> list[Location]:
    """``locations`` once each; a location of another organisation is refused."""
    if any(location.organisation_id != organisation.pk for location in locations):
        raise ValidationError({"locations": _("Lieu inconnu.")})
    return list({location.pk: location for location in locations}.values())


@transaction.atomic
def do_create_location_group(
    organisation: Organisation, name: str, locations: list[Location], *, actor: User | None = None
) -> LocationGroup:
    """Create a group of locations ("Région Sud-Est"). Raises ``ValidationError`` if the name is
    taken in the organisation or a location belongs to another one."""
    members = _group_locations(organisation, locations)
    group = LocationGroup(organisation=organisation, name=name)
    group.full_clean()
    group.save()
    group.locations.set(members)
    do_record_audit_event(
        organisation,
        "location_group.created",
        actor=actor,
        obj=group,
        data={"name": name, "locations": sorted(location.pk for location in members)},
    )
    return group


@transaction.atomic
def do_set_location_group_locations(
    group: LocationGroup, locations: list[Location], *, actor: User | None = None
) -> None:
    """Replace the locations of ``group``."""
    members = _group_locations(group.organisation, locations)
    group.locations.set(members)
    do_record_audit_event(
        group.organisation,
        "location_group.changed",
        actor=actor,
        obj=group,
        data={"locations": sorted(location.pk for location in members)},
    )


@transaction.atomic
def do_delete_location_group(group: LocationGroup, *, actor: User | None = None) -> None:
    """Remove a group; its locations stay. Reports scheduled for it go with it."""
    do_record_audit_event(
        group.organisation, "location_group.deleted", actor=actor, obj=group, data={"name": group.name}
    )
    group.delete()


def token_digest(secret: str) -> str:
    """Digest stored for a token. Tokens are 256-bit random, so a plain SHA-256 is enough."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def do_create_api_token(
    membership: Membership, name: str, *, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Create an API token; the plaintext is returned once and never stored."""
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        membership=membership, name=name, prefix=prefix, digest=token_digest(secret)
    )
    do_record_audit_event(
        membership.organisation,
        "api_token.created",
        actor=actor or membership.user,
        obj=token,
        data={"name": name, "prefix": prefix, "for": membership.user.email},
    )
    return token, secret


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, actor: User | None = None) -> None:
    """Revoke a token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        do_record_audit_event(
            token.membership.organisation,
            "api_token.revoked",
            actor=actor,
            obj=token,
            data={"prefix": token.prefix},
        )


def do_touch_api_token(token: ApiToken) -> None:
    """Record that a token was used (at most once a minute, to spare writes)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


@transaction.atomic
def do_set_user_language(user: User, language: str) -> None:
    """Store a user's interface language ("" follows the organisation)."""
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language"])


@transaction.atomic
def do_claim_login_attempt(keys: list[str]) -> int:
    """Take one sign-in attempt for ``keys``, or return how many seconds they must wait first.

    The attempt is counted as a failure *before* the password is checked (a success clears it),
    with the throttle rows locked for the check and the count together: a burst of parallel
    guesses cannot all read "go ahead" before any of them is counted. On SQLite the transaction
    begins IMMEDIATE (settings), which serialises writers the same way.
    """
    now = timezone.now()
    throttles = [LoginThrottle.objects.select_for_update().get_or_create(key=key)[0] for key in sorted(keys)]
    wait = max((throttle_wait(throttle, now) for throttle in throttles), default=0.0)
    if wait > 0:
        return int(wait + 0.999)
    for throttle in throttles:
        _count_failure(throttle, now)
    return 0


def _count_failure(throttle: LoginThrottle, now: datetime) -> None:
    if throttle.locked_until is not None and throttle.locked_until <= now:
        # The lock has run out: start counting afresh.
        throttle.failures = 0
        throttle.locked_until = None
    throttle.failures += 1
    throttle.last_failure_at = now
    if throttle.failures >= settings.LOGIN_LOCK_AFTER:
        throttle.locked_until = now + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    throttle.save()


@transaction.atomic
def do_record_login_failure(keys: list[str]) -> None:
    """Count one failed sign-in against each key and lock those that reached the limit."""
    now = timezone.now()
    for key in sorted(keys):
        _count_failure(LoginThrottle.objects.select_for_update().get_or_create(key=key)[0], now)


@transaction.atomic
def do_clear_login_failures(keys: list[str]) -> None:
    """Forget failures after a successful sign-in."""
    LoginThrottle.objects.filter(key__in=keys).delete()


@transaction.atomic
def do_update_user_profile(user: User, *, first_name: str, last_name: str) -> User:
    """Change the name a user shows to their colleagues."""
    user.first_name = first_name
    user.last_name = last_name
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name"])
    return user


@transaction.atomic
def do_set_user_password(user: User, raw_password: str) -> None:
    """Replace a user's password (already checked against the validators by the caller's form)."""
    user.set_password(raw_password)
    user.save(update_fields=["password"])


@transaction.atomic
def do_invite_member(organisation: Organisation, email: str, role: Role | str, *, actor: User) -> Membership:
    """Add a person to ``organisation`` and e-mail them a link to choose their password.

    The e-mail leaves only once the membership is committed, in the organisation's language; the
    link is a regular password-reset link, valid ``PASSWORD_RESET_TIMEOUT`` seconds.
    """
    membership = do_create_member(organisation, email, role, actor=actor)
    transaction.on_commit(lambda: _send_invitation(membership.pk, actor.pk))
    return membership


# An invitation is not sent again to the same person within this delay (a double click, an
# impatient admin): the previous e-mail is most likely still on its way.
INVITATION_RESEND_INTERVAL = timedelta(minutes=1)
INVITATION_VERBS = ("member.added", "member.invitation_resent")


@transaction.atomic
def do_resend_invitation(membership: Membership, *, actor: User) -> Membership:
    """E-mail the invitation again to a member who has not come in yet, with a fresh link.

    The previous link stops working: the account's unusable password is drawn again, and the
    reset token is computed from it. Refused (``ValidationError``) when the person is not
    invited any more (they chose a password or were suspended), and when an invitation left less
    than ``INVITATION_RESEND_INTERVAL`` ago.
    """
    user = membership.user
    if not (membership.is_active and user.is_active and user.invitation_pending):
        raise ValidationError(
            _(
                "%(email)s n'attend plus d'invitation : cette personne a déjà choisi son mot de passe ou est suspendue."
            )
            % {"email": user.email}
        )
    last = (
        AuditEvent.objects.filter(
            organisation=membership.organisation,
            object_type=Membership._meta.label_lower,
            object_id=str(membership.pk),
            verb__in=INVITATION_VERBS,
        )
        .order_by("-seq")
        .values_list("created_at", flat=True)
        .first()
    )
    if last is not None and timezone.now() - last < INVITATION_RESEND_INTERVAL:
        raise ValidationError(
            _(
                "Une invitation est partie pour %(email)s il y a moins d'une minute. "
                "Attendez qu'elle arrive, ou réessayez dans une minute."
            )
            % {"email": user.email}
        )
    user.set_unusable_password()  # the previous link's token no longer matches
    user.save(update_fields=["password"])
    do_record_audit_event(
        membership.organisation,
        "member.invitation_resent",
        actor=actor,
        obj=membership,
        data={"email": user.email, "role": membership.role},
    )
    transaction.on_commit(lambda: _send_invitation(membership.pk, actor.pk))
    return membership


def _send_invitation(membership_id: int, actor_id: int) -> None:
    # Imported here: mail and templates are only needed when an invitation actually leaves.
    from django.contrib.auth.tokens import default_token_generator
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    membership = Membership.objects.select_related("user", "organisation").get(pk=membership_id)
    actor = User.objects.filter(pk=actor_id).first()
    user = membership.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    with translation.override(user.language or membership.organisation.language):
        context = {
            "organisation": membership.organisation,
            "inviter": actor,
            "user": user,
            "role": membership.get_role_display(),
            "has_password": user.has_usable_password(),
            "reset_url": settings.BASE_URL + reverse("password_reset_confirm", args=[uid, token]),
            "login_url": settings.BASE_URL + reverse("login"),
        }
        subject = render_to_string("core/emails/invitation_subject.txt", context).strip()
        body = render_to_string("core/emails/invitation.txt", context)
        send_mail(" ".join(subject.splitlines()), body, None, [user.email])


@transaction.atomic
def do_record_audit_events(organisation: Organisation, events: list[dict[str, Any]]) -> int:
    """Append many events to ``organisation``'s hash-chained log in one go; return how many.

    Each event is a dict with ``verb`` and ``at`` (an aware datetime), and optionally ``actor``
    (a ``User``) or ``actor_id`` with ``actor_label`` (the e-mail shown in the log), and
    ``object_type``, ``object_id``, ``data``. The chain (``seq``, ``prev_hash``, ``hash``) is
    computed exactly as ``do_record_audit_event`` computes it, so ``verify_audit_chain`` accepts
    the result. Events must be in chronological order and not older than the last recorded one,
    so the sequence and the timestamps tell the same story; otherwise ``ValueError`` is raised
    before anything is written.

    Plain dicts and one ``executemany`` rather than model instances and ``bulk_create``: those
    cost four times more per row, which shows when a demo or an import appends millions of
    events. Values are still converted by the database backend's own adapters.
    """
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    last = AuditEvent.objects.filter(organisation=organisation).order_by("-seq").first()
    seq = last.seq if last else 0
    prev_hash = last.hash if last else GENESIS_HASH
    previous_at = last.created_at if last else None
    key = audit_keys()[0]  # derived once for the whole batch
    connection = transaction.get_connection()
    ops = connection.ops
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    defaults = {field.attname: field.get_default() for field in fields}
    # 1: a datetime, 2: JSON, 0: as is. The backend's adapters are called directly: the field
    # layers on top of them cost more than the conversion itself for these plain values.
    kinds = [
        (
            field.attname,
            1 if isinstance(field, models.DateTimeField) else 2 if isinstance(field, models.JSONField) else 0,
            getattr(field, "encoder", None),
        )
        for field in fields
    ]
    rows = []
    for event in events:
        created_at = event["at"].replace(microsecond=0)
        verb = event["verb"]
        if previous_at is not None and created_at < previous_at:
            raise ValueError(f"audit event {verb!r} at {created_at} is older than the one before it")
        actor = event.get("actor")
        actor_id = actor.pk if actor is not None else event.get("actor_id")
        label = event.get("actor_label") or _actor_label(actor)
        if actor_id is not None and label == "system":
            raise ValueError("an event with an actor_id needs its actor_label")
        object_type = event.get("object_type", "")
        object_id = event.get("object_id", "")
        payload = event.get("data") or {}
        seq += 1
        digest = event_hash(
            organisation_id=organisation.pk,
            seq=seq,
            created_at=created_at,
            actor_label=label,
            verb=verb,
            object_type=object_type,
            object_id=object_id,
            data=payload,
            prev_hash=prev_hash,
            version=CURRENT_VERSION,
            key=key,
        )
        values = {
            **defaults,
            "organisation_id": organisation.pk,
            "seq": seq,
            "created_at": created_at,
            "actor_id": actor_id,
            "actor_label": label,
            "verb": verb,
            "object_type": object_type,
            "object_id": object_id,
            "data": payload,
            "prev_hash": prev_hash,
            "hash": digest,
            "hash_version": CURRENT_VERSION,
        }
        row = []
        for attname, kind, encoder in kinds:
            value = values[attname]
            if kind == 1:
                value = ops.adapt_datetimefield_value(value)
            elif kind == 2:
                value = ops.adapt_json_value(value, encoder)
            row.append(value)
        rows.append(row)
        prev_hash = digest
        previous_at = created_at
    if not rows:
        return 0
    quote = ops.quote_name
    names = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    # Identifiers come from the model's metadata, quoted by the backend; values are bound.
    sql = f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)


# A text written for one person: a string as it is, a lazy translation, or a function that
# formats it (called in the reader's language).
Text = str | Promise | Callable[[], str]


def render_text(text: Text) -> str:
    """``text`` written in the active language."""
    if isinstance(text, str):
        return text
    if isinstance(text, Promise):
        return str(text)
    return str(text())


@transaction.atomic
def do_notify(
    organisation: Organisation,
    recipient: User,
    event: str,
    title: Text,
    *,
    body: Text = "",
    url: str = "",
    data: dict[str, Any] | None = None,
) -> Notification:
    """Leave an in-app notification for ``recipient``.

    ``event`` is a dotted name (``reply.sent_back``, ``alert.opened``) that delivery preferences
    and channel routing key on. ``title`` and ``body`` are stored in the recipient's language
    (``User.language_for``): give a lazy translation, or a function that formats the text, and
    it is rendered in that language (a plain string is stored as it is). ``data`` stays plain
    JSON: no lazy text in it.
    """
    with translation.override(recipient.language_for(organisation)):
        title_text, body_text = render_text(title), render_text(body)
    # Translatable text is also kept in every interface language, so that the list reads in its
    # reader's language after they switch (``Notification.shown_title``); plain text is the same
    # in all of them.
    texts: dict[str, dict[str, str]] = {}
    if not (isinstance(title, str) and isinstance(body, str)):
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                texts[code] = {"title": render_text(title)[:300], "body": render_text(body)}
    return Notification.objects.create(
        organisation=organisation,
        recipient=recipient,
        event=event,
        title=title_text[:300],
        body=body_text,
        url=url,
        data=data or {},
        texts=texts,
    )


def do_mark_notifications_read(
    organisation: Organisation, recipient: User, ids: list[int] | None = None
) -> int:
    """Mark ``recipient``'s notifications (all, or those in ``ids``) as read; returns how many changed."""
    rows = Notification.objects.filter(organisation=organisation, recipient=recipient, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


@transaction.atomic
def do_prune_audit_events(organisation: Organisation, before: Any, *, batch_size: int = 5000) -> int:
    """Remove the events recorded before ``before`` (audit retention, set in the charter).

    Only a prefix of the chain can go (events are in time order). An ``audit.pruned`` event,
    keyed like every other, records the last removed ``seq`` and hash, so verification starts
    from the first remaining event and a removal by anyone else still shows as a break.
    """
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    events = AuditEvent.objects.filter(organisation=organisation)
    last_pruned = events.filter(created_at__lt=before).order_by("-seq").first()
    if last_pruned is None:
        return 0
    newest = events.order_by("-seq").values_list("seq", flat=True).first()
    if newest == last_pruned.seq:
        # The newest event is never removed: it anchors the chain that continues after it.
        last_pruned = events.filter(seq__lt=last_pruned.seq).order_by("-seq").first()
        if last_pruned is None:
            return 0
    first_seq = events.order_by("seq").values_list("seq", flat=True).first() or 1
    removed = 0
    for start in range(first_seq, last_pruned.seq + 1, batch_size):
        # QuerySet.delete, not AuditEvent.delete: the model refuses single deletions on purpose.
        removed += events.filter(
            seq__gte=start, seq__lt=min(start + batch_size, last_pruned.seq + 1)
        ).delete()[0]
    do_record_audit_event(
        organisation,
        "audit.pruned",
        data={"through_seq": last_pruned.seq, "last_hash": last_pruned.hash, "events": removed},
    )
    return removed


@transaction.atomic
def do_forget_notification_texts(organisation: Organisation, replacements: dict[str, str]) -> int:
    """Rewrite members' notifications whose title or body is a key of ``replacements`` (copies of
    an alert's text about a person whose data is erased or past retention) with its value.
    Returns how many notifications changed."""
    notifications = Notification.objects.filter(organisation=organisation)
    count = 0
    for old, new in replacements.items():
        if old and old != new:
            count += notifications.filter(title=old).update(title=new[:300])
            count += notifications.filter(body=old).update(body=new)
    # The same texts kept in each language (``Notification.texts``): an erased author must not
    # stay in the English copy of a French notification.
    for pk, texts in notifications.exclude(texts={}).values_list("pk", "texts").iterator(chunk_size=2000):
        rewritten = {
            code: {field: replacements.get(text, text) for field, text in written.items()}
            for code, written in texts.items()
        }
        if rewritten != texts:
            count += notifications.filter(pk=pk).update(texts=rewritten)
    return count
