"""Take the agent guide's screenshots of each path from a running demo (it changes the demo: it
corrects a troll into a complaint).

    make demo &            # or: .venv/bin/vigie demo --port 8000
    .venv/bin/python scripts/agent_guide_screenshots.py [http://127.0.0.1:8000] [DATA_DIR]

Writes, under docs/images/: case-page.png (a laptop's first screen, 1366×768), phone-inbox.png
and phone-case.png (375×812), publication.png, private-email.png, moderate-troll.png,
correct-analysis.png and two-sessions.png (Debian's Chromium). The answer-by-hand image comes
from scripts/case_page_screenshots.py. DATA_DIR (default var/) holds the demo's SQLite file, read
to pick the cases shown.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}


def one(db: sqlite3.Connection, sql: str) -> int:
    row = db.execute(sql).fetchone()
    if row is None:
        raise SystemExit(f"the demo has no case for: {sql}")
    return int(row[0])


def sign_in(browser: Any, base: str, email: str, viewport: dict[str, int]) -> Any:
    page = browser.new_context(locale="fr-FR", viewport=viewport).new_page()
    page.goto(f"{base}/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("vigie-demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")
    return page


def main(base: str, data_dir: Path) -> None:
    db = sqlite3.connect(data_dir / "vigie.sqlite3")
    top = one(db, "SELECT id FROM inbox_case WHERE status = 'new' ORDER BY priority DESC, sla_due_at LIMIT 1")
    to_publish = one(
        db,
        "SELECT c.id FROM inbox_case c JOIN mentions_mention m ON m.id = c.mention_id "
        "JOIN connectors_source s ON s.id = m.source_id WHERE c.status IN ('new', 'in_progress') "
        "AND s.platform IN ('google_business', 'trustpilot', 'bluesky', 'mastodon') ORDER BY c.priority DESC LIMIT 1",
    )
    troll = one(
        db,
        "SELECT c.id FROM inbox_case c JOIN mentions_mention m ON m.id = c.mention_id "
        "WHERE m.mention_type = 'troll' AND c.status = 'no_answer' ORDER BY c.id LIMIT 1",
    )
    db.close()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"]
        )
        agent = sign_in(browser, base, "agent@demo.example", LAPTOP)
        agent.goto(f"{base}/inbox/cases/{top}/")
        agent.wait_for_load_state("networkidle")
        agent.screenshot(path=str(IMAGES / "case-page.png"))
        agent.locator("#private-channel summary", has_text="Poursuivre par e-mail").click()
        agent.locator("#private-channel").screenshot(path=str(IMAGES / "private-email.png"))

        # Two sessions: a colleague opens the same case; the agent's page says so.
        colleague = sign_in(browser, base, "manager@demo.example", LAPTOP)
        colleague.goto(f"{base}/inbox/cases/{top}/")
        colleague.wait_for_load_state("networkidle")
        agent.reload()
        agent.locator("#presence [data-presence]").wait_for()
        agent.evaluate("() => window.scrollTo(0, 0)")
        agent.screenshot(
            path=str(IMAGES / "two-sessions.png"), clip={"x": 60, "y": 60, "width": 900, "height": 560}
        )

        # Publish: the agent sends a template on a review; when the charter wants approval, the
        # manager approves; the demo's sandbox platform receives it and the Publication card says so.
        agent.goto(f"{base}/inbox/cases/{to_publish}/")
        agent.wait_for_load_state("networkidle")
        if agent.locator("#id_template").count():
            agent.locator("#id_template").select_option(index=1)
            for _attempt in range(50):  # the template arrives through htmx (no eval: the CSP forbids it)
                if len(agent.locator("#id_body").input_value()) > 40:
                    break
                agent.wait_for_timeout(200)
            agent.locator("#reply-findings .finding-ok, #reply-findings .finding").first.wait_for()
            overrides = agent.locator("#reply-findings input[name=overrides]")
            for index in range(overrides.count()):
                overrides.nth(index).check()
            if overrides.count() and agent.locator("#id_override_reason").count():
                agent.locator("#id_override_reason").fill("Réponse type validée pour cet avis.")
            if agent.locator("#reply-submit").is_enabled():
                with agent.expect_navigation():
                    agent.locator("#reply-submit").click()
        colleague.goto(f"{base}/inbox/cases/{to_publish}/")
        approve = colleague.get_by_role("button", name="Valider et publier")
        if approve.count():
            with colleague.expect_navigation():
                approve.first.click()
        colleague.wait_for_timeout(4000)
        colleague.reload()
        shown = colleague.locator("#publication-status")
        (shown if shown.count() else colleague.locator("#conversation")).screenshot(
            path=str(IMAGES / "publication.png")
        )

        agent.goto(f"{base}/inbox/cases/{troll}/")
        agent.locator("#moderation").screenshot(path=str(IMAGES / "moderate-troll.png"))
        agent.locator("details.correction").first.locator("summary").first.click()
        agent.locator("details.correction").first.locator("select[name=type]").select_option(
            label="Réclamation"
        )
        with agent.expect_navigation():
            agent.get_by_role("button", name="Enregistrer la correction").click()
        agent.locator("section[aria-labelledby=analysis-title]").screenshot(
            path=str(IMAGES / "correct-analysis.png")
        )

        phone = sign_in(browser, base, "agent@demo.example", PHONE)
        phone.screenshot(path=str(IMAGES / "phone-inbox.png"))
        phone.goto(f"{base}/inbox/cases/{top}/")
        phone.wait_for_load_state("networkidle")
        phone.screenshot(path=str(IMAGES / "phone-case.png"))
        browser.close()


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000",
        Path(sys.argv[2]) if len(sys.argv) > 2 else Path("var"),
    )
