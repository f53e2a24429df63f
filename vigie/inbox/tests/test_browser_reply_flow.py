"""The reply flow the QA walk went through, in a real browser, on the demo.

The agent answers the forum complaint that came in after the demo with the organisation's own
pre-approved incident template: the gate neither calls it a copy nor an incomplete answer; a
warning keeps "Envoyer" disabled, saying why beside it, until it is confirmed with a reason. While
the reply waits to be posted by hand, the composer gives way to a line saying so and the case is
in progress; a link that is not one is refused beside its form with the text kept; once posted,
the conversation links to it. The private e-mail form shows a refused address in place, and a
request that fails on the server says so beside its form.
"""

from __future__ import annotations

from typing import Any

import pytest

from vigie.core.tests.servers import Server
from vigie.inbox.tests.test_browser_case_page import (  # noqa: F401 (fixtures)
    AGENT,
    MANAGER,
    open_first_case,
    server,
    sign_in,
    smtp,
    wait_for,
)

pytestmark = pytest.mark.browser

INCIDENT = "Incident — plateforme de remboursement"
LINK = "https://forum.conso-entraide.example/t/mutuelle-horizon/40417#reponse"


def checked(page: Any, action: Any) -> None:
    """Run ``action`` and wait for the gate's answer on the reply box."""
    with page.expect_response(lambda r: "/check" in r.url and r.request.method == "POST"):
        action()
    page.locator("#reply-findings .finding-ok, #reply-findings .finding").first.wait_for()


def test_reply_flow_from_template_to_manual_publication(server: Server, browser: Any) -> None:  # noqa: F811
    agent = sign_in(browser, server, AGENT)
    open_first_case(agent, view="À traiter", platform="Flux RSS / Atom", search="40417")
    case_url = agent.url.split("#")[0]

    # 1. The pre-approved template, as it is: no "ressemble à" nor "devrait aussi".
    option = agent.locator("#id_template option", has_text=INCIDENT).first
    checked(agent, lambda: agent.locator("#id_template").select_option(value=option.get_attribute("value")))
    findings = agent.locator("#reply-findings").inner_text()
    assert "ressemble à" not in findings, findings
    assert "devrait aussi" not in findings, findings
    submit = agent.locator("#reply-submit")
    hint = agent.locator("#reply-submit-hint")

    # A warning: "Envoyer" is disabled and says why beside it, until confirmed with a reason.
    body = agent.locator("#id_body")
    checked(agent, lambda: body.fill(body.input_value() + "\n\nÀ très vite !!"))
    assert agent.locator("#reply-findings .finding-warn").count() >= 1
    assert submit.is_disabled()
    assert "Je passe outre" in hint.inner_text()
    boxes = agent.locator("#reply-findings input[name=overrides]")
    for index in range(boxes.count()):
        boxes.nth(index).check()
    assert submit.is_disabled()
    assert "Indiquez pourquoi" in hint.inner_text()
    agent.locator("#id_override_reason").fill("Le ton de la maison sur ce forum.")
    assert submit.is_enabled()
    assert hint.inner_text() == ""
    with agent.expect_navigation():
        submit.click()
    assert "/reply/" not in agent.url, agent.locator("#composer").inner_text()

    if "Réponse envoyée pour validation" in agent.content():
        manager = sign_in(browser, server, MANAGER)
        manager.goto(case_url)
        line = manager.locator("#composer")
        assert "à valider" in line.inner_text()
        with manager.expect_navigation():
            line.get_by_role("button", name="Valider et publier").click()
        agent.goto(case_url)

    # 2. Waiting to be posted by hand: no empty composer, a line instead; the case is in progress.
    composer = agent.locator("#composer")
    assert "attend d'être publiée à la main" in composer.inner_text()
    assert agent.locator("#reply-form").count() == 0
    assert "En cours" in agent.locator("h1").inner_text()
    publication = agent.locator("#publication-status")
    wait_for(lambda: "À publier à la main" in publication.inner_text(), 30)
    button = publication.get_by_role("button", name="J'ai publié la réponse à la main")
    card = publication.locator(".publication").first
    button_box, card_box = button.bounding_box(), card.bounding_box()
    assert card_box["y"] + card_box["height"] - (button_box["y"] + button_box["height"]) >= 8

    # A link that is not one, past the browser's own check: refused beside the form, text kept.
    url_input = publication.locator("input[name=url]")
    url_input.evaluate("input => input.type = 'text'")
    url_input.fill("pas un lien")
    button.click()
    agent.locator("#publication-status [role=alert]", has_text="Adresse web invalide").wait_for()
    assert agent.locator("#publication-status input[name=url]").input_value() == "pas un lien"
    agent.locator("#publication-status input[name=url]").fill(LINK)
    agent.get_by_role("button", name="J'ai publié la réponse à la main").click()
    agent.locator("#publication-status", has_text="Publiée à la main").wait_for()

    agent.goto(case_url)
    link = agent.locator("#conversation a", has_text="Voir la réponse publiée")
    assert link.get_attribute("href") == LINK
    assert "noopener" in (link.get_attribute("rel") or "")
    assert agent.locator("#reply-form").count() == 1

    # 4. The private e-mail form: a refused address shown in place, what was typed kept.
    agent.locator("#private-channel summary", has_text="Poursuivre par e-mail").click()
    address = agent.locator("#private-address")
    address.evaluate("input => input.type = 'text'")
    address.fill("pas-une-adresse")
    agent.locator("#private-subject").fill("Votre remboursement")
    agent.locator("#private-body").fill("Bonjour Agnès, voici la suite de votre dossier.")
    agent.get_by_role("button", name="Envoyer l'e-mail").click()
    agent.locator("#private-channel form [role=alert]").wait_for()
    assert agent.locator("#private-address").input_value() == "pas-une-adresse"
    assert agent.locator("#private-address").is_visible()
    assert "voici la suite" in agent.locator("#private-body").input_value()

    # A request that fails on the server (no form to show again) says so beside its form.
    agent.route("**/private/ticket/", lambda route: route.fulfill(status=500, body="boom"))
    agent.locator("#private-channel summary", has_text="Lier un ticket").click()
    agent.locator("#ticket-reference").fill("T-1")
    agent.get_by_role("button", name="Lier le ticket").click()
    line = agent.locator("#private-channel [data-htmx-error]")
    line.wait_for()
    assert "n'a pas abouti" in line.inner_text()
    assert agent.locator("#ticket-reference").input_value() == "T-1"
