"""The template form and page as a manager sees them in Chromium, on the demo (found walking it):
the category menu shows "Choisissez une catégorie…" until one is chosen and the form says so when
none is; the platform menu lists each platform once by its public name; a template's fill-ins read
once ("À compléter par l'agent : la réponse précise")."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("template-form")
    data_dirs.prepare(data_dir, *demo(50))
    with running_server(data_dir) as server:
        yield server


def _manager(browser: Any, server: Server) -> Any:
    page = new_context(browser).new_page()
    page.goto(f"{server.url}/login/")
    page.get_by_label("Adresse e-mail").fill("manager@demo.example")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")
    return page


def test_the_manager_chooses_the_category_and_reads_each_platform_once(
    demo_server: Server, browser: Any
) -> None:
    page = _manager(browser, demo_server)
    page.goto(f"{demo_server.url}/templates/new/")
    category = page.get_by_label("Catégorie")
    assert category.evaluate("el => el.selectedOptions[0].textContent") == "Choisissez une catégorie…"
    platforms = page.get_by_label("Plateforme").evaluate("el => [...el.options].map((o) => o.textContent)")
    assert len(platforms) == len(set(platforms)), platforms
    assert "Google Business Profile" in platforms  # the dashboard's name of it
    assert "X" in platforms
    assert "Google" not in platforms
    assert "X (Twitter, fichiers importés)" not in platforms
    page.get_by_label("Nom").fill("Rappel du conseiller")
    page.get_by_label("Texte").fill(
        "Bonjour {{customer_name}}, un conseiller vous rappelle demain. {{signature}}"
    )
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("Choisissez la catégorie du modèle.").is_visible()
    page.get_by_label("Catégorie").select_option(label="Relance")
    page.get_by_label("Texte").fill(
        "Bonjour {{customer_name}}, un conseiller vous rappelle demain. {{signature}}"
    )
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/templates/*/")
    assert page.get_by_text("Relance").first.is_visible()


def test_a_template_s_fill_ins_read_once(demo_server: Server, browser: Any) -> None:
    db = sqlite3.connect(demo_server.data_dir / "vigie.sqlite3")
    try:
        row = db.execute(
            "SELECT id FROM inbox_template WHERE body LIKE '%[[à compléter : la réponse précise]]%' AND platform = ''"
        ).fetchone()
    finally:
        db.close()
    assert row is not None
    page = _manager(browser, demo_server)
    page.goto(f"{demo_server.url}/templates/{row[0]}/")
    line = page.get_by_text("À compléter par l'agent :")
    assert line.inner_text() == "À compléter par l'agent : la réponse précise"
