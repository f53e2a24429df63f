"""Fixtures of the evidence tests: a platform page served on loopback, a local timestamping
authority, and capture files kept in the test's own folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.connectors.testing import FakePlatform
from vigie.evidence.tests.tsa import LocalTSA

POST_HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Avis</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Avis de Jean Dupont</h1><p class="post">Cette entreprise est une bande d'escrocs.</p>
<img src="/pixel.png" alt=""><img src="http://10.0.0.1/tracker.gif" alt=""></body></html>"""
LOGIN_HTML = """<!doctype html><html><body><form action="/login" method="post">
<input name="user"><input type="password" name="password"><button>Se connecter</button></form></body></html>"""


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    folder = tmp_path / "evidence"
    settings.EVIDENCE_DIR = str(folder)
    return folder


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlatform]:
    """A platform serving a defamatory post, a removed post (404) and a post behind a login wall."""
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    with FakePlatform() as fake:
        fake.add("GET", "/post/1", body=POST_HTML, headers={"Content-Type": "text/html; charset=utf-8"})
        fake.add(
            "GET", "/style.css", body="body{font-family:sans-serif}", headers={"Content-Type": "text/css"}
        )
        fake.add("GET", "/pixel.png", body=b"", status=404)
        fake.add(
            "GET",
            "/gone",
            body="<h1>Cette publication n'existe plus</h1>",
            status=404,
            headers={"Content-Type": "text/html"},
        )
        fake.add("GET", "/private/9", status=302, headers={"Location": "/login?next=/private/9"})
        fake.add("GET", "/login", body=LOGIN_HTML, headers={"Content-Type": "text/html"})
        yield fake


@pytest.fixture
def tsa(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalTSA]:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    with LocalTSA() as authority:
        monkeypatch.setenv("VIGIE_TSA_URL", authority.url)
        yield authority


@pytest.fixture
def tls_site(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """An HTTPS page on 127.0.0.1 whose server presents a leaf and its (private) authority."""
    import datetime as dt
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from ipaddress import IPv4Address

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1")
    now = dt.datetime.now(dt.UTC)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Autorite de test"))
        .issuer_name(name("Autorite de test"))
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = tmp_path / "chain.pem"
    chain.write_bytes(
        leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    )
    key_file = tmp_path / "key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = POST_HTML.replace("/style.css", "").replace("/pixel.png", "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(chain, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/post/1"
    finally:
        server.shutdown()
        server.server_close()
