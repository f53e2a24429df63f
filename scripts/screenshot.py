"""Refresh the README's screenshots from a freshly generated demo: `.venv/bin/python scripts/screenshot.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from vigie.core.tests.browser import CHROMIUM, CHROMIUM_ARGS
from vigie.core.tests.servers import running_server, vigie
from vigie.demo import DEMO_LOGINS, DEMO_PASSWORD

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        vigie(data_dir, "demo", "--no-serve")
        with running_server(data_dir) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="fr-FR")
            page.goto(f"{server.url}/login/")
            page.get_by_label("Adresse e-mail").fill(DEMO_LOGINS["agent"])
            page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_url("**/inbox/**")
            page.screenshot(path=str(IMAGES / "inbox.png"))
            page.goto(f"{server.url}/dashboard/")
            page.screenshot(path=str(IMAGES / "dashboard.png"), full_page=True)
            browser.close()
    print(f"screenshots written to {IMAGES}")


if __name__ == "__main__":
    main()
