"""/evidence/verify/: a manager checks a legal file from the web, with the same report as
`vigie evidence verify`. Signed-in managers and admins of an organisation only; the upload is capped;
the ZIP is read in memory, never extracted (a member named ``../x`` is a name, not a path)."""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vigie.conftest import Tenant
from vigie.core.models import Membership, User
from vigie.evidence.actions import do_record_capture
from vigie.evidence.bundle import build_bundle
from vigie.evidence.capture import Collected, utc_now
from vigie.evidence.formats import SEAL_LENGTH
from vigie.evidence.queries import signing_key
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db
Login = Callable[[Membership], Client]
URL = "/evidence/verify/"


def _bundle(tenant: Tenant) -> bytes:
    mention = make_mention(tenant.organisation, url="https://example.com/p/1")
    collected = Collected(
        url=mention.url, started_at=utc_now(), files={"payload.json": b'{"texte": "escrocs"}'}
    )
    do_record_capture(mention, collected)
    return build_bundle(mention).data


def _upload(client: Client, data: bytes, name: str = "dossier.zip") -> tuple[int, str]:
    response = client.post(URL, {"bundle": SimpleUploadedFile(name, data, content_type="application/zip")})
    return response.status_code, html.unescape(response.content.decode())


def test_only_signed_in_managers_and_admins_open_it(tenant: Tenant, login: Login) -> None:
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]
    assert Client().post(URL).status_code == 302
    for role in ("viewer", "agent"):
        assert login(tenant.member(role)).get(URL).status_code == 403
        assert login(tenant.member(role)).post(URL).status_code == 403
    stranger = Client()
    stranger.force_login(User.objects.create_user(email="personne@example.com", password="x" * 20))
    assert stranger.get(URL).status_code == 403  # signed in, but a member of no organisation
    for role in ("manager", "admin"):
        page = login(tenant.member(role)).get(URL)
        assert page.status_code == 200
        assert "Vérifier un dossier de preuve" in page.content.decode()
    # Reached from the evidence page.
    assert f'href="{URL}"' in login(tenant.manager).get("/evidence/").content.decode()


def test_an_intact_file_is_reported_intact_with_the_organisations_key(tenant: Tenant, login: Login) -> None:
    status, page = _upload(login(tenant.manager), _bundle(tenant))
    assert status == 200
    assert "intact : sceau de l'archive et signatures valides ;" in page
    assert "la capture n'est pas horodatée (date : horloge du serveur)" in page
    key = signing_key(tenant.organisation)
    assert key is not None
    assert key.fingerprint in page
    assert "C'est la clé de votre organisation." in page
    assert "ÉCHEC" not in page


def test_a_tampered_file_is_reported_altered(tenant: Tenant, login: Login) -> None:
    data = bytearray(_bundle(tenant))
    data[len(data) - SEAL_LENGTH - 30] ^= 0x01  # inside the central directory's end record
    status, page = _upload(login(tenant.manager), bytes(data))
    assert status == 200
    assert "ALTÉRÉ : " in page or "ILLISIBLE : " in page
    assert "intact :" not in page


def test_a_changed_file_inside_is_named(tenant: Tenant, login: Login) -> None:
    source = zipfile.ZipFile(io.BytesIO(_bundle(tenant)))
    repacked = io.BytesIO()
    with zipfile.ZipFile(repacked, "w") as target:
        target.writestr("captures/", b"")  # a folder entry, as ZIP tools add: not a file added
        for name in source.namelist():
            content = source.read(name)
            if name.endswith("files/payload.json"):
                content = content.replace(b"escrocs", b"amis")
            target.writestr(name, content)
    status, page = _upload(login(tenant.manager), repacked.getvalue())
    assert status == 200
    assert (
        "ÉCHEC : captures/000001/files/payload.json : empreinte SHA-256 différente (fichier modifié)" in page
    )
    assert "ALTÉRÉ : sceau de l'archive absent" in page
    assert "fichier ajouté" not in page
    # Said once, though both the index and the capture's manifest find it; the verdict counts it once.
    assert page.count("ÉCHEC : captures/000001/files/payload.json") == 1
    assert "(et 1 autre problème)" in page


def test_another_organisations_file_verifies_but_is_not_said_to_be_ours(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = _bundle(other_tenant)
    _bundle(tenant)  # acme has a key of its own
    status, page = _upload(login(tenant.manager), theirs)
    assert status == 200
    assert "intact :" in page  # the file itself is intact: verification is of the file
    assert "Ce n'est pas la clé de votre organisation" in page
    assert "C'est la clé de votre organisation." not in page
    # Nothing of globex's held in acme's evidence chain.
    assert "globex" not in login(tenant.manager).get("/evidence/").content.decode()


def test_member_names_are_never_paths(tenant: Tenant, login: Login, tmp_path: Path) -> None:
    """Zip-slip: nothing is written where a member's name points."""
    target = tmp_path / "evil.txt"
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bad:
        bad.writestr("../" * 12 + str(target).lstrip("/"), b"pwned")
        bad.writestr(str(target), b"pwned")
        bad.writestr("public_key.pem", b"not a key")
    status, page = _upload(login(tenant.manager), archive.getvalue())
    assert status == 200
    assert "ILLISIBLE : ce fichier n'est pas un dossier de preuve vérifiable" in page
    assert not target.exists()


def test_not_a_zip_and_no_file(tenant: Tenant, login: Login) -> None:
    client = login(tenant.manager)
    status, page = _upload(client, b"hello", name="note.txt")
    assert status == 200
    assert "ILLISIBLE : ce fichier n'est pas un dossier de preuve vérifiable (archive ZIP illisible" in page
    # The reason is in French, as the rest of the report (Python's "File is not a zip file" was shown).
    assert "ce n'est pas un fichier ZIP, ou il est tronqué" in page
    assert "File is not a zip file" not in page
    assert client.post(URL, {}).status_code == 400


def test_a_file_over_the_cap_is_refused_unread(tenant: Tenant, login: Login, settings: Any) -> None:
    settings.EVIDENCE_VERIFY_MAX_BYTES = 1000
    client = login(tenant.manager)
    status, page = _upload(client, b"x" * 5000)
    assert status == 400
    assert "Fichier trop volumineux : 1 Mo au plus." in page
    status, page = _upload(client, b"x" * 200_000)  # refused on its declared length
    assert status == 413
    assert "Fichier trop volumineux" in page
    assert "Rapport de vérification" not in page
