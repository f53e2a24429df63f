"""The layout on a laptop (1366×768) and on a phone (375×812), measured in a real browser.

Against a real `vigie serve` loaded with the demo, Debian's Chromium measures bounding boxes: the
inbox's first case and, on the case page, the customer's item and the whole reply box lie in the
first screen at both sizes; on a phone the main menu is one line that opens on demand; and on a
set of pages nothing that a person reads or clicks overlaps anything else, and nothing is wider
than the screen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from vigie.core.tests.browser import new_context
from vigie.core.tests.servers import DataDirs, Server, demo, running_server
from vigie.demo import DEMO_PASSWORD
from vigie.demo.tests.fresh_cases import FRESH_CASES_STEP

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 812}
SCREENS = {"laptop": LAPTOP, "phone": PHONE}

# What a person reads or clicks. Elements inside one another (a label around its box, an icon in
# its link) are not compared; hidden ones (closed menus, folded sections) are left out.
OVERLAPS_JS = """
() => {
  const selector = "a, button, input:not([type=hidden]), select, textarea, label, h1, h2, h3, p, th, "
    + "summary, .badge, img, svg, blockquote";
  const shown = [...document.querySelectorAll(selector)].filter((el) =>
    el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) && !el.closest(".visually-hidden"));
  // What a scrolling or clipping ancestor (a wide table in its scroll box) lets be seen.
  const clip = (el, r) => {
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== "visible" || style.overflowY !== "visible") {
        const c = up.getBoundingClientRect();
        [left, top, right, bottom] = [Math.max(left, c.left), Math.max(top, c.top), Math.min(right, c.right), Math.min(bottom, c.bottom)];
      }
    }
    return { left, top, right, bottom, width: right - left, height: bottom - top };
  };
  // An inline element spanning two lines has one box per line: compare those, not their union.
  const boxes = shown.flatMap((el) => [...el.getClientRects()].map((r) => [el, clip(el, r)]))
    .filter(([, r]) => r.width > 2 && r.height > 2);
  const name = (el) => {
    const text = (el.innerText || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className.split(" ")[0] : ""} «${text}»`;
  };
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    const [a, ra] = boxes[i];
    for (let j = i + 1; j < boxes.length; j++) {
      const [b, rb] = boxes[j];
      if (a === b || a.contains(b) || b.contains(a)) continue;
      const width = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const height = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      // Two pixels of slack: borders and focus rings may touch.
      if (width > 2 && height > 2) found.push(`${name(a)} / ${name(b)}`);
    }
  }
  return [...new Set(found)].slice(0, 10);
}
"""

# What sticks out of the screen's width, outside any box that scrolls or clips it (a wide table
# scrolls inside its card: that is fine; a card wider than the phone is not).
STICKING_OUT_JS = """
() => {
  const width = window.innerWidth;
  const inScrollBox = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1 && el.checkVisibility() && !inScrollBox(el))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} ${Math.round(el.getBoundingClientRect().right)} px`);
}
"""


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory, data_dirs: DataDirs) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("layout")
    # Cases needing an answer come in after the demo: which demo cases are still "new" depends on
    # the hour it is loaded at (with 300 mentions, none on a Thursday at 09:30).
    data_dirs.prepare(data_dir, *demo(300), FRESH_CASES_STEP)
    with running_server(data_dir) as server:
        yield server


def top_case(server: Server) -> int:
    """The agent's queue's first case (what the inbox lists first), read directly."""
    db = sqlite3.connect(server.data_dir / "vigie.sqlite3")
    try:
        row = db.execute(
            "SELECT id FROM inbox_case WHERE status = 'new' ORDER BY priority DESC, sla_due_at ASC LIMIT 1"
        ).fetchone()
    finally:
        db.close()
    assert row is not None
    return int(row[0])


def signed_in(browser: Any, server: Server, email: str, viewport: dict[str, int]) -> Any:
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size(viewport)
    page.goto(f"{server.url}/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/inbox/**")
    return page


def in_first_screen(box: dict[str, float] | None, viewport: dict[str, int]) -> bool:
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= viewport["height"]
        and box["x"] + box["width"] <= viewport["width"] + 1
    )


@pytest.mark.parametrize("screen", SCREENS)
def test_the_first_case_the_item_and_the_reply_box_are_in_the_first_screen(
    demo_server: Server, browser: Any, screen: str
) -> None:
    viewport = SCREENS[screen]
    page = signed_in(browser, demo_server, "agent@demo.example", viewport)

    first = page.locator("a.case-link").first
    assert in_first_screen(first.bounding_box(), viewport), f"inbox's first case: {first.bounding_box()}"

    page.goto(f"{demo_server.url}/inbox/cases/{top_case(demo_server)}/")
    page.wait_for_load_state("networkidle")
    item = page.locator("article[aria-labelledby=mention-title]")
    reply = page.locator("#id_body")
    assert in_first_screen(item.bounding_box(), viewport), f"customer's item: {item.bounding_box()}"
    assert in_first_screen(reply.bounding_box(), viewport), f"reply box: {reply.bounding_box()}"


def test_on_a_phone_the_menu_is_one_line_that_opens_on_demand(demo_server: Server, browser: Any) -> None:
    page = signed_in(browser, demo_server, "agent@demo.example", PHONE)
    topbar = page.locator("header.topbar").bounding_box()
    assert topbar is not None
    assert topbar["height"] <= 64, f"the top bar takes {topbar['height']} px"
    alerts = page.locator("nav.mainnav").get_by_role("link", name="Alertes")
    assert not alerts.is_visible(), "the menu starts folded"

    page.locator(".mainnav-menu > summary").click()
    assert alerts.is_visible()
    assert in_first_screen(alerts.bounding_box(), PHONE)
    alerts.click()
    page.wait_for_url("**/alerts/**")

    laptop = signed_in(browser, demo_server, "agent@demo.example", LAPTOP)
    assert laptop.locator("nav.mainnav").get_by_role("link", name="Alertes").is_visible()
    assert not laptop.locator(".mainnav-menu > summary").is_visible(), "no « Menu » on a laptop"


@pytest.mark.parametrize("email", ["admin@demo.example", "manager@demo.example", "agent@demo.example"])
def test_on_a_laptop_the_account_stays_on_the_first_row_whatever_the_role(
    demo_server: Server, browser: Any, email: str
) -> None:
    # An admin's eleven menu entries pushed the bell, the organisation and the account under the
    # menu's end at 1280 px; they now stay up right, beside the brand, and the menu has a row.
    page = signed_in(browser, demo_server, email, {"width": 1280, "height": 800})
    brand = page.locator("header.topbar .brand").bounding_box()
    account = page.locator("header.topbar .user-menu > summary").bounding_box()
    menu = page.locator("nav.mainnav li").last.bounding_box()
    assert brand is not None
    assert account is not None
    assert menu is not None
    assert abs(account["y"] + account["height"] / 2 - (brand["y"] + brand["height"] / 2)) < 12
    assert account["x"] + account["width"] <= 1280
    assert menu["y"] < 120, "the whole menu holds in one more row at most"


@pytest.mark.parametrize("screen", SCREENS)
def test_nothing_overlaps_and_nothing_is_wider_than_the_screen(
    demo_server: Server, browser: Any, screen: str
) -> None:
    viewport = SCREENS[screen]
    case = top_case(demo_server)
    pages = {
        "agent@demo.example": [
            "/inbox/",
            f"/inbox/cases/{case}/",
            "/templates/",
            "/dashboard/",
            "/dashboard/themes/",
            "/alerts/",
            "/charter/",
            "/settings/",
        ],
        "manager@demo.example": [
            "/inbox/?view=awaiting_approval",
            "/routing/",
            "/sources/",
            "/outreach/",
            "/evidence/",
        ],
    }
    problems: dict[str, Any] = {}
    for email, paths in pages.items():
        page = signed_in(browser, demo_server, email, viewport)
        for path in paths:
            page.goto(f"{demo_server.url}{path}")
            page.wait_for_load_state("networkidle")
            overlaps = page.evaluate(OVERLAPS_JS)
            if overlaps:
                problems[path] = overlaps
            sticking_out = page.evaluate(STICKING_OUT_JS)
            if sticking_out:
                problems[f"{path} (wider than the screen)"] = sticking_out
        page.context.close()
    assert problems == {}, "\n".join(f"{where}: {what}" for where, what in problems.items())
