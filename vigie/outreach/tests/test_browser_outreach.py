"""Done when: on the demo, resolving a case sends an invitation e-mail to a real SMTP server on
loopback, the customer's survey answer (submitted in a real browser, on a phone-sized screen)
appears in the dashboard's CSAT and NPS, and a rule that would gate by sentiment is refused with
its reason. A real `vigie serve` (embedded worker) runs against a data directory seeded with the
demo."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import DataDirs, free_port, vigie_env
from vigie.core.tests.servers import demo as load_demo
from vigie.demo import DEMO_LOGINS, DEMO_PASSWORD
from vigie.inbox.tests.mailservers import Received, SmtpServer
from vigie.outreach.tests.demo_setup import SIZE

pytestmark = pytest.mark.browser


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def demo(tmp_path: Path, data_dirs: DataDirs) -> dict[str, Any]:
    # The test's own copy of the seeded demo, prepared once for the session.
    printed = data_dirs.prepare(tmp_path, *load_demo(SIZE), ("-m", "vigie.outreach.tests.demo_setup"))
    seeded: dict[str, Any] = json.loads(printed.strip().splitlines()[-1])
    return seeded


@pytest.fixture
def server(tmp_path: Path, demo: dict[str, Any], smtp: SmtpServer) -> Iterator[str]:
    """`vigie serve` on the demo, sending its mail to the loopback SMTP server."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **vigie_env(tmp_path),
        "VIGIE_EMAIL_HOST": "127.0.0.1",
        "VIGIE_EMAIL_PORT": str(smtp.port),
        "VIGIE_EMAIL_USE_TLS": "false",
        "VIGIE_BASE_URL": url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "vigie.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, "vigie serve exited early"
            try:
                httpx.get(f"{url}/login/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "vigie serve did not answer within 60 s"
                time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sign_in(browser: Any, url: str, email: str) -> Any:
    return sign_in_context(new_context(browser), url, email)


def sign_in_context(context: Any, url: str, email: str) -> Any:
    page = context.new_page()
    page.goto(f"{url}/inbox/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")
    return page


def test_resolved_case_invitation_survey_answer_dashboard_and_gating_refused(
    server: str, demo: dict[str, Any], smtp: SmtpServer, browser: Any
) -> None:
    manager = sign_in(browser, server, DEMO_LOGINS["manager"])
    manager.goto(f"{server}/dashboard/")
    assert (
        "Pas encore de note de satisfaction sur la période"
        in manager.locator('[data-outreach="satisfaction"]').inner_text()
    )

    # Resolving the case queues the invitation; the embedded worker mails it.
    manager.goto(f"{server}/inbox/cases/{demo['case']}/")
    manager.locator("#id_status").select_option("resolved")
    manager.get_by_role("button", name="Changer le statut").click()
    manager.wait_for_load_state()
    deadline = time.monotonic() + 60

    def invitations() -> list[Received]:
        # Other jobs of the demo's server (alert notices…) may mail the staff meanwhile.
        return [mail for mail in smtp.received if mail.rcpt_tos == [demo["email"]]]

    while not invitations() and time.monotonic() < deadline:
        time.sleep(0.25)
    [mail] = invitations()
    text = mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # The review link is Vigie's tracked one, as in the HTML part; it opens the agency's Google page.
    review = re.search(rf"{re.escape(server)}/o/r/\S+/", text)
    assert review
    assert "google.com" not in text
    assert "Mutuelle Horizon" in str(mail.message["From"])
    survey = re.search(rf"{re.escape(server)}/o/s/\S+/", text)
    assert survey
    assert re.search(rf"{re.escape(server)}/o/u/\S+/", text)

    # The customer answers on a phone.
    customer = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}).new_page()
    customer.goto(survey.group(0))
    questions = customer.locator("fieldset")
    questions.nth(0).get_by_role("radio", name="2", exact=True).check()
    questions.nth(1).get_by_role("radio", name="3", exact=True).check()
    customer.get_by_label("Voulez-vous nous en dire plus ?").fill("L'attente était trop longue.")
    customer.get_by_role("button", name="Envoyer ma réponse").click()
    customer.get_by_text("Merci pour votre réponse").wait_for()
    # The link served once.
    customer.goto(survey.group(0))
    customer.get_by_text("Ce lien n'est plus valable").wait_for()

    manager.goto(f"{server}/dashboard/")
    section = manager.locator('[data-outreach="satisfaction"]').inner_text()
    assert "Total" in section
    assert "0\u00a0%" in section, "CSAT: the one answer is 2 out of 5"
    assert "2,0/5" in section, "average CSAT 2/5"
    assert "-100" in section, "NPS -100 (one detractor)"
    assert "100\u00a0%" in section, "response rate: one answer to one invitation"
    assert "Agence" in section, "per location"

    # A rule that would invite only the happy customers is refused, with its reason.
    manager.goto(f"{server}/outreach/")
    manager.get_by_label("Population invitée", exact=False).fill("sentiment = positif")
    manager.get_by_role("button", name="Enregistrer", exact=True).click()
    refusal = manager.locator('[data-field="population"]')
    refusal.wait_for()
    assert "Règle refusée" in refusal.inner_text()
    assert "review gating" in refusal.inner_text()


def scale_boxes(page: Any) -> list[tuple[int, int]]:
    """The NPS scale's boxes as (width, top), in pixels."""
    boxes: list[tuple[int, int]] = page.evaluate(
        "[...document.querySelectorAll('fieldset')[1].querySelectorAll('label')]"
        ".map(l => { const r = l.getBoundingClientRect(); return [Math.round(r.width), Math.round(r.top)]; })"
    )
    return boxes


def test_a_list_saved_by_excel_is_invited_and_the_survey_scales_are_even_on_a_phone_and_a_desktop(
    server: str, smtp: SmtpServer, browser: Any, tmp_path: Path
) -> None:
    manager = sign_in(browser, server, DEMO_LOGINS["manager"])
    manager.goto(f"{server}/outreach/")
    # Each upload form has its own ids: the import's "Fichier CSV" label names its own input.
    ids = manager.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), "an id is repeated on the page"
    # Excel on Windows writes a French list in Windows-1252, with semicolons.
    listing = tmp_path / "clients.csv"
    listing.write_bytes(
        "email;name;location;platform\r\nhelene@client.example;Hélène Dupré;Agence Saint-Étienne;\r\n".encode(
            "cp1252"
        )
    )
    form = manager.locator("#invite-list form")
    form.get_by_label("Fichier CSV").set_input_files(str(listing))
    form.get_by_role("button", name="Inviter").click()
    # The list is sent in the background: its page follows the run (HTMX) to its report.
    manager.wait_for_url("**/outreach/lists/*/")
    manager.locator('[data-outreach="batch"][data-state="done"]').wait_for(timeout=30000)
    assert "1 invitation envoyée." in manager.locator(".import-report").inner_text()
    manager.goto(f"{server}/outreach/invitations/")
    row = manager.locator("table tbody tr", has_text="Hélène Dupré")
    assert "Agence Saint-Étienne" in row.inner_text()
    assert "helene@client.example" in row.inner_text(), "the customer's address beside their name"
    # The state filter stands apart from the cards above and below it (it touched both).
    measures = manager.locator('[data-outreach="measures"]').bounding_box()
    state_filter = manager.locator("form.inline-form").bounding_box()
    listing_card = manager.locator("section.table-card").bounding_box()
    assert measures is not None
    assert state_filter is not None
    assert listing_card is not None
    assert state_filter["y"] - (measures["y"] + measures["height"]) >= 8
    assert listing_card["y"] - (state_filter["y"] + state_filter["height"]) >= 8
    deadline = time.monotonic() + 30
    while not [m for m in smtp.received if m.rcpt_tos == ["helene@client.example"]]:
        assert time.monotonic() < deadline, "no invitation mailed"
        time.sleep(0.2)
    [mail] = [m for m in smtp.received if m.rcpt_tos == ["helene@client.example"]]
    text = mail.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bonjour Hélène Dupré," in text
    survey = re.search(rf"{re.escape(server)}/o/s/\S+/", text)
    assert survey

    # The phone last: it answers, and the link serves once.
    for width, per_row in ((1280, 11), (390, 6)):
        customer = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 844})
        page = customer.new_page()
        page.goto(survey.group(0))
        boxes = scale_boxes(page)
        assert len(boxes) == 11
        # Eleven boxes of one size: the "10" used to fall alone on a line, as wide as the page.
        assert len({w for w, _top in boxes}) == 1, boxes
        assert boxes[0][0] >= 40, "a box a thumb can hit"
        tops = sorted({top for _w, top in boxes})
        assert sum(1 for _w, top in boxes if top == tops[0]) == per_row, boxes
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if width == 390:
            # An unhappy answer on the phone: thanked, and offered the review page all the same.
            page.locator("fieldset").nth(0).get_by_role("radio", name="2", exact=True).check()
            page.locator("fieldset").nth(1).get_by_role("radio", name="10", exact=True).check()
            page.get_by_role("button", name="Envoyer ma réponse").click()
            page.get_by_text("Merci pour votre réponse").wait_for()
            review = page.get_by_role("link", name="Donner mon avis sur Google")
            box = review.bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= width
            assert "/o/r/" in (review.get_attribute("href") or "")
        customer.close()


def test_survey_results_import_in_the_background_and_the_invitation_figures_read_as_pairs(
    server: str, browser: Any, tmp_path: Path
) -> None:
    manager = sign_in(browser, server, DEMO_LOGINS["manager"])
    manager.goto(f"{server}/outreach/")
    results = tmp_path / "enquete.csv"
    rows = [f"e{n};01/12/2026;{1 + n % 5};{n % 11};" for n in range(300)]
    results.write_text("id;date;csat;nps;comment\n" + "\n".join([*rows, "e999;01/12/2026;9;;"]) + "\n")
    form = manager.locator("form[action='/outreach/surveys/import/']")
    form.get_by_label("Fichier CSV").set_input_files(str(results))
    form.get_by_role("button", name="Importer").click()
    # Imported in the background (the embedded worker): the page follows the run to its report.
    manager.wait_for_url("**/outreach/lists/*/")
    manager.locator('[data-outreach="batch"][data-state="done"]').wait_for(timeout=60000)
    report = manager.locator('[data-outreach="survey-report"]').inner_text()
    assert "300 réponses importées." in report
    assert "1 ligne refusée" in report
    assert "La satisfaction se note de 1 à 5." in manager.locator('tr[data-line="302"]').inner_text()

    # The dashboard's invitation figures: each label and its value on one line, phone and desktop
    # (the values fell under their labels, indented).
    for width in (390, 1280):
        context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
        page = sign_in_context(context, server, DEMO_LOGINS["manager"])
        page.goto(f"{server}/dashboard/")
        pairs = page.evaluate(
            """() => [...document.querySelectorAll('[data-outreach="measures"] dt')].map(dt => {
                const dd = dt.nextElementSibling, a = dt.getBoundingClientRect(), b = dd.getBoundingClientRect();
                return [dt.textContent.trim(), a.top, b.top, a.right <= b.left, b.right];
            })"""
        )
        card = page.locator('[data-outreach="measures"]').bounding_box()
        assert card is not None
        assert len(pairs) == 9
        for label, label_top, value_top, beside, value_right in pairs:
            assert abs(label_top - value_top) < 2, (width, label)
            assert beside, (width, label)
            assert value_right <= card["x"] + card["width"], (width, label)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        context.close()

    # Testimonials on a phone: a kept one is a card with its buttons on screen (the six columns
    # scrolled sideways), a candidate's quote the width of the card (40 px margins each side).
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 900})
    page = sign_in_context(context, server, DEMO_LOGINS["manager"])
    page.goto(f"{server}/outreach/testimonials/")
    candidate = page.locator("form.testimonial-candidate").first
    quote = candidate.locator("blockquote").bounding_box()
    form_box = candidate.bounding_box()
    assert quote is not None
    assert form_box is not None
    assert quote["width"] >= form_box["width"] - 1
    candidate.get_by_role("button", name="Retenir").click()
    page.wait_for_load_state()
    for name in ("Mettre dans le rapport", "Retirer"):
        box = (
            page.locator("table.testimonial-table")
            .get_by_role("button" if name != "Retirer" else "link", name=name, exact=True)
            .first.bounding_box()
        )
        assert box is not None
        assert box["x"] + box["width"] <= 390, name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
