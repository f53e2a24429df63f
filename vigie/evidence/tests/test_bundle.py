"""The legal file: exported by the command, accepted intact by `vigie evidence verify`, refused after
any single byte changes (in a capture file, a manifest, a timestamp, the cover note, the archive)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.connectors.testing import FakePlatform
from vigie.evidence.actions import do_record_capture, timestamp_capture
from vigie.evidence.capture import Collected, utc_now
from vigie.evidence.formats import SEAL_LENGTH
from vigie.evidence.service import capture_mention
from vigie.evidence.tests.tsa import LocalTSA
from vigie.evidence.verify import verify_bundle
from vigie.inbox.tests.factories import make_case
from vigie.mentions.tests.factories import make_author, make_mention

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(tenant: Tenant, site: FakePlatform, tsa: LocalTSA, tmp_path: Path) -> Path:
    organisation = tenant.organisation
    author = make_author(organisation, handle="jdupont", display_name="Jean Dupont")
    published = timezone.now() - timedelta(days=10)
    mention = make_mention(
        organisation,
        author=author,
        url=f"{site.url}/post/1",
        created_at=published,
        text="Cette entreprise est une bande d'escrocs.",
    )
    make_mention(organisation, author=author, text="Encore eux, des voleurs.", source=mention.source)
    # Another capture first, so the case's capture is a link with a predecessor in the chain.
    capture_mention(make_mention(organisation, url=f"{site.url}/gone"))
    case = make_case(organisation, mention)
    out = tmp_path / "dossier.zip"
    call_command("evidence", "capture", "--org", "acme", "--mention", str(mention.pk), stdout=io.StringIO())
    call_command(
        "evidence", "export", "--org", "acme", "--case", str(case.pk), "--out", str(out), stdout=io.StringIO()
    )
    return out


def verify(path: Path) -> tuple[int, str]:
    """``vigie evidence verify PATH``: its exit status and what it printed."""
    stdout = io.StringIO()
    try:
        call_command("evidence", "verify", str(path), stdout=stdout)
    except SystemExit as exc:
        return int(exc.code or 0), stdout.getvalue()
    return 0, stdout.getvalue()


def verdict(output: str) -> str:
    return output.strip().splitlines()[-1]


def test_capture_prints_its_id_and_sha256(tenant: Tenant, site: FakePlatform) -> None:
    mention = make_mention(tenant.organisation, url=f"{site.url}/post/1")
    stdout = io.StringIO()
    call_command("evidence", "capture", "--org", "acme", "--mention", str(mention.pk), stdout=stdout)
    printed = json.loads(stdout.getvalue())
    assert printed["capture"] > 0
    assert len(printed["sha256"]) == 64


def test_capture_of_another_organisations_mention_is_refused(
    tenant: Tenant, other_tenant: Tenant, site: FakePlatform
) -> None:
    mention = make_mention(other_tenant.organisation, url=f"{site.url}/post/1")
    with pytest.raises(CommandError, match="no mention"):
        call_command("evidence", "capture", "--org", "acme", "--mention", str(mention.pk))


def test_the_bundle_holds_the_legal_file_and_verifies(bundle: Path) -> None:
    names = set(zipfile.ZipFile(bundle).namelist())
    assert {
        "bundle.json",
        "bundle.sig",
        "public_key.pem",
        "case/timeline.json",
        "author/other_posts.json",
        "note/note_de_couverture.html",
        "note/note_de_couverture.pdf",
        "captures/000002/manifest.json",
        "captures/000002/timestamp.tsr",
        "captures/000002/previous_manifest.json",
        "captures/000002/files/screenshot.png",
    } <= names
    archive = zipfile.ZipFile(bundle)
    note = archive.read("note/note_de_couverture.html").decode()
    expires = timezone.localdate() - timedelta(days=10)
    assert "Le délai de trois mois expire le" in note
    assert "google_business" not in note  # the platform by its name
    assert "NF Z67-147" in note
    assert str(expires.year) in note
    others = json.loads(archive.read("author/other_posts.json"))
    assert [post["text"] for post in others] == ["Encore eux, des voleurs."]
    code, output = verify(bundle)
    assert code == 0, output
    assert "horodaté le" in output
    files = len(json.loads(archive.read("bundle.json"))["files"])
    assert verdict(output) == (
        f"intact : sceau de l'archive et signatures valides ; {files} fichiers conformes à l'empreinte ; "
        "chaîne de 1 capture vérifiée ; la capture est horodatée (RFC 3161, horodatage vérifié)"
    )


def _member_offset(path: Path, name: str) -> int:
    """Where ``name``'s (compressed) bytes start in the archive."""
    data = path.read_bytes()
    info = zipfile.ZipFile(path).getinfo(name)
    header = info.header_offset
    name_length = int.from_bytes(data[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(data[header + 28 : header + 30], "little")
    return header + 30 + name_length + extra_length


@pytest.mark.parametrize(
    "position",
    [
        "captures/000002/files/screenshot.png",
        "captures/000002/manifest.json",
        "captures/000002/timestamp.tsr",
        "note/note_de_couverture.pdf",
        "central directory",
        "seal",
    ],
)
def test_any_changed_byte_is_refused(bundle: Path, position: str, tmp_path: Path) -> None:
    data = bytearray(bundle.read_bytes())
    if position == "central directory":
        offset = len(data) - SEAL_LENGTH - 30  # inside the end records, before the comment
    elif position == "seal":
        offset = len(data) - 5
    else:
        offset = _member_offset(bundle, position) + 3
    data[offset] ^= 0x01
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(bytes(data))
    code, output = verify(tampered)
    assert code == 1, output
    assert "ÉCHEC" in output
    assert verdict(output).startswith(("ALTÉRÉ : ", "ILLISIBLE : ")), output
    assert "CommandError" not in output


def test_a_repacked_archive_with_one_changed_file_names_the_file(bundle: Path, tmp_path: Path) -> None:
    source = zipfile.ZipFile(bundle)
    repacked = io.BytesIO()
    with zipfile.ZipFile(repacked, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "captures/000002/files/page.html":
                content = content.replace(b"escrocs", b"amis")
            target.writestr(name, content)
    report = verify_bundle(repacked.getvalue())
    assert not report.ok
    assert any("captures/000002/files/page.html" in problem for problem in report.problems)
    assert any("sceau" in problem for problem in report.problems)


def test_export_without_a_capture_says_so(tenant: Tenant, tmp_path: Path) -> None:
    mention = make_mention(tenant.organisation)
    with pytest.raises(CommandError, match="capture"):
        call_command(
            "evidence",
            "export",
            "--org",
            "acme",
            "--mention",
            str(mention.pk),
            "--out",
            str(tmp_path / "x.zip"),
        )


def test_a_capture_without_files_is_still_a_signed_link(tenant: Tenant, tmp_path: Path) -> None:
    mention = make_mention(tenant.organisation)
    collected = Collected(
        url="", started_at=utc_now(), files={"payload.json": b"{}"}, reasons=["aucune adresse"]
    )
    do_record_capture(mention, collected)
    out = tmp_path / "m.zip"
    call_command(
        "evidence",
        "export",
        "--org",
        "acme",
        "--mention",
        str(mention.pk),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    code, output = verify(out)
    assert code == 0, output
    assert "captures/000001 : non horodaté" in output
    # Not "… et horodatages vérifiés" after "non horodaté": the verdict says what was verified.
    assert verdict(output).endswith("; la capture n'est pas horodatée (date : horloge du serveur)")
    assert "horodatages vérifiés" not in output


def test_verify_of_a_missing_or_foreign_file_exits_1(tmp_path: Path) -> None:
    code, output = verify(tmp_path / "absent.zip")
    assert code == 1
    assert verdict(output).startswith("ILLISIBLE : fichier introuvable")
    (tmp_path / "not-a-zip.zip").write_bytes(b"hello")
    code, output = verify(tmp_path / "not-a-zip.zip")
    assert code == 1
    assert verdict(output).startswith("ILLISIBLE : ce fichier n'est pas un dossier de preuve vérifiable")


def test_one_capture_timestamped_and_one_not_is_said_exactly(
    tenant: Tenant, tsa: LocalTSA, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Found in the demo: "captures/000002 : non horodaté" then "intact : … et horodatages vérifiés"."""
    mention = make_mention(tenant.organisation)

    def capture() -> None:
        collected = Collected(url="", started_at=utc_now(), files={"payload.json": b"{}"})
        timestamp_capture(do_record_capture(mention, collected))

    monkeypatch.delenv("VIGIE_TSA_URL")
    capture()  # no authority configured: not timestamped
    monkeypatch.setenv("VIGIE_TSA_URL", tsa.url)
    capture()
    out = tmp_path / "m.zip"
    call_command(
        "evidence",
        "export",
        "--org",
        "acme",
        "--mention",
        str(mention.pk),
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    code, output = verify(out)
    assert code == 0, output
    assert "captures/000001 : non horodaté" in output
    assert "captures/000002 : horodaté le" in output
    assert verdict(output).endswith(
        "chaîne de 2 captures vérifiée ; 1 capture sur 2 horodatée (RFC 3161, vérifié), "
        "l'autre non horodatée (captures/000001)"
    )


def _repacked(bundle: Path, *, folders: bool, change: str = "") -> bytes:
    """The bundle unzipped and zipped again, as a ZIP tool does (with folder entries if asked)."""
    source = zipfile.ZipFile(bundle)
    repacked = io.BytesIO()
    with zipfile.ZipFile(repacked, "w") as target:
        written: set[str] = set()
        for name in source.namelist():
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1):
                folder = "/".join(parts[:depth]) + "/"
                if folders and folder not in written:
                    target.writestr(folder, b"")
                    written.add(folder)
            content = source.read(name)
            if name == change:
                content = content.replace(b"escrocs", b"amis")
            target.writestr(name, content)
    return repacked.getvalue()


def test_folder_entries_are_not_files_added(bundle: Path, tmp_path: Path) -> None:
    """Found in the demo: a re-zipped file listed "captures/ : fichier ajouté" for folder entries."""
    rebuilt = tmp_path / "rezippe.zip"
    rebuilt.write_bytes(_repacked(bundle, folders=True))
    assert "captures/000002/files/" in zipfile.ZipFile(rebuilt).namelist()
    code, output = verify(rebuilt)
    assert code == 1
    assert "fichier ajouté" not in output
    files = len(json.loads(zipfile.ZipFile(bundle).read("bundle.json"))["files"])
    # Rebuilt, so the seal is gone: that alone is the problem, and every file is still the signed one.
    assert verdict(output) == (
        "ALTÉRÉ : sceau de l'archive absent : l'archive a été reconstruite ou modifiée ; "
        f"{files} fichiers sur {files} conformes à leur empreinte"
    )


def test_a_tampered_file_ends_with_a_clear_verdict_and_exit_1_from_the_shell(
    bundle: Path, tmp_path: Path
) -> None:
    from vigie.core.tests.servers import vigie_env

    tampered = tmp_path / "modifie.zip"
    tampered.write_bytes(_repacked(bundle, folders=True, change="captures/000002/files/page.html"))
    result = subprocess.run(
        [sys.executable, "-m", "vigie.cli", "evidence", "verify", str(tampered)],
        env=vigie_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "ÉCHEC : captures/000002/files/page.html : empreinte SHA-256 différente" in result.stdout
    assert verdict(result.stdout).startswith("ALTÉRÉ : ")
    # The seal, and the changed file once (the index and the capture's manifest both name it).
    assert "et 1 autre problème" in verdict(result.stdout)
    assert result.stdout.count("ÉCHEC : captures/000002/files/page.html") == 1
    assert "CommandError" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_a_passed_limit_is_said_so_not_counted_below_zero(tenant: Tenant) -> None:
    """Found in the demo: "expire le 8 septembre 2026 (-90 jour(s) restant(s))"."""
    from vigie.evidence.cover import CoverNote
    from vigie.evidence.queries import Limitation

    def sentence(days_left: int) -> str:
        note = CoverNote(
            organisation=tenant.organisation,
            mention=make_mention(tenant.organisation),
            case=None,
            captures=[],
            limitation=Limitation(date(2026, 9, 8), days_left),
            generated_at=timezone.now(),
        )
        return str(note.context()["limit_sentence"])

    assert sentence(-90) == "Le délai de trois mois a expiré le 8 septembre 2026, il y a 90 jours."
    assert sentence(-1) == "Le délai de trois mois a expiré le 8 septembre 2026, il y a 1 jour."
    assert sentence(0) == "Le délai de trois mois expire aujourd'hui, le 8 septembre 2026."
    assert sentence(1) == "Le délai de trois mois expire le 8 septembre 2026 (1 jour restant)."
    assert sentence(12) == "Le délai de trois mois expire le 8 septembre 2026 (12 jours restants)."
