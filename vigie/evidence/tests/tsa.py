"""A real RFC 3161 timestamping authority on 127.0.0.1, for tests.

It parses the TimeStampReq, builds a TSTInfo (the request's imprint and nonce, the time now) and
signs it in a CMS SignedData with an RSA key and a self-signed certificate marked for time
stamping, as a public authority does; nothing about our own code is faked.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from asn1crypto import algos, cms, tsp, x509  # type: ignore[import-untyped]
from cryptography import x509 as crypto_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _certificate(key: rsa.RSAPrivateKey) -> bytes:
    name = crypto_x509.Name(
        [
            crypto_x509.NameAttribute(NameOID.COMMON_NAME, "Vigie Test TSA"),
            crypto_x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tests"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        crypto_x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(crypto_x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(crypto_x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.DER)


class LocalTSA:
    """``with LocalTSA() as tsa: os.environ["VIGIE_TSA_URL"] = tsa.url``."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.certificate = x509.Certificate.load(_certificate(self.key))
        self.serials = itertools.count(1)
        self.requests = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/tsa"

    def respond(self, request_der: bytes) -> bytes:
        request = tsp.TimeStampReq.load(request_der)
        tst_info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.3.6.1.4.1.99999.1",
                "message_imprint": request["message_imprint"],
                "serial_number": next(self.serials),
                "gen_time": datetime.now(UTC).replace(microsecond=0),
                "nonce": request["nonce"].native,
            }
        )
        tst_der = tst_info.dump()
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]}),
            ]
        )
        signature = self.key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    {
                        "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                            {
                                "issuer": self.certificate.issuer,
                                "serial_number": self.certificate.serial_number,
                            }
                        )
                    }
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": signed_attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"}),
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {"content_type": "tst_info", "content": tst_info},
                "certificates": [self.certificate],
                "signer_infos": [signer],
            }
        )
        response = tsp.TimeStampResp(
            {
                "status": {"status": "granted"},
                "time_stamp_token": cms.ContentInfo({"content_type": "signed_data", "content": signed_data}),
            }
        )
        return bytes(response.dump())

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = tsa.respond(self.rfile.read(length))
                tsa.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler

    def __enter__(self) -> LocalTSA:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
