"""Debian's Chromium driven by Playwright, for the browser tests of every app.

The fixtures are imported by ``vigie/conftest.py``: ``browser`` (a launched Chromium, one per
module, without any session left by a previous test), ``browser_context`` (French locale, a laptop
screen) and ``page`` (a page of that context).
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


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium shared by the tests of one module: launching one costs about a second.

    Not shared by the whole session: while Playwright's sync API is started, an asyncio loop runs
    in the main thread, and Django refuses database queries there (SynchronousOnlyOperation) — the
    tests of other modules that use the ORM in-process would fail.
    """
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
def browser(chromium: Any) -> Iterator[Any]:
    """The module's Chromium, with no session open: each context a test opens is closed after it,
    so that no cookie, storage or cache passes from one test to the next."""
    assert not chromium.contexts, "a previous test's browser session is still open"
    try:
        yield chromium
    finally:
        for context in list(chromium.contexts):
            context.close()


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
