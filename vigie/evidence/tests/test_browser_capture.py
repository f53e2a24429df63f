"""Done when: a defamatory mention is captured from its case page in a real browser against a real
`vigie serve`, the legal file downloads, `vigie evidence verify` accepts it and refuses it once a
byte is changed."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from vigie.connectors.testing import FakePlatform
from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import MIGRATE, DataDirs, free_port, vigie_env
from vigie.evidence.tests.browser_setup import PASSWORD
from vigie.evidence.tests.conftest import POST_HTML
from vigie.evidence.tests.tsa import LocalTSA

pytestmark = pytest.mark.browser


def _env(data_dir: Path, tsa: LocalTSA) -> dict[str, str]:
    env = vigie_env(data_dir)
    env["VIGIE_EGRESS_ALLOW"] = "127.0.0.1"
    env["VIGIE_TSA_URL"] = tsa.url
    return env


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        fake.add("GET", "/@jdupont/1", body=POST_HTML, headers={"Content-Type": "text/html; charset=utf-8"})
        fake.add("GET", "/style.css", body="h1{color:#a00}", headers={"Content-Type": "text/css"})
        fake.add("GET", "/pixel.png", status=404)
        yield fake


@pytest.fixture
def authority() -> Iterator[LocalTSA]:
    with LocalTSA() as tsa:
        yield tsa


@pytest.fixture
def served(
    tmp_path: Path, platform: FakePlatform, authority: LocalTSA, data_dirs: DataDirs
) -> Iterator[tuple[str, str]]:
    env = _env(tmp_path, authority)
    # Migrated once for the session: the setup's own `migrate` then has nothing to do.
    data_dirs.prepare(tmp_path, MIGRATE)
    setup = subprocess.run(
        [sys.executable, "-m", "vigie.evidence.tests.browser_setup", f"{platform.url}/@jdupont/1"],
        env=env,
        check=True,
        timeout=300,
        capture_output=True,
        text=True,
    )
    case_id = setup.stdout.strip().splitlines()[-1]
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "vigie.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "vigie serve exited early"
            try:
                httpx.get(f"{url}/login/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "vigie serve did not answer within 60 s"
                time.sleep(0.2)
        yield url, case_id
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def _verify(path: Path, data_dir: Path, tsa: LocalTSA) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vigie.cli", "evidence", "verify", str(path)],
        env=_env(data_dir, tsa),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_supervisor_captures_a_post_from_its_case_and_the_file_verifies(
    served: tuple[str, str], browser: Any, tmp_path: Path, authority: LocalTSA
) -> None:
    url, case_id = served
    page = new_context(browser).new_page()
    page.goto(f"{url}/inbox/cases/{case_id}/")
    page.get_by_label("Adresse e-mail").fill("chef@acme.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/inbox/cases/{case_id}/")
    panel = page.locator("#evidence")
    assert "Aucune capture de cette page." in panel.inner_text()

    panel.get_by_role("button", name="Capturer la page comme preuve").click()
    page.locator(".evidence-captures li").first.wait_for(timeout=90_000)
    text = panel.inner_text()
    assert "horodatée" in text
    assert "Prescription (trois mois, loi de 1881)" in text
    assert "Conservation légale" in text

    with page.expect_download() as download_info:
        panel.get_by_role("link", name="Télécharger le dossier de preuve").click()
    bundle = tmp_path / "dossier.zip"
    download_info.value.save_as(bundle)

    accepted = _verify(bundle, tmp_path, authority)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert (
        accepted.stdout.strip()
        .splitlines()[-1]
        .startswith("intact : sceau de l'archive et signatures valides")
    )
    assert "la capture est horodatée (RFC 3161, horodatage vérifié)" in accepted.stdout

    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x20
    tampered = tmp_path / "modifie.zip"
    tampered.write_bytes(bytes(data))
    refused = _verify(tampered, tmp_path, authority)
    assert refused.returncode == 1
    assert "ÉCHEC" in refused.stdout
    # A verdict, not an error of the command.
    assert refused.stdout.strip().splitlines()[-1].startswith(("ALTÉRÉ : ", "ILLISIBLE : "))
    assert "CommandError" not in refused.stdout + refused.stderr

    # An agent sees the countdown but not the capture button.
    agent = new_context(browser).new_page()
    agent.goto(f"{url}/inbox/cases/{case_id}/")
    agent.get_by_label("Adresse e-mail").fill("agent@acme.example")
    agent.get_by_label("Mot de passe").fill(PASSWORD)
    agent.get_by_role("button", name="Se connecter").click()
    agent.wait_for_url(f"**/inbox/cases/{case_id}/")
    assert agent.get_by_role("button", name="Capturer la page comme preuve").count() == 0
    assert "Prescription" in agent.locator("#evidence").inner_text()
