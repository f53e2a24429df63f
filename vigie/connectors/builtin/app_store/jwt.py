"""The ES256 JWT App Store Connect expects in ``Authorization: Bearer`` (signed with a .p8 key)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

_PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", re.DOTALL)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def normalise_pem(text: str) -> str:
    """The PEM of ``text`` with its lines restored: a key pasted in a one-line input loses its
    line breaks (and a JSON string may carry them as ``\\n``)."""
    text = text.replace("\\n", "\n").strip()
    match = _PEM.search(text)
    if match is None:
        raise ValueError("expected the .p8 private key (-----BEGIN PRIVATE KEY----- …)")
    label, body = match.group(1), re.sub(r"\s+", "", match.group(2))
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def load_ec_key(pem: str) -> ec.EllipticCurvePrivateKey:
    """The P-256 private key of a .p8 file; ``ValueError`` when it is not one."""
    text = normalise_pem(pem)
    try:
        key = serialization.load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        raise ValueError("private_key is not a readable PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("private_key is not an App Store Connect (P-256) key")
    return key


def sign_es256(key: ec.EllipticCurvePrivateKey, claims: dict[str, Any], key_id: str) -> str:
    """``claims`` as a compact JWT signed with ECDSA P-256 SHA-256 (raw ``r||s`` signature)."""
    header = {"alg": "ES256", "kid": key_id, "typ": "JWT"}
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
