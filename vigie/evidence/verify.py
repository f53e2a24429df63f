"""Check a legal file offline: the archive's seal, every file's SHA-256, the signatures, the chain
links and the timestamps. Needs nothing but the bundle (no database, no network)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from vigie.core.dates import MONTHS_FR
from vigie.evidence import signing
from vigie.evidence.formats import BUNDLE_FORMAT, GENESIS, SEAL_LENGTH, SEAL_PREFIX
from vigie.evidence.timestamping import verify_token

MAX_MEMBER_BYTES = 512 * 1024 * 1024
# What the archive's members may add up to once inflated (their declared sizes bound what is read).
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024


def french_utc(moment: datetime) -> str:
    """``7 décembre 2026 à 17:59:54 UTC``: a date as a French reader writes it (no Django needed:
    the check runs offline, from the command line too)."""
    moment = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{day} {MONTHS_FR[moment.month - 1]} {moment.year} à {moment:%H:%M:%S} UTC"


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


@dataclass
class Report:
    """What was checked and what is wrong. Nothing is written to disk: members are read in memory,
    by name, and their names are only compared (never used as paths)."""

    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    # Not a legal file at all (not a ZIP, no key, no index): nothing else could be checked.
    unreadable: bool = False
    # SHA-256 of the public key the file carries (whose key signed it: compare with the published one).
    fingerprint: str = ""
    # Files of the index found with the SHA-256 it lists, out of how many it lists.
    files_listed: int = 0
    files_matching: int = 0
    # Each capture folder checked, and whether it holds a timestamp that verified.
    captures: list[str] = field(default_factory=list)
    timestamped: list[str] = field(default_factory=list)
    not_timestamped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def _timestamps(self) -> str:
        total = len(self.captures)
        stamped = len(self.timestamped)
        if total == 0:
            return "aucune capture"
        if stamped == total:
            if total == 1:
                return "la capture est horodatée (RFC 3161, horodatage vérifié)"
            return f"les {total} captures sont horodatées (RFC 3161, horodatages vérifiés)"
        if stamped == 0:
            if total == 1:
                return "la capture n'est pas horodatée (date : horloge du serveur)"
            return f"aucune des {total} captures n'est horodatée (dates : horloge du serveur)"
        rest = total - stamped
        unstamped = ", ".join(self.not_timestamped)
        others = "l'autre non horodatée" if rest == 1 else f"les {rest} autres non horodatées"
        return (
            f"{stamped} capture{'s' if stamped > 1 else ''} sur {total} "
            f"horodatée{'s' if stamped > 1 else ''} (RFC 3161, vérifié), {others} ({unstamped})"
        )

    @property
    def verdict(self) -> str:
        """One line that says exactly what was verified, or what is wrong."""
        files = f"{self.files_matching} fichiers sur {self.files_listed} conformes à leur empreinte"
        if self.unreadable:
            return f"ILLISIBLE : ce fichier n'est pas un dossier de preuve vérifiable ({self.problems[0]})"
        if self.problems:
            first = self.problems[0]
            more = f" (et {_count(len(self.problems) - 1, 'autre problème', 'autres problèmes')})"
            return f"ALTÉRÉ : {first}{more if len(self.problems) > 1 else ''} ; {files}"
        return (
            f"intact : sceau de l'archive et signatures valides ; "
            f"{_count(self.files_matching, 'fichier conforme', 'fichiers conformes')} à l'empreinte ; "
            f"chaîne de {_count(len(self.captures), 'capture', 'captures')} vérifiée ; "
            f"{self._timestamps()}"
        )


def _read_all(archive: zipfile.ZipFile, report: Report, max_total_bytes: int) -> dict[str, bytes]:
    """Every file of the archive by name, in memory. Folder entries (``captures/``) are not files:
    some ZIP tools add them; they hold nothing and are left out (one that holds bytes is a problem)."""
    contents: dict[str, bytes] = {}
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            if info.file_size:
                report.problems.append(f"{info.filename} : entrée de dossier qui contient des données")
            continue
        if info.file_size > MAX_MEMBER_BYTES:
            report.problems.append(f"{info.filename} : fichier trop grand")
            continue
        total += info.file_size
        if total > max_total_bytes:
            report.problems.append("archive trop volumineuse une fois décompressée")
            break
        try:
            contents[info.filename] = archive.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            report.problems.append(f"{info.filename} : illisible ou modifié (données compressées altérées)")
    return contents


def _check_seal(data: bytes, public_pem: bytes, report: Report) -> None:
    comment = data[-SEAL_LENGTH:]
    if len(data) <= SEAL_LENGTH or not comment.startswith(SEAL_PREFIX):
        report.problems.append("sceau de l'archive absent : l'archive a été reconstruite ou modifiée")
        return
    signature = comment[len(SEAL_PREFIX) :].decode("ascii", "replace")
    if not signing.signature_valid(public_pem, data[:-SEAL_LENGTH], signature):
        report.problems.append("sceau de l'archive invalide : un octet de l'archive a changé")


def _check_redacted_previous(folder: str, data: bytes, previous: dict[str, Any], report: Report) -> None:
    """The previous link was erased at its author's request (GDPR): the file gives only its digest,
    which must be the one this signed manifest names. Its content cannot be checked, and is not
    needed to prove this capture; the reader is told."""
    try:
        facts = json.loads(data)
        digest = str(facts["sha256"])
    except (ValueError, KeyError, TypeError):
        report.problems.append(f"{folder}/previous_manifest_redacted.json : illisible")
        return
    if digest != previous.get("sha256"):
        report.problems.append(f"{folder} : le maillon précédent ne correspond pas (chaîne rompue)")
        return
    report.facts.append(
        f"{folder} : maillon précédent (n° {facts.get('seq', '?')}) expurgé des données personnelles "
        "(RGPD) ; son contenu n'est plus fourni, son empreinte est bien celle que ce manifeste signé nomme"
    )


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
    elif previous_bytes is None and f"{folder}/previous_manifest_redacted.json" in contents:
        _check_redacted_previous(
            folder, contents[f"{folder}/previous_manifest_redacted.json"], previous, report
        )
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
        report.not_timestamped.append(folder)
        report.facts.append(f"{folder} : non horodaté (aucun jeton d'horodatage dans le dossier)")
        return
    check = verify_token(token, hashlib.sha256(manifest_bytes).digest())
    if not check.ok:
        report.not_timestamped.append(folder)
        report.problems.append(f"{folder}/timestamp.tsr : {check.reason}")
    else:
        report.timestamped.append(folder)
        report.facts.append(
            f"{folder} : horodaté le {french_utc(check.gen_time) if check.gen_time else '?'} "
            f"par {check.tsa_subject}"
        )


def verify_bundle(data: bytes, *, max_total_bytes: int = MAX_TOTAL_BYTES) -> Report:
    """Everything that is wrong with the bundle ``data`` (an empty ``problems`` list: intact), and
    what was checked (``verdict`` says it in one line). Reads the archive in memory only."""
    report = Report()
    _verify(data, report, max_total_bytes)
    # A changed capture file is found twice, by the bundle's index and by the capture's manifest,
    # under the same name: the reader is told once (and the verdict counts it once).
    report.problems = list(dict.fromkeys(report.problems))
    return report


def _verify(data: bytes, report: Report, max_total_bytes: int) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        # The library's reason is in English and says nothing more to the reader.
        report.problems.append("archive ZIP illisible : ce n'est pas un fichier ZIP, ou il est tronqué")
        report.unreadable = True
        return
    with archive:
        contents = _read_all(archive, report, max_total_bytes)
    public_pem = contents.get("public_key.pem", b"")
    try:
        fingerprint = signing.fingerprint(public_pem)
    except ValueError:
        report.problems.insert(0, "public_key.pem : clé publique absente ou illisible")
        report.unreadable = True
        return
    report.fingerprint = fingerprint
    report.facts.append(f"clé de l'organisation : empreinte SHA-256 {fingerprint}")
    _check_seal(data, public_pem, report)
    index_bytes = contents.get("bundle.json")
    if index_bytes is None:
        report.problems.insert(0, "bundle.json absent")
        report.unreadable = True
        return
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
        report.unreadable = True
        return
    if index.get("format") != BUNDLE_FORMAT:
        report.problems.append("bundle.json : format inconnu")
    if index.get("key_fingerprint") != fingerprint:
        report.problems.append("bundle.json : la clé publique du dossier a été remplacée")
    report.files_listed = len(listed)
    for name, facts in listed.items():
        member = contents.get(name)
        if member is None:
            report.problems.append(f"{name} : absent")
        elif signing.sha256_hex(member) != facts.get("sha256"):
            report.problems.append(f"{name} : empreinte SHA-256 différente (fichier modifié)")
        else:
            report.files_matching += 1
    for name in sorted(set(contents) - set(listed) - {"bundle.json", "bundle.sig"}):
        report.problems.append(f"{name} : fichier ajouté, absent de l'index")
    for seq in captures:
        folder = f"captures/{int(seq):06d}"
        report.captures.append(folder)
        _check_capture(folder, contents, public_pem, fingerprint, report)
