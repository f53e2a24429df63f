"""Capturing a mention's page for real: Chromium renders a page served on loopback, the direct
fetch records the exchange, the manifest is signed, chained and timestamped by a local authority."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from vigie.conftest import Tenant
from vigie.connectors.testing import FakePlatform
from vigie.core.queries import audit_events
from vigie.evidence import signing
from vigie.evidence.models import Capture
from vigie.evidence.queries import held_mention_ids, is_held, signing_key
from vigie.evidence.service import capture_mention
from vigie.evidence.tests.tsa import LocalTSA
from vigie.evidence.timestamping import verify_token
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db


def _files(capture: Capture, evidence_dir: Path) -> set[str]:
    return {path.name for path in (evidence_dir / capture.directory).iterdir()}


def test_a_page_is_captured_whole_signed_chained_and_timestamped(
    tenant: Tenant, site: FakePlatform, tsa: LocalTSA, evidence_dir: Path
) -> None:
    mention = make_mention(tenant.organisation, url=f"{site.url}/post/1", raw={"id": "p1", "likes": 3})
    first = capture_mention(mention)
    assert first.status == "partial"  # the tracker on a private address was refused: said so
    manifest = json.loads(first.manifest)
    assert {
        "screenshot.png",
        "page.pdf",
        "page.html",
        "page.mhtml",
        "rendered.html",
        "served.html",
        "http.json",
        "payload.json",
        "environment.json",
    } <= set(manifest["files"])
    assert _files(first, evidence_dir) == set(manifest["files"])
    for name, facts in manifest["files"].items():
        assert signing.sha256_hex((evidence_dir / first.directory / name).read_bytes()) == facts["sha256"]
    folder = evidence_dir / first.directory
    assert (folder / "screenshot.png").read_bytes().startswith(b"\x89PNG")
    assert (folder / "page.pdf").read_bytes().startswith(b"%PDF")
    assert b"bande d'escrocs" in (folder / "page.html").read_bytes()
    assert b"MIME-Version" in (folder / "page.mhtml").read_bytes()
    exchange = json.loads((folder / "http.json").read_text())
    assert exchange["hops"][0]["resolved_ip"] == "127.0.0.1"
    assert exchange["hops"][0]["response"]["status"] == 200
    environment = json.loads((folder / "environment.json").read_text())
    assert environment["browser"]["version"]
    assert "Chrome" in environment["browser"]["user_agent"]
    assert environment["blocked_requests"] == ["http://10.0.0.1/tracker.gif"]
    assert site.requests_to("GET", "/post/1")  # the direct fetch and the browser both asked
    assert json.loads((folder / "payload.json").read_text())["raw"] == {"id": "p1", "likes": 3}
    # Signed with the organisation's key, first link of the chain, dated by the authority.
    key = signing_key(tenant.organisation)
    assert key is not None
    pem = key.public_key_pem
    assert signing.signature_valid(pem, first.manifest.encode(), first.signature)
    assert manifest["previous"] == {"seq": 0, "sha256": "0" * 64}
    assert first.timestamp_token is not None
    assert tsa.requests == 1
    assert verify_token(bytes(first.timestamp_token), hashlib.sha256(first.manifest.encode()).digest()).ok
    second = capture_mention(mention)
    assert json.loads(second.manifest)["previous"] == {"seq": 1, "sha256": first.manifest_sha256}
    # The mention is now under legal hold, and both facts are in the audit log.
    assert is_held(mention)
    assert held_mention_ids(tenant.organisation) == {mention.pk}
    verbs = list(audit_events(tenant.organisation).values_list("verb", flat=True))
    assert verbs.count("evidence.captured") == 2
    assert verbs.count("evidence.hold_placed") == 1


def test_a_removed_post_records_why_and_keeps_what_it_has(tenant: Tenant, site: FakePlatform) -> None:
    mention = make_mention(tenant.organisation, url=f"{site.url}/gone")
    capture = capture_mention(mention)
    assert capture.status == "partial"
    assert "HTTP 404" in capture.reason
    assert {"screenshot.png", "payload.json", "http.json"} <= set(json.loads(capture.manifest)["files"])


def test_a_login_wall_is_named(tenant: Tenant, site: FakePlatform) -> None:
    mention = make_mention(tenant.organisation, url=f"{site.url}/private/9")
    capture = capture_mention(mention)
    assert "mur de connexion" in capture.reason
    hops = json.loads(capture.manifest)["files"]["http.json"]
    assert hops  # the redirect to the login page is part of the recorded exchange


def test_a_private_address_is_refused_without_the_allow_list(
    tenant: Tenant, site: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIGIE_EGRESS_ALLOW")
    mention = make_mention(tenant.organisation, url=f"{site.url}/post/1")
    capture = capture_mention(mention)
    assert capture.status == "failed"
    assert "adresse non autorisée" in capture.reason
    assert site.requests == []  # nothing left the server towards the private address
    assert set(json.loads(capture.manifest)["files"]) == {"payload.json", "environment.json"}


def test_no_browser_still_gives_a_signed_capture_that_says_why(
    tenant: Tenant, site: FakePlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_CHROMIUM", "/nonexistent/chromium")
    mention = make_mention(tenant.organisation, url=f"{site.url}/post/1")
    capture = capture_mention(mention)
    assert capture.status == "failed"
    assert "navigateur absent" in capture.reason
    assert "served.html" in json.loads(capture.manifest)["files"]


def test_https_keeps_the_certificate_chain_and_says_it_did_not_verify(
    tenant: Tenant, tls_site: str, evidence_dir: Path
) -> None:
    mention = make_mention(tenant.organisation, url=tls_site)
    capture = capture_mention(mention)
    assert "certificat TLS non vérifié" in capture.reason
    folder = evidence_dir / capture.directory
    hop = json.loads((folder / "http.json").read_text())["hops"][0]
    assert hop["resolved_ip"] == "127.0.0.1"
    assert hop["tls"]["version"].startswith("TLS")
    assert len(hop["tls"]["certificate_chain_pem"]) == 2  # the leaf and its authority, as presented
    assert all(pem.startswith("-----BEGIN CERTIFICATE-----") for pem in hop["tls"]["certificate_chain_pem"])
    assert b"bande d'escrocs" in (folder / "page.html").read_bytes()  # rendered all the same
    environment = json.loads((folder / "environment.json").read_text())
    assert environment["security_details"]["protocol"].startswith("TLS")


def test_a_redirect_to_a_private_address_is_refused_at_each_hop(
    tenant: Tenant, site: FakePlatform, evidence_dir: Path
) -> None:
    site.add("GET", "/jump", status=302, headers={"Location": "http://10.0.0.1/internal"})
    mention = make_mention(tenant.organisation, url=f"{site.url}/jump")
    capture = capture_mention(mention)
    folder = evidence_dir / capture.directory
    exchange = json.loads((folder / "http.json").read_text())
    assert "adresse non autorisée (http://10.0.0.1/internal)" in exchange["error"]
    environment = json.loads((folder / "environment.json").read_text())
    assert "http://10.0.0.1/internal" in environment["refused_connections"]
