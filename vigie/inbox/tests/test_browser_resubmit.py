"""Back and send again, in a real browser on the demo: the agent sends a public reply on a
Facebook comment, presses the browser's back button and "Envoyer" again. Chromium used to
restore the typed text into the freshly loaded composer, and the second click published the
same reply a second time."""

from __future__ import annotations

from typing import Any

import pytest

from vigie.core.tests.servers import Server
from vigie.inbox.tests.test_browser_case_page import (  # noqa: F401 (fixtures)
    AGENT,
    open_first_case,
    server,
    sign_in,
    smtp,
)

pytestmark = pytest.mark.browser

BODY = (
    "Bonjour, merci pour votre message et toutes nos excuses pour cette attente. "
    "Nous regardons votre dossier aujourd'hui : écrivez-nous en message privé pour la suite."
)


def test_back_and_send_again_does_not_send_the_reply_twice(server: Server, browser: Any) -> None:  # noqa: F811
    agent = sign_in(browser, server, AGENT)
    # The demo's fresh Facebook complaint (file 40419): which other cases are open depends on the hour
    # the demo is generated at ("Mes dossiers" on Facebook was empty at some hours).
    open_first_case(agent, view="À traiter", platform="Facebook", search="40419")
    case_url = agent.url.split("#")[0]
    with agent.expect_response(lambda r: "/check" in r.url and r.request.method == "POST"):
        agent.locator("#id_body").fill(BODY)
    agent.locator("#reply-findings .finding-ok, #reply-findings .finding").first.wait_for()
    for box in agent.locator("#reply-findings input[name=overrides]").all():
        box.check()
    if agent.locator("#id_override_reason").count():
        agent.locator("#id_override_reason").fill("réponse d'attente")
    agent.locator("#reply-submit").click()
    agent.wait_for_load_state()
    assert "Réponse envoyée" in agent.locator("main").inner_text()

    agent.go_back()
    agent.wait_for_load_state()
    composer = agent.locator("#id_body")
    if composer.count():
        # The composer comes back empty: nothing to send again by mistake.
        assert composer.input_value() == ""
        composer.fill(BODY)
        agent.locator("#reply-findings .finding-ok, #reply-findings .finding").first.wait_for()
        for box in agent.locator("#reply-findings input[name=overrides]").all():
            box.check()
        if agent.locator("#id_override_reason").count():
            agent.locator("#id_override_reason").fill("réponse d'attente")
        agent.locator("#reply-submit").click()
        agent.wait_for_load_state()
        assert "déjà été envoyée sur ce dossier" in agent.locator("#reply-errors").inner_text()
    agent.goto(case_url)
    same = agent.locator("#replies .entry-reply", has_text="toutes nos excuses pour cette attente")
    sent = [entry for entry in same.all() if not entry.locator(".status-draft").count()]
    assert len(sent) == 1


def test_on_a_phone_the_approval_notice_is_read_before_the_send_button(server: Server, browser: Any) -> None:  # noqa: F811
    # A one-star review needs a supervisor's approval: on a phone the notice sat below "Envoyer",
    # after the template and channel fields.
    agent = sign_in(browser, server, AGENT)
    agent.set_viewport_size({"width": 390, "height": 844})
    agent.goto(f"{agent.url.split('/inbox/')[0]}/inbox/?view=todo&stars=1")
    agent.locator("a.case-link").first.click()
    agent.wait_for_url("**/inbox/cases/**")
    notice = agent.locator("#approval-notice")
    assert "avis de 2 étoiles ou moins" in notice.inner_text()
    notice_box, button_box = notice.bounding_box(), agent.locator("#reply-submit").bounding_box()
    assert notice_box is not None
    assert button_box is not None
    assert notice_box["y"] + notice_box["height"] <= button_box["y"]
    # ... and below the reply box, which stays in the first screen.
    body_box = agent.locator("#id_body").bounding_box()
    assert body_box is not None
    assert body_box["y"] + body_box["height"] <= notice_box["y"]
    assert notice_box["x"] + notice_box["width"] <= 390
