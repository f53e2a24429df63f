"""Debian's Chromium driven by Playwright, for the browser tests of every app.

The fixtures are imported by ``vigie/conftest.py``: ``browser`` (a launched Chromium),
``browser_context`` (French locale, a laptop screen) and ``page`` (a page of that context).
Playwright never downloads a browser of its own; `make test` installs Debian's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 900}


def new_context(browser: Any) -> Any:
    """A fresh session (cookies, storage) as a French user on a laptop screen sees it."""
    return browser.new_context(locale="fr-FR", viewport=VIEWPORT)


@pytest.fixture
def browser() -> Iterator[Any]:
    """A headless Chromium, closed after the test."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser_context(browser: Any) -> Iterator[Any]:
    """One browser session for the test."""
    context = new_context(browser)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Any:
    """A page of the test's browser session."""
    return browser_context.new_page()
