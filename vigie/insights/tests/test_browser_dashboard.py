"""A manager opens the dashboard of the demo in a real browser and drills down to the mentions."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("insights-demo")
    data_dirs.prepare(data_dir, *demo(600))
    with running_server(data_dir) as server:
        yield server


def negative_count_last_30_days(data_dir: Path) -> int:
    db = sqlite3.connect(data_dir / "vigie.sqlite3")
    try:
        (count,) = db.execute(
            "SELECT count(*) FROM mentions_mention WHERE sentiment = 'negative' AND deleted_at IS NULL "
            "AND created_at >= datetime('now', '-40 days')"
        ).fetchone()
    finally:
        db.close()
    return int(count)


def test_the_dashboard_drills_down_to_the_negative_mentions(demo_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    assert negative_count_last_30_days(demo_server.data_dir) > 0, "the demo has negative mentions"
    page.goto(f"{demo_server.url}/dashboard/")
    page.get_by_label("Adresse e-mail").fill("manager@demo.example")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/dashboard/**")

    assert page.locator("svg.chart").count() >= 3, "charts are drawn inline"
    assert page.locator("svg.chart title").first.text_content()
    page.screenshot(path=str(demo_server.data_dir / "dashboard.png"), full_page=True)
    # The "Négatif" line of the sentiment card is a link to the mentions behind it.
    sentiment_card = page.locator("section[aria-labelledby=sentiment-title]")
    line = sentiment_card.locator("li").filter(has_text="Négatif")
    expected = int(line.locator(".num .small").inner_text().strip("()"))
    line.get_by_role("link", name="Négatif").click()
    page.wait_for_url("**/dashboard/mentions/**")
    assert "sentiment=negative" in page.url
    heading = page.locator("main h1").inner_text()
    assert heading == "Mentions derrière les chiffres"
    rows = page.locator("#drilldown tbody tr[data-mention]")
    assert min(expected, 50) == rows.count()
    assert rows.first.locator(".badge").inner_text() == "Négatif"
    page.screenshot(path=str(demo_server.data_dir / "drilldown.png"), full_page=True)


def test_at_1280_px_the_dashboards_figures_and_histogram_labels_do_not_collide(
    demo_server: Server, page
) -> None:  # type: ignore[no-untyped-def]
    """Found at 1280 px: "807 / 895" wrapped on two lines and the first-response histogram's
    labels read "8-24h24-48h>48h"."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{demo_server.url}/dashboard/")
    if "/login" in page.url or page.get_by_label("Mot de passe").count():
        page.get_by_label("Adresse e-mail").fill("manager@demo.example")
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/dashboard/**")
    figure = page.locator("[data-kpi=cases] .value")
    box = figure.bounding_box()
    line_height = figure.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
    assert box["height"] < 1.5 * line_height, "one line"
    card = page.locator("[data-kpi=cases]").bounding_box()
    padding = figure.evaluate("e => parseFloat(getComputedStyle(e.parentElement).paddingRight)")
    assert box["x"] + box["width"] <= card["x"] + card["width"] - padding, "inside its card's padding"
    labels = page.locator("section:has(#response-title) svg.chart text.axis")
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    assert len(boxes) == 6
    for left, right in itertools.pairwise(boxes):
        assert left["x"] + left["width"] + 2 <= right["x"], (left, right)
    page.locator("section:has(#response-title)").screenshot(path=str(demo_server.data_dir / "histogram.png"))
    page.locator("[data-kpi=cases]").screenshot(path=str(demo_server.data_dir / "cases.png"))
