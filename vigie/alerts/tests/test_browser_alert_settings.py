"""The per-series sensitivity table of the alert settings, in Chromium at 390 and 1280 px: on a
phone its two columns scrolled sideways (the save buttons off screen); each series is now a card."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import FloatRect, Locator, Page

from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("alert-settings")
    data_dirs.prepare(data_dir, *demo(300))
    with running_server(data_dir) as server:
        yield server


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, "shown"
    return box


def _open_settings(page: Page, server: Server, width: int) -> Locator:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{server.url}/alerts/settings/")
    if page.get_by_label("Mot de passe").count():
        page.get_by_label("Adresse e-mail").fill("admin@demo.example")
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/alerts/settings/**")
    return page.locator("#series")


def test_on_a_phone_each_series_is_a_card_and_nothing_scrolls_sideways(
    demo_server: Server, page: Page
) -> None:
    series = _open_settings(page, demo_server, 390)
    assert page.evaluate("document.documentElement.scrollWidth") == 390, "nothing widens the page"
    wrap = series.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the table does not scroll sideways"
    assert series.locator("thead").is_hidden()
    row = series.locator("tbody tr").first
    name, form = row.locator("td").nth(0), row.locator("form")
    assert _box(name)["y"] + _box(name)["height"] <= _box(form)["y"], "the series' name above its form"
    card = _box(series)
    for control in (form.locator("input[type=number]"), form.get_by_role("button")):
        box = _box(control)
        assert card["x"] <= box["x"], "within the card"
        assert box["x"] + box["width"] <= card["x"] + card["width"], "within the card"
    series.screenshot(path=str(demo_server.data_dir / "series-390.png"))


def test_on_a_desktop_a_series_keeps_one_line(demo_server: Server, page: Page) -> None:
    series = _open_settings(page, demo_server, 1280)
    assert page.evaluate("document.documentElement.scrollWidth") == 1280
    assert series.locator("thead").is_visible()
    form = series.locator("tbody tr").first.locator("form")
    field, button = _box(form.locator("input[type=number]")), _box(form.get_by_role("button"))
    # The number field no longer fills the column and pushes "Enregistrer" to a second line.
    assert abs((field["y"] + field["height"] / 2) - (button["y"] + button["height"] / 2)) < 8
