"""The Sources page in a real browser: a manager adds a feed from the generated form, tests it,
asks for a sync, and sees the mentions arrive through the embedded job runner.

Drives Debian's Chromium through Playwright against a real `vigie serve`; the feed is served by
a local HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigie.connectors.tests.servers import LocalServer, local_server
from vigie.core.tests.servers import ACME, DataDirs, Server, running_server, vigie_env

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-passphrase-42"
FEED = (
    Path(__file__).parents[1] / "builtin" / "feed" / "tests" / "fixtures" / "google_alerts.xml"
).read_bytes()


@pytest.fixture(scope="module")
def feed_server() -> Iterator[LocalServer]:
    with local_server() as running:
        running.add("GET", "/alerts", 200, FEED, {"Content-Type": "application/atom+xml"})
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("sources")
    data_dirs.prepare(data_dir, *ACME)
    subprocess.run(
        [sys.executable, "-m", "vigie.cli", "user", "create", "manager@acme.example", "--org", "acme",
         "--role", "manager", "--password-stdin"],
        input=PASSWORD + "\n", env=vigie_env(data_dir), check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    with running_server(data_dir) as running:
        yield running


def test_a_manager_adds_tests_and_syncs_a_feed(server: Server, feed_server: LocalServer, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/sources/")
    page.get_by_label("Adresse e-mail").fill("manager@acme.example")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    # Each form submit navigates (POST, then the redirect): wait for that navigation to load
    # before reading the page, or `page.content()` may read a page still being replaced.
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{server.url}/sources/")
    assert "Aucune source pour l'instant" in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Flux RSS / Atom").click()
    page.get_by_label("Nom").fill("Alertes Google")
    page.get_by_label("Adresse du flux RSS ou Atom").fill(feed_server.url("/alerts"))
    page.get_by_label("Préréglage : générique, Google Alerts ou Talkwalker Alerts").select_option(
        "google_alerts"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"{server.url}/sources/")
    assert "Source « Alertes Google » ajoutée." in page.content()

    with page.expect_navigation():
        page.get_by_role("button", name="Tester la connexion").click()
    assert "Connexion réussie pour « Alertes Google »" in page.content()

    with page.expect_navigation():
        page.get_by_role("button", name="Relever maintenant").click()
    assert "Relève de « Alertes Google » demandée." in page.content()
    deadline = time.monotonic() + 30
    while '<td class="num">2</td>' not in page.content():
        assert time.monotonic() < deadline, "the embedded worker did not fetch the feed in 30 s"
        time.sleep(0.5)
        page.reload()
    assert "Opérationnelle" in page.content()

    with page.expect_navigation():
        page.get_by_role("button", name="Mettre en pause").click()
    assert "En pause" in page.content()

    # A laptop screen shows every column and every action without scrolling sideways (the ten
    # columns of before pushed the actions off a 1280-pixel screen), and so does a phone's page.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth + 1")
    assert page.get_by_role("button", name="Reprendre").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
