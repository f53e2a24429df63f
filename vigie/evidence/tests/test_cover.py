"""The cover note and the manifest say what a capture actually did: which steps ran, which failed and
why, what the file holds. Found in the demo: a capture whose address could not be resolved (no page
requested, nothing rendered) was described as "Page demandée directement … puis rendue par Chromium"."""

from __future__ import annotations

import html
import json
import zipfile
from io import BytesIO

import pytest

from vigie.conftest import Tenant
from vigie.connectors.testing import FakePlatform
from vigie.evidence.bundle import build_bundle
from vigie.evidence.service import capture_mention
from vigie.evidence.tests.tsa import LocalTSA
from vigie.evidence.verify import verify_bundle
from vigie.inbox.tests.factories import make_case
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db

FULL_METHOD_CLAIMS = ("Page demandée directement", "puis rendue par Chromium")


def _note(mention: Mention) -> tuple[str, zipfile.ZipFile, bytes]:
    bundle = build_bundle(mention, make_case(mention.organisation, mention))
    archive = zipfile.ZipFile(BytesIO(bundle.data))
    # Read as a lawyer reads it (entities resolved).
    return html.unescape(archive.read("note/note_de_couverture.html").decode()), archive, bundle.data


def _pdf_text(data: bytes) -> str:
    """The text drawn in the PDF's pages (its content streams inflated; fpdf2 writes Latin-1)."""
    import re
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            chunks.append(stream.decode("latin-1"))
    return "".join(re.findall(r"\((.*?)\) ?Tj", "\n".join(chunks)))


def _steps(manifest: dict[str, object]) -> dict[str, str]:
    return {str(item["step"]): str(item["outcome"]) for item in manifest["steps"]}  # type: ignore[attr-defined]


def test_an_address_that_does_not_resolve_is_said_so_and_nothing_more_is_claimed(
    tenant: Tenant, site: FakePlatform
) -> None:
    mention = make_mention(tenant.organisation, url="http://publication.invalid/avis/1")
    capture = capture_mention(mention)
    assert capture.status == "failed"
    manifest = json.loads(capture.manifest)
    assert _steps(manifest) == {
        "payload": "done",
        "address": "refused",
        "direct_fetch": "not_run",
        "render": "not_run",
        "environment": "done",
    }
    assert set(manifest["files"]) == {"payload.json", "environment.json"}
    assert "adresse introuvable" in manifest["method"]
    for claim in FULL_METHOD_CLAIMS:
        assert claim not in manifest["method"]
    assert site.requests == []

    note, archive, data = _note(mention)
    for claim in FULL_METHOD_CLAIMS:
        assert claim not in note
    assert (
        "Vérification de l'adresse de la page (politique de sortie réseau) : refusée (adresse introuvable)"
        in note
    )
    assert "Requête HTTP directe de la page" in note
    assert "non effectuée (adresse refusée" in note
    assert "Capture de la page dans Chromium" in note
    assert "Non obtenu pour cette capture : capture d'écran pleine page, impression PDF de la page" in note
    # Without an authority, the note says there is no timestamp and why, not a bare "non".
    assert "non : aucune autorité d'horodatage n'était configurée" in note
    assert (
        "captures/000001/</code> : capture n° 1 : manifeste signé (manifest.json, manifest.sig), 2 fichiers, pas d'horodatage"
        in note
    )
    assert not [name for name in archive.namelist() if name.endswith("screenshot.png")]
    assert verify_bundle(data).ok


def test_a_page_fetched_but_not_rendered_says_which_step_failed(
    tenant: Tenant, site: FakePlatform, tsa: LocalTSA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIGIE_CHROMIUM", "/nonexistent/chromium")
    mention = make_mention(tenant.organisation, url=f"{site.url}/post/1")
    capture = capture_mention(mention)
    manifest = json.loads(capture.manifest)
    assert _steps(manifest)["direct_fetch"] == "done"
    assert _steps(manifest)["render"] == "failed"
    assert "horodatage RFC 3161 du manifeste est demandé" in manifest["method"]
    note, _archive, _data = _note(mention)
    assert (
        "Requête HTTP directe de la page (échange HTTP, certificats TLS, adresse IP) : effectuée (réponse HTTP 200) ; fichiers : http.json, served.html"
        in note
    )
    assert (
        "Chromium sans interface, piloté par Playwright (capture pleine page, PDF, HTML, MHTML) : échouée (navigateur absent (/nonexistent/chromium))"
        in note
    )
    assert "Non obtenu pour cette capture : capture d'écran pleine page" in note
    assert "échange HTTP direct" not in note.split("Non obtenu pour cette capture")[1].split("</p>")[0]
    assert "oui (timestamp.tsr" in note


def test_a_full_capture_lists_every_step_done(tenant: Tenant, site: FakePlatform) -> None:
    mention = make_mention(tenant.organisation, url=f"{site.url}/post/1")
    capture = capture_mention(mention)
    steps = _steps(json.loads(capture.manifest))
    assert steps["address"] == steps["direct_fetch"] == "done"
    # The tracker on a private address was refused: the rendering is done, in part, and says why.
    assert steps["render"] == "incomplete"
    note, _archive, _data = _note(mention)
    assert "1 ressource de la page non chargée : adresse non autorisée" in note
    assert "fichiers : page.html, page.mhtml, page.pdf, rendered.html, screenshot.png" in note
    assert "Non obtenu pour cette capture" not in note
    method = json.loads(capture.manifest)["method"]
    assert "aucune autorité d'horodatage n'est configurée : pas d'horodatage RFC 3161" in method


def test_the_note_names_the_case_by_its_reference_and_writes_dates_in_french(
    tenant: Tenant, site: FakePlatform
) -> None:
    """Found in the demo: "dossier Vigie n° 3449" (the row number, while the team and the lawyer know
    "C-003449"), "(UTC : 2026-12-07T17:59:54.799Z)", and "par Benoît Fournier ()" in the PDF of an
    author with no handle."""
    from vigie.mentions.tests.factories import make_author

    author = make_author(tenant.organisation, platform="facebook", handle="", display_name="Benoît Fournier")
    mention = make_mention(tenant.organisation, author=author, url="http://publication.invalid/avis/1")
    capture_mention(mention)
    case = make_case(tenant.organisation, mention)
    bundle = build_bundle(mention, case)
    archive = zipfile.ZipFile(BytesIO(bundle.data))
    note = html.unescape(archive.read("note/note_de_couverture.html").decode())
    assert f"dossier Vigie n° {case.reference}" in note
    assert f"n° {case.pk}." not in note
    assert "UTC : " in note
    import re

    assert not re.search(r"\d{4}-\d{2}-\d{2}T", note)  # no ISO "2026-12-07T17:59:54.799Z"
    assert re.search(r"\(UTC : \d{1,2}(er)? \w+ \d{4} à \d\d:\d\d:\d\d UTC\)", note)
    pdf = _pdf_text(archive.read("note/note_de_couverture.pdf"))
    assert f"dossier Vigie n° {case.reference}" in pdf
    assert "Benoît Fournier," in pdf
    assert "()" not in pdf


def test_a_review_with_stars_only_says_its_rating_and_that_it_has_no_text(tenant: Tenant) -> None:
    """Found in the demo: a held Google review with a rating and no text gave an empty quotation."""
    mention = make_mention(tenant.organisation, url="http://publication.invalid/avis/2", text="", rating=1)
    capture_mention(mention)
    note, archive, _data = _note(mention)
    assert "Note donnée : 1 sur 5." in note
    assert "Publication sans texte." in note
    assert "<blockquote></blockquote>" not in note
    pdf = _pdf_text(archive.read("note/note_de_couverture.pdf"))
    assert "Note donnée : 1 sur 5." in pdf
    assert "Publication sans texte." in pdf
