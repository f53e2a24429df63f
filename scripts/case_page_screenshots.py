"""Take the agent guide's screenshots of the case page from a running demo (it changes the demo:
it answers one Facebook case by hand).

    make demo &            # or: .venv/bin/vigie demo --port 8000
    .venv/bin/python scripts/case_page_screenshots.py [http://127.0.0.1:8000]

Writes docs/images/case-page.png and docs/images/answer-by-hand.png (Debian's Chromium).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
VIEWPORT = {"width": 1366, "height": 900}


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        page = browser.new_context(locale="fr-FR", viewport=VIEWPORT).new_page()
        page.goto(f"{base}/inbox/")
        page.get_by_label("Adresse e-mail").fill("agent@demo.example")
        page.get_by_label("Mot de passe").fill("vigie-demo")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/inbox/**")
        page.locator("summary", has_text="Plus de filtres").click()
        with page.expect_response(lambda r: "/inbox/" in r.url):
            page.locator("#id_platform").select_option(label="Facebook")
        page.locator("a.case-link").first.click()
        page.wait_for_url("**/inbox/cases/**")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(IMAGES / "case-page.png"))

        page.locator("#id_template").select_option(label="Passage en message privé (pré-approuvé)")
        page.wait_for_function("document.querySelector('#id_body').value.length > 40")
        page.locator("#reply-findings .finding-ok, #reply-findings .finding").first.wait_for()
        overrides = page.locator("#reply-findings input[name=overrides]")
        for index in range(overrides.count()):
            overrides.nth(index).check()
        if overrides.count():
            page.locator("#id_override_reason").fill("Réponse type validée pour cet incident.")
        with page.expect_navigation():
            page.locator("#reply-submit").click()
        card = page.locator("#publication-status")
        card.wait_for()
        card.scroll_into_view_if_needed()
        card.screenshot(path=str(IMAGES / "answer-by-hand.png"))
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
