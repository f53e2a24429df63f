"""The dashboard's theme trends and CSAT, and the wide tables (routing rules, action plans), looked
at in Chromium at 1280 px and at 390 px: the theme trends ran 1,900 px wide in a 540 px card, the
satisfaction card was a tall empty block, and on a phone the routing rules and the action plans hid
their last columns without a sign that the table scrolls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import FloatRect, Locator, Page

from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("insights-wide-tables")
    data_dirs.prepare(data_dir, *demo(600))
    with running_server(data_dir) as server:
        yield server


def _sign_in(page: Page, server: Server, email: str = "manager@demo.example") -> None:
    page.goto(f"{server.url}/dashboard/")
    if page.get_by_label("Mot de passe").count():
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/dashboard/**")


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, "shown"
    return box


def _page_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_theme_trends_fit_their_card_and_the_csat_card_says_how_to_get_answers(
    demo_server: Server,
    page: Page,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, demo_server)
    page.goto(f"{demo_server.url}/dashboard/?period=30")
    assert _page_width(page) == width, "nothing widens the page"

    trends = page.locator("section[aria-labelledby=trends-title]")
    table = trends.locator("table.trend-table")
    card = _box(trends)
    box = _box(table)
    assert box["x"] >= card["x"]
    assert box["x"] + box["width"] <= card["x"] + card["width"], "inside its card"
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1"), "no column cut"
    assert table.locator("tbody tr").count() >= 3
    sparkline = table.locator("svg.sparkline").first
    assert sparkline.is_visible()
    assert _box(sparkline)["width"] > 60
    assert " ; " in (sparkline.get_attribute("aria-label") or ""), "its values are read out"
    # The numbers day by day are folded below, in a table that scrolls inside the card.
    trends.locator("details.chart-data summary").click()
    wrap = trends.locator(".table-wrap")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), "30 days scroll sideways"
    assert trends.locator(".scroll-hint").is_visible()
    assert _page_width(page) == width
    trends.screenshot(path=str(demo_server.data_dir / f"trends-{width}.png"))

    # The demo's survey answers come by a webhook without a score: the card counts them and says
    # where to attach the survey; the satisfaction card below says how to get scores.
    csat = page.locator("[data-kpi=csat]")
    assert "aucune notée" in csat.inner_text()
    link = csat.get_by_role("link", name="Joindre l'enquête aux invitations")
    assert link.is_visible()
    satisfaction = page.locator("#satisfaction section[data-outreach=satisfaction]")
    assert "Pas encore de note de satisfaction sur la période." in satisfaction.inner_text()
    assert satisfaction.get_by_role("link", name="Régler les invitations et l'enquête").is_visible()
    # No stretched empty block: the card is as tall as what it says.
    content = satisfaction.evaluate(
        "s => [...s.children].reduce((h, c) => h + c.getBoundingClientRect().height, 0)"
    )
    assert _box(satisfaction)["height"] < content + 100
    page.locator("#satisfaction").screenshot(path=str(demo_server.data_dir / f"satisfaction-{width}.png"))
    csat.screenshot(path=str(demo_server.data_dir / f"csat-{width}.png"))
    link.click()
    page.wait_for_url("**/outreach/**")


def _check_wide_table(page: Page, wrap_selector: str, width: int, shot: str) -> None:
    wrap = page.locator(wrap_selector)
    hint = page.locator(".scroll-hint").first
    assert _page_width(page) == width, "the table does not widen the page"
    if width >= 1000:
        assert not hint.is_visible(), "no hint where the table fits"
        return
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth + 10"), "it scrolls inside its wrapper"
    assert hint.is_visible()
    assert "Faites défiler le tableau de côté" in hint.inner_text()
    assert _box(hint)["y"] < _box(wrap)["y"], "the hint comes before the table"
    last = wrap.locator("thead th").last
    right = _box(wrap)["x"] + _box(wrap)["width"]
    assert _box(last)["x"] > right, "the last column starts out of view"
    page.screenshot(path=shot)
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    box = _box(last)
    assert box["x"] + box["width"] <= right + 1, "scrolled, the last column is in view"
    assert last.is_visible()
    page.screenshot(path=shot.replace(".png", "-scrolled.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_routing_rules_scroll_within_their_card_with_a_hint(
    demo_server: Server,
    page: Page,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, demo_server)
    page.goto(f"{demo_server.url}/routing/")
    assert page.locator("table.routing-rules tbody tr").count() >= 3
    _check_wide_table(
        page,
        ".table-wrap:has(table.routing-rules)",
        width,
        str(demo_server.data_dir / f"routing-{width}.png"),
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_action_plans_scroll_within_their_card_with_a_hint(
    demo_server: Server, page: Page, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    _sign_in(page, demo_server)
    page.goto(f"{demo_server.url}/dashboard/actions/")
    if not page.locator("#action-plans tr[data-plan]").count():
        page.goto(f"{demo_server.url}/dashboard/actions/new/")
        page.locator("input[name=title]").fill("Raccourcir le délai de remboursement des soins dentaires")
        page.locator("input[name=started_on]").fill("2026-11-15")
        page.locator("select[name=theme]").select_option(index=1)  # a plan's theme is chosen
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/dashboard/actions/")
    assert page.locator("#action-plans tr[data-plan]").count() == 1
    _check_wide_table(
        page, ".table-wrap:has(#action-plans)", width, str(demo_server.data_dir / f"plans-{width}.png")
    )
