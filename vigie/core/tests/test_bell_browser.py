"""The header's notification bell in Chromium: its accessible name always says how many are unread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import MIGRATE, DataDirs, Server, running_server, vigie

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery-staple"
SETUP = f"""
from vigie.core.actions import do_create_member, do_create_organisation, do_notify, do_set_user_language
from vigie.core.roles import Role
org = do_create_organisation("acme", "Acme")
french = do_create_member(org, "agent@acme.example", Role.AGENT, password={PASSWORD!r}).user
english = do_create_member(org, "agent-en@acme.example", Role.AGENT, password={PASSWORD!r}).user
do_set_user_language(english, "en")
for title in ("Pic de mentions négatives", "Cas réattribué", "Réponse renvoyée"):
    do_notify(org, french, "alert.opened", title)
do_notify(org, english, "alert.opened", "Pic de mentions négatives")
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir: Path = tmp_path_factory.mktemp("bell")
    data_dirs.prepare(data_dir, MIGRATE)
    vigie(data_dir, "shell", "-c", SETUP)
    with running_server(data_dir) as running:
        yield running


def _sign_in(server: Server, browser: Any, email: str) -> Any:
    page = new_context(browser).new_page()
    page.goto(f"{server.url}/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")
    return page


def _bell_name(page: Any) -> str:
    bell = page.locator("header a.bell")
    # What a screen reader announces: the link's computed accessible name.
    return str(bell.evaluate("a => a.getAttribute('aria-label')"))


def test_the_bell_says_how_many_are_unread_before_and_after_marking_all_read(
    server: Server, browser: Any
) -> None:
    page = _sign_in(server, browser, "agent@acme.example")
    bell = page.get_by_role("link", name="Notifications : 3 non lues", exact=True)
    assert bell.is_visible()
    assert page.locator("header a.bell .bell-count").inner_text() == "3"
    bell.click()
    page.wait_for_url("**/notifications/")
    page.get_by_role("button", name="Tout marquer comme lu").click()
    page.wait_for_load_state()
    # Read: the name still says so, in words, and the red count is gone.
    assert page.get_by_role("link", name="Notifications : aucune non lue", exact=True).is_visible()
    assert _bell_name(page) == "Notifications : aucune non lue"
    assert page.locator("header a.bell").get_attribute("title") == "Notifications : aucune non lue"
    assert page.locator("header a.bell .bell-count").count() == 0
    page.goto(f"{server.url}/inbox/")
    assert page.get_by_role("link", name="Notifications : aucune non lue", exact=True).is_visible()


def test_the_bell_speaks_english_to_an_english_reader(server: Server, browser: Any) -> None:
    page = _sign_in(server, browser, "agent-en@acme.example")
    bell = page.get_by_role("link", name="Notifications: 1 unread", exact=True)
    assert bell.is_visible()
    bell.click()
    page.wait_for_url("**/notifications/")
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Notifications: none unread", exact=True).is_visible()
