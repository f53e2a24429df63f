"""The management report printed to PDF by the system Chromium (the one evidence captures use).

The HTML is laid out as fixed A4 sheets (``report_pages``), so the browser's print is the
document as designed: the page a director sees on screen is the page that prints. Nothing is
fetched: the page and its fonts (DejaVu, shipped in ``vigie/insights/fonts``) are answered from
memory for one made-up origin, and every other request is aborted. Playwright's sync API runs in
a thread of its own so it never meets the event loop of a caller (a test, a web request).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

FONTS = Path(__file__).resolve().parent / "fonts"
ORIGIN = "https://report.vigie.invalid/"
FONTS_BASE = ORIGIN + "fonts/"
PAGE_TIMEOUT_MS = 30_000

# The same browser and environment variable as evidence captures (``vigie.evidence.render``);
# the report loads nothing from outside, so it needs none of their network guards.
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

T = TypeVar("T")


def chromium_path() -> str:
    return os.environ.get("VIGIE_CHROMIUM", DEFAULT_CHROMIUM)


class ChromiumMissing(RuntimeError):
    """No browser to print with: the caller falls back to the plain PDF."""


def chromium_available() -> bool:
    return Path(chromium_path()).exists()


def with_report_page(html: str, work: Callable[[Any], T]) -> T:
    """Open ``html`` in headless Chromium (fonts served locally) and return ``work(page)``."""
    if not chromium_available():
        raise ChromiumMissing(chromium_path())

    def run() -> T:
        from playwright.sync_api import Route, sync_playwright

        def answer(route: Route) -> None:
            url = route.request.url
            if url == ORIGIN:
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
                return
            if url.startswith(FONTS_BASE):
                name = url[len(FONTS_BASE) :]
                path = FONTS / name
                if "/" not in name and path.suffix == ".ttf" and path.exists():
                    route.fulfill(status=200, content_type="font/ttf", body=path.read_bytes())
                    return
            if url.startswith("data:"):
                route.continue_()
                return
            route.abort("blockedbyclient")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
            )
            try:
                context = browser.new_context(locale="fr-FR", viewport={"width": 900, "height": 1200})
                context.route("**/*", answer)
                page = context.new_page()
                page.goto(ORIGIN, wait_until="load", timeout=PAGE_TIMEOUT_MS)
                page.evaluate("document.fonts.ready.then(() => true)")
                return work(page)
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def html_to_pdf(html: str) -> bytes:
    """The report's HTML printed to an A4 PDF, backgrounds and colours included."""

    def print_pdf(page: Any) -> bytes:
        page.emulate_media(media="print")
        return bytes(page.pdf(format="A4", print_background=True, prefer_css_page_size=True))

    return with_report_page(html, print_pdf)
