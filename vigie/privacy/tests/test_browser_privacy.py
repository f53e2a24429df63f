"""The DPO's way through the GDPR pages in a real browser: from a case to what Vigie holds about its
author, the records of processing from the navigation, and an erasure that asks for its
confirmation and then shows on the case. Found walking the demo: no page led from a case (where a
person's request usually starts) to the privacy page; the DPO had to retype the author's handle."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import MIGRATE, DataDirs, Server, running_server
from vigie.privacy.tests.browser_setup import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[tuple[Server, str]]:
    data_dir = tmp_path_factory.mktemp("privacy")
    output = data_dirs.prepare(data_dir, MIGRATE, ("-m", "vigie.privacy.tests.browser_setup"))
    case_id = output.strip().splitlines()[-1]
    with running_server(data_dir) as server:
        yield server, case_id


def _sign_in(browser: Any, url: str, email: str, next_path: str) -> Any:
    page = new_context(browser).new_page()
    page.goto(f"{url}{next_path}")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**{next_path}")
    return page


def test_the_dpo_goes_from_a_case_to_the_authors_data_and_erases_it(
    served: tuple[Server, str], browser: Any
) -> None:
    server, case_id = served
    page = _sign_in(browser, server.url, "dpo@acme.example", f"/inbox/cases/{case_id}/")
    page.locator("#author-title").locator("..").get_by_role(
        "link", name="Ses données personnelles (RGPD)"
    ).click()
    page.wait_for_url("**/privacy/?subject=*")
    assert page.get_by_label("Personne concernée").input_value() == "@jdupont"
    findings = page.locator("#findings").inner_text()
    assert "Ce que Vigie conserve sur « @jdupont »" in findings
    erase = page.locator("#erase")
    assert "Jean Dupont" in erase.inner_text()
    reference = erase.get_by_role("link", name=re.compile(r"^C-\d+$"))
    assert reference.count() == 1

    # Without the confirmation nothing is sent; with it, the erasure is done and said.
    erase.get_by_role("button", name="Effacer les données de cette personne").click()
    page.wait_for_load_state()
    assert "Effacement fait" not in page.locator("main").inner_text()
    assert "Jean Dupont" in page.locator("#erase").inner_text()
    # The box sits on the line of its sentence (it was alone under a bold label, read as a title).
    box = erase.locator("input[name=confirm]").bounding_box()
    sentence = erase.locator("label[for=id_confirm]").bounding_box()
    assert box is not None
    assert sentence is not None
    assert sentence["y"] <= box["y"] + box["height"] / 2 <= sentence["y"] + sentence["height"]
    assert sentence["height"] < 3 * box["height"]
    erase.get_by_label("Je confirme l'effacement : il est définitif.").check()
    erase.get_by_role("button", name="Effacer les données de cette personne").click()
    page.wait_for_load_state()
    assert "Effacement fait" in page.locator("main").inner_text()
    assert "Rien n'a été trouvé dans cette organisation." in page.locator("#findings").inner_text()

    page.goto(f"{server.url}/inbox/cases/{case_id}/")
    main = page.locator("main").inner_text()
    assert "Jean Dupont" not in main
    assert "jdupont" not in main
    assert "contenu effacé à la demande de la personne (RGPD)" in main


def test_the_records_are_reached_from_the_navigation(served: tuple[Server, str], browser: Any) -> None:
    server, _case_id = served
    page = _sign_in(browser, server.url, "dpo@acme.example", "/inbox/")
    page.locator("nav").get_by_role("link", name="RGPD").click()
    page.wait_for_url("**/privacy/")
    page.get_by_role("link", name="Registre des traitements").click()
    page.wait_for_url("**/privacy/records/")
    cells = page.locator("main table tbody td").all_inner_texts()
    assert cells
    assert all(cell.strip() for cell in cells), "no empty cell in the register"
    assert any("Captures de publications conservées comme preuve" in cell for cell in cells)


def test_a_manager_sees_the_evidence_but_not_the_privacy_link(
    served: tuple[Server, str], browser: Any
) -> None:
    server, case_id = served
    page = _sign_in(browser, server.url, "chef@acme.example", f"/inbox/cases/{case_id}/")
    assert page.get_by_role("link", name="Ses données personnelles (RGPD)").count() == 0
    assert page.locator("nav").get_by_role("link", name="RGPD").count() == 0
    assert page.locator("#evidence").count() == 1
    page.locator("nav").get_by_role("link", name="Preuves").click()
    page.wait_for_url("**/evidence/")
    # On a phone a held post is a card, its dates under it (four columns squeezed it and
    # scrolled « Conservée depuis » off screen).
    page.set_viewport_size({"width": 390, "height": 844})
    held = (
        page.locator("table.holds-table tbody tr")
        .first.locator('td[data-label="Conservée depuis"]')
        .bounding_box()
    )
    assert held is not None
    assert held["x"] + held["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.goto(f"{server.url}/privacy/").status == 403


def test_on_a_phone_a_request_of_the_register_is_answered_without_scrolling_sideways(
    served: tuple[Server, str], browser: Any
) -> None:
    """At 390 px the register's five columns scrolled sideways and hid « Marquer traitée » and
    « Rectifier »: each request is a card there."""
    server, _case_id = served
    page = _sign_in(browser, server.url, "dpo@acme.example", "/privacy/")
    page.set_viewport_size({"width": 390, "height": 844})
    form = page.locator("details", has=page.get_by_text("Enregistrer une demande reçue"))
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    page.get_by_label("Demande", exact=True).select_option("rectification")
    page.get_by_label("Personne qui fait la demande").fill("jean@example.fr")
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_url("**/privacy/?*")
    page.goto(f"{server.url}/privacy/")
    row = page.locator("tr[data-request]").first
    for role, name in (("link", "Rectifier"), ("button", "Marquer traitée")):
        box = row.get_by_role(role, name=name).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390, name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # What Vigie keeps: each count beside its label (one column put every number under it).
    page.goto(f"{server.url}/privacy/?subject=%40mdurand")
    pairs = page.evaluate(
        """() => [...document.querySelectorAll('#findings .facts dt')].map(dt => [
            dt.textContent.trim(), dt.getBoundingClientRect().top, dt.nextElementSibling.getBoundingClientRect().top])"""
    )
    assert pairs
    for label, label_top, value_top in pairs:
        assert abs(label_top - value_top) < 2, label
