"""The main journey in a real browser against a real `vigie serve`.

An agent opens the top case, picks a template, sees the gate block a phone number, fixes it and
submits for approval; a supervisor approves; the reply is published to a local server answering
like Google Business Profile's reply API; the case timeline and the response-rate KPI show it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.connectors.testing import FakePlatform
from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import MIGRATE, DataDirs, Server, running_server, vigie_env
from vigie.inbox.tests.journey_setup import PASSWORD

pytestmark = pytest.mark.browser

FIXTURES = (
    Path(__file__).resolve().parents[2] / "connectors" / "builtin" / "google_business" / "tests" / "fixtures"
)
REPLY_PATH = "/v4/accounts/1122334455/locations/9988776655/reviews/AbFvOqk/reply"
PHONE = "06 12 34 56 78"


@pytest.fixture
def platform() -> Iterator[FakePlatform]:
    with FakePlatform() as fake:
        fake.add("POST", "/token", json=json.loads((FIXTURES / "token.json").read_text()))
        fake.add("PUT", REPLY_PATH, json=json.loads((FIXTURES / "reply.json").read_text()))
        yield fake


@pytest.fixture
def server(tmp_path: Path, platform: FakePlatform, data_dirs: DataDirs) -> Iterator[Server]:
    # Migrated once for the session: the setup's own `migrate` then has nothing to do.
    data_dirs.prepare(tmp_path, MIGRATE)
    subprocess.run(
        [sys.executable, "-m", "vigie.inbox.tests.journey_setup", platform.url],
        env=vigie_env(tmp_path),
        check=True,
        timeout=300,
    )
    with running_server(tmp_path) as running:
        yield running


def sign_in(browser: Any, server: Server, email: str) -> Any:
    page = new_context(browser).new_page()
    page.goto(f"{server.url}/inbox/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")
    return page


def response_rate(page: Any, server: Server) -> str:
    page.goto(f"{server.url}/dashboard/")
    return str(page.locator('[data-kpi="response_rate"]').inner_text())


def test_agent_answers_supervisor_approves_and_the_reply_is_published(
    server: Server, platform: FakePlatform, browser: Any
) -> None:
    agent = sign_in(browser, server, "agent@acme.example")
    assert "0\u00a0%" in response_rate(agent, server)

    agent.goto(f"{server.url}/inbox/")
    agent.locator("a.case-link").first.click()
    agent.wait_for_url("**/inbox/cases/**")
    assert "Une heure d'attente" in agent.content()

    # The suggested template comes first (starred); picking it fills the text area.
    agent.locator("#id_template").select_option(label="★ Excuses attente (pré-approuvé)")
    body = agent.locator("#id_body")
    # Web-first assertions, not wait_for_function("…"): the Content-Security-Policy forbids eval.
    expect(body).to_have_value(re.compile(r"^Bonjour Camille"))

    # A phone number in a public reply is blocked, live, and the button is disabled.
    text = body.input_value()
    body.fill(f"{text} Ou appelez le {PHONE}.")
    agent.locator(".finding-block").wait_for()
    assert "numéro de téléphone" in agent.locator("#reply-findings").inner_text()
    assert agent.locator("#reply-submit").is_disabled()

    body.fill(text)
    agent.locator(".finding-block").wait_for(state="detached")
    assert agent.locator("#reply-submit").is_enabled()
    agent.locator("#reply-submit").click()
    agent.wait_for_load_state()
    assert "Réponse envoyée pour validation" in agent.content()
    assert platform.requests_to("PUT", REPLY_PATH) == [], "nothing is published before approval"

    supervisor = sign_in(browser, server, "chef@acme.example")
    supervisor.goto(f"{server.url}/inbox/?view=awaiting_approval")
    supervisor.locator("a.case-link").first.click()
    # "Renvoyer avec un commentaire" puts the cursor in the comment box (it only scrolled there).
    supervisor.locator("#composer").get_by_role("link", name="Renvoyer avec un commentaire").click()
    assert supervisor.evaluate("document.activeElement.name") == "comment"
    supervisor.locator("#composer").get_by_role("button", name="Valider et publier").click()
    supervisor.wait_for_load_state()
    assert "Réponse validée" in supervisor.content()

    # The embedded worker publishes the reply to the platform, exactly once.
    deadline = time.monotonic() + 60
    while not platform.requests_to("PUT", REPLY_PATH) and time.monotonic() < deadline:
        time.sleep(0.25)
    [put] = platform.requests_to("PUT", REPLY_PATH)
    assert put.json()["comment"].startswith("Bonjour Camille")
    assert PHONE not in put.json()["comment"]

    case_url = supervisor.url.split("#")[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        supervisor.goto(case_url)
        if "Réponse publiée sur la plateforme" in supervisor.locator(".timeline").inner_text():
            break
        time.sleep(0.5)
    timeline = supervisor.locator(".timeline").inner_text()
    for step in ("Réponse soumise à validation", "Réponse validée", "Réponse publiée sur la plateforme"):
        assert step in timeline
    assert "50\u00a0%" in response_rate(agent, server), "one of the two cases needing an answer got one"


def test_keyboard_shortcuts_move_assign_search_and_show_help(server: Server, browser: Any) -> None:
    agent = sign_in(browser, server, "agent@acme.example")
    agent.goto(f"{server.url}/inbox/")
    agent.wait_for_load_state("load")
    agent.keyboard.press("?")
    agent.locator("#shortcuts-help").wait_for(state="visible")
    agent.keyboard.press("Escape")
    agent.locator("#shortcuts-help").wait_for(state="hidden")

    agent.keyboard.press("j")
    first = agent.locator("tr[data-case]").first
    expect(agent.locator(".case-link:focus")).to_have_count(1)
    assert "personne" in first.inner_text()
    with agent.expect_navigation():
        agent.keyboard.press("a")
    assert "Alice" in agent.locator("tr[data-case]").first.inner_text()

    agent.keyboard.press("/")
    assert agent.evaluate("document.activeElement.name") == "q"
