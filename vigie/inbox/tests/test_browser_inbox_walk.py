"""What an agent met walking the demo's inbox and case page in a real browser, every day.

Against a real `vigie serve` loaded with the demo, Debian's Chromium: a filter picked in the list
updates the filters' count and offers to clear them; closing one ticked case asks in the singular,
and nothing is asked with no case ticked (the server says to tick one); opening the suggested
replies on a case page does not make the page wider than the screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_PASSWORD
from vigie.demo.tests.fresh_cases import FRESH_CASES_STEP

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("inbox-walk")
    data_dirs.prepare(data_dir, *demo(300), FRESH_CASES_STEP)
    with running_server(data_dir) as server:
        yield server


def signed_in(browser: Any, server: Server, viewport: dict[str, int]) -> Any:
    page = new_context(browser).new_page()
    page.set_viewport_size(viewport)
    page.goto(f"{server.url}/login/")
    page.get_by_label("Adresse e-mail").fill("agent@demo.example")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")
    return page


def test_a_filter_picked_in_the_list_updates_the_filters_count_and_offers_to_clear_them(
    demo_server: Server, browser: Any
) -> None:
    # The list was filtered in place but the fold still read "Filtres", with no "Effacer".
    page = signed_in(browser, demo_server, LAPTOP)
    filters = page.locator("form.inbox-filters")
    assert filters.locator("summary").first.inner_text() == "Filtres"
    assert filters.get_by_role("link", name="Effacer").count() == 0

    page.get_by_label("Sentiment").select_option("negative")
    page.wait_for_url("**sentiment=negative**")
    page.wait_for_load_state("networkidle")
    assert filters.locator("summary").first.inner_text() == "Filtres (1 actif)"
    clear = filters.get_by_role("link", name="Effacer")
    assert clear.is_visible()

    clear.click()
    page.wait_for_load_state("networkidle")
    assert "sentiment" not in page.url
    assert filters.locator("summary").first.inner_text() == "Filtres"


def test_closing_one_ticked_case_asks_in_the_singular_and_nothing_is_asked_without_a_tick(
    demo_server: Server, browser: Any
) -> None:
    page = signed_in(browser, demo_server, LAPTOP)
    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_label("Pour les dossiers cochés").select_option("close")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_load_state("networkidle")
    assert questions == [], "no question about « 0 dossiers »"
    assert page.get_by_text("Cochez au moins un dossier.").is_visible()

    page.locator("#inbox-results input[name=ids]").first.check()
    page.get_by_label("Pour les dossiers cochés").select_option("close")
    page.get_by_role("button", name="Appliquer").click()
    assert questions == ["Clore le dossier coché ?"]

    page.locator("#inbox-results input[name=ids]").nth(1).check()
    page.get_by_label("Pour les dossiers cochés").select_option("spam")
    page.get_by_role("button", name="Appliquer").click()
    assert questions[-1] == "Marquer les 2 dossiers cochés comme indésirables et les clore ?"
    assert "/inbox/bulk/" not in page.url, "dismissed: nothing was sent"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_opening_the_suggested_replies_does_not_make_the_case_page_wider_than_the_screen(
    demo_server: Server, browser: Any, viewport: dict[str, int]
) -> None:
    # Each suggestion's full text sits in a hidden text area for "Partir de cette réponse"; the
    # composer's "textarea { width: 100% }" beat the hiding class, and at 1366 px the page
    # scrolled sideways by 250 px once the suggestions were open.
    page = signed_in(browser, demo_server, viewport)
    links = [a.get_attribute("href") for a in page.locator("a.case-link").all()]
    for href in links:
        page.goto(f"{demo_server.url}{href}")
        if page.locator("details.suggestions").count():
            break
    else:
        pytest.fail("no case of the agent's queue offers suggested replies")
    page.locator("details.suggestions > summary").click()
    page.get_by_role("button", name="Partir de cette réponse").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_body").input_value()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_a_case_taken_or_closed_from_the_keyboard_is_confirmed_on_the_list(
    demo_server: Server, browser: Any
) -> None:
    # "a" and "e" reloaded the list without a word: the confirmation was used up by the case page,
    # fetched in the background by following the action's redirect.
    page = signed_in(browser, demo_server, LAPTOP)
    page.wait_for_load_state("networkidle")
    assert page.locator("tr[data-case]").count(), "the agent's queue has cases"
    page.keyboard.press("j")
    expect(page.locator(".case-link:focus")).to_have_count(1)
    with page.expect_navigation():
        page.keyboard.press("a")
    assert page.locator(".messages").inner_text() == "Attribution enregistrée."

    page.goto(f"{demo_server.url}/inbox/?view=mine")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("j")
    expect(page.locator(".case-link:focus")).to_have_count(1)
    with page.expect_navigation():
        page.keyboard.press("e")
    assert page.locator(".messages").inner_text() == "Statut enregistré."
