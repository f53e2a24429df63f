"""The smoke test a person would do: sign in as the demo agent, open the inbox and the dashboard.

Drives Debian's Chromium through Playwright against a real `vigie serve` loaded with the demo.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_PASSWORD
from vigie.demo.tests.fresh_cases import FRESH_CASES_STEP

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("demo")
    # Cases needing an answer come in after the demo, so the queue has some at any hour (which demo
    # cases are still open depends on the hour the demo is loaded at).
    data_dirs.prepare(data_dir, *demo(600), FRESH_CASES_STEP)
    with running_server(data_dir) as server:
        yield server


def top_open_case(data_dir: Path) -> tuple[str, str]:
    """The author and text of the agent's organisation's highest-priority open case, read directly."""
    db = sqlite3.connect(data_dir / "vigie.sqlite3")
    try:
        row = db.execute(
            """
            SELECT coalesce(nullif(a.display_name, ''), a.handle), m.text
            FROM inbox_case c JOIN mentions_mention m ON m.id = c.mention_id
            LEFT JOIN mentions_author a ON a.id = m.author_id
            WHERE c.status = 'new'
            ORDER BY c.priority DESC, c.sla_due_at ASC LIMIT 1
            """
        ).fetchone()
    finally:
        db.close()
    assert row is not None, "the demo has open cases"
    return row[0], row[1]


def queue_length(data_dir: Path) -> int:
    """How many cases the agent's queue ("À traiter": new or in progress) holds, read directly."""
    db = sqlite3.connect(data_dir / "vigie.sqlite3")
    try:
        (count,) = db.execute(
            "SELECT count(*) FROM inbox_case WHERE status IN ('new', 'in_progress')"
        ).fetchone()
    finally:
        db.close()
    return int(count)


def test_the_demo_agent_signs_in_and_sees_the_inbox_and_the_dashboard(demo_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{demo_server.url}/inbox/")
    assert "/login/" in page.url, "an anonymous visitor is sent to the sign-in page"
    page.get_by_label("Adresse e-mail").fill("agent@demo.example")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")

    author, text = top_open_case(demo_server.data_dir)
    body = page.locator("main").inner_text()
    assert author in body, "the top case of the demo's queue is listed with its author"
    assert text.split()[0] in body
    # The whole queue, 50 cases a page (how many are still open depends on the hour of the load).
    assert page.locator("main table tbody tr, main [data-case]").count() == min(
        50, queue_length(demo_server.data_dir)
    )

    page.get_by_role("link", name="Tableau de bord").click()
    page.wait_for_url("**/dashboard/**")
    dashboard = page.locator("main").inner_text()
    assert "Note moyenne" in dashboard
    assert "Taux de réponse" in dashboard
    page.screenshot(path=str(demo_server.data_dir / "dashboard.png"), full_page=True)
