"""RFC 3161 timestamps: ask a timestamping authority (``VIGIE_TSA_URL``) to date a digest, and check a
token offline (message imprint, the signed attributes' digest, the TSA certificate's signature).

The offline check proves the token was signed by the certificate it carries and covers our digest;
whether that certificate belongs to a trusted authority is for the reader to confirm (its subject is
reported), since a verifier with no network has no trust store to consult.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime

import httpx
from asn1crypto import algos, cms, tsp, x509  # type: ignore[import-untyped]
from cryptography import x509 as crypto_x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from vigie.core.egress import EgressRefused, check_url, egress_client

MAX_RESPONSE_BYTES = 64 * 1024
TIMEOUT_SECONDS = 15.0


class TimestampError(RuntimeError):
    """The authority could not be reached or answered something unusable. Safe to show."""


def tsa_url() -> str:
    return os.environ.get("VIGIE_TSA_URL", "").strip()


def build_request(digest: bytes, nonce: int) -> bytes:
    """A DER TimeStampReq for a SHA-256 ``digest`` asking for the authority's certificate."""
    request = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "hashed_message": digest,
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(request.dump())


def request_timestamp(url: str, digest: bytes) -> bytes:
    """The DER TimeStampResp of the authority at ``url`` for ``digest``, checked; TimestampError otherwise."""
    check_url(url)
    nonce = secrets.randbits(63)
    try:
        # The guarded client checks the address again where the socket opens and stops a runaway
        # answer while it downloads, past MAX_RESPONSE_BYTES.
        with egress_client(timeout=TIMEOUT_SECONDS, max_bytes=MAX_RESPONSE_BYTES) as client:
            response = client.post(
                url,
                content=build_request(digest, nonce),
                headers={"Content-Type": "application/timestamp-query"},
            )
    except (httpx.HTTPError, EgressRefused) as exc:
        raise TimestampError(f"autorité d'horodatage injoignable ({type(exc).__name__})") from exc
    if response.status_code != 200:
        raise TimestampError(f"l'autorité d'horodatage répond HTTP {response.status_code}")
    body = response.content
    if len(body) > MAX_RESPONSE_BYTES:
        raise TimestampError("réponse d'horodatage trop grande")
    result = verify_token(body, digest)
    if not result.ok:
        raise TimestampError(f"réponse d'horodatage invalide : {result.reason}")
    if result.nonce != nonce:
        raise TimestampError("réponse d'horodatage invalide : nonce différent")
    return body


@dataclass(frozen=True)
class TimestampCheck:
    ok: bool
    reason: str = ""
    gen_time: datetime | None = None
    tsa_subject: str = ""
    nonce: int | None = None


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def _signer_certificate(signed_data: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate | None:
    sid = signer["sid"]
    for choice in signed_data["certificates"] or []:
        if choice.name != "certificate":
            continue
        certificate = choice.chosen
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if (
                certificate.issuer == wanted["issuer"]
                and certificate.serial_number == wanted["serial_number"].native
            ):
                return certificate
        elif certificate.key_identifier == sid.chosen.native:
            return certificate
    return None


def _verify_signature(certificate: x509.Certificate, signer: cms.SignerInfo, data: bytes) -> bool:
    public_key = crypto_x509.load_der_x509_certificate(certificate.dump()).public_key()
    signature = signer["signature"].native
    digest_name = signer["digest_algorithm"]["algorithm"].native
    hash_class = _HASHES.get(digest_name)
    try:
        if isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        elif hash_class is None:
            return False
        elif isinstance(public_key, rsa.RSAPublicKey):
            if signer["signature_algorithm"].signature_algo == "rsassa_pss":
                pss = padding.PSS(mgf=padding.MGF1(hash_class()), salt_length=padding.PSS.AUTO)
                public_key.verify(signature, data, pss, hash_class())
            else:
                public_key.verify(signature, data, padding.PKCS1v15(), hash_class())
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hash_class()))
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_token(response_der: bytes, digest: bytes) -> TimestampCheck:
    """Check a DER TimeStampResp against the SHA-256 ``digest`` it should date."""
    try:
        response = tsp.TimeStampResp.load(response_der, strict=True)
        status = response["status"]["status"].native
        if status not in ("granted", "granted_with_mods"):
            return TimestampCheck(False, f"horodatage refusé ({status})")
        token = response["time_stamp_token"]
        if token["content_type"].native != "signed_data":
            return TimestampCheck(False, "jeton d'horodatage mal formé")
        signed_data = token["content"]
        encap = signed_data["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            return TimestampCheck(False, "jeton d'horodatage mal formé")
        tst_der = bytes(encap["content"].contents)
        tst_info = tsp.TSTInfo.load(tst_der)
        imprint = tst_info["message_imprint"]
        if imprint["hash_algorithm"]["algorithm"].native != "sha256":
            return TimestampCheck(False, "empreinte horodatée d'un autre algorithme que SHA-256")
        if bytes(imprint["hashed_message"].native) != digest:
            return TimestampCheck(False, "l'horodatage ne porte pas sur ce manifeste (empreinte différente)")
        signers = list(signed_data["signer_infos"])
        if len(signers) != 1:
            return TimestampCheck(False, "jeton d'horodatage mal formé (signataires)")
        signer = signers[0]
        hash_class = _HASHES.get(signer["digest_algorithm"]["algorithm"].native)
        if hash_class is None:
            return TimestampCheck(False, "algorithme de l'horodatage non pris en charge")
        signed_attrs = signer["signed_attrs"]
        if not signed_attrs:
            return TimestampCheck(False, "jeton d'horodatage sans attributs signés")
        message_digest = None
        for attribute in signed_attrs:
            if attribute["type"].native == "message_digest":
                message_digest = bytes(attribute["values"][0].native)
        expected = hashlib.new(hash_class().name, tst_der).digest()
        if message_digest != expected:
            return TimestampCheck(False, "le contenu horodaté a été modifié")
        certificate = _signer_certificate(signed_data, signer)
        if certificate is None:
            return TimestampCheck(False, "certificat de l'autorité absent du jeton")
        # The signature covers the DER of the signed attributes as a SET OF (tag 0x31), not as [0].
        signed_bytes = b"\x31" + bytes(signed_attrs.dump())[1:]
        if not _verify_signature(certificate, signer, signed_bytes):
            return TimestampCheck(False, "signature de l'autorité d'horodatage invalide")
        nonce_value = tst_info["nonce"].native
        return TimestampCheck(
            True,
            gen_time=tst_info["gen_time"].native,
            tsa_subject=certificate.subject.human_friendly,
            nonce=int(nonce_value) if nonce_value is not None else None,
        )
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        return TimestampCheck(False, f"jeton d'horodatage illisible ({type(exc).__name__})")


__all__ = ["TimestampError", "build_request", "request_timestamp", "tsa_url", "verify_token"]
