"""The HTTP exchange of a capture, fetched directly (not through the browser).

The connection goes to the very address the egress policy accepted (no second DNS lookup that could
answer something else), so the resolved IP recorded is the one that answered. For HTTPS the chain of
certificates the server presented is kept as PEM. Redirects are followed by hand, each hop checked.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from vigie.core.egress import EgressRefused, check_url

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 20.0
# A server that drips its answer cannot hold a capture longer than this.
TOTAL_SECONDS = 60.0
# _ssl.ENCODING_PEM: the format argument of the certificates the chain getters return.
_ENCODING_PEM = 1
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) VigieEvidence/1.0"


@dataclass
class Exchange:
    """What one direct fetch saw: every hop's request and response, the final body."""

    hops: list[dict[str, Any]] = field(default_factory=list)
    body: bytes = b""
    status: int | None = None
    error: str = ""
    truncated: bool = False

    def as_record(self) -> dict[str, Any]:
        return {
            "hops": self.hops,
            "final_status": self.status,
            "body_bytes": len(self.body),
            "body_truncated": self.truncated,
            "error": self.error,
        }


def _chain_pem(sock: ssl.SSLSocket) -> tuple[list[str], bool]:
    """The certificates the server presented, leaf first, and whether they were verified."""
    inner = getattr(sock, "_sslobj", None)
    verified = sock.context.verify_mode == ssl.CERT_REQUIRED
    chain: list[Any] = []
    if inner is not None:
        # Python 3.13 makes these public (get_verified_chain); 3.11 has them on the inner object.
        getter = getattr(inner, "get_verified_chain" if verified else "get_unverified_chain", None)
        if getter is not None:
            chain = list(getter() or [])
    pems = [str(certificate.public_bytes(_ENCODING_PEM)) for certificate in chain]
    if not pems:
        der = sock.getpeercert(binary_form=True)
        if der:
            pems = [ssl.DER_cert_to_PEM_cert(der)]
    return pems, verified


def _one_hop(url: str, verify: bool) -> tuple[dict[str, Any], http.client.HTTPResponse, socket.socket]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = check_url(url)
    address = str(addresses[0])
    raw = socket.create_connection((address, port), timeout=TIMEOUT_SECONDS)
    tls: dict[str, Any] | None = None
    sock: socket.socket = raw
    if parts.scheme == "https":
        context = ssl.create_default_context()
        if not verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            wrapped = context.wrap_socket(raw, server_hostname=host)
        except Exception:
            raw.close()
            raise
        chain, verified = _chain_pem(wrapped)
        tls = {
            "version": wrapped.version(),
            "cipher": (wrapped.cipher() or ("",))[0],
            "certificate_verified": verified,
            "certificate_chain_pem": chain,
        }
        sock = wrapped
    connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
    connection.sock = sock
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "Accept-Language": "fr-FR,fr;q=0.9",
    }
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    hop = {
        "request": {"method": "GET", "url": url, "headers": headers},
        "resolved_ip": address,
        "port": port,
        "tls": tls,
        "response": {
            "status": response.status,
            "reason": response.reason,
            "http_version": "HTTP/1.1" if response.version == 11 else "HTTP/1.0",
            "headers": [[name, value] for name, value in response.getheaders()],
        },
    }
    return hop, response, sock


def _read_body(response: http.client.HTTPResponse, deadline: float) -> tuple[bytes, bool, bool]:
    """``(body, truncated, complete)``: read in chunks, up to the size cap and the deadline."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            return b"".join(chunks), False, False
        chunk = response.read1(65536)
        if not chunk:
            return b"".join(chunks), False, True
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return b"".join(chunks)[:MAX_BODY_BYTES], True, True


def fetch(url: str) -> Exchange:
    """Fetch ``url`` directly and record the exchange; never raises (errors go to ``error``)."""
    exchange = Exchange()
    current = url
    deadline = time.monotonic() + TOTAL_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            try:
                hop, response, sock = _one_hop(current, verify=True)
            except ssl.SSLCertVerificationError as exc:
                # Keep the evidence anyway, and say the certificate did not verify.
                hop, response, sock = _one_hop(current, verify=False)
                hop["tls"]["verification_error"] = exc.verify_message or str(exc)
        except EgressRefused as exc:
            exchange.error = f"{exc} ({current})"
            return exchange
        except (OSError, http.client.HTTPException) as exc:
            exchange.error = f"connexion impossible : {type(exc).__name__}"
            return exchange
        exchange.hops.append(hop)
        exchange.status = response.status
        try:
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                current = urljoin(current, response.getheader("Location", ""))
                continue
            exchange.body, exchange.truncated, complete = _read_body(response, deadline)
            if not complete:
                exchange.error = "la page n'a pas fini d'arriver dans le délai"
            return exchange
        except (OSError, http.client.HTTPException) as exc:
            exchange.error = f"lecture interrompue : {type(exc).__name__}"
            return exchange
        finally:
            sock.close()
    exchange.error = "trop de redirections"
    return exchange
