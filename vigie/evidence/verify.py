"""Check a legal file offline: the archive's seal, every file's SHA-256, the signatures, the chain
links and the timestamps. Needs nothing but the bundle (no database, no network)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from vigie.evidence import signing
from vigie.evidence.formats import BUNDLE_FORMAT, GENESIS, SEAL_LENGTH, SEAL_PREFIX
from vigie.evidence.timestamping import verify_token

MAX_MEMBER_BYTES = 512 * 1024 * 1024


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _read_all(archive: zipfile.ZipFile, report: Report) -> dict[str, bytes]:
    contents: dict[str, bytes] = {}
    for info in archive.infolist():
        if info.file_size > MAX_MEMBER_BYTES:
            report.problems.append(f"{info.filename} : fichier trop grand")
            continue
        try:
            contents[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
            report.problems.append(f"{info.filename} : illisible ou modifié ({exc})")
    return contents


def _check_seal(data: bytes, public_pem: bytes, report: Report) -> None:
    comment = data[-SEAL_LENGTH:]
    if len(data) <= SEAL_LENGTH or not comment.startswith(SEAL_PREFIX):
        report.problems.append("sceau de l'archive absent : l'archive a été reconstruite ou modifiée")
        return
    signature = comment[len(SEAL_PREFIX) :].decode("ascii", "replace")
    if not signing.signature_valid(public_pem, data[:-SEAL_LENGTH], signature):
        report.problems.append("sceau de l'archive invalide : un octet de l'archive a changé")


def _check_capture(
    folder: str, contents: dict[str, bytes], public_pem: bytes, fingerprint: str, report: Report
) -> None:
    manifest_bytes = contents.get(f"{folder}/manifest.json")
    signature = contents.get(f"{folder}/manifest.sig", b"").decode("ascii", "replace")
    if manifest_bytes is None:
        report.problems.append(f"{folder} : manifeste absent")
        return
    if not signing.signature_valid(public_pem, manifest_bytes, signature):
        report.problems.append(f"{folder}/manifest.json : signature invalide")
    try:
        manifest: dict[str, Any] = json.loads(manifest_bytes)
        listed: dict[str, Any] = manifest["files"]
        previous = manifest["previous"]
    except (ValueError, KeyError, TypeError):
        report.problems.append(f"{folder}/manifest.json : illisible")
        return
    if manifest.get("key_fingerprint") != fingerprint:
        report.problems.append(f"{folder} : signé par une autre clé que celle du dossier")
    present = {name[len(folder) + 7 :] for name in contents if name.startswith(f"{folder}/files/")}
    for name, facts in listed.items():
        data = contents.get(f"{folder}/files/{name}")
        if data is None:
            report.problems.append(f"{folder}/files/{name} : absent")
        elif signing.sha256_hex(data) != facts.get("sha256"):
            report.problems.append(f"{folder}/files/{name} : empreinte SHA-256 différente (fichier modifié)")
    for name in sorted(present - set(listed)):
        report.problems.append(f"{folder}/files/{name} : fichier ajouté, absent du manifeste")
    # The chain: this manifest names its predecessor's SHA-256; the predecessor is in the bundle.
    seq = manifest.get("seq")
    previous_bytes = contents.get(f"{folder}/previous_manifest.json")
    if previous.get("sha256") == GENESIS and seq == 1:
        pass
    elif previous_bytes is None:
        report.problems.append(f"{folder} : maillon précédent absent du dossier")
    else:
        if signing.sha256_hex(previous_bytes) != previous.get("sha256"):
            report.problems.append(f"{folder} : le maillon précédent ne correspond pas (chaîne rompue)")
        previous_signature = contents.get(f"{folder}/previous_manifest.sig", b"").decode("ascii", "replace")
        if not signing.signature_valid(public_pem, previous_bytes, previous_signature):
            report.problems.append(f"{folder}/previous_manifest.json : signature invalide")
    token = contents.get(f"{folder}/timestamp.tsr")
    if token is None:
        report.facts.append(f"{folder} : non horodaté (aucune autorité configurée lors de la capture)")
        return
    check = verify_token(token, hashlib.sha256(manifest_bytes).digest())
    if not check.ok:
        report.problems.append(f"{folder}/timestamp.tsr : {check.reason}")
    else:
        report.facts.append(
            f"{folder} : horodaté le {check.gen_time.isoformat() if check.gen_time else '?'} par {check.tsa_subject}"
        )


def verify_bundle(data: bytes) -> Report:
    """Everything that is wrong with the bundle ``data`` (an empty ``problems`` list: intact)."""
    report = Report()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        report.problems.append(f"archive ZIP illisible ({exc})")
        return report
    with archive:
        contents = _read_all(archive, report)
    public_pem = contents.get("public_key.pem", b"")
    try:
        fingerprint = signing.fingerprint(public_pem)
    except ValueError:
        report.problems.append("public_key.pem : clé publique absente ou illisible")
        return report
    report.facts.append(f"clé de l'organisation : empreinte SHA-256 {fingerprint}")
    _check_seal(data, public_pem, report)
    index_bytes = contents.get("bundle.json")
    if index_bytes is None:
        report.problems.append("bundle.json absent")
        return report
    if not signing.signature_valid(
        public_pem, index_bytes, contents.get("bundle.sig", b"").decode("ascii", "replace")
    ):
        report.problems.append("bundle.json : signature invalide")
    try:
        index: dict[str, Any] = json.loads(index_bytes)
        listed: dict[str, Any] = index["files"]
        captures: list[int] = index["captures"]
    except (ValueError, KeyError, TypeError):
        report.problems.append("bundle.json : illisible")
        return report
    if index.get("format") != BUNDLE_FORMAT:
        report.problems.append("bundle.json : format inconnu")
    if index.get("key_fingerprint") != fingerprint:
        report.problems.append("bundle.json : la clé publique du dossier a été remplacée")
    for name, facts in listed.items():
        member = contents.get(name)
        if member is None:
            report.problems.append(f"{name} : absent")
        elif signing.sha256_hex(member) != facts.get("sha256"):
            report.problems.append(f"{name} : empreinte SHA-256 différente (fichier modifié)")
    for name in sorted(set(contents) - set(listed) - {"bundle.json", "bundle.sig"}):
        report.problems.append(f"{name} : fichier ajouté, absent de l'index")
    for seq in captures:
        _check_capture(f"captures/{int(seq):06d}", contents, public_pem, fingerprint, report)
    return report
