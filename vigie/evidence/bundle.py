"""The legal file: one ZIP per case (or mention) with everything a lawyer or a bailiff needs.

Layout::

    bundle.json, bundle.sig          index of every other file with its SHA-256, signed (Ed25519)
    public_key.pem                   the organisation's public key
    captures/NNNNNN/manifest.json    each capture's signed manifest (.sig), its timestamp (.tsr),
    captures/NNNNNN/files/…          its files, and the previous link's manifest (the chain)
    case/timeline.json               the case's history from the audit log
    author/other_posts.json          the author's other public posts held by Vigie
    note/note_de_couverture.html|pdf the French cover note

The archive's comment is a seal: the Ed25519 signature of every byte before it, so changing any
byte of the file, or rebuilding it, is detected (``vigie evidence verify``).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vigie.core.models import Organisation
from vigie.core.queries import audit_events_for
from vigie.evidence import cover, signing, storage
from vigie.evidence.actions import sign_bytes
from vigie.evidence.capture import iso
from vigie.evidence.formats import BUNDLE_FORMAT, SEAL_LENGTH, SEAL_PREFIX, french_count
from vigie.evidence.models import Capture
from vigie.evidence.queries import capture_before, captures_of, limitation_of
from vigie.inbox.models import Case
from vigie.inbox.queries import case_timeline
from vigie.mentions.models import Mention, MentionKind
from vigie.mentions.queries import same_person_authors

MAX_OTHER_POSTS = 500


class NothingToExport(ValueError):
    """The mention has no capture yet."""


def capture_folder(capture: Capture) -> str:
    return f"captures/{capture.seq:06d}"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _timeline(mention: Mention, case: Case | None) -> list[dict[str, Any]]:
    events = list(case_timeline(case)) if case is not None else []
    events += list(audit_events_for(mention.organisation, "mentions.mention", str(mention.pk)))
    events.sort(key=lambda event: event.seq)
    return [
        {
            "seq": event.seq,
            "at": iso(event.created_at),
            "actor": event.actor_label,
            "verb": event.verb,
            "object": f"{event.object_type}:{event.object_id}",
            "data": event.data,
            "hash": event.hash,
        }
        for event in events
    ]


def _other_posts(mention: Mention) -> list[dict[str, Any]]:
    if mention.author is None:
        return []
    rows = (
        Mention.objects.filter(
            organisation=mention.organisation,
            author__in=same_person_authors(mention.author),
            deleted_at__isnull=True,
        )
        .exclude(pk=mention.pk)
        # Answers to a survey and private messages are not public posts.
        .exclude(kind__in=[MentionKind.SURVEY_ANSWER, MentionKind.PRIVATE_MESSAGE])
        .select_related("source")
        .order_by("-created_at", "-id")[:MAX_OTHER_POSTS]
    )
    return [
        {
            "id": row.pk,
            "platform": row.source.platform,
            "kind": row.kind,
            "url": row.url,
            "published_at": iso(row.created_at),
            "title": row.title,
            "text": row.text,
        }
        for row in rows
    ]


def _contents(
    captures: list[Capture], files: dict[str, bytes], events: int, posts: int
) -> tuple[tuple[str, str], ...]:
    """What the file holds, as the cover note says it: counted from what was put in, not assumed."""
    rows: list[tuple[str, str]] = []
    for capture in captures:
        folder = capture_folder(capture)
        kept = sum(1 for name in files if name.startswith(f"{folder}/files/"))
        parts = [
            f"capture n° {capture.seq} : manifeste signé (manifest.json, manifest.sig)",
            french_count(kept, "fichier", "fichiers"),
        ]
        parts.append(
            "horodatage (timestamp.tsr)" if f"{folder}/timestamp.tsr" in files else "pas d'horodatage"
        )
        if f"{folder}/previous_manifest.json" in files:
            parts.append("manifeste précédent de la chaîne (previous_manifest.json, .sig)")
        elif f"{folder}/previous_manifest_redacted.json" in files:
            parts.append(
                "empreinte du manifeste précédent, expurgé des données personnelles (RGPD) "
                "(previous_manifest_redacted.json)"
            )
        rows.append((f"{folder}/", ", ".join(parts)))
    rows += [
        (
            "case/timeline.json",
            "historique du dossier : "
            + french_count(events, "événement", "événements")
            + " du journal d'audit",
        ),
        (
            "author/other_posts.json",
            french_count(
                posts,
                "autre publication publique de l'auteur détenue par Vigie",
                "autres publications publiques de l'auteur détenues par Vigie",
            ),
        ),
        ("note/note_de_couverture.html, .pdf", "la présente note"),
        ("public_key.pem", "clé publique de l'organisation"),
        ("bundle.json, bundle.sig", "index signé de chaque fichier du dossier et de son empreinte SHA-256"),
    ]
    return tuple(rows)


@dataclass(frozen=True)
class Bundle:
    data: bytes
    filename: str


def build_bundle(mention: Mention, case: Case | None = None) -> Bundle:
    """The sealed legal file of ``mention`` (and its case); NothingToExport without a capture."""
    organisation: Organisation = mention.organisation
    captures = list(captures_of(mention))
    if not captures:
        raise NothingToExport("aucune capture de cette mention")
    files: dict[str, bytes] = {}
    for capture in captures:
        folder = capture_folder(capture)
        files[f"{folder}/manifest.json"] = capture.manifest.encode("utf-8")
        files[f"{folder}/manifest.sig"] = capture.signature.encode("ascii")
        if capture.timestamp_token:
            files[f"{folder}/timestamp.tsr"] = bytes(capture.timestamp_token)
        for name in json.loads(capture.manifest)["files"]:
            files[f"{folder}/files/{name}"] = storage.read_file(capture.directory, name)
        previous = capture_before(capture)
        if previous is not None and previous.redacted_at is not None:
            # The previous link was a post whose author asked to be erased (hold lifted): its
            # manifest no longer names them, so it is not handed out; its digest, which this
            # signed manifest names, says the chain goes on.
            files[f"{folder}/previous_manifest_redacted.json"] = signing.canonical_json(
                {
                    "seq": previous.seq,
                    "sha256": previous.manifest_sha256,
                    "redacted_at": iso(previous.redacted_at),
                    "note": "manifeste expurgé des données personnelles (RGPD : effacement demandé ou "
                    "durée de conservation écoulée) : son contenu n'est plus fourni, son empreinte "
                    "SHA-256 reste celle du manifeste signé",
                }
            )
        elif previous is not None:
            files[f"{folder}/previous_manifest.json"] = previous.manifest.encode("utf-8")
            files[f"{folder}/previous_manifest.sig"] = previous.signature.encode("ascii")
    timeline = _timeline(mention, case)
    other_posts = _other_posts(mention)
    files["case/timeline.json"] = _json(timeline)
    files["author/other_posts.json"] = _json(other_posts)
    limitation = limitation_of(mention)
    generated_at = datetime.now(UTC)
    note = cover.CoverNote(
        organisation=organisation,
        mention=mention,
        case=case,
        captures=captures,
        limitation=limitation,
        generated_at=generated_at,
        contents=_contents(captures, files, len(timeline), len(other_posts)),
    )
    files["note/note_de_couverture.html"] = note.html().encode("utf-8")
    files["note/note_de_couverture.pdf"] = note.pdf()
    _signature, public_pem = sign_bytes(organisation, b"")
    files["public_key.pem"] = public_pem.encode("ascii")
    index = {
        "format": BUNDLE_FORMAT,
        "organisation": {"slug": organisation.slug, "name": organisation.name},
        "generated_at": iso(generated_at),
        "mention": mention.pk,
        "case": case.pk if case is not None else None,
        "captures": [capture.seq for capture in captures],
        "key_fingerprint": signing.fingerprint(public_pem),
        "limitation_expires_on": limitation.expires_on.isoformat(),
        "files": {
            name: {"sha256": signing.sha256_hex(data), "bytes": len(data)}
            for name, data in sorted(files.items())
        },
    }
    index_bytes = signing.canonical_json(index)
    index_signature, _pem = sign_bytes(organisation, index_bytes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bundle.json", index_bytes)
        archive.writestr("bundle.sig", index_signature)
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.comment = SEAL_PREFIX + b"0" * 128
    raw = buffer.getvalue()
    body = raw[: len(raw) - SEAL_LENGTH]
    seal, _pem = sign_bytes(organisation, body)
    subject = f"dossier-{case.pk}" if case is not None else f"mention-{mention.pk}"
    return Bundle(body + SEAL_PREFIX + seal.encode("ascii"), f"preuves-{organisation.slug}-{subject}.zip")
