"""In a real browser against a real `vigie serve` with the demo: a manager reorders the
comment-handling scheme and runs a dry-run; the admin edits the charter and opens the print page."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_LOGINS, DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("demo-routing")
    data_dirs.prepare(data_dir, *demo(200))
    with running_server(data_dir) as server:
        yield server


def sign_in(page, server: Server, role: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/login/")
    page.get_by_label("Adresse e-mail").fill(DEMO_LOGINS[role])
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")


def a_mention_id(data_dir: Path) -> int:
    db = sqlite3.connect(data_dir / "vigie.sqlite3")
    try:
        row = db.execute("SELECT id FROM mentions_mention WHERE mention_type = 'question' LIMIT 1").fetchone()
    finally:
        db.close()
    assert row is not None
    return int(row[0])


def test_a_manager_reorders_the_scheme_and_runs_a_dry_run(demo_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, demo_server, "manager")
    page.get_by_role("link", name="Aiguillage").click()
    page.wait_for_url("**/routing/")
    rows = page.locator("table.routing-rules tbody tr")
    assert rows.count() == 8
    assert "Insultes" in rows.nth(1).inner_text()
    page.get_by_role("button", name="↑ Monter Insultes").click()
    page.wait_for_url("**/routing/")
    assert "Insultes" in page.locator("table.routing-rules tbody tr").nth(0).inner_text()
    page.screenshot(path=str(demo_server.data_dir / "routing.png"), full_page=True)

    page.get_by_role("link", name="Essai à blanc").click()
    page.get_by_label("Numéro de la mention").fill(str(a_mention_id(demo_server.data_dir)))
    page.get_by_role("button", name="Essayer").click()
    page.wait_for_url("**/routing/dry-run/?**")
    result = page.locator("#result").inner_text()
    assert "Règle déclenchée" in result
    assert "Question" in result
    page.screenshot(path=str(demo_server.data_dir / "dry-run.png"), full_page=True)

    page.goto(f"{demo_server.url}/routing/")
    page.get_by_role("link", name="Modifier Question").click()
    assert page.get_by_label("Nom").input_value() == "Question"
    page.screenshot(path=str(demo_server.data_dir / "rule-form.png"), full_page=True)


def test_the_admin_edits_the_charter_and_prints_it(demo_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, demo_server, "admin")
    page.get_by_role("link", name="Charte", exact=True).click()
    page.wait_for_url("**/charter/")
    page.locator("#sla").get_by_role("link", name="Modifier cette section").click()
    page.get_by_label("Première réponse (heures ouvrées)").fill("8")
    page.get_by_label("Ce qui change, et pourquoi").fill("Engagement de réponse en une journée")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    page.wait_for_url("**/charter/")
    # The demo's charter is version 1 (its review sites for outreach): the admin's edit is version 2.
    assert "Version 2" in page.locator("main").inner_text()
    # The figure keeps to its unit (a no-break space: « 8 h » never parts at a line end).
    assert "8\xa0h ouvrées" in page.locator("#sla").inner_text()
    page.get_by_role("link", name="Version imprimable").click()
    page.wait_for_url("**/charter/print/")
    page.emulate_media(media="print")
    assert not page.locator(".no-print").first.is_visible()
    page.screenshot(path=str(demo_server.data_dir / "charter-print.png"), full_page=True)
    # On a phone the printable charter stays within the screen: its wide tables scroll by themselves.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
