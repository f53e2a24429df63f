"""Every write of the evidence domain: the signing key, links of the chain, timestamps, legal holds."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from vigie.connectors.credentials import decrypt_secrets, encrypt_secrets
from vigie.core.actions import do_record_audit_event
from vigie.core.models import Organisation, User
from vigie.core.redaction import ERASED, redact
from vigie.evidence import signing, storage
from vigie.evidence.capture import Collected, iso, mention_description, utc_now
from vigie.evidence.formats import CAPTURE_FORMAT, GENESIS
from vigie.evidence.models import Capture, CaptureKind, CaptureTrigger, LegalHold, SigningKey
from vigie.evidence.queries import audit_head
from vigie.evidence.steps import method_text, steps_from_files
from vigie.evidence.timestamping import TimestampError, request_timestamp, tsa_url
from vigie.mentions.models import Mention


@transaction.atomic
def do_ensure_signing_key(organisation: Organisation) -> SigningKey:
    """The organisation's key, made on first use; its private half is encrypted like credentials."""
    existing = SigningKey.objects.select_for_update().filter(organisation=organisation).first()
    if existing is not None:
        return existing
    key = signing.new_private_key()
    pem = signing.public_key_pem(key)
    raw = base64.b64encode(signing.private_key_bytes(key)).decode("ascii")
    record = SigningKey.objects.create(
        organisation=organisation,
        public_key_pem=pem,
        private_key_encrypted=encrypt_secrets({"ed25519": raw}),
        fingerprint=signing.fingerprint(pem),
    )
    do_record_audit_event(
        organisation, "evidence.key_created", obj=record, data={"fingerprint": record.fingerprint}
    )
    return record


def _private_key(record: SigningKey) -> Any:
    raw = base64.b64decode(decrypt_secrets(record.private_key_encrypted)["ed25519"])
    return signing.private_key_from_bytes(raw)


def sign_bytes(organisation: Organisation, data: bytes) -> tuple[str, str]:
    """``(signature hex, public key PEM)`` of ``data`` with the organisation's key (a bundle's seal)."""
    record = do_ensure_signing_key(organisation)
    return signing.sign(_private_key(record), data), record.public_key_pem


@transaction.atomic
def _append_link(
    organisation: Organisation,
    *,
    kind: str,
    body: dict[str, Any],
    files: dict[str, bytes],
    captured_at: datetime,
    status: str,
    reason: str = "",
    url: str = "",
    mention: Mention | None = None,
    trigger: str = CaptureTrigger.MANUAL,
    actor: User | None = None,
) -> Capture:
    record = do_ensure_signing_key(organisation)
    # Lock the organisation so two captures cannot take the same place in the chain (PostgreSQL).
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    last = Capture.objects.filter(organisation=organisation).order_by("-seq").first()
    seq = last.seq + 1 if last else 1
    previous = last.manifest_sha256 if last else GENESIS
    manifest = {
        "format": CAPTURE_FORMAT,
        "organisation": {"slug": organisation.slug, "name": organisation.name},
        "seq": seq,
        "kind": kind,
        "captured_at": iso(captured_at),
        "status": status,
        "trigger": trigger,
        "files": {
            name: {"sha256": signing.sha256_hex(data), "bytes": len(data)}
            for name, data in sorted(files.items())
        },
        "previous": {"seq": seq - 1, "sha256": previous},
        "key_fingerprint": record.fingerprint,
        **body,
    }
    text = signing.canonical_json(manifest)
    directory = f"{organisation.pk}/{seq:06d}-{uuid.uuid4().hex[:12]}" if files else ""
    if files:
        storage.write_files(directory, files)
    return Capture.objects.create(
        organisation=organisation,
        seq=seq,
        kind=kind,
        mention=mention,
        status=status,
        reason=reason[:2000],
        trigger=trigger,
        url=url[:1000],
        captured_at=captured_at,
        requested_by=actor,
        directory=directory,
        manifest=text.decode("utf-8"),
        manifest_sha256=signing.sha256_hex(text),
        prev_manifest_sha256=previous,
        signature=signing.sign(_private_key(record), text),
    )


def do_record_capture(
    mention: Mention, collected: Collected, *, trigger: str = CaptureTrigger.MANUAL, actor: User | None = None
) -> Capture:
    """Sign and chain a capture of ``mention``, put the mention under legal hold, audit both."""
    organisation = mention.organisation
    # The manifest says what this capture did and what failed, step by step (never a fixed text).
    steps = collected.steps or steps_from_files(list(collected.files))
    with transaction.atomic():
        capture = _append_link(
            organisation,
            kind=CaptureKind.MENTION,
            body={
                "mention": mention_description(mention),
                "url": collected.url,
                "finished_at": iso(collected.finished_at or collected.started_at),
                "reasons": collected.reasons,
                "steps": steps,
                "method": method_text(steps, timestamp_requested=bool(tsa_url())),
            },
            files=collected.files,
            captured_at=collected.started_at,
            status=collected.status,
            reason="; ".join(collected.reasons),
            url=collected.url,
            mention=mention,
            trigger=trigger,
            actor=actor,
        )
        do_record_audit_event(
            organisation,
            "evidence.captured",
            actor=actor,
            obj=mention,
            data={
                "capture": capture.pk,
                "seq": capture.seq,
                "status": capture.status,
                "sha256": capture.manifest_sha256,
            },
        )
        do_place_legal_hold(mention, actor=actor)
    return capture


def do_anchor_audit_head(organisation: Organisation, head: dict[str, Any]) -> Capture | None:
    """Record the audit log's head (``{"seq", "hash"}``) in the evidence chain, unless it is already
    the last one anchored (nothing happened since)."""
    last_anchor = (
        Capture.objects.filter(organisation=organisation, kind=CaptureKind.AUDIT_ANCHOR)
        .order_by("-seq")
        .first()
    )
    if last_anchor is not None and json.loads(last_anchor.manifest).get("audit_head") == head:
        return None
    return _append_link(
        organisation,
        kind=CaptureKind.AUDIT_ANCHOR,
        body={"audit_head": head},
        files={},
        captured_at=utc_now(),
        status="complete",
        trigger=CaptureTrigger.SCHEDULE,
    )


def do_attach_timestamp(capture: Capture, *, token: bytes | None, error: str = "") -> Capture:
    """Keep the authority's answer (or why there is none) on the capture."""
    Capture.objects.filter(pk=capture.pk).update(timestamp_token=token, timestamp_error=error[:300])
    capture.timestamp_token = token
    capture.timestamp_error = error[:300]
    return capture


# Sent when a legal hold is lifted, inside the lift's transaction: ``hold`` (the LegalHold) and
# ``actor`` (the admin who lifted it).
hold_lifted = Signal()


@transaction.atomic
def do_place_legal_hold(mention: Mention, *, actor: User | None = None) -> LegalHold:
    """Keep ``mention`` out of retention and erasure (no-op when a hold is already active)."""
    active = LegalHold.objects.filter(mention=mention, lifted_at__isnull=True).first()
    if active is not None:
        return active
    hold = LegalHold.objects.create(organisation=mention.organisation, mention=mention, placed_by=actor)
    do_record_audit_event(
        mention.organisation, "evidence.hold_placed", actor=actor, obj=mention, data={"hold": hold.pk}
    )
    return hold


@transaction.atomic
def do_lift_legal_hold(hold: LegalHold, *, actor: User, reason: str) -> LegalHold:
    """Lift a hold: retention and erasure apply to the mention again. Audited with the reason."""
    locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if locked.lifted_at is not None:
        return locked
    locked.lifted_at = timezone.now()
    locked.lifted_by = actor
    locked.lift_reason = reason.strip()[:500]
    locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    do_record_audit_event(
        hold.organisation,
        "evidence.hold_lifted",
        actor=actor,
        obj=locked.mention,
        data={"hold": locked.pk, "reason": locked.lift_reason},
    )
    # Privacy listens: an erasure this hold deferred is carried out now (privacy sits above
    # evidence in the layers, so it is told rather than called).
    hold_lifted.send(sender=LegalHold, hold=locked, actor=actor)
    return locked


def do_mark_limitation_warned(hold: LegalHold, days: int) -> None:
    """Remember that the legal team was told the limit is ``days`` away (30 or 7)."""
    field = "warned_30_at" if days == 30 else "warned_7_at"
    LegalHold.objects.filter(pk=hold.pk).update(**{field: timezone.now()})


def do_record_export(mention: Mention, *, actor: User | None, sha256: str, case_id: int | None) -> None:
    """Exporting a legal file is a fact of the record: who took it, and which file (its SHA-256)."""
    do_record_audit_event(
        mention.organisation,
        "evidence.exported",
        actor=actor,
        obj=mention,
        data={"sha256": sha256, "case": case_id},
    )


class StillHeld(ValueError):
    """The mention is under legal hold: its evidence cannot be erased until the hold is lifted."""


@transaction.atomic
def do_purge_evidence_of_mention(mention: Mention, *, actor: User | None = None) -> int:
    """Delete the files of ``mention``'s captures (screenshots, pages, payload: personal data) once
    its hold is lifted, for an erasure request or retention. The signed manifests stay, so the
    chain keeps its links; returns how many captures were purged. ``StillHeld`` while held."""
    if LegalHold.objects.filter(mention=mention, lifted_at__isnull=True).exists():
        raise StillHeld("mention under legal hold")
    captures = list(Capture.objects.select_for_update().filter(mention=mention, purged_at__isnull=True))
    for capture in captures:
        if capture.directory:
            storage.delete_folder(capture.directory)
    Capture.objects.filter(pk__in=[capture.pk for capture in captures]).update(
        purged_at=timezone.now(), directory=""
    )
    if captures:
        do_record_audit_event(
            mention.organisation,
            "evidence.purged",
            actor=actor,
            obj=mention,
            data={"captures": len(captures)},
        )
    return len(captures)


def _purge_captures(organisation: Organisation, captures: list[Capture], *, reason: str) -> int:
    """Delete the files of ``captures`` (their signed manifests stay: the chain keeps every link)."""
    for capture in captures:
        if capture.directory:
            storage.delete_folder(capture.directory)
    Capture.objects.filter(pk__in=[capture.pk for capture in captures]).update(
        purged_at=timezone.now(), directory=""
    )
    if captures:
        do_record_audit_event(
            organisation, "evidence.purged", data={"captures": len(captures), "reason": reason}
        )
    return len(captures)


def _purged(organisation: Organisation, due: Any, *, reason: str, dry_run: bool) -> dict[str, int]:
    # Said only when there is something: an organisation that captured nothing sees no new count.
    if dry_run:
        count = due.count()
    else:
        with transaction.atomic():
            # "self": PostgreSQL locks no row of an outer join (the mention may be gone).
            locked = list(due.select_for_update(of=("self",)))
            count = _purge_captures(organisation, locked, reason=reason)
    return {"captures_purged": count} if count else {}


# --- the GDPR hooks that vigie.privacy looks up by name (vigie/privacy/holders.py) ---------------


def do_erase_personal_data(
    organisation: Organisation,
    identifiers: dict[str, list[str]],
    *,
    keep_mention_ids: set[int],
    dry_run: bool = False,
) -> dict[str, int]:
    """An erasure request on the captures of the person's own posts.

    * A post under legal hold (``keep_mention_ids``) keeps its captures whole — files and signed
      manifests naming the author: GDPR art. 17(3)(e) exempts what is needed for the establishment,
      exercise or defence of legal claims. Counted as ``captures_kept_for_legal_hold``, which the
      erasure's report and audit event show.
    * Otherwise (never held, or the hold lifted) the files are deleted (``captures_purged``) and
      the person's data is taken out of the manifests (``manifests_redacted``: author, post address
      and id; see ``redact_manifest``). Their digest and signature stay those of the signed
      original, so the chain keeps its links."""
    wanted = {int(pk) for pk in identifiers.get("mention_ids", []) if str(pk).isdecimal()}
    keep = set(keep_mention_ids)
    mine = Capture.objects.filter(organisation=organisation, kind=CaptureKind.MENTION, mention_id__in=wanted)
    counts: dict[str, int] = {}
    kept = mine.filter(mention_id__in=keep).count()
    if kept:
        counts["captures_kept_for_legal_hold"] = kept
    due = mine.exclude(mention_id__in=keep).filter(purged_at__isnull=True).exclude(directory="")
    counts.update(_purged(organisation, due, reason="erasure", dry_run=dry_run))
    to_redact = mine.exclude(mention_id__in=keep).filter(redacted_at__isnull=True)
    if dry_run:
        redacted = to_redact.count()
    else:
        with transaction.atomic():
            locked = list(to_redact.select_for_update(of=("self",)))
            redacted = _redact_captures(organisation, locked, identifiers)
    if redacted:
        counts["manifests_redacted"] = redacted
    return counts


def _needles(manifest: dict[str, Any], identifiers: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(exact strings, whole words) that name the person in a manifest: the post's address and id,
    the author's profile, handle and name, and what the DPO searched for."""
    described = manifest.get("mention") or {}
    author = described.get("author") or {}
    exact = [
        str(value)
        for value in (
            described.get("url"),
            described.get("external_id"),
            manifest.get("url"),
            author.get("profile_url"),
            author.get("external_id"),
            *identifiers.get("emails", []),
        )
        if value and len(str(value)) >= 4
    ]
    words = [
        str(value)
        for value in (
            author.get("handle"),
            author.get("display_name"),
            *identifiers.get("handles", []),
            *identifiers.get("names", []),
        )
        if value and len(str(value)) >= 2
    ]
    words += [word.lstrip("@") for word in words if word.startswith("@")]
    return sorted(set(exact), key=len, reverse=True), sorted(set(words), key=len, reverse=True)


def _scrub(value: Any, exact: list[str], words: list[str]) -> Any:
    if isinstance(value, str):
        for needle in exact:
            value = value.replace(needle, ERASED)
        return redact(value, words)
    if isinstance(value, list):
        return [_scrub(item, exact, words) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, exact, words) for key, item in value.items()}
    return value


def redact_manifest(
    text: str, identifiers: dict[str, list[str]], *, at: datetime, reason: str = "erasure"
) -> str:
    """A manifest without the person's data: the author (handle, name, profile, platform id), the
    post's address and platform id become « [effacé] », and so does any other mention of them
    (the reasons and steps may quote the address). What proves the capture without naming anyone
    stays: sequence, dates, platform, status, the files' SHA-256, the previous link's digest, the
    key's fingerprint. A ``redaction`` entry says when and why, and that the text no longer
    matches the signature."""
    manifest = json.loads(text)
    exact, words = _needles(manifest, identifiers)
    described = manifest.get("mention")
    if isinstance(described, dict):
        described["url"] = ERASED if described.get("url") else ""
        described["external_id"] = ERASED if described.get("external_id") else ""
        if described.get("author"):
            described["author"] = dict.fromkeys(described["author"], ERASED)
    if manifest.get("url"):
        manifest["url"] = ERASED
    manifest = _scrub(manifest, exact, words)
    manifest["redaction"] = {
        "at": iso(at),
        "why": "effacement à la demande de la personne (RGPD art. 17), conservation légale levée"
        if reason == "erasure"
        else "durée de conservation de la charte écoulée, conservation légale levée",
        "signed_sha256": signing.sha256_hex(text.encode("utf-8")),
        "note": "texte expurgé : la signature et l'empreinte sont celles du manifeste signé d'origine",
    }
    return signing.canonical_json(manifest).decode("utf-8")


def _redact_captures(
    organisation: Organisation,
    captures: list[Capture],
    identifiers: dict[str, list[str]],
    *,
    reason: str = "erasure",
) -> int:
    now = timezone.now()
    for capture in captures:
        manifest = redact_manifest(capture.manifest, identifiers, at=now, reason=reason)
        exact, words = _needles(json.loads(capture.manifest), identifiers)
        reason = _scrub(capture.reason, exact, words)
        Capture.objects.filter(pk=capture.pk).update(
            manifest=manifest, url="", reason=reason, redacted_at=now
        )
    if captures:
        do_record_audit_event(
            organisation, "evidence.manifests_redacted", data={"captures": len(captures), "reason": reason}
        )
    return len(captures)


def do_apply_retention(
    organisation: Organisation,
    retention: dict[str, Any],
    *,
    now: datetime,
    keep_mention_ids: set[int],
    dry_run: bool = False,
) -> dict[str, int]:
    """The charter's retention of mentions applies to their captures' files too, once the hold is
    lifted: a post past its delay loses its screenshots and pages as it loses its text (privacy runs
    this before it deletes posts, so a post deleted by retention loses them too). A capture whose post
    is gone some other way (its source deleted after the hold was lifted) is left as it is.

    Their manifests lose the author and the post's address too (``manifests_redacted``), as the
    post loses its author: the same rule as an erasure (``redact_manifest``)."""
    rule = retention.get("mentions") or {}
    per_source = {int(key): int(days) for key, days in (retention.get("mentions_per_source") or {}).items()}
    base = Capture.objects.filter(organisation=organisation, kind=CaptureKind.MENTION)
    base = base.exclude(mention__isnull=True).exclude(mention_id__in=set(keep_mention_ids))
    files = base.filter(purged_at__isnull=True).exclude(directory="")
    due = Q(pk__in=[])
    default_days = rule.get("days")
    if default_days:
        due |= Q(mention__created_at__lt=now - timedelta(days=int(default_days))) & ~Q(
            mention__source_id__in=list(per_source)
        )
    for source_id, days in per_source.items():
        due |= Q(mention__source_id=source_id, mention__created_at__lt=now - timedelta(days=days))
    counts = _purged(organisation, files.filter(due), reason="retention", dry_run=dry_run)
    to_redact = base.filter(due).filter(redacted_at__isnull=True)
    if dry_run:
        redacted = to_redact.count()
    else:
        with transaction.atomic():
            redacted = _redact_captures(
                organisation, list(to_redact.select_for_update(of=("self",))), {}, reason="retention"
            )
    if redacted:
        counts["manifests_redacted"] = redacted
    return counts


def timestamp_capture(capture: Capture) -> Capture:
    """Ask the configured authority to date the capture's manifest; no authority, no timestamp."""
    url = tsa_url()
    if not url:
        return capture
    digest = hashlib.sha256(capture.manifest.encode("utf-8")).digest()
    try:
        token = request_timestamp(url, digest)
    except (TimestampError, ValueError) as exc:
        # EgressRefused is a ValueError: an authority on a forbidden address is refused like any page.
        return do_attach_timestamp(capture, token=None, error=str(exc))
    return do_attach_timestamp(capture, token=token)


def do_anchor_audit_log(organisation: Organisation) -> Capture | None:
    """Write the audit log's current head into the signed (and, with an authority, timestamped)
    evidence chain; None when it is already the last anchor. The privacy app may call it right after
    re-keying the audit chain."""
    # Made first: making the key is itself an audit event, which would move the head.
    do_ensure_signing_key(organisation)
    head = audit_head(organisation)
    if head is None:
        return None
    capture = do_anchor_audit_head(organisation, head)
    return timestamp_capture(capture) if capture is not None else None
