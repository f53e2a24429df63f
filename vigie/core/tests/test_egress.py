"""The egress client: real local servers, real sockets, and the policy without its test allowance."""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.utils import translation

from vigie.core.egress import (
    NOT_ALLOWED,
    NOT_FOUND,
    EgressRefused,
    ResponseTooLarge,
    check_url,
    egress_client,
)


class _Server:
    """A loopback HTTP server that counts what reached it; ``redirect_to`` answers 302 there."""

    def __init__(self, host: str = "127.0.0.1", redirect_to: str = "", stream_bytes: int = 0) -> None:
        self.hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.hits += 1
                if redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if stream_bytes:
                    # No Content-Length: only counting while reading can stop it.
                    self.send_response(200)
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = b"x" * 65536
                    sent = 0
                    try:
                        while sent < stream_bytes:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            sent += len(chunk)
                        self.wfile.write(b"0\r\n\r\n")
                    except OSError:
                        owner.cut_at = sent
                    return
                body = b"internal secret answer"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.cut_at = -1
        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.host = host
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def __enter__(self) -> _Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def no_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    """The policy as a production server without VIGIE_EGRESS_ALLOW has it."""
    monkeypatch.delenv("VIGIE_EGRESS_ALLOW", raising=False)


@contextmanager
def _client(**kwargs: Any) -> Iterator[httpx.Client]:
    with egress_client(timeout=5.0, **kwargs) as client:
        yield client


def test_loopback_answers_when_allowed_and_is_refused_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    with _Server() as server, _client() as client:
        assert client.get(server.url()).text == "internal secret answer"
        monkeypatch.delenv("VIGIE_EGRESS_ALLOW")
        with pytest.raises(EgressRefused, match="^adresse non autorisée$"):
            client.get(server.url("/again"))
        assert server.hits == 1  # the refused request never reached the server


@pytest.mark.usefixtures("no_allowance")
@pytest.mark.parametrize(
    "url",
    [
        "http://10.1.2.3/",
        "http://192.168.0.1:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:5432/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fe80::1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0:22/",
        "http://240.0.0.1/",
        "https://100.64.0.1/",
        "http://[2002:a9fe:a9fe::1]/",  # 6to4 of 169.254.169.254
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[fec0::1]/",  # site-local
    ],
)
def test_internal_addresses_are_refused_before_any_connection(url: str) -> None:
    started = time.monotonic()
    with _client() as client, pytest.raises(EgressRefused) as refused:
        client.get(url)
    assert str(refused.value) == "adresse non autorisée"
    assert time.monotonic() - started < 1  # no connection attempt, so no timeout to wait for


@pytest.mark.usefixtures("no_allowance")
def test_a_name_that_resolves_to_loopback_is_refused() -> None:
    with _Server() as server, _client() as client, pytest.raises(EgressRefused):
        client.get(f"http://localhost:{server.port}/")
    assert server.hits == 0


def test_a_redirect_from_an_allowed_server_to_a_forbidden_address_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only 127.0.0.1 is allowed: the "internal" service on 127.0.0.2 stands for the metadata
    # service or a database a redirect would lead to.
    with _Server(host="127.0.0.2") as internal:
        with (
            _Server(redirect_to=internal.url("/secret")) as allowed,
            _client(follow_redirects=True) as client,
        ):
            monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "127.0.0.1/32")
            with pytest.raises(EgressRefused):
                client.get(allowed.url())
            assert allowed.hits == 1
        assert internal.hits == 0
        with (
            _Server(redirect_to="http://169.254.169.254/latest/") as allowed,
            _client(follow_redirects=True) as client,
            pytest.raises(EgressRefused),
        ):
            client.get(allowed.url())


def test_an_allowed_name_reaches_its_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "localhost")
    with _Server() as server, _client() as client:
        assert client.get(f"http://localhost:{server.port}/").status_code == 200


def test_the_size_cap_stops_the_download_while_it_runs() -> None:
    # 200 MB offered without a Content-Length; the client stops after 1 MB.
    with _Server(stream_bytes=200 * 1024 * 1024) as server, _client(max_bytes=1024 * 1024) as client:
        started = time.monotonic()
        with pytest.raises(ResponseTooLarge):
            client.get(server.url())
        assert time.monotonic() - started < 5


def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    with _Server() as server, _client(max_bytes=10) as client, pytest.raises(ResponseTooLarge):
        client.get(server.url())


def test_credentials_never_go_over_plain_http_to_a_public_host(monkeypatch: pytest.MonkeyPatch) -> None:
    with _client(require_tls=True) as client, pytest.raises(EgressRefused, match="https"):
        client.get("http://93.184.215.14/api", headers={"Authorization": "Bearer secret"})
    # An operator-allowed host (a test server, an internal proxy) may use http://.
    with _Server() as server, _client(require_tls=True) as client:
        assert client.get(server.url()).status_code == 200
        monkeypatch.setenv("VIGIE_EGRESS_ALLOW", "10.0.0.0/8")
        with pytest.raises(EgressRefused):
            client.get(server.url())


@pytest.mark.usefixtures("no_allowance")
def test_refused_closed_and_silent_addresses_read_the_same() -> None:
    """No port scanner: what (if anything) listens on a forbidden address changes nothing."""
    with _Server() as listening:
        messages = set()
        for url in (listening.url(), "http://127.0.0.1:1/", "http://10.255.255.1:81/"):
            with _client() as client, pytest.raises(EgressRefused) as refused:
                client.get(url)
            messages.add(str(refused.value))
        assert messages == {"adresse non autorisée"}
        assert listening.hits == 0


@pytest.mark.usefixtures("no_allowance")
def test_an_english_reader_gets_the_same_one_refusal_in_english() -> None:
    """The refusal reads in the active language, still the same words for every address, and
    keeps its French message id in ``reason`` for code that compares it."""
    with _Server() as listening, translation.override("en"):
        refusals = []
        for url in (listening.url(), "http://127.0.0.1:1/", "http://10.255.255.1:81/"):
            with _client() as client, pytest.raises(EgressRefused) as refused:
                client.get(url)
            refusals.append(refused.value)
        assert {str(refusal) for refusal in refusals} == {"address not allowed"}
        assert {refusal.reason for refusal in refusals} == {NOT_ALLOWED}
        assert listening.hits == 0
        with pytest.raises(EgressRefused) as unknown:
            check_url("http://nowhere.invalid/")
        assert (str(unknown.value), unknown.value.reason) == ("address not found", NOT_FOUND)
        with pytest.raises(EgressRefused) as invalid:
            check_url("ftp://example.org/")
        assert str(invalid.value) == "invalid address"
        with _client(require_tls=True) as client, pytest.raises(EgressRefused) as plain:
            client.get("http://93.184.215.14/api")
        assert str(plain.value) == "address not allowed: https:// is required to send credentials"
        assert str(ResponseTooLarge(2 * 1024 * 1024)) == "response too large (more than 2 MB)"
    # Read again outside the override, the same refusal is French.
    assert str(unknown.value) == "adresse introuvable"
    assert str(ResponseTooLarge(2 * 1024 * 1024)) == "réponse trop volumineuse (plus de 2 Mo)"


def _certificate(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for ``name``: (certificate, key) files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(tz=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


@pytest.mark.parametrize(("certified", "works"), [("localhost", True), ("autre.example", False)])
def test_tls_checks_the_name_although_the_checked_address_is_dialled(
    tmp_path: Path, certified: str, works: bool
) -> None:
    """The socket goes to 127.0.0.1 (the checked address), the certificate is still verified
    against the URL's name: a certificate for another name fails."""
    cert, key = _certificate(tmp_path, certified)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    client_context = ssl.create_default_context(cafile=str(cert))
    with _Server() as server:
        server._server.socket = server_context.wrap_socket(server._server.socket, server_side=True)
        with egress_client(timeout=5.0, ssl_context=client_context) as client:
            url = f"https://localhost:{server.port}/"
            if works:
                assert client.get(url).text == "internal secret answer"
            else:
                with pytest.raises(httpx.ConnectError, match="certificate"):
                    client.get(url)
